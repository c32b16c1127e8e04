#include "BackgroundPersonDetector.h"

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace descry {

namespace {

// Height / width of a standing or walking person's box; arms and strides make it vary a lot.
constexpr float kNominalAspect = 2.6f;
constexpr float kMinAspect = 1.1f;
constexpr float kMaxAspect = 5.5f;
constexpr float kMaxMergedAspect = 4.2f;
constexpr float kMaxFragment = 0.6f; // of the taller blob's height: a head, a torso, legs
constexpr int kMaxSamples = 63;

// Per-pixel, per-channel median of the samples (lower median for an even count).
cv::Mat medianOf(const std::deque<cv::Mat> &samples)
{
    const cv::Mat &first = samples.front();
    cv::Mat median(first.size(), first.type());
    const int count = int(samples.size());
    const int values = first.cols * first.channels();
    cv::parallel_for_(cv::Range(0, first.rows), [&](const cv::Range &rows) {
        std::array<uchar, kMaxSamples> v {};
        std::vector<const uchar *> in(size_t(count), nullptr);
        for (int y = rows.start; y < rows.end; ++y) {
            for (int k = 0; k < count; ++k)
                in[size_t(k)] = samples[size_t(k)].ptr<uchar>(y);
            uchar *outRow = median.ptr<uchar>(y);
            for (int x = 0; x < values; ++x) {
                for (int k = 0; k < count; ++k)
                    v[size_t(k)] = in[size_t(k)][x];
                std::nth_element(v.begin(), v.begin() + (count - 1) / 2, v.begin() + count);
                outRow[x] = v[size_t((count - 1) / 2)];
            }
        }
    });
    return median;
}

// Foreground when the colour moved far from the background, unless it looks like a shadow:
// the same chromaticity, darker by a bounded factor.
bool isForeground(const uchar *pixel, const uchar *background, int threshold)
{
    const float b0 = background[0], b1 = background[1], b2 = background[2];
    const float i0 = pixel[0], i1 = pixel[1], i2 = pixel[2];
    const float d0 = i0 - b0, d1 = i1 - b1, d2 = i2 - b2;
    const float distance2 = d0 * d0 + d1 * d1 + d2 * d2;
    if (distance2 < float(threshold * threshold))
        return false;
    const float norm2 = b0 * b0 + b1 * b1 + b2 * b2 + 1.f;
    const float alpha = (i0 * b0 + i1 * b1 + i2 * b2) / norm2; // brightness relative to background
    if (alpha < 0.45f || alpha > 0.95f)
        return true;
    const float c0 = i0 - alpha * b0, c1 = i1 - alpha * b1, c2 = i2 - alpha * b2;
    const float chroma2 = c0 * c0 + c1 * c1 + c2 * c2;
    // Allowed chromatic drift grows with brightness (sensor noise does too).
    const float allowed = 4.f + 0.06f * alpha * std::sqrt(norm2);
    return chroma2 > allowed * allowed;
}

int columnCount(const cv::Mat &mask, int x, int top, int bottom)
{
    return cv::countNonZero(mask(cv::Range(top, bottom), cv::Range(x, x + 1)));
}

// Tight box of the foreground inside `area`; empty when there is none.
cv::Rect tightBox(const cv::Mat &mask, const cv::Rect &area, int *pixels)
{
    std::vector<cv::Point> points;
    cv::findNonZero(mask(area), points);
    *pixels = int(points.size());
    if (points.empty())
        return {};
    cv::Rect box = cv::boundingRect(points);
    box.x += area.x;
    box.y += area.y;
    return box;
}

// Gradient magnitude (L1) of the grey image, the evidence of object outlines.
cv::Mat edgesOf(const cv::Mat &image)
{
    cv::Mat grey, dx, dy, magnitude;
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    cv::Sobel(grey, dx, CV_32F, 1, 0);
    cv::Sobel(grey, dy, CV_32F, 0, 1);
    magnitude = cv::abs(dx) + cv::abs(dy);
    return magnitude;
}

} // namespace

BackgroundPersonDetector::BackgroundPersonDetector(const BackgroundDetectorParams &params, float minScore)
    : m_params(params)
    , m_minScore(minScore)
{
    m_params.samples = std::clamp(m_params.samples, 1, kMaxSamples);
    m_params.minSamples = std::clamp(m_params.minSamples, 1, m_params.samples);
    m_params.sampleStep = std::max(1, m_params.sampleStep);
    m_params.processingWidth = std::max(64, m_params.processingWidth);
}

QString BackgroundPersonDetector::name() const
{
    return QStringLiteral("bgs-median-v1-w%1-s%2-k%3-m%4-t%5-h%6")
        .arg(m_params.processingWidth)
        .arg(m_params.sampleStep)
        .arg(m_params.samples)
        .arg(m_params.minSamples)
        .arg(m_params.colourThreshold)
        .arg(double(m_params.minPersonHeight));
}

void BackgroundPersonDetector::reset()
{
    m_samples.clear();
    m_background = cv::Mat();
    m_backgroundEdges = cv::Mat();
    m_lastSlot = -1;
    m_lastIndex = -1;
    m_mask = cv::Mat();
    m_fullMask = cv::Mat();
    m_frameSize = cv::Size();
}

int BackgroundPersonDetector::warmupFrames() const
{
    // The oldest sample in use lies less than samples * sampleStep frames back.
    return m_params.samples * m_params.sampleStep;
}

cv::Mat BackgroundPersonDetector::shrink(const cv::Mat &image) const
{
    if (image.cols <= m_params.processingWidth)
        return image.clone();
    const int height
        = std::max(1, int(std::lround(double(image.rows) * m_params.processingWidth / image.cols)));
    cv::Mat small;
    cv::resize(image, small, cv::Size(m_params.processingWidth, height), 0, 0, cv::INTER_AREA);
    return small;
}

void BackgroundPersonDetector::addSample(const cv::Mat &small, int64_t index)
{
    // The first frame given in each window of sampleStep source indices is the sample, so
    // the sample set depends on absolute indices only (and works with any decoding stride).
    const int64_t slot = index / m_params.sampleStep;
    if (slot == m_lastSlot)
        return;
    m_lastSlot = slot;
    m_samples.push_back(small);
    while (int(m_samples.size()) > m_params.samples)
        m_samples.pop_front();
    m_background = medianOf(m_samples);
    m_backgroundEdges = edgesOf(m_background);
}

bool BackgroundPersonDetector::detect(const Frame &frame, std::vector<Detection> *out, QString *error)
{
    out->clear();
    if (frame.image.empty() || frame.image.type() != CV_8UC3) {
        if (error)
            *error = QStringLiteral("frame %1 is not an 8-bit BGR image").arg(frame.index);
        return false;
    }
    // A new source given without reset(): start over rather than mix backgrounds.
    if (frame.index <= m_lastIndex || frame.image.size() != m_frameSize)
        reset();
    m_frameSize = frame.image.size();
    m_lastIndex = frame.index;
    m_fullMask = cv::Mat();

    const cv::Mat small = shrink(frame.image);
    if (int(m_samples.size()) < m_params.minSamples) {
        m_mask = cv::Mat::zeros(small.size(), CV_8U);
    } else {
        m_mask = foreground(small);
        const double scale = double(frame.image.cols) / small.cols;
        const cv::Mat edges = edgesOf(small);
        for (Blob &blob : findBlobs(m_mask)) {
            blob.edgeSupport = edgeSupport(m_mask, blob.box, edges);
            const float s = score(blob);
            if (s < m_minScore)
                continue;
            Detection detection;
            detection.frame = frame.index;
            detection.time = frame.time;
            detection.box = Box { float(blob.box.x * scale), float(blob.box.y * scale),
                float(blob.box.width * scale), float(blob.box.height * scale) };
            detection.score = s;
            out->push_back(detection);
        }
    }
    // After detecting, so a frame is never compared with a background that contains it.
    addSample(small, frame.index);
    return true;
}

cv::Mat BackgroundPersonDetector::foreground(const cv::Mat &small) const
{
    cv::Mat mask(small.size(), CV_8U);
    for (int y = 0; y < small.rows; ++y) {
        const uchar *pixel = small.ptr<uchar>(y);
        const uchar *background = m_background.ptr<uchar>(y);
        uchar *m = mask.ptr<uchar>(y);
        for (int x = 0; x < small.cols; ++x)
            m[x] = isForeground(pixel + 3 * x, background + 3 * x, m_params.colourThreshold) ? 255 : 0;
    }
    // Salt noise out (a median keeps thin legs that an opening would cut), then join body
    // parts split by clothing that matches the background, mostly vertically.
    cv::medianBlur(mask, mask, 3);
    const cv::Mat joint = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 7));
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, joint);
    return mask;
}

