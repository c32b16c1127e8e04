#include "DetectionMetrics.h"

#include <algorithm>
#include <tuple>

namespace descry {

double DetectionCounts::precision() const
{
    const int found = truePositives + falsePositives;
    return found > 0 ? double(truePositives) / found : 1.0;
}

double DetectionCounts::recall() const
{
    const int present = truePositives + falseNegatives;
    return present > 0 ? double(truePositives) / present : 1.0;
}

double DetectionCounts::f1() const
{
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

DetectionCounts &DetectionCounts::operator+=(const DetectionCounts &other)
{
    truePositives += other.truePositives;
    falsePositives += other.falsePositives;
    falseNegatives += other.falseNegatives;
    ignored += other.ignored;
    return *this;
}

namespace {

// Fraction of `box` covered by the union of `occluders`, sampled on a 16 x 16 grid (exact
// unions of rectangles are not worth the code for an ignore rule).
float coveredFraction(const Box &box, const std::vector<const Box *> &occluders)
{
    constexpr int kGrid = 16;
    int covered = 0;
    for (int gy = 0; gy < kGrid; ++gy) {
        const float y = box.y + (float(gy) + 0.5f) * box.h / kGrid;
        for (int gx = 0; gx < kGrid; ++gx) {
            const float x = box.x + (float(gx) + 0.5f) * box.w / kGrid;
            covered += std::any_of(occluders.begin(), occluders.end(),
                [x, y](const Box *o) { return x >= o->x && x < o->right() && y >= o->y && y < o->bottom(); });
        }
    }
    return float(covered) / (kGrid * kGrid);
}

} // namespace

std::vector<bool> ignoredReferences(const std::vector<Box> &references, const MatchOptions &options)
{
    std::vector<bool> ignored(references.size(), false);
    for (size_t i = 0; i < references.size(); ++i) {
        const Box &box = references[i];
        if (box.h < options.minReferenceHeight) {
            ignored[i] = true;
            continue;
        }
        if (options.maxOccludedFraction >= 1.f)
            continue;
        std::vector<const Box *> nearer;
        for (size_t j = 0; j < references.size(); ++j) {
            if (j != i && references[j].bottom() > box.bottom() && intersectionArea(references[j], box) > 0)
                nearer.push_back(&references[j]);
        }
        ignored[i] = !nearer.empty() && coveredFraction(box, nearer) > options.maxOccludedFraction;
    }
    return ignored;
}

DetectionCounts matchDetections(const std::vector<Box> &detections, const std::vector<Box> &references,
    const MatchOptions &options, const std::vector<bool> *alsoIgnore)
{
    std::vector<bool> ignored = ignoredReferences(references, options);
    for (size_t r = 0; alsoIgnore && r < std::min(alsoIgnore->size(), ignored.size()); ++r)
        ignored[r] = ignored[r] || (*alsoIgnore)[r];
    std::vector<std::tuple<float, size_t, size_t>> pairs; // IoU, detection, reference
    for (size_t d = 0; d < detections.size(); ++d) {
        for (size_t r = 0; r < references.size(); ++r) {
            const float overlap = iou(detections[d], references[r]);
            if (overlap >= options.minIou)
                pairs.emplace_back(overlap, d, r);
        }
    }
    // Highest IoU first; ties by index so the result never depends on sort stability.
    std::sort(pairs.begin(), pairs.end(), [](const auto &a, const auto &b) {
        if (std::get<0>(a) != std::get<0>(b))
            return std::get<0>(a) > std::get<0>(b);
        return std::tie(std::get<1>(a), std::get<2>(a)) < std::tie(std::get<1>(b), std::get<2>(b));
    });
    std::vector<bool> detectionUsed(detections.size(), false), referenceUsed(references.size(), false);
    DetectionCounts counts;
    for (const auto &[overlap, d, r] : pairs) {
        if (detectionUsed[d] || referenceUsed[r])
            continue;
        detectionUsed[d] = referenceUsed[r] = true;
        if (!ignored[r])
            ++counts.truePositives;
    }
    for (size_t d = 0; d < detections.size(); ++d)
        counts.falsePositives += detectionUsed[d] ? 0 : 1;
    for (size_t r = 0; r < references.size(); ++r) {
        if (ignored[r])
            ++counts.ignored;
        else if (!referenceUsed[r])
            ++counts.falseNegatives;
    }
    return counts;
}

std::vector<std::vector<bool>> stationaryReferences(
    const std::vector<std::vector<Box>> &frames, int window, float fraction, float minIou)
{
    const int count = int(frames.size());
    std::vector<std::vector<bool>> stationary(frames.size());
    for (int i = 0; i < count; ++i) {
        for (const Box &box : frames[size_t(i)]) {
            int others = 0, kept = 0;
            for (int j = std::max(0, i - window); j <= std::min(count - 1, i + window); ++j) {
                if (j == i)
                    continue;
                ++others;
                const auto &there = frames[size_t(j)];
                kept += std::any_of(
                    there.begin(), there.end(), [&](const Box &b) { return iou(b, box) >= minIou; });
            }
            stationary[size_t(i)].push_back(others > 0 && float(kept) >= fraction * float(others));
        }
    }
    return stationary;
}

std::vector<Box> boxesOf(const std::vector<Detection> &detections, float minScore)
{
    std::vector<Box> boxes;
    for (const Detection &detection : detections) {
        if (detection.score >= minScore)
            boxes.push_back(detection.box);
    }
    return boxes;
}

} // namespace descry
