#include "PatternMeter.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace descry {

namespace {

constexpr int kHighPassRadius = 4; // a 9 x 9 local mean: slower than any pattern a crop can show
constexpr int kMinPeriod = 3; // pixels; finer repetition is blur and JPEG blocks
constexpr double kMinRowCover = 0.6; // a row with less person than this is left out of the profile
// Contrast (standard deviation in 8-bit lightness) below kFaintContrast counts for nothing and
// kFaintContrast + kContrastRange fully: a navy-and-black stripe under CCTV light is ~10 levels.
constexpr double kFaintContrast = 2.0, kContrastRange = 8.0;

// Lightness of the zone, its high-passed copy and which pixels are the person's.
struct Zone {
    cv::Mat1f detail; // lightness minus its local mean, 0 outside the person
    cv::Mat1b valid;
};

Zone highPass(const cv::Mat &bgr, const cv::Mat &fg, const cv::Rect &rect)
{
    Zone z;
    cv::Mat gray;
    cv::cvtColor(bgr(rect), gray, cv::COLOR_BGR2GRAY);
    cv::Mat1f lightness;
    gray.convertTo(lightness, CV_32F);
    z.valid = fg.empty() ? cv::Mat1b(rect.size(), uchar(1)) : cv::Mat1b(fg(rect) > 0) / 255;
    cv::Mat1f weight;
    z.valid.convertTo(weight, CV_32F);
    // Mean over the person's pixels only, so the zone's edge against the background is no pattern.
    const cv::Size window(2 * kHighPassRadius + 1, 2 * kHighPassRadius + 1);
    cv::Mat1f sum, count;
    cv::boxFilter(lightness.mul(weight), sum, CV_32F, window, cv::Point(-1, -1), false, cv::BORDER_CONSTANT);
    cv::boxFilter(weight, count, CV_32F, window, cv::Point(-1, -1), false, cv::BORDER_CONSTANT);
    z.detail = cv::Mat1f(rect.size(), 0.f);
    for (int y = 0; y < rect.height; ++y)
        for (int x = 0; x < rect.width; ++x)
            if (z.valid(y, x) && count(y, x) > 0)
                z.detail(y, x) = lightness(y, x) - sum(y, x) / count(y, x);
    return z;
}

// Normalised correlation of the zone's detail with itself shifted by (dx, dy), over the pairs
// where both pixels are the person's.
double correlation(const Zone &z, int dx, int dy)
{
    double ab = 0, aa = 0, bb = 0;
    for (int y = 0; y + dy < z.detail.rows; ++y)
        for (int x = 0; x + dx < z.detail.cols; ++x) {
            if (!z.valid(y, x) || !z.valid(y + dy, x + dx))
                continue;
            const double a = z.detail(y, x), b = z.detail(y + dy, x + dx);
            ab += a * b;
            aa += a * a;
            bb += b * b;
        }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

// The same for a 1-D profile (NaN = no value).
double correlation(const std::vector<double> &p, int lag)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i + size_t(lag) < p.size(); ++i) {
        const double a = p[i], b = p[i + size_t(lag)];
        if (std::isnan(a) || std::isnan(b))
            continue;
        ab += a * b;
        aa += a * a;
        bb += b * b;
    }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

double contrastWeight(double standardDeviation)
{
    return std::clamp((standardDeviation - kFaintContrast) / kContrastRange, 0.0, 1.0);
}

int halfOf(int period)
{
    return (period + 1) / 2;
}

// Mean detail per row (or column) where the person covers enough of it; NaN elsewhere.
std::vector<double> profile(const Zone &z, bool rows)
{
    const int count = rows ? z.detail.rows : z.detail.cols;
    const int length = rows ? z.detail.cols : z.detail.rows;
    std::vector<double> out(size_t(count), std::nan(""));
    for (int i = 0; i < count; ++i) {
        const cv::Mat1b valid = rows ? z.valid.row(i) : z.valid.col(i);
        const int n = cv::countNonZero(valid);
        if (n >= kMinRowCover * length)
            out[size_t(i)] = cv::sum(rows ? z.detail.row(i) : z.detail.col(i))[0] / n;
    }
    return out;
}

// A profile less its mean (over the values it has): a vertical edge in the zone (the body's
// outline, an arm) adds the same to every row and is no repetition.
std::vector<double> centred(std::vector<double> p, int *kept)
{
    double sum = 0;
    *kept = 0;
    for (const double v : p)
        if (!std::isnan(v)) {
            sum += v;
            ++*kept;
        }
    for (double &v : p)
        v -= *kept > 0 ? sum / *kept : 0;
    return p;
}

double meanSquare(const std::vector<double> &p)
{
    double sum = 0;
    int n = 0;
    for (const double v : p)
        if (!std::isnan(v)) {
            sum += v * v;
            ++n;
        }
    return n > 0 ? sum / n : 0;
}

// How strongly a profile repeats: one period away it correlates, half a period away it
// anti-correlates; at least two periods must fit.
double periodicity(const std::vector<double> &p, int kept)
{
    double best = 0;
    for (int period = kMinPeriod; 2 * period <= kept; ++period)
        best = std::max(best, std::min(correlation(p, period), -correlation(p, halfOf(period))));
    return best;
}

// Horizontal stripes: the mean detail of each row repeats down the zone with visible contrast,
// and the columns do not repeat as well (plaid has bands both ways).
double stripedScore(const Zone &z)
{
    int rowsKept = 0, columnsKept = 0;
    const std::vector<double> rows = centred(profile(z, true), &rowsKept);
    const std::vector<double> columns = centred(profile(z, false), &columnsKept);
    if (rowsKept < PatternMeter::kMinRows)
        return 0;
    const double across = columnsKept >= PatternMeter::kMinColumns ? periodicity(columns, columnsKept) : 0;
    return periodicity(rows, rowsKept) * (1 - across) * contrastWeight(std::sqrt(meanSquare(rows)));
}

// Checks and plaid: the detail repeats one period across and one period down, and does not stay
// the same half a period along either axis (stripes do, along themselves).
double checkedScore(const Zone &z, double totalEnergy)
{
    double best = 0;
    const int largest = std::min(z.detail.rows, z.detail.cols) / 2;
    for (int period = kMinPeriod + 1; period <= largest; ++period) {
        const double repeats = std::min(correlation(z, period, 0), correlation(z, 0, period));
        const int half = halfOf(period);
        const double alongAxis = std::max({ correlation(z, half, 0), correlation(z, 0, half), 0.0 });
        best = std::max(best, repeats - alongAxis);
    }
    return best * contrastWeight(std::sqrt(totalEnergy));
}

} // namespace

PatternScores PatternMeter::measure(const cv::Mat &bgr, const cv::Mat &fg, const cv::Rect &zone)
{
    const cv::Rect rect = zone & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (bgr.empty() || bgr.type() != CV_8UC3 || rect.height < kMinRows || rect.width < kMinColumns)
        return {};
    if (!fg.empty() && (fg.size() != bgr.size() || fg.type() != CV_8UC1))
        return {};
    const Zone z = highPass(bgr, fg, rect);
    const int pixels = cv::countNonZero(z.valid);
    if (pixels < kMinRows * kMinColumns)
        return {};
    const double totalEnergy = cv::sum(z.detail.mul(z.detail))[0] / pixels;
    PatternScores scores;
    const double checked = std::clamp(checkedScore(z, totalEnergy), 0.0, 1.0);
    // A check's rows differ a little where a zone holds an odd number of squares: a check is
    // no stripe however its rows look.
    scores.striped = float(std::clamp(stripedScore(z), 0.0, 1.0) * (1 - checked));
    scores.checked = float(checked);
    return scores;
}

} // namespace descry
