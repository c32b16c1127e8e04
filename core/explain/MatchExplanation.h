#pragma once

#include "BodyPose.h"
#include "TextPersonModel.h"

#include <QJsonObject>
#include <QString>

#include <array>
#include <cstdint>
#include <vector>

namespace descry {

// The image scales of NAFS's staircase backbone.
enum class ImageScale { Global, Region, Patch };
QString imageScaleKey(ImageScale scale); // "global", "region", "patch"

// One piece of the query as a reader sees it: the whole sentence, a comma-delimited
// sub-sentence, or a word (its word pieces together).
struct TextUnit {
    TextScale scale = TextScale::Word;
    QString text;
    std::vector<int> items; // the query items (QueryEmbedding rows) it stands for
};

// One image item: the whole crop, or a horizontal stripe of it; top and bottom are fractions of
// the crop's height.
struct ImageStripe {
    ImageScale scale = ImageScale::Global;
    int index = 0; // within its scale, top to bottom
    float top = 0;
    float bottom = 1;
    QString label() const; // "global", "region 1/3", "patch 4/6"
};

// Why a tracklet matched a query, from the non-local alignment's attention (NAFS 3.3): which
// text units attended to which image stripes and the other way round, and how the score splits
// over the image scales. Built by SearchEngine::explain; drawn by HeatmapRenderer.
struct MatchExplanation {
    QString query;
    QString modelId;
    int64_t trackletId = 0;
    std::vector<TextUnit> units; // sentence, sub-sentences, words
    std::vector<ImageStripe> stripes; // the model's image items, in order
    // unitToStripe[u * stripes + s]: the share of unit u's attention (text -> image) on stripe s;
    // each unit's row sums to 1 (a unit of several pieces: the mean of their rows).
    std::vector<float> unitToStripe;
    // stripeToUnit[s * units + u]: the share of stripe s's attention (image -> text) on unit u;
    // each row sums to at most 1 (the rest went to punctuation and [SEP]).
    std::vector<float> stripeToUnit;

    // The search score and its parts: score = globalCosine + localSimilarity + attributeWeight x
    // attributeScore (the last only when the query names attributes, attributeScore >= 0).
    float score = 0;
    float globalCosine = 0;
    float localSimilarity = 0;
    float attributeScore = -1;
    float attributeWeight = 0;
    // Each image item's part of localSimilarity (sums to it): its own relevance (image -> text
    // half) plus the text items' relevance routed by their attention to it (text -> image half).
    // Empty when the model does not report per-item relevance.
    std::vector<float> stripeContribution;

    static MatchExplanation build(const QueryEmbedding &query, const AttentionMap &attention, int regionStripes,
        int patchStripes);

    int stripeCount() const { return int(stripes.size()); }
    int unitCount() const { return int(units.size()); }
    float attention(int unit, int stripe) const { return unitToStripe[size_t(unit) * stripes.size() + size_t(stripe)]; }
    float stripeAttention(int stripe, int unit) const { return stripeToUnit[size_t(stripe) * units.size() + size_t(unit)]; }
    // The share of unit's attention that went to the stripes of `scale`.
    float attentionOn(int unit, ImageScale scale) const;
    // Where on the body the unit looked, among the region and patch stripes only (the global
    // item covers everything): the attention-weighted mean of the stripe centres, 0 = top of the
    // crop, 1 = bottom; -1 when it attended to no stripe.
    float verticalCentre(int unit) const;
    // How the unit's attention on the region and patch stripes falls on the person's body zones
    // (the crop's BodyLayout, from its pose): the stripes' crop-height fractions mapped into the
    // person box of a crop `cropHeight` pixels tall; shares summing to 1 (hidden zones get none),
    // or all 0 when the unit looked only at the margin around the person.
    std::array<float, BodyLayout::ZoneCount> attentionByZone(int unit, const CropBody &body, float cropHeight) const;
    // This scale's part of the score: the global scale also carries the global cosine.
    float scaleContribution(ImageScale scale) const;
    bool hasContributions() const { return !stripeContribution.empty(); }
    // The first unit of `scale` whose text equals `text` (case-insensitive), or -1.
    int findUnit(const QString &text, TextScale scale = TextScale::Word) const;

    QJsonObject toJson() const;
};

} // namespace descry
