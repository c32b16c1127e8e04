#include "HeatmapRenderer.h"

#include <QFont>
#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr int kCellImageHeight = 132;
constexpr int kCellColumns = 8;
constexpr int kMargin = 16;

QImage scaledCrop(const QImage &crop, QSize size)
{
    if (crop.isNull())
        return QImage();
    return crop.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation).convertToFormat(QImage::Format_RGB32);
}

// The size a crop is drawn at for `height`: its own aspect, but never wider than 0.6 x height
// (detector boxes of people sitting or with spread arms stay readable next to each other).
QSize cropSize(const QImage &crop, int height)
{
    const double aspect = crop.isNull() || crop.height() == 0 ? 1.0 / 3 : double(crop.width()) / crop.height();
    return QSize(std::max(16, int(std::lround(height * std::min(aspect, 0.6)))), height);
}

QString percent(float share)
{
    return QStringLiteral("%1%").arg(int(std::lround(share * 100)));
}

QString scaleName(TextScale scale)
{
    switch (scale) {
    case TextScale::Sentence:
        return QStringLiteral("sentence");
    case TextScale::SubSentence:
        return QStringLiteral("phrase");
    case TextScale::Word:
        break;
    }
    return QStringLiteral("word");
}

} // namespace

QColor HeatmapRenderer::heatColour(float t)
{
    t = std::clamp(t, 0.f, 1.f);
    // Piecewise-linear through dark blue, cyan, yellow, red: ordered by lightness in the middle
    // so weak and strong stripes differ in print too.
    static const QColor stops[] = {QColor(20, 30, 120), QColor(0, 190, 220), QColor(250, 220, 30), QColor(220, 30, 20)};
    const float x = t * 3;
    const int i = std::min(2, int(x));
    const float f = x - float(i);
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor(int(a.red() + (b.red() - a.red()) * f), int(a.green() + (b.green() - a.green()) * f),
        int(a.blue() + (b.blue() - a.blue()) * f));
}

void HeatmapRenderer::drawBody(QPainter &painter, const CropBody &body, QSize cropSize, const QRectF &target)
{
    if (cropSize.isEmpty() || target.isEmpty())
        return;
    const double sx = target.width() / cropSize.width(), sy = target.height() / cropSize.height();
    const auto at = [&](float x, float y) { return QPointF(target.left() + x * sx, target.top() + y * sy); };
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    // Zone bounds across the person box.
    const BodyLayout layout = body.layout();
    for (size_t b = 1; b < BodyLayout::ZoneCount; ++b) {
        const float y = body.person.y + layout.bounds[b] * body.person.h;
        painter.setPen(QPen(QColor(255, 255, 255, 200), 1, layout.placed[b - 1] ? Qt::SolidLine : Qt::DotLine));
        painter.drawLine(at(body.person.x, y), at(body.person.right(), y));
    }
    // Bones between confident keypoints, then the keypoints.
    const double width = std::max(1.5, std::min(target.width(), target.height()) / 90.0);
    painter.setPen(QPen(QColor(60, 255, 120, 230), width, Qt::SolidLine, Qt::RoundCap));
    for (const auto &[a, b] : skeletonBones())
        if (body.pose[a].confident() && body.pose[b].confident())
            painter.drawLine(at(body.pose[a].x, body.pose[a].y), at(body.pose[b].x, body.pose[b].y));
    painter.setPen(QPen(QColor(20, 20, 20), 1));
    painter.setBrush(QColor(255, 255, 255));
    for (const KeypointEstimate &k : body.pose.keypoints)
        if (k.confident())
            painter.drawEllipse(at(k.x, k.y), width * 1.2, width * 1.2);
    painter.restore();
}

