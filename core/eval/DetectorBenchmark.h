#pragma once

#include "DetectionMetrics.h"

#include <QString>

#include <vector>

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

// What a detector found on frames [first, end) of a video, every `step`-th frame; a detector
// with state across frames (warmupFrames() > 0) is given every frame, one without only those.
struct VideoBoxes {
    std::vector<std::vector<Box>> frames; // per scored frame
    double fps = 10;
    int step = 1;
    DetectorScore timing; // msPerFrame over the frames the detector was given
};
bool detectOnVideo(PersonDetector &detector, const QString &video, int64_t first, int64_t end, int step,
    VideoBoxes *out, QString *error);

// Real footage has no truth: a reference detector's boxes (e.g. YOLOX) stand in for it.
// `moving` leaves out the reference boxes that stay put for most of +-5 s (people standing still,
// or the reference's persistent false positives), which a motion-based detector cannot be asked
// to find; `all` counts every reference box. Run the detectors one after the other, not
// interleaved: two networks' thread pools slow each other down (measured: NanoDet 50-60 ms a
// frame alone, 140-215 ms between YOLOX frames).
struct ReferenceScores {
    DetectorScore moving, all;
};
// `notPeople`: regions where a person looking at the footage saw that the reference's box is no
// person (a sign post YOLOX keeps calling one); reference boxes on them (IoU >= 0.5) are left out.
ReferenceScores scoreAgainstReference(
    const VideoBoxes &found, const VideoBoxes &reference, const std::vector<Box> &notPeople = {});

} // namespace descry
