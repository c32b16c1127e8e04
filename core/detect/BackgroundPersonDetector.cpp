#include "BackgroundPersonDetector.h"

#include "EmptyScene.h"
#include "PersonBlobFinder.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr int kMaxSamples = 63;

// Foreground when the colour moved far from the background, unless it looks like a shadow:
// the same chromaticity, darker by a bounded factor.
bool isForeground(const uchar *pixel, const uchar *background, float gain, int threshold)
{
    const float b0 = gain * background[0], b1 = gain * background[1], b2 = gain * background[2];
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

// Brightness of the frame relative to the background (a cloud, auto exposure): the median
// ratio over a sparse grid, which the few pixels covered by people cannot move.
float globalGain(const cv::Mat &small, const cv::Mat &background)
{
    std::vector<float> ratios;
    for (int y = 2; y < small.rows; y += 4) {
        const uchar *p = small.ptr<uchar>(y), *b = background.ptr<uchar>(y);
        for (int x = 2; x < small.cols; x += 4) {
            const int sumB = b[3 * x] + b[3 * x + 1] + b[3 * x + 2];
            if (sumB > 60)
                ratios.push_back(float(p[3 * x] + p[3 * x + 1] + p[3 * x + 2]) / float(sumB));
        }
    }
    if (ratios.empty())
        return 1.f;
    std::nth_element(ratios.begin(), ratios.begin() + std::ptrdiff_t(ratios.size() / 2), ratios.end());
    return ratios[ratios.size() / 2];
}

} // namespace

BackgroundPersonDetector::BackgroundPersonDetector(const BackgroundDetectorParams &params, float minScore)
    : m_params(params)
    , m_minScore(minScore)
    , m_heights(std::max(1, params.heightWindow))
{
    m_params.samples = std::clamp(m_params.samples, 1, kMaxSamples);
    m_params.minSamples = std::clamp(m_params.minSamples, 1, m_params.samples);
    m_params.sampleStep = std::max(1, m_params.sampleStep);
    m_params.processingWidth = std::max(64, m_params.processingWidth);
    m_params.heightWindow = std::max(1, m_params.heightWindow);
}

QString BackgroundPersonDetector::name() const
{
    return QStringLiteral("bgs-median-v1-w%1-s%2-k%3-m%4-t%5-h%6-g%7")
        .arg(m_params.processingWidth)
        .arg(m_params.sampleStep)
        .arg(m_params.samples)
        .arg(m_params.minSamples)
        .arg(m_params.colourThreshold)
        .arg(double(m_params.minPersonHeight))
        .arg(m_params.heightWindow);
}

void BackgroundPersonDetector::reset()
{
    m_samples.clear();
    m_background = cv::Mat();
    m_backgroundEdges = cv::Mat();
    m_lastSlot = -1;
    m_lastIndex = -1;
    m_heights.clear();
    m_mask = cv::Mat();
    m_fullMask = cv::Mat();
    m_frameSize = cv::Size();
}

int BackgroundPersonDetector::warmupFrames() const
{
    // The oldest sample in use lies less than samples * sampleStep frames back; the height
    // model looks heightWindow frames further, at blobs found with their own backgrounds.
    return m_params.samples * m_params.sampleStep + m_params.heightWindow;
}

double BackgroundPersonDetector::processingScale() const
{
    return m_frameSize.width > m_params.processingWidth ? double(m_frameSize.width) / m_params.processingWidth
                                                        : 1.0;
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
    m_background = perPixelMedian({ m_samples.begin(), m_samples.end() });
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
    std::vector<float> scores;
    const std::vector<cv::Rect> people = findPeople(small, frame.index, &scores);
    const float sx = float(frame.image.cols) / float(small.cols),
                sy = float(frame.image.rows) / float(small.rows);
    for (size_t i = 0; i < people.size(); ++i) {
        if (scores[i] < m_minScore)
            continue;
        const cv::Rect &r = people[i];
        Detection detection;
        detection.frame = frame.index;
        detection.time = frame.time;
        detection.box = Box { float(r.x) * sx, float(r.y) * sy, float(r.width) * sx, float(r.height) * sy };
        detection.score = scores[i];
        out->push_back(detection);
    }
    // After detecting, so a frame is never compared with a background that contains it.
    addSample(small, frame.index);
    return true;
}

std::vector<cv::Rect> BackgroundPersonDetector::findPeople(
    const cv::Mat &small, int64_t index, std::vector<float> *scores)
{
    m_heights.update(index);
    if (int(m_samples.size()) < m_params.minSamples) {
        m_mask = cv::Mat::zeros(small.size(), CV_8U);
        return {};
    }
    m_mask = foreground(small);
    const int minHeight = std::max(8, int(std::lround(m_params.minPersonHeight * float(small.rows))));
    const PersonBlobFinder finder(m_mask, edgesOf(small), m_backgroundEdges, minHeight);
    const std::vector<PersonBlobFinder::Blob> candidates = finder.candidates();
    std::vector<cv::Rect> boxes;
    for (const PersonBlobFinder::Blob &person : finder.people(candidates, m_heights)) {
        boxes.push_back(person.box);
        scores->push_back(person.score);
    }
    // Learnt after use, so this frame's people are judged by earlier frames only.
    for (const PersonBlobFinder::Blob &candidate : candidates) {
        if (finder.isCleanPerson(candidate))
            m_heights.add(index, float(candidate.box.y + candidate.box.height), float(candidate.box.height));
    }
    return boxes;
}

cv::Mat BackgroundPersonDetector::foreground(const cv::Mat &small) const
{
    const float gain = globalGain(small, m_background);
    cv::Mat mask(small.size(), CV_8U);
    for (int y = 0; y < small.rows; ++y) {
        const uchar *pixel = small.ptr<uchar>(y);
        const uchar *background = m_background.ptr<uchar>(y);
        uchar *m = mask.ptr<uchar>(y);
        for (int x = 0; x < small.cols; ++x)
            m[x] = isForeground(pixel + 3 * x, background + 3 * x, gain, m_params.colourThreshold) ? 255 : 0;
    }
    // Salt noise out (a median keeps thin legs that an opening would cut), then join body
    // parts split by clothing that matches the background, mostly vertically.
    cv::medianBlur(mask, mask, 3);
    const cv::Mat joint = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 7));
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, joint);
    return mask;
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
