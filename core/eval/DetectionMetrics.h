#pragma once

#include "Box.h"
#include "Detection.h"

#include <vector>

namespace descry {

struct MatchOptions {
    float minIou = 0.5f; // a detection matches a reference box at this IoU or more
    float minReferenceHeight = 0; // smaller reference boxes are ignored (pixels)
    float maxOccludedFraction = 1.f; // reference boxes hidden more than this by nearer ones are ignored
};

// Counts of one comparison (or a sum of many: use +=).
struct DetectionCounts {
    int truePositives = 0;
    int falsePositives = 0;
    int falseNegatives = 0;
    int ignored = 0; // reference boxes left out by the options (neither found nor missed)

    double precision() const;
    double recall() const;
    double f1() const;
    DetectionCounts &operator+=(const DetectionCounts &other);
};

// Which reference boxes the options leave out: too small, or mostly hidden behind boxes that
// are nearer the camera (whose bottom edge is lower in the image, as on a ground plane).
std::vector<bool> ignoredReferences(const std::vector<Box> &references, const MatchOptions &options);

// Greedy one-to-one matching, highest IoU first. A detection matched to an ignored reference
// counts as nothing, so detecting a hard person is never punished. `alsoIgnore` (one flag per
// reference, may be null) adds to what the options ignore.
DetectionCounts matchDetections(const std::vector<Box> &detections, const std::vector<Box> &references,
    const MatchOptions &options = {}, const std::vector<bool> *alsoIgnore = nullptr);

// For a sequence of frames' reference boxes: flags the boxes that stay put, i.e. that have a
// box with IoU >= `minIou` in at least `fraction` of the other frames within +-`window`.
// Motion-based detectors cannot see such boxes (someone standing still, or a reference
// detector's persistent false positive on a static object), so comparisons may ignore them.
std::vector<std::vector<bool>> stationaryReferences(
    const std::vector<std::vector<Box>> &frames, int window, float fraction = 0.8f, float minIou = 0.7f);

// The boxes of the detections scoring at least `minScore`.
std::vector<Box> boxesOf(const std::vector<Detection> &detections, float minScore = 0.f);

} // namespace descry
