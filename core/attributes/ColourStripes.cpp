#include "ColourStripes.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

void normalise(std::vector<float> *v)
{
    double sum = 0;
    for (float x : *v)
        sum += double(x) * double(x);
    if (sum < 1e-20)
        return;
    const double scale = 1.0 / std::sqrt(sum);
    for (float &x : *v)
        x = float(double(x) * scale);
}

} // namespace

std::vector<float> ColourStripes::describe(const cv::Mat &bgr, int stripes)
{
    if (bgr.empty() || bgr.type() != CV_8UC3 || stripes < 1)
        return {};
    constexpr int kHues = 8, kSaturations = 4, kValues = 4;
    cv::Mat hsv;
    cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV); // 8-bit: hue 0..179
    std::vector<float> h(size_t(stripes) * kBinsPerStripe, 0.0f);
    const int x0 = int(hsv.cols * (1.0 - kCentralColumns) / 2), x1 = std::max(x0 + 1, hsv.cols - x0);
    for (int y = 0; y < hsv.rows; ++y) {
        const int stripe = std::min(stripes - 1, y * stripes / hsv.rows);
        const cv::Vec3b *row = hsv.ptr<cv::Vec3b>(y);
        float *bins = h.data() + size_t(stripe) * kBinsPerStripe;
        for (int x = x0; x < x1; ++x) {
            const cv::Vec3b &p = row[x];
            const int bin = (p[0] * kHues / 180) * kSaturations * kValues
                + (p[1] * kSaturations / 256) * kValues + p[2] * kValues / 256;
            bins[bin] += 1.0f;
        }
    }
    // Each stripe a unit histogram under the square root, the whole of unit length: every
    // stripe weighs the same whatever the crop's aspect.
    for (int s = 0; s < stripes; ++s) {
        float *bins = h.data() + size_t(s) * kBinsPerStripe;
        double total = 0;
        for (int b = 0; b < kBinsPerStripe; ++b)
            total += bins[b];
        for (int b = 0; b < kBinsPerStripe; ++b)
            bins[b] = total > 0 ? float(std::sqrt(bins[b] / total)) : 0.0f;
    }
    normalise(&h);
    return h;
}

std::vector<float> ColourStripes::pool(const std::vector<std::vector<float>> &crops)
{
    std::vector<float> mean;
    for (const std::vector<float> &c : crops) {
        if (c.empty() || (!mean.empty() && c.size() != mean.size()))
            continue;
        mean.resize(c.size(), 0.0f);
        for (size_t k = 0; k < c.size(); ++k)
            mean[k] += c[k];
    }
    normalise(&mean);
    return mean;
}

} // namespace descry