QImage HeatmapRenderer::overlay(const QImage &crop, const MatchExplanation &e, int unit, ImageScale scale,
    QSize size, int highlightStripe, const CropBody *body)
{
    QImage out = scaledCrop(crop, size);
    if (out.isNull()) {
        out = QImage(size, QImage::Format_RGB32);
        out.fill(QColor(60, 60, 60));
    }
    QPainter p(&out);
    const auto drawBodyOnTop = [&] {
        if (body && !crop.isNull())
            drawBody(p, *body, crop.size(), QRectF(QPointF(0, 0), QSizeF(size)));
    };
    if (unit < 0 || unit >= e.unitCount()) {
        drawBodyOnTop();
        return out;
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    const float share = e.attentionOn(unit, scale);
    // Relative to the unit's strongest stripe of any scale: a scale it hardly looked at stays
    // faint instead of being stretched to full colour.
    float strongest = 0;
    for (int s = 0; s < e.stripeCount(); ++s)
        strongest = std::max(strongest, e.attention(unit, s));
    for (int s = 0; s < e.stripeCount(); ++s) {
        const ImageStripe &stripe = e.stripes[size_t(s)];
        if (stripe.scale != scale)
            continue;
        const int top = int(std::lround(stripe.top * size.height()));
        const int bottom = int(std::lround(stripe.bottom * size.height()));
        const QRect rect(0, top, size.width(), bottom - top);
        const float t = strongest > 0 ? e.attention(unit, s) / strongest : 0.f;
        QColor c = heatColour(t);
        c.setAlphaF(0.15 + 0.5 * double(t));
        p.fillRect(rect, c);
        p.setPen(QPen(QColor(255, 255, 255, 90), 1));
        if (scale != ImageScale::Global && stripe.index > 0)
            p.drawLine(rect.topLeft(), rect.topRight());
        if (s == highlightStripe) {
            p.setPen(QPen(Qt::white, 2));
            p.drawRect(rect.adjusted(1, 1, -1, -1));
        }
    }
    QFont font = p.font();
    font.setPixelSize(std::max(9, size.height() / 14));
    font.setBold(true);
    p.setFont(font);
    const QString label = percent(share);
    const QRect textRect = QFontMetrics(font).boundingRect(label).adjusted(-3, -1, 3, 1);
    const QRect box(QPoint(2, 2), textRect.size());
    p.fillRect(box, QColor(0, 0, 0, 170));
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, label);
    drawBodyOnTop();
    return out;
}

