#pragma once

#include "Box.h"

#include <opencv2/core/mat.hpp>

#include <vector>

namespace descry {

// Colour appearance of a person box for the tracker: two HSV histograms (upper and lower
// body, central columns only) so that a red top over blue trousers differs from the reverse.
// Computed on a sparse pixel grid (a few hundred samples): association needs robustness,
// not detail, and it runs for every detection of every frame.
class AppearanceHistogram {
public:
    static constexpr int kBinsPerPart = 40; // 12 hues x 3 saturations + 4 greys
    static constexpr int kBins = 2 * kBinsPerPart;

    // Empty when the image is empty or the box has no pixels. `foreground` (CV_8U, any size:
    // it is mapped onto the frame) restricts the samples to the person when it covers enough.
    static std::vector<float> compute(const cv::Mat &bgr, const Box &box, const cv::Mat &foreground);
    // Mean Hellinger distance of the two parts, in [0, 1]; -1 when either is unknown.
    static float distance(const std::vector<float> &a, const std::vector<float> &b);
    // Running average for a track: `track` moves towards `observed` by `alpha`.
    static void blend(std::vector<float> *track, const std::vector<float> &observed, float alpha);
};

} // namespace descry
