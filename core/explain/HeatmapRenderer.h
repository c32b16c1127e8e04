#pragma once

#include "MatchExplanation.h"

#include <QColor>
#include <QImage>
#include <QRectF>
#include <QSize>

#include <optional>

class QPainter;

namespace descry {

// Draws MatchExplanation attention on person crops (QtGui only, so the CLI, the report writer
// and the GUI draw the same pictures).
class HeatmapRenderer {
public:
    // A heat colour for t in [0, 1]: dark blue, cyan, yellow, red.
    static QColor heatColour(float t);

    // The crop scaled to fit `size`, with the stripes of `scale` tinted by how much `unit`
    // attended to each (relative to the unit's strongest stripe of any scale, so a scale it
    // hardly looked at stays faint), stripe borders, and the unit's share of attention on that
    // scale in the corner. ImageScale::Global tints the whole crop.
    // `highlightStripe` (an index into e.stripes, or -1) gets a white outline.
    // With `body` (the crop's pose), its skeleton and body-zone bounds are drawn over the tint.
    static QImage overlay(const QImage &crop, const MatchExplanation &e, int unit, ImageScale scale, QSize size,
        int highlightStripe = -1, const CropBody *body = nullptr);

    // The skeleton (confident keypoints and the bones between them) and the body-zone bounds
    // (solid where the pose placed them, dotted where they are the fixed fractions) of `body`,
    // on a crop of `cropSize` pixels drawn stretched into `target`.
    static void drawBody(QPainter &painter, const CropBody &body, QSize cropSize, const QRectF &target);

    // Everything in one picture, for reports and `descry-cli explain`: the query and the score
    // split by scale; the crop with each stripe's contribution to the score; then for the
    // sentence, every sub-sentence and every word, where it looked among the region stripes and
    // the patch stripes, and its share on the global feature.
    // With `body`, the large crop shows the skeleton and body zones, and each word's cell says
    // which body zone it looked at most.
    static QImage sheet(const QImage &crop, const MatchExplanation &e, const std::optional<CropBody> &body = std::nullopt);
};

} // namespace descry
