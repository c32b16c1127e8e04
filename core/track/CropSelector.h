#pragma once

#include "Frame.h"
#include "Tracklet.h"

#include <QDataStream>

#include <vector>

namespace descry {

// Keeps the best few crops of one track, spaced in time so they show different poses.
// Quality = box area (capped: beyond that, bigger is not better for recognition) x sharpness
// (variance of the Laplacian, saturating) x detector score x (not cut by the frame edge)
// x shape (boxes wider than a person mid-stride are usually two people or a merged blob).
// A crop is encoded (JPEG, quality 92, padded box, full resolution) only when it is kept, and
// only if it beats what it replaces by a margin, so a track does not re-encode every frame.
class CropSelector {
public:
    CropSelector(int maxCrops, int minGap);

    void offer(const Frame &frame, const Detection &detection, const cv::Mat &foreground, int64_t step);
    // The kept crops, best first (ties: earlier frame first).
    std::vector<Crop> bestFirst() const;
    bool empty() const { return m_kept.empty(); }

    void write(QDataStream &out) const;
    void read(QDataStream &in);

    // Once the tracklet's crops have poses (ingest estimates them after tracking): each crop's
    // quality times poseQualityFactor (whole body, frontal view), and the crops re-ordered best
    // first, so the thumbnail, the crop "Why this match" explains and the attribute weights
    // prefer whole, unoccluded, frontal views. Crops without a pose keep their quality.
    static void preferWholeFrontal(Tracklet *tracklet);

    // The rectangle a crop covers: the box with a little context, clamped to the frame.
    static cv::Rect paddedRect(const Box &box, const cv::Size &frameSize);

private:
    struct Kept {
        Crop crop;
        int64_t step = 0;
    };
    float threshold(int64_t step, std::vector<size_t> *conflicts) const;

    int m_maxCrops;
    int m_minGap;
    std::vector<Kept> m_kept;
};

} // namespace descry
