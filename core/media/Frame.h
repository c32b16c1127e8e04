#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>

namespace descry {

// One decoded frame: BGR 8-bit pixels, its index in the source (from 0) and its time.
struct Frame {
    cv::Mat image;
    int64_t index = 0;
    double time = 0;
};

} // namespace descry