QImage HeatmapRenderer::sheet(const QImage &crop, const MatchExplanation &e, const std::optional<CropBody> &body)
{
    const QSize bigSize = cropSize(crop, 2 * kCellImageHeight + 40);
    const QSize cellImage = cropSize(crop, kCellImageHeight);
    const int cellWidth = std::max(2 * cellImage.width() + 6, 96);
    const int cellHeight = kCellImageHeight + 44;
    const int columns = std::max(1, std::min(kCellColumns, e.unitCount()));
    const int rows = (e.unitCount() + columns - 1) / columns;
    const int barsWidth = 150;
    const int gridLeft = kMargin + bigSize.width() + barsWidth + 2 * kMargin;
    const int headerHeight = 74;
    const int width = gridLeft + columns * (cellWidth + 8) + kMargin;
    const int height = headerHeight + std::max(bigSize.height() + 30, rows * (cellHeight + 8)) + kMargin;

    QImage out(width, height, QImage::Format_RGB32);
    out.fill(QColor(250, 250, 248));
    QPainter p(&out);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    QFont font = p.font();
    font.setPixelSize(15);
    font.setBold(true);
    p.setFont(font);
    p.setPen(QColor(30, 30, 30));
    const QRect title(kMargin, 8, width - 2 * kMargin, 22);
    p.drawText(title, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(font).elidedText(QStringLiteral("\u201c%1\u201d").arg(e.query), Qt::ElideRight, title.width()));
    font.setBold(false);
    font.setPixelSize(12);
    p.setFont(font);
    QString parts = QStringLiteral("tracklet %1 \u00b7 model %2 \u00b7 score %3 = global cosine %4 + alignment %5")
                        .arg(e.trackletId)
                        .arg(e.modelId)
                        .arg(e.score, 0, 'f', 2)
                        .arg(e.globalCosine, 0, 'f', 2)
                        .arg(e.localSimilarity, 0, 'f', 2);
    if (e.attributeScore >= 0)
        parts += QStringLiteral(" + %1 \u00d7 attributes %2").arg(e.attributeWeight, 0, 'f', 2).arg(e.attributeScore, 0, 'f', 2);
    p.drawText(QRect(kMargin, 32, width - 2 * kMargin, 18), Qt::AlignLeft | Qt::AlignVCenter, parts);
    if (e.hasContributions())
        p.drawText(QRect(kMargin, 50, width - 2 * kMargin, 18), Qt::AlignLeft | Qt::AlignVCenter,
            QStringLiteral("by image scale: global %1 \u00b7 3 region stripes %2 \u00b7 6 patch stripes %3")
                .arg(e.scaleContribution(ImageScale::Global), 0, 'f', 2)
                .arg(e.scaleContribution(ImageScale::Region), 0, 'f', 2)
                .arg(e.scaleContribution(ImageScale::Patch), 0, 'f', 2));

    // The crop, and each stripe's contribution to the alignment score beside it.
    const QPoint bigAt(kMargin, headerHeight);
    const QImage big = scaledCrop(crop, bigSize);
    if (!big.isNull())
        p.drawImage(bigAt, big);
    if (body && !big.isNull())
        drawBody(p, *body, crop.size(), QRectF(bigAt, QSizeF(bigSize)));
    p.setPen(QPen(QColor(255, 255, 255, 160), 1, Qt::DashLine));
    for (const ImageStripe &stripe : e.stripes)
        if (stripe.scale == ImageScale::Patch && stripe.index > 0) {
            const int y = bigAt.y() + int(std::lround(stripe.top * bigSize.height()));
            p.drawLine(bigAt.x(), y, bigAt.x() + bigSize.width(), y);
        }
    if (e.hasContributions()) {
        float largest = 1e-6f;
        for (float c : e.stripeContribution)
            largest = std::max(largest, std::abs(c));
        const int x0 = bigAt.x() + bigSize.width() + 10;
        for (int s = 0; s < e.stripeCount(); ++s) {
            const ImageStripe &stripe = e.stripes[size_t(s)];
            if (stripe.scale == ImageScale::Global)
                continue;
            const int column = stripe.scale == ImageScale::Region ? 0 : 1;
            const int top = bigAt.y() + int(std::lround(stripe.top * bigSize.height())) + 2;
            const int h = int(std::lround((stripe.bottom - stripe.top) * bigSize.height())) - 4;
            const float c = e.stripeContribution[size_t(s)];
            const int w = int(std::lround(60 * std::abs(c) / largest));
            QColor colour = c >= 0 ? QColor(40, 120, 200) : QColor(200, 70, 50);
            colour.setAlpha(column == 0 ? 140 : 230);
            p.fillRect(QRect(x0 + column * 70, top, std::max(1, w), h), colour);
        }
        p.setPen(QColor(90, 90, 90));
        font.setPixelSize(10);
        p.setFont(font);
        p.drawText(QRect(x0, bigAt.y() + bigSize.height() + 2, 140, 28), Qt::AlignLeft | Qt::TextWordWrap,
            QStringLiteral("contribution per stripe\nregions \u00b7 patches"));
    }

    // One cell per text unit: region overlay | patch overlay, label, share on the global feature.
    font.setPixelSize(11);
    for (int u = 0; u < e.unitCount(); ++u) {
        const QPoint at(gridLeft + (u % columns) * (cellWidth + 8), headerHeight + (u / columns) * (cellHeight + 8));
        const TextUnit &unit = e.units[size_t(u)];
        p.fillRect(QRect(at, QSize(cellWidth, cellHeight)), QColor(236, 236, 232));
        p.setFont(font);
        p.setPen(QColor(30, 30, 30));
        const QRect labelRect(at.x() + 3, at.y() + 2, cellWidth - 6, 16);
        p.drawText(labelRect, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(font).elidedText(unit.text, Qt::ElideRight, labelRect.width()));
        p.drawImage(at + QPoint(2, 20), overlay(crop, e, u, ImageScale::Region, cellImage));
        p.drawImage(at + QPoint(4 + cellImage.width(), 20), overlay(crop, e, u, ImageScale::Patch, cellImage));
        p.setPen(QColor(90, 90, 90));
        QString caption = QStringLiteral("%1 \u00b7 global %2").arg(scaleName(unit.scale), percent(e.attentionOn(u, ImageScale::Global)));
        if (body && !crop.isNull()) { // the body zone it looked at most
            const auto shares = e.attentionByZone(u, *body, float(crop.height()));
            const auto top = std::max_element(shares.begin(), shares.end());
            if (*top > 0)
                caption += QStringLiteral(" \u00b7 %1").arg(QLatin1String(bodyZoneName(BodyLayout::Zone(top - shares.begin()))));
        }
        p.drawText(QRect(at.x() + 3, at.y() + 22 + kCellImageHeight, cellWidth - 6, 18), Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(font).elidedText(caption, Qt::ElideRight, cellWidth - 6));
    }
    return out;
}

} // namespace descry
