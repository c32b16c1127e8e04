#include "StripeView.h"

#include "HeatmapRenderer.h"

#include <QMouseEvent>
#include <QPainter>

#include <cmath>

namespace descry {

namespace {

constexpr double kAspect = 0.42; // width / height of the drawn crop: a standing person

} // namespace

StripeView::StripeView(ImageScale scale, QWidget *parent)
    : QWidget(parent)
    , m_scale(scale)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
}

void StripeView::setCrop(const QImage &crop, const CropBody *body)
{
    m_crop = crop;
    m_body = body;
    update();
}

void StripeView::setExplanation(const MatchExplanation *explanation, int unit)
{
    m_explanation = explanation;
    m_unit = unit;
    update();
}

void StripeView::setHighlightedStripe(int stripe)
{
    if (stripe == m_highlighted)
        return;
    m_highlighted = stripe;
    update();
}

QSize StripeView::sizeHint() const
{
    return QSize(int(std::lround(240 * kAspect)), 240);
}

QSize StripeView::minimumSizeHint() const
{
    return QSize(int(std::lround(120 * kAspect)), 120);
}

QRect StripeView::imageRect() const
{
    const int h = height();
    const int w = std::min(width(), int(std::lround(h * kAspect)));
    return QRect((width() - w) / 2, 0, w, h);
}

int StripeView::stripeAt(const QPoint &point) const
{
    if (!m_explanation)
        return -1;
    const QRect r = imageRect();
    if (!r.contains(point) || r.height() <= 0)
        return -1;
    const float y = float(point.y() - r.top()) / float(r.height());
    for (int s = 0; s < m_explanation->stripeCount(); ++s) {
        const ImageStripe &stripe = m_explanation->stripes[size_t(s)];
        if (stripe.scale == m_scale && y >= stripe.top && y < stripe.bottom)
            return s;
    }
    return -1;
}

QImage StripeView::rendered() const
{
    const QRect r = imageRect();
    if (!m_explanation || r.isEmpty())
        return QImage();
    return HeatmapRenderer::overlay(m_crop, *m_explanation, m_unit, m_scale, r.size(), m_highlighted, m_body);
}

void StripeView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QImage image = rendered();
    if (!image.isNull())
        p.drawImage(imageRect().topLeft(), image);
}

void StripeView::mouseMoveEvent(QMouseEvent *event)
{
    Q_EMIT stripeHovered(stripeAt(event->position().toPoint()));
}

void StripeView::leaveEvent(QEvent *)
{
    Q_EMIT stripeHovered(-1);
}

} // namespace descry