std::vector<BackgroundPersonDetector::Blob> BackgroundPersonDetector::findBlobs(const cv::Mat &mask) const
{
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    const int minHeight = std::max(8, int(std::lround(m_params.minPersonHeight * float(mask.rows))));
    std::vector<Blob> blobs;
    for (int i = 1; i < count; ++i) {
        Blob blob;
        blob.box = cv::Rect(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
            stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        blob.pixels = stats.at<int>(i, cv::CC_STAT_AREA);
        if (blob.pixels >= minHeight) // fragments (a head) may still join a body below
            blobs.push_back(blob);
    }
    blobs = mergeStacked(std::move(blobs));
    std::vector<Blob> people;
    for (const Blob &blob : blobs) {
        for (const Blob &part : splitWide(mask, blob)) {
            const float aspect = float(part.box.height) / float(std::max(1, part.box.width));
            if (part.box.height >= minHeight && aspect >= kMinAspect && aspect <= kMaxAspect)
                people.push_back(part);
        }
    }
    return people;
}

// Joins a blob with one right above or below it that overlaps it horizontally: a head or
// torso separated from the legs by a band of background-coloured clothing.
std::vector<BackgroundPersonDetector::Blob> BackgroundPersonDetector::mergeStacked(
    std::vector<Blob> blobs) const
{
    bool merged = true;
    while (merged) {
        merged = false;
        for (size_t i = 0; i < blobs.size() && !merged; ++i) {
            for (size_t j = i + 1; j < blobs.size() && !merged; ++j) {
                const cv::Rect &a = blobs[i].box, &b = blobs[j].box;
                const int overlap = std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x);
                const int gap = std::max(a.y, b.y) - std::min(a.y + a.height, b.y + b.height);
                const cv::Rect joined = a | b;
                const float aspect = float(joined.height) / float(joined.width);
                // Two person-sized blobs stacked are two people (one behind the other).
                const bool fragment
                    = std::min(a.height, b.height) < kMaxFragment * std::max(a.height, b.height);
                if (!fragment || overlap < 0.6f * float(std::min(a.width, b.width)) || gap > joined.height / 6
                    || aspect < kMinAspect || aspect > kMaxMergedAspect)
                    continue;
                blobs[i].box = joined;
                blobs[i].pixels += blobs[j].pixels;
                blobs.erase(blobs.begin() + std::ptrdiff_t(j));
                merged = true;
            }
        }
    }
    return blobs;
}

