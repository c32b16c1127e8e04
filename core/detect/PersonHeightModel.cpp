#include "PersonHeightModel.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace descry {

namespace {

// Rows of the feet must spread at least this far (in pixels) for a slope to mean anything;
// otherwise everyone is at about the same depth and a constant height is used.
constexpr double kMinFootSpread = 8.0;
// Observations further than this from the first fit (relative) are two people stacked, a
// person with a shadow, or half a person: dropped before the final fit.
constexpr double kOutlierShare = 0.25;

struct Line {
    double slope = 0, offset = 0;
};

Line leastSquares(const std::vector<double> &x, const std::vector<double> &y)
{
    const double n = double(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    const double variance = sxx / n - (sx / n) * (sx / n);
    if (variance < kMinFootSpread * kMinFootSpread)
        return { 0, sy / n };
    const double slope = (sxy / n - (sx / n) * (sy / n)) / variance;
    return { slope, sy / n - slope * sx / n };
}

} // namespace

PersonHeightModel::PersonHeightModel(int window, int minObservations)
    : m_window(window)
    , m_minObservations(minObservations)
{ }

void PersonHeightModel::clear()
{
    m_observations.clear();
    m_valid = false;
}

void PersonHeightModel::add(int64_t frame, float footY, float height)
{
    m_observations.push_back({ frame, footY, height });
}

void PersonHeightModel::update(int64_t frame)
{
    while (!m_observations.empty() && m_observations.front().frame <= frame - m_window)
        m_observations.pop_front();
    fit();
}

void PersonHeightModel::fit()
{
    m_valid = false;
    if (int(m_observations.size()) < m_minObservations)
        return;
    std::vector<double> x, y;
    for (const Observation &o : m_observations) {
        x.push_back(o.footY);
        y.push_back(o.height);
    }
    // The median height anchors a first line that outliers cannot drag far.
    std::vector<double> sorted = y;
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
    const double median = sorted[sorted.size() / 2];
    Line line;
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<double> keptX, keptY;
        for (size_t i = 0; i < x.size(); ++i) {
            const double predicted = pass == 0 ? median : line.slope * x[i] + line.offset;
            if (std::abs(y[i] - predicted) <= (pass == 0 ? 0.6 : kOutlierShare) * predicted) {
                keptX.push_back(x[i]);
                keptY.push_back(y[i]);
            }
        }
        if (int(keptX.size()) < m_minObservations)
            return;
        line = leastSquares(keptX, keptY);
    }
    // A camera looking down sees nearer (lower) people taller; a negative slope is noise.
    if (line.slope < 0)
        line = { 0, median };
    m_slope = line.slope;
    m_offset = line.offset;
    m_valid = true;
}

std::optional<float> PersonHeightModel::expectedHeight(float footY) const
{
    if (!m_valid)
        return std::nullopt;
    const double height = m_slope * footY + m_offset;
    if (height <= 1)
        return std::nullopt;
    return float(height);
}

} // namespace descry
