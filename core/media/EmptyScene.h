#pragma once

#include <QString>

#include <opencv2/core/mat.hpp>

#include <functional>
#include <vector>

namespace descry {

// Per-pixel, per-channel median of equally sized 8-bit images (the lower median for an even
// count): what a fixed camera sees when whatever moves is removed.
cv::Mat perPixelMedian(const std::vector<cv::Mat> &samples);

// Per pixel of equally sized CV_8UC3 images, the colour seen most often: the sample with the
// most samples within `tolerance` (sum of the three channels' differences), averaged with
// them. Unlike the median it finds the empty floor where a spot is taken by different people
// more than half of the time, as long as it is empty more often than any one of them stands
// there. `masks` (empty, or CV_8U, one per sample): samples whose mask is non-zero at a pixel
// are left out there, unless every sample is masked at that pixel.
cv::Mat perPixelMode(
    const std::vector<cv::Mat> &samples, int tolerance, const std::vector<cv::Mat> &masks = {});

// Where the people of a frame are (CV_8U, frame size, non-zero = a person), for emptySceneOf.
using PeopleMask = std::function<cv::Mat(const cv::Mat &frame)>;

// The empty scene of a fixed camera's footage: the per-pixel mode (tolerance 36) of `samples`
// frames spread evenly over the video, leaving out where `peopleMask` (may be empty) finds
// people. A photo is its own empty scene. False with `error` set when the file cannot be read.
bool emptySceneOf(
    const QString &path, int samples, const PeopleMask &peopleMask, cv::Mat *scene, QString *error);

} // namespace descry
