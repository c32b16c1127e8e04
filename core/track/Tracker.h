#pragma once

#include "Frame.h"
#include "TrackerOptions.h"
#include "Tracklet.h"

#include <QByteArray>

#include <memory>
#include <vector>

namespace descry {

// Associates per-frame detections into tracklets: constant-velocity Kalman prediction, IoU +
// appearance (colour histogram) cost, Hungarian assignment; lost tracks are kept for
// `maxMissedFrames` so short occlusions do not split a person. Deterministic.
class Tracker {
public:
    explicit Tracker(const TrackerOptions &options = {});
    ~Tracker();
    Tracker(const Tracker &) = delete;
    Tracker &operator=(const Tracker &) = delete;

    // Feed the detections of one processed frame. `foreground` may be empty.
    void update(const Frame &frame, const std::vector<Detection> &detections, const cv::Mat &foreground);

    // Tracklets that ended (lost for too long), in the order they ended. Ownership moves out.
    std::vector<Tracklet> takeFinished();
    // End of source: closes every live track and returns all not yet taken.
    std::vector<Tracklet> finish();

    // Serialises everything needed to continue exactly where it stopped (live tracks with
    // their crops, id counter). restoreState() on a fresh Tracker gives identical results.
    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace descry
