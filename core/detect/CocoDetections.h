#pragma once

#include "Detection.h"

#include <opencv2/core/types.hpp>

#include <span>
#include <vector>

namespace descry {

// COCO class indices (0-based, as detectors trained on COCO's 80 classes number them) of what
// Descry looks for: people and the things they carry.
namespace coco {
constexpr int kPerson = 0;
constexpr int kBackpack = 24;
constexpr int kUmbrella = 25;
constexpr int kHandbag = 26;
constexpr int kSuitcase = 28;
constexpr int kCellPhone = 67;
constexpr int kClasses = 80;
} // namespace coco

// One box a detector proposes, in the network's input pixels.
struct ObjectCandidate {
    cv::Rect2d box;
    float score = 0;
    int cocoClass = coco::kPerson;
};

// One pyramid level of a GFL head (NanoDet): per grid cell, class scores and, per box side
// (left, top, right, bottom), a distribution over `bins` distances in units of the stride.
struct GflLevel {
    const float *classScores = nullptr; // cells x classCount
    const float *distances = nullptr; // cells x 4 * bins
    int cells = 0, gridWidth = 0, stride = 0, classCount = coco::kClasses, bins = 8;
    bool logits = false; // class scores before the sigmoid
};

// Appends the candidates of `level` whose class is in `wanted` with a score >= minScore. Each
// side's distance is the distribution's mean (softmax over the bins) times the stride, measured
// from the cell centre.
void decodeGflLevel(
    const GflLevel &level, std::span<const int> wanted, float minScore, std::vector<ObjectCandidate> *out);

// Non-maximum suppression within each class: of boxes overlapping more than `maxIou`, the
// highest-scoring one stays. Returns the kept candidates, best first.
std::vector<ObjectCandidate> suppressOverlaps(const std::vector<ObjectCandidate> &candidates, float maxIou);

// Gives each carried-thing candidate (backpack, handbag, suitcase, umbrella, phone) to the person
// it most likely belongs to: the one whose box holds most of it (at least half of the thing's
// box; on a tie, the nearer centre). Sets Detection::carried to the best score per kind, 0 for
// the kinds none was seen of: every kind counts as looked for.
void attachCarriedObjects(const std::vector<ObjectCandidate> &candidates, std::vector<Detection> *people);

// The person candidates as Detections of `frame` in source pixels: a box in network input
// pixels maps to (x / scale + offset), clipped to the frame; boxes left under a pixel are dropped.
std::vector<Detection> personDetections(const std::vector<ObjectCandidate> &candidates, double scale,
    cv::Point2d offset, cv::Size frameSize, int64_t frameIndex, double frameTime);

} // namespace descry
