#pragma once

#include "BodyPose.h"
#include "Detection.h"

#include <QByteArray>

#include <algorithm>
#include <optional>
#include <vector>

namespace descry {

// A person image cut from one frame, kept at full source resolution so reviewers can judge
// it. `jpeg` is encoded once when captured; everything downstream (attributes, gallery,
// resume) reads those bytes so results are identical whether or not ingest was resumed.
struct Crop {
    int64_t frame = 0;
    Box box;
    float quality = 0; // higher is better: size x sharpness x detector score x visibility (x pose)
    QByteArray jpeg; // the crop, JPEG
    QByteArray maskPng; // foreground mask of the crop (PNG, 0/255), empty when unknown
    std::optional<Pose> pose; // keypoints in the crop's pixels, when a pose model ran on it
};

// The boxes of one person followed through consecutive frames of one source.
struct Tracklet {
    int localId = 0; // id given by the tracker, unique per source
    std::vector<Detection> detections; // every box, in frame order
    std::vector<Crop> crops; // a few best crops, best first

    int64_t startFrame() const { return detections.empty() ? 0 : detections.front().frame; }
    int64_t endFrame() const { return detections.empty() ? 0 : detections.back().frame; }
    double startTime() const { return detections.empty() ? 0 : detections.front().time; }
    double endTime() const { return detections.empty() ? 0 : detections.back().time; }

    // The person's box inside a crop's image (the detection of the crop's frame, relative to the
    // crop's corner); the whole crop when no detection of that frame is kept.
    Box personInCrop(const Crop &crop) const
    {
        const auto it = std::lower_bound(detections.begin(), detections.end(), crop.frame,
            [](const Detection &d, int64_t frame) { return d.frame < frame; });
        if (it == detections.end() || it->frame != crop.frame)
            return Box { 0, 0, crop.box.w, crop.box.h };
        return Box { it->box.x - crop.box.x, it->box.y - crop.box.y, it->box.w, it->box.h };
    }
};

} // namespace descry
