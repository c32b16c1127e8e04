#include "ClipReader.h"

#include "FrameGrabber.h"
#include "VideoDecoder.h"

#include <algorithm>
#include <cmath>

namespace descry {

ClipReader::ClipReader() = default;
ClipReader::~ClipReader() = default;

double ClipReader::fps() const
{
    return m_decoder && m_decoder->info().fps > 0 ? m_decoder->info().fps : 25.0;
}

bool ClipReader::open(
    const QString &videoPath, const std::vector<Detection> &detections, double marginSeconds, QString *error)
{
    if (detections.empty()) {
        *error = QStringLiteral("the tracklet has no detections to show");
        return false;
    }
    m_path = videoPath;
    m_detections = detections;
    std::sort(m_detections.begin(), m_detections.end(),
        [](const Detection &a, const Detection &b) { return a.frame < b.frame; });
    m_decoder = std::make_unique<VideoDecoder>();
    if (!m_decoder->open(videoPath, error)) {
        m_decoder.reset();
        return false;
    }
    const int64_t margin = int64_t(std::lround(marginSeconds * fps()));
    m_first = std::max<int64_t>(0, m_detections.front().frame - margin);
    m_last = m_detections.back().frame + margin;
    if (m_decoder->info().frameCount > 0)
        m_last = std::min(m_last, m_decoder->info().frameCount - 1);
    return true;
}

bool ClipReader::boxAt(int64_t index, Box *box) const
{
    if (m_detections.empty() || index < m_detections.front().frame || index > m_detections.back().frame)
        return false;
    const auto after = std::lower_bound(m_detections.begin(), m_detections.end(), index,
        [](const Detection &d, int64_t f) { return d.frame < f; });
    if (after->frame == index || after == m_detections.begin()) {
        *box = after->box;
        return true;
    }
    const Detection &a = *(after - 1), &b = *after;
    const float t = float(index - a.frame) / float(b.frame - a.frame);
    *box = Box{a.box.x + t * (b.box.x - a.box.x), a.box.y + t * (b.box.y - a.box.y), a.box.w + t * (b.box.w - a.box.w),
        a.box.h + t * (b.box.h - a.box.h)};
    return true;
}

QImage ClipReader::frame(int64_t index, QString *error)
{
    if (!m_decoder) {
        *error = QStringLiteral("no video is open");
        return QImage();
    }
    if (index < m_decoder->nextIndex()) { // backwards: start over
        auto decoder = std::make_unique<VideoDecoder>();
        if (!decoder->open(m_path, error))
            return QImage();
        m_decoder = std::move(decoder);
    }
    Frame f;
    if (!m_decoder->skipTo(index) || !m_decoder->read(&f) || f.index != index) {
        *error = QStringLiteral("%1 ends before frame %2").arg(m_path).arg(index);
        return QImage();
    }
    const cv::Mat &bgr = f.image;
    const QImage view(bgr.data, bgr.cols, bgr.rows, int(bgr.step), QImage::Format_BGR888);
    Box box;
    return boxAt(index, &box) ? FrameGrabber::drawBox(view, box) : view.convertToFormat(QImage::Format_RGB32);
}

} // namespace descry
