#include "CropSelector.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr float kAreaCap = 12000.f; // ~ 60 x 200 px: enough for attributes and review
constexpr float kCutPenalty = 0.3f; // a box touching the frame edge shows part of a person
constexpr float kPersonAspect = 2.f; // height / width of a person mid-stride; taller is fine
constexpr double kSharpnessHalf = 150; // Laplacian variance that scores 0.5
constexpr float kReplaceMargin = 1.05f; // a new crop must be 5 % better than the one it evicts
constexpr int kSharpnessPixels = 20000; // sharpness is measured on at most this many pixels

QByteArray toBytes(const std::vector<uchar> &buffer)
{
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), qsizetype(buffer.size()));
}

float upperBound(const Detection &d, const cv::Size &frameSize)
{
    const float area = std::min(1.f, d.box.area() / kAreaCap);
    const bool cut = d.box.x <= 1 || d.box.y <= 1 || d.box.right() >= frameSize.width - 1
        || d.box.bottom() >= frameSize.height - 1;
    // A box much wider than a walking person (height < 2 x width) usually holds two people
    // walking together or a merged blob: a poor crop of either of them.
    const float shape = std::clamp(d.box.h / std::max(1.f, d.box.w) / kPersonAspect, kCutPenalty, 1.f);
    return area * shape * std::clamp(d.score, 0.f, 1.f) * (cut ? kCutPenalty : 1.f);
}

float sharpness(const cv::Mat &bgr, const Box &box)
{
    const cv::Rect r = cv::Rect(cvFloor(box.x), cvFloor(box.y), cvCeil(box.w), cvCeil(box.h))
        & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (r.width < 3 || r.height < 3)
        return 0;
    cv::Mat grey;
    cv::cvtColor(bgr(r), grey, cv::COLOR_BGR2GRAY);
    if (r.area() > kSharpnessPixels) {
        const double s = std::sqrt(double(kSharpnessPixels) / r.area());
        cv::resize(grey, grey, cv::Size(std::max(3, int(r.width * s)), std::max(3, int(r.height * s))), 0, 0,
            cv::INTER_AREA);
    }
    cv::Mat lap;
    cv::Laplacian(grey, lap, CV_16S, 1);
    cv::Scalar mean, stddev;
    cv::meanStdDev(lap, mean, stddev);
    const double variance = stddev[0] * stddev[0];
    return float(variance / (variance + kSharpnessHalf));
}

QByteArray maskPng(const cv::Mat &foreground, const cv::Rect &rect, const cv::Size &frameSize)
{
    if (foreground.empty() || foreground.type() != CV_8UC1)
        return {};
    const double sx = double(foreground.cols) / frameSize.width,
                 sy = double(foreground.rows) / frameSize.height;
    const cv::Rect m = cv::Rect(cvFloor(rect.x * sx), cvFloor(rect.y * sy),
                           std::max(1, cvCeil(rect.width * sx)), std::max(1, cvCeil(rect.height * sy)))
        & cv::Rect(0, 0, foreground.cols, foreground.rows);
    if (m.area() <= 0)
        return {};
    cv::Mat crop;
    cv::resize(foreground(m), crop, rect.size(), 0, 0, cv::INTER_NEAREST);
    cv::threshold(crop, crop, 0, 255, cv::THRESH_BINARY);
    std::vector<uchar> png;
    cv::imencode(".png", crop, png);
    return toBytes(png);
}

// Best first; ties: earlier frame first.
void sortBestFirst(std::vector<Crop> *crops)
{
    std::stable_sort(crops->begin(), crops->end(), [](const Crop &a, const Crop &b) {
        return a.quality != b.quality ? a.quality > b.quality : a.frame < b.frame;
    });
}

} // namespace

CropSelector::CropSelector(int maxCrops, int minGap)
    : m_maxCrops(std::max(0, maxCrops))
    , m_minGap(std::max(0, minGap))
{ }

