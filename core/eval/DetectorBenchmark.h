#pragma once

#include "DetectionMetrics.h"

#include <QString>

namespace descry {

class PersonDetector;
class SceneRenderer;

struct DetectorScore {
    DetectionCounts counts;
    int framesScored = 0;
    double msPerFrame = 0; // detector time only, over every frame given to it
};

// Runs `detector` over every frame of a rendered scene and matches its boxes to the truth:
// people less than `minVisible` visible are ignored (found or not); the first `skipFirst`
// frames (a background model's bootstrap) are not scored.
DetectorScore scoreOnScene(
    PersonDetector &detector, const SceneRenderer &renderer, float minVisible = 0.6f, int skipFirst = 30);

// Real footage has no truth: `reference` (e.g. YOLOX) stands in for it on frames
// [first, end) taken every `step`. Reference boxes that stay put for most of +-5 s are
// ignored (people standing still, or the reference's persistent false positives), which a
// motion-based detector cannot be asked to find.
bool scoreAgainstReference(PersonDetector &detector, PersonDetector &reference, const QString &video,
    int64_t first, int64_t end, int step, DetectorScore *score, QString *error);

} // namespace descry
