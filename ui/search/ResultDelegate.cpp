#include "ResultDelegate.h"

#include "ResultsModel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace descry {

namespace {

constexpr int kMargin = 4; // around the card
constexpr int kPadding = 6; // inside the card
constexpr int kTextLines = 2;

} // namespace

ResultDelegate::ResultDelegate(const QSize &thumbnailSize, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_thumbnailSize(thumbnailSize)
{ }

QSize ResultDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int line = option.fontMetrics.height();
    return { m_thumbnailSize.width() + 2 * (kMargin + kPadding),
        m_thumbnailSize.height() + 2 * (kMargin + kPadding) + 8 + kTextLines * line };
}

void ResultDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette &palette = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    const bool hovered = option.state & QStyle::State_MouseOver;

    // The view may hand out wider grid cells (so columns fill its width): centre the card.
    QRect cell(QPoint(0, 0), sizeHint(option, index));
    cell.moveTopLeft(
        QPoint(option.rect.left() + (option.rect.width() - cell.width()) / 2, option.rect.top()));
    const QRectF card = QRectF(cell).adjusted(kMargin + 0.5, kMargin + 0.5, -kMargin - 0.5, -kMargin - 0.5);
    painter->setPen(
        QPen(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid), selected ? 2 : 1));
    painter->setBrush(
        hovered && !selected ? palette.color(QPalette::AlternateBase) : palette.color(QPalette::Base));
    painter->drawRoundedRect(card, 6, 6);

    const QRect thumb(cell.left() + kMargin + kPadding, cell.top() + kMargin + kPadding,
        m_thumbnailSize.width(), m_thumbnailSize.height());
    paintThumbnail(painter, thumb, qvariant_cast<QImage>(index.data(Qt::DecorationRole)));
    paintScore(painter, thumb, index.data(ResultsModel::ScoreRole).toFloat(), palette);

    const int line = option.fontMetrics.height();
    QRect text(thumb.left(), thumb.bottom() + 8, thumb.width(), line);
    QFont font = option.font;
    painter->setFont(font);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
        option.fontMetrics.elidedText(
            index.data(ResultsModel::TimeRangeRole).toString(), Qt::ElideRight, text.width()));
    text.translate(0, line);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    // "Lobby · person 12 · seen 5×": where, and who, as grouping decided.
    const QString person = index.data(ResultsModel::PersonRole).toString();
    const QString camera = index.data(ResultsModel::CameraRole).toString();
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
        option.fontMetrics.elidedText(
            person.isEmpty() ? camera : camera + QStringLiteral(" · ") + person, Qt::ElideMiddle, text.width()));
    if (option.state & QStyle::State_HasFocus && selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight).lighter(130), 1, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(card.adjusted(2, 2, -2, -2), 5, 5);
    }
    painter->restore();
}

void ResultDelegate::paintThumbnail(QPainter *painter, const QRect &area, const QImage &image) const
{
    QPainterPath clip;
    clip.addRoundedRect(QRectF(area), 4, 4);
    painter->save();
    painter->setClipPath(clip);
    painter->fillRect(area, QColor(0, 0, 0, 60));
    if (!image.isNull()) {
        const qreal scale = std::min(
            { qreal(area.width()) / image.width(), qreal(area.height()) / image.height(), kMaxUpscale });
        const QSizeF size(image.width() * scale, image.height() * scale);
        const QRectF target(area.left() + (area.width() - size.width()) / 2,
            area.top() + (area.height() - size.height()) / 2, size.width(), size.height());
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->drawImage(target, image);
    }
    painter->restore();
}

void ResultDelegate::paintScore(
    QPainter *painter, const QRect &area, float score, const QPalette &palette) const
{
    // Badge with the number, and a thin bar along the bottom of the crop: both scan quickly.
    const QString text = QString::number(double(score), 'f', 2);
    QFont font = painter->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 0.9);
    const QFontMetrics metrics(font);
    const QRectF badge(
        area.left() + 4, area.top() + 4, metrics.horizontalAdvance(text) + 10, metrics.height() + 2);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 170));
    painter->drawRoundedRect(badge, 4, 4);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(badge, Qt::AlignCenter, text);

    const QRectF track(area.left(), area.bottom() - 3, area.width(), 4);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 120));
    painter->drawRect(track);
    painter->setBrush(palette.color(QPalette::Highlight));
    painter->drawRect(QRectF(
        track.left(), track.top(), track.width() * std::clamp(double(score), 0.0, 1.0), track.height()));
}

} // namespace descry