cv::Rect CropSelector::paddedRect(const Box &box, const cv::Size &frameSize)
{
    const float padX = 0.1f * box.w, padY = 0.05f * box.h;
    const int x0 = cvFloor(box.x - padX), y0 = cvFloor(box.y - padY);
    const int x1 = cvCeil(box.right() + padX), y1 = cvCeil(box.bottom() + padY);
    return cv::Rect(x0, y0, x1 - x0, y1 - y0) & cv::Rect(0, 0, frameSize.width, frameSize.height);
}

// The quality a new crop at `step` must beat, and the kept crops it would replace.
float CropSelector::threshold(int64_t step, std::vector<size_t> *conflicts) const
{
    float worst = -1, strongest = 0;
    size_t worstIndex = 0;
    for (size_t i = 0; i < m_kept.size(); ++i) {
        const float q = m_kept[i].crop.quality;
        if (std::abs(step - m_kept[i].step) < m_minGap) {
            conflicts->push_back(i);
            strongest = std::max(strongest, q);
        }
        if (worst < 0 || q < worst) {
            worst = q;
            worstIndex = i;
        }
    }
    if (!conflicts->empty())
        return strongest * kReplaceMargin;
    if (int(m_kept.size()) < m_maxCrops)
        return 0;
    conflicts->push_back(worstIndex);
    return worst * kReplaceMargin;
}

void CropSelector::offer(
    const Frame &frame, const Detection &detection, const cv::Mat &foreground, int64_t step)
{
    if (m_maxCrops == 0 || frame.image.empty() || frame.image.type() != CV_8UC3)
        return;
    const cv::Size size = frame.image.size();
    std::vector<size_t> conflicts;
    const float bar = threshold(step, &conflicts);
    const float bound = upperBound(detection, size);
    if (bound <= bar)
        return; // cannot win even if perfectly sharp: skip the Laplacian
    const float quality = bound * sharpness(frame.image, detection.box);
    if (quality <= bar || quality <= 0)
        return;
    const cv::Rect rect = paddedRect(detection.box, size);
    if (rect.area() <= 0)
        return;
    std::vector<uchar> jpeg;
    if (!cv::imencode(".jpg", frame.image(rect), jpeg, { cv::IMWRITE_JPEG_QUALITY, 92 }))
        return;
    Kept k;
    k.step = step;
    k.crop.frame = detection.frame;
    k.crop.box = Box { float(rect.x), float(rect.y), float(rect.width), float(rect.height) };
    k.crop.quality = quality;
    k.crop.jpeg = toBytes(jpeg);
    k.crop.maskPng = maskPng(foreground, rect, size);
    for (auto it = conflicts.rbegin(); it != conflicts.rend(); ++it)
        m_kept.erase(m_kept.begin() + std::ptrdiff_t(*it));
    m_kept.push_back(std::move(k));
}

std::vector<Crop> CropSelector::bestFirst() const
{
    std::vector<Crop> crops;
    for (const Kept &k : m_kept)
        crops.push_back(k.crop);
    sortBestFirst(&crops);
    return crops;
}

void CropSelector::preferWholeFrontal(Tracklet *tracklet)
{
    for (Crop &crop : tracklet->crops)
        if (crop.pose)
            crop.quality *= poseQualityFactor(*crop.pose, tracklet->personInCrop(crop));
    sortBestFirst(&tracklet->crops);
}

void CropSelector::write(QDataStream &out) const
{
    out << quint32(m_kept.size());
    for (const Kept &k : m_kept)
        out << qint64(k.step) << qint64(k.crop.frame) << k.crop.box.x << k.crop.box.y << k.crop.box.w
            << k.crop.box.h << k.crop.quality << k.crop.jpeg << k.crop.maskPng;
}

void CropSelector::read(QDataStream &in)
{
    quint32 n = 0;
    in >> n;
    m_kept.clear();
    for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
        Kept k;
        qint64 step = 0, frame = 0;
        in >> step >> frame >> k.crop.box.x >> k.crop.box.y >> k.crop.box.w >> k.crop.box.h >> k.crop.quality
            >> k.crop.jpeg >> k.crop.maskPng;
        k.step = step;
        k.crop.frame = frame;
        m_kept.push_back(std::move(k));
    }
}

} // namespace descry
