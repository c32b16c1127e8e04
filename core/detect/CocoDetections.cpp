#include "CocoDetections.h"

#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace descry {

namespace {

float sigmoid(float x)
{
    return 1.f / (1.f + std::exp(-x));
}

// Expected distance of a GFL distribution: softmax over the bins, then the mean bin index.
float distributionMean(const float *logits, int bins)
{
    const float top = *std::max_element(logits, logits + bins);
    float sum = 0, weighted = 0;
    for (int i = 0; i < bins; ++i) {
        const float p = std::exp(logits[i] - top);
        sum += p;
        weighted += p * float(i);
    }
    return weighted / sum;
}

} // namespace

void decodeGflLevel(
    const GflLevel &level, std::span<const int> wanted, float minScore, std::vector<ObjectCandidate> *out)
{
    const float s = float(level.stride);
    for (int cell = 0; cell < level.cells; ++cell) {
        const float *scores = level.classScores + std::ptrdiff_t(cell) * level.classCount;
        for (int cls : wanted) {
            const float score = level.logits ? sigmoid(scores[cls]) : scores[cls];
            if (score < minScore)
                continue;
            const float *d = level.distances + std::ptrdiff_t(cell) * 4 * level.bins;
            const float cx = (float(cell % level.gridWidth) + 0.5f) * s;
            const float cy = (float(cell / level.gridWidth) + 0.5f) * s;
            const float left = distributionMean(d, level.bins) * s;
            const float top = distributionMean(d + level.bins, level.bins) * s;
            const float right = distributionMean(d + 2 * level.bins, level.bins) * s;
            const float bottom = distributionMean(d + 3 * level.bins, level.bins) * s;
            out->push_back({ cv::Rect2d(cx - left, cy - top, left + right, top + bottom), score, cls });
        }
    }
}

std::vector<ObjectCandidate> suppressOverlaps(const std::vector<ObjectCandidate> &candidates, float maxIou)
{
    std::map<int, std::vector<int>> byClass;
    for (int i = 0; i < int(candidates.size()); ++i)
        byClass[candidates[size_t(i)].cocoClass].push_back(i);
    std::vector<ObjectCandidate> kept;
    for (const auto &[cls, members] : byClass) {
        std::vector<cv::Rect2d> boxes;
        std::vector<float> scores;
        for (int i : members) {
            boxes.push_back(candidates[size_t(i)].box);
            scores.push_back(candidates[size_t(i)].score);
        }
        std::vector<int> keep;
        cv::dnn::NMSBoxes(boxes, scores, 0.f, maxIou, keep);
        for (int k : keep)
            kept.push_back(candidates[size_t(members[size_t(k)])]);
    }
    std::stable_sort(
        kept.begin(), kept.end(), [](const auto &a, const auto &b) { return a.score > b.score; });
    return kept;
}

namespace {

std::optional<Carried> carriedKind(int cocoClass)
{
    switch (cocoClass) {
    case coco::kBackpack:
        return Carried::Backpack;
    case coco::kHandbag:
        return Carried::Handbag;
    case coco::kSuitcase:
        return Carried::Suitcase;
    case coco::kUmbrella:
        return Carried::Umbrella;
    case coco::kCellPhone:
        return Carried::Phone;
    default:
        return std::nullopt;
    }
}

} // namespace

void attachCarriedObjects(const std::vector<ObjectCandidate> &candidates, std::vector<Detection> *people)
{
    for (Detection &person : *people)
        person.carried.fill(0);
    for (const ObjectCandidate &c : candidates) {
        const std::optional<Carried> kind = carriedKind(c.cocoClass);
        if (!kind)
            continue;
        const Box thing { float(c.box.x), float(c.box.y), float(c.box.width), float(c.box.height) };
        Detection *owner = nullptr;
        float bestShare = 0.5f, bestDistance = 0;
        for (Detection &person : *people) {
            const float share = thing.area() > 0 ? intersectionArea(thing, person.box) / thing.area() : 0;
            const float distance
                = std::hypot(thing.centerX() - person.box.centerX(), thing.centerY() - person.box.centerY());
            if (share > bestShare + 1e-3f
                || (owner && std::abs(share - bestShare) <= 1e-3f && distance < bestDistance)) {
                owner = &person;
                bestShare = share;
                bestDistance = distance;
            }
        }
        if (owner)
            owner->carried[size_t(*kind)] = std::max(owner->carried[size_t(*kind)], c.score);
    }
}

std::vector<Detection> personDetections(const std::vector<ObjectCandidate> &candidates, double scale,
    cv::Point2d offset, cv::Size frameSize, int64_t frameIndex, double frameTime)
{
    const cv::Rect2d bounds(0, 0, frameSize.width, frameSize.height);
    std::vector<Detection> out;
    for (const ObjectCandidate &c : candidates) {
        if (c.cocoClass != coco::kPerson)
            continue;
        const cv::Rect2d r = c.box;
        const cv::Rect2d source
            = cv::Rect2d(r.x / scale + offset.x, r.y / scale + offset.y, r.width / scale, r.height / scale)
            & bounds;
        if (source.width < 1 || source.height < 1)
            continue;
        Detection detection;
        detection.frame = frameIndex;
        detection.time = frameTime;
        detection.box = Box { float(source.x), float(source.y), float(source.width), float(source.height) };
        detection.score = c.score;
        out.push_back(detection);
    }
    return out;
}

} // namespace descry
