#include "ImageView.h"

#include <QMouseEvent>
#include <QPainter>

namespace descry {

ImageView::ImageView(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage &image)
{
    m_image = image;
    updateGeometry();
    update();
}

void ImageView::setMaxUpscale(qreal factor)
{
    m_maxUpscale = std::max<qreal>(0.01, factor);
    update();
}

void ImageView::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    update();
}

QSize ImageView::sizeHint() const
{
    return m_image.isNull() ? QSize(320, 240) : m_image.size();
}

QRectF ImageView::imageRect(const QSize &size) const
{
    if (m_image.isNull() || size.isEmpty())
        return {};
    const qreal scale = std::min(
        { qreal(size.width()) / m_image.width(), qreal(size.height()) / m_image.height(), m_maxUpscale });
    const QSizeF drawn(m_image.width() * scale, m_image.height() * scale);
    return { (size.width() - drawn.width()) / 2, (size.height() - drawn.height()) / 2, drawn.width(),
        drawn.height() };
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const QRectF target = imageRect(size());
    // Exact 1:1 draws skip resampling; anything else is smoothed.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, target.size().toSize() != m_image.size());
    painter.drawImage(target, m_image);
}

void ImageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && !m_image.isNull())
        Q_EMIT doubleClicked();
    QWidget::mouseDoubleClickEvent(event);
}

} // namespace descry
