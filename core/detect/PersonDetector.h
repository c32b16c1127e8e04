#pragma once

#include "Detection.h"
#include "DetectorOptions.h"
#include "Frame.h"

#include <QString>

#include <memory>
#include <vector>

namespace descry {

// Finds people in frames of one source. Implementations may keep per-source state (a
// background model); `reset()` starts a new source. For exact resume after an interruption,
// a detector's state must depend only on the last `warmupFrames()` frames it was given:
// IngestJob replays that many frames before the checkpoint, discarding their detections.
class PersonDetector {
public:
    virtual ~PersonDetector() = default;

    virtual QString name() const = 0; // stable id stored with the source, e.g. "bgs-median-v1"
    virtual void reset() = 0; // forget all per-source state
    virtual int warmupFrames() const { return 0; }
    // True when detect() depends on its frame alone (no state across frames): copies of the
    // detector may then work on several frames at once, out of order (DetectionPipeline).
    virtual bool framesIndependent() const { return false; }

    // Detect people in `frame`. Returns false with `error` set on a failure that makes
    // further frames pointless (e.g. the network failed to run).
    virtual bool detect(const Frame &frame, std::vector<Detection> *out, QString *error) = 0;

    // Foreground mask (CV_8U, frame size, 255 = foreground) of the last detect() call, or an
    // empty Mat when the detector has none. Attribute extraction uses it to ignore background.
    virtual cv::Mat lastForegroundMask() const { return {}; }
};

// Creates the detector the options ask for; on failure returns nullptr and sets `error`.
std::unique_ptr<PersonDetector> createPersonDetector(const DetectorOptions &options, QString *error);

} // namespace descry
