#pragma once

namespace descry {

// How the Tracker associates detections into tracklets. Plain, so that ingest settings can
// cross into the GUI without OpenCV.
struct TrackerOptions {
    float minIou = 0.2f; // gate for IoU association
    int maxMissedFrames = 15; // processed frames a track survives without a detection
    int minDetections = 5; // shorter tracks are dropped as noise
    int cropsPerTracklet = 4; // best crops kept per tracklet
    int minCropGap = 5; // processed frames between two kept crops
};

} // namespace descry
