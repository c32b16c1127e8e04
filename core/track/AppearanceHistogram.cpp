#include "AppearanceHistogram.h"

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr int kSamplesPerPart = 400;

int binOf(const cv::Vec3b &px)
{
    const int b = px[0], g = px[1], r = px[2];
    const int mx = std::max({ r, g, b }), mn = std::min({ r, g, b });
    const int delta = mx - mn;
    if (mx < 40)
        return 36; // black
    if (delta * 4 < mx) // saturation < 0.25: a grey
        return mx < 110 ? 37 : (mx < 180 ? 38 : 39);
    int hue6; // hue in [0, 6 * delta)
    if (mx == r)
        hue6 = (g - b + 6 * delta) % (6 * delta);
    else if (mx == g)
        hue6 = (b - r) + 2 * delta;
    else
        hue6 = (r - g) + 4 * delta;
    const int hueBin = std::min(11, hue6 * 2 / delta);
    const int satBin = delta * 20 < mx * 9 ? 0 : (delta * 10 < mx * 7 ? 1 : 2); // 0.45, 0.7
    return hueBin * 3 + satBin;
}

struct Part {
    int y0, y1, x0, x1;
};

// Samples one part on a regular grid; with `fg`, only person pixels unless too few are.
void accumulate(const cv::Mat &bgr, const Part &p, const cv::Mat &fg, float *hist)
{
    const int w = p.x1 - p.x0, h = p.y1 - p.y0;
    if (w <= 0 || h <= 0)
        return;
    const int step = std::max(1, int(std::sqrt(double(w) * h / kSamplesPerPart)));
    const double sx = fg.empty() ? 0 : double(fg.cols) / bgr.cols,
                 sy = fg.empty() ? 0 : double(fg.rows) / bgr.rows;
    float all[AppearanceHistogram::kBinsPerPart] = {}, person[AppearanceHistogram::kBinsPerPart] = {};
    int total = 0, inPerson = 0;
    for (int y = p.y0 + step / 2; y < p.y1; y += step) {
        const auto *row = bgr.ptr<cv::Vec3b>(y);
        const uchar *fgRow = fg.empty() ? nullptr : fg.ptr<uchar>(std::min(fg.rows - 1, int(y * sy)));
        for (int x = p.x0 + step / 2; x < p.x1; x += step) {
            const int bin = binOf(row[x]);
            all[bin] += 1;
            ++total;
            if (fgRow && fgRow[std::min(fg.cols - 1, int(x * sx))]) {
                person[bin] += 1;
                ++inPerson;
            }
        }
    }
    // A mask that misses most of the box (the person stood still and faded into the
    // background model) would leave a handful of samples: then all samples are used.
    const bool usePerson = !fg.empty() && inPerson * 5 >= total && inPerson >= 8;
    const float *src = usePerson ? person : all;
    const int n = usePerson ? inPerson : total;
    for (int i = 0; i < AppearanceHistogram::kBinsPerPart; ++i)
        hist[i] = n > 0 ? src[i] / float(n) : 0.f;
}

} // namespace

std::vector<float> AppearanceHistogram::compute(const cv::Mat &bgr, const Box &box, const cv::Mat &foreground)
{
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    const cv::Rect r = cv::Rect(cvFloor(box.x), cvFloor(box.y), cvCeil(box.w), cvCeil(box.h))
        & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (r.width < 2 || r.height < 4)
        return {};
    const cv::Mat fg = foreground.type() == CV_8UC1 ? foreground : cv::Mat();
    // Central 60 % of the columns: the sides are arms and background. Head and feet left out.
    const int x0 = r.x + r.width / 5, x1 = r.x + r.width - r.width / 5;
    const int top = r.y + r.height * 12 / 100, mid = r.y + r.height / 2, bottom = r.y + r.height * 95 / 100;
    std::vector<float> hist(kBins, 0.f);
    accumulate(bgr, { top, mid, x0, x1 }, fg, hist.data());
    accumulate(bgr, { mid, bottom, x0, x1 }, fg, hist.data() + kBinsPerPart);
    return hist;
}

float AppearanceHistogram::distance(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != size_t(kBins) || b.size() != size_t(kBins))
        return -1;
    double d = 0;
    for (int part = 0; part < 2; ++part) {
        double bc = 0; // Bhattacharyya coefficient
        for (int i = part * kBinsPerPart; i < (part + 1) * kBinsPerPart; ++i)
            bc += std::sqrt(double(a[size_t(i)]) * double(b[size_t(i)]));
        d += std::sqrt(std::max(0.0, 1.0 - bc));
    }
    return float(d / 2);
}

void AppearanceHistogram::blend(std::vector<float> *track, const std::vector<float> &observed, float alpha)
{
    if (observed.size() != size_t(kBins))
        return;
    if (track->size() != size_t(kBins)) {
        *track = observed;
        return;
    }
    for (size_t i = 0; i < observed.size(); ++i)
        (*track)[i] = (1.f - alpha) * (*track)[i] + alpha * observed[i];
}

} // namespace descry
