#include "EmptyScene.h"

#include "VideoDecoder.h"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {
constexpr int kModeTolerance = 36;
}

cv::Mat perPixelMedian(const std::vector<cv::Mat> &samples)
{
    if (samples.empty())
        return {};
    const cv::Mat &first = samples.front();
    CV_Assert(first.depth() == CV_8U);
    for (const cv::Mat &s : samples)
        CV_Assert(s.size() == first.size() && s.type() == first.type());
    cv::Mat median(first.size(), first.type());
    const int count = static_cast<int>(samples.size());
    const int values = first.cols * first.channels();
    const int middle = (count - 1) / 2;
    cv::parallel_for_(cv::Range(0, first.rows), [&](const cv::Range &rows) {
        std::vector<uchar> v(static_cast<size_t>(count));
        std::vector<const uchar *> in(static_cast<size_t>(count), nullptr);
        for (int y = rows.start; y < rows.end; ++y) {
            for (int k = 0; k < count; ++k)
                in[static_cast<size_t>(k)] = samples[static_cast<size_t>(k)].ptr<uchar>(y);
            uchar *outRow = median.ptr<uchar>(y);
            for (int x = 0; x < values; ++x) {
                for (int k = 0; k < count; ++k)
                    v[static_cast<size_t>(k)] = in[static_cast<size_t>(k)][x];
                std::nth_element(v.begin(), v.begin() + middle, v.end());
                outRow[x] = v[static_cast<size_t>(middle)];
            }
        }
    });
    return median;
}

cv::Mat perPixelMode(const std::vector<cv::Mat> &samples, int tolerance, const std::vector<cv::Mat> &masks)
{
    if (samples.empty())
        return {};
    const cv::Mat &first = samples.front();
    CV_Assert(first.type() == CV_8UC3);
    for (const cv::Mat &s : samples)
        CV_Assert(s.size() == first.size() && s.type() == first.type());
    CV_Assert(masks.empty() || masks.size() == samples.size());
    for (const cv::Mat &m : masks)
        CV_Assert(m.size() == first.size() && m.type() == CV_8U);
    cv::Mat mode(first.size(), first.type());
    const auto count = samples.size();
    cv::parallel_for_(cv::Range(0, first.rows), [&](const cv::Range &rows) {
        std::vector<const cv::Vec3b *> in(count, nullptr);
        std::vector<const uchar *> masked(masks.size(), nullptr);
        std::vector<cv::Vec3b> v(count);
        std::vector<int> support(count);
        for (int y = rows.start; y < rows.end; ++y) {
            for (size_t k = 0; k < count; ++k)
                in[k] = samples[k].ptr<cv::Vec3b>(y);
            for (size_t k = 0; k < masks.size(); ++k)
                masked[k] = masks[k].ptr<uchar>(y);
            auto *out = mode.ptr<cv::Vec3b>(y);
            for (int x = 0; x < first.cols; ++x) {
                size_t n = 0;
                for (size_t k = 0; k < count; ++k) {
                    if (masked.empty() || masked[k][x] == 0)
                        v[n++] = in[k][x];
                }
                if (n == 0) {
                    for (size_t k = 0; k < count; ++k)
                        v[k] = in[k][x];
                    n = count;
                }
                std::fill(support.begin(), support.end(), 0);
                for (size_t i = 0; i < n; ++i) {
                    for (size_t j = i + 1; j < n; ++j) {
                        const int d = std::abs(v[i][0] - v[j][0]) + std::abs(v[i][1] - v[j][1])
                            + std::abs(v[i][2] - v[j][2]);
                        if (d <= tolerance) {
                            ++support[i];
                            ++support[j];
                        }
                    }
                }
                const auto best = static_cast<size_t>(
                    std::max_element(support.begin(), support.begin() + static_cast<std::ptrdiff_t>(n))
                    - support.begin());
                cv::Vec3i sum(0, 0, 0);
                int near = 0;
                for (size_t k = 0; k < n; ++k) {
                    const int d = std::abs(v[best][0] - v[k][0]) + std::abs(v[best][1] - v[k][1])
                        + std::abs(v[best][2] - v[k][2]);
                    if (d <= tolerance) {
                        sum += cv::Vec3i(v[k][0], v[k][1], v[k][2]);
                        ++near;
                    }
                }
                for (int c = 0; c < 3; ++c)
                    out[x][c] = static_cast<uchar>((sum[c] + near / 2) / near);
            }
        }
    });
    return mode;
}

bool emptySceneOf(
    const QString &path, int samples, const PeopleMask &peopleMask, cv::Mat *scene, QString *error)
{
    VideoDecoder decoder;
    if (!decoder.open(path, error))
        return false;
    const VideoInfo info = decoder.info();
    const int64_t frames = std::max<int64_t>(1, info.frameCount);
    const int wanted = static_cast<int>(std::clamp<int64_t>(samples, 1, frames));
    std::vector<cv::Mat> taken, masks;
    Frame frame;
    for (int k = 0; k < wanted; ++k) {
        // Sample k sits in the middle of the k-th of `wanted` equal parts of the clip.
        const auto index = static_cast<int64_t>(std::floor((k + 0.5) * double(frames) / wanted));
        if (index > decoder.nextIndex() && !decoder.skipTo(index))
            break;
        if (!decoder.read(&frame))
            break;
        taken.push_back(frame.image.clone());
        if (peopleMask)
            masks.push_back(peopleMask(taken.back()));
    }
    if (taken.empty()) {
        if (error)
            *error = QStringLiteral("%1: no frame could be decoded").arg(path);
        return false;
    }
    *scene = taken.front().type() == CV_8UC3 ? perPixelMode(taken, kModeTolerance, masks)
                                             : perPixelMedian(taken);
    return true;
}

} // namespace descry