// A blob wider than one person of its height is cut at the emptiest columns near the
// expected borders between people walking side by side.
std::vector<BackgroundPersonDetector::Blob> BackgroundPersonDetector::splitWide(
    const cv::Mat &mask, const Blob &blob) const
{
    const cv::Rect &box = blob.box;
    const float expectedWidth = float(box.height) / kNominalAspect;
    const int people = int(std::lround(float(box.width) / expectedWidth));
    if (people < 2 || float(box.width) < 1.5f * expectedWidth)
        return { blob };
    std::vector<int> cuts { box.x };
    const int window = std::max(1, int(expectedWidth / 3));
    for (int k = 1; k < people; ++k) {
        const int guess = box.x + int(float(k) * float(box.width) / float(people));
        int best = guess, bestCount = INT32_MAX;
        for (int x = std::max(cuts.back() + 1, guess - window);
             x <= std::min(box.x + box.width - 2, guess + window); ++x) {
            const int c = columnCount(mask, x, box.y, box.y + box.height);
            if (c < bestCount) {
                best = x;
                bestCount = c;
            }
        }
        cuts.push_back(best);
    }
    cuts.push_back(box.x + box.width);
    std::vector<Blob> parts;
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        const cv::Rect area(cuts[k], box.y, cuts[k + 1] - cuts[k], box.height);
        if (area.width <= 0)
            continue;
        Blob part;
        part.box = tightBox(mask, area, &part.pixels);
        if (!part.box.empty())
            parts.push_back(part);
    }
    return parts;
}

// A ghost (background uncovered where something stood while the samples were taken) has its
// outline in the background image, not in the frame; a real object is the reverse. Compares
// the gradient on the silhouette's border band in both images.
float BackgroundPersonDetector::edgeSupport(
    const cv::Mat &mask, const cv::Rect &box, const cv::Mat &edges) const
{
    const cv::Rect area = (box + cv::Size(4, 4) - cv::Point(2, 2)) & cv::Rect(cv::Point(0, 0), mask.size());
    cv::Mat inner, outer;
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
    cv::erode(mask(area), inner, kernel);
    cv::dilate(mask(area), outer, kernel);
    const cv::Mat band = outer & ~inner;
    const double inFrame = cv::mean(edges(area), band)[0];
    const double inBackground = cv::mean(m_backgroundEdges(area), band)[0];
    return float(inFrame / (inFrame + inBackground + 1e-3));
}

// Confidence from shape: how much of the box is foreground (a person fills about half) and
// how close the box is to a person's proportions.
float BackgroundPersonDetector::score(const Blob &blob) const
{
    const float area = float(blob.box.area());
    const float fill = area > 0 ? float(blob.pixels) / area : 0.f;
    const float fillScore = std::clamp((fill - 0.15f) / 0.35f, 0.f, 1.f);
    const float aspect = float(blob.box.height) / float(std::max(1, blob.box.width));
    const float logRatio = std::log(aspect / kNominalAspect) / 0.5f;
    const float aspectScore = std::exp(-0.5f * logRatio * logRatio);
    const float edgeScore = std::clamp((blob.edgeSupport - 0.4f) / 0.35f, 0.f, 1.f);
    return std::clamp((0.5f * fillScore + 0.5f * aspectScore) * edgeScore, 0.f, 1.f);
}

cv::Mat BackgroundPersonDetector::lastForegroundMask() const
{
    if (m_mask.empty())
        return {};
    if (m_fullMask.empty()) {
        if (m_mask.size() == m_frameSize)
            m_fullMask = m_mask;
        else
            cv::resize(m_mask, m_fullMask, m_frameSize, 0, 0, cv::INTER_NEAREST);
    }
    return m_fullMask;
}

} // namespace descry
