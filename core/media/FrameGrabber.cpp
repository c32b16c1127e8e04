#include "FrameGrabber.h"

#include "VideoDecoder.h"

#include <QPainter>

#include <opencv2/videoio.hpp>

#include <algorithm>

namespace descry {

namespace {

// Decoding every frame up to N is exact for every codec but takes minutes deep into an hour
// of footage. Past this many frames, seek instead (FFmpeg lands on the keyframe before and
// decodes forward) and trust it only if it reports landing on the frame asked for.
constexpr int64_t kSequentialLimit = 1500;

cv::Mat seekFrame(const QString &videoPath, int64_t frameIndex)
{
    cv::VideoCapture capture;
    if (!capture.open(videoPath.toStdString(), cv::CAP_FFMPEG)
        || !capture.set(cv::CAP_PROP_POS_FRAMES, double(frameIndex)))
        return {};
    if (int64_t(capture.get(cv::CAP_PROP_POS_FRAMES)) != frameIndex)
        return {};
    cv::Mat image;
    return capture.read(image) ? image : cv::Mat();
}

cv::Mat decodeFrame(const QString &videoPath, int64_t frameIndex, QString *error)
{
    if (frameIndex > kSequentialLimit) {
        cv::Mat image = seekFrame(videoPath, frameIndex);
        if (!image.empty())
            return image;
    }
    VideoDecoder decoder;
    if (!decoder.open(videoPath, error))
        return {};
    Frame frame;
    if (frameIndex < 0 || !decoder.skipTo(frameIndex) || !decoder.read(&frame) || frame.index != frameIndex) {
        if (error)
            *error = QStringLiteral("%1 ends before frame %2").arg(videoPath).arg(frameIndex);
        return {};
    }
    return frame.image;
}

} // namespace

QImage FrameGrabber::grab(const QString &videoPath, int64_t frameIndex, const Box &box, QString *error)
{
    const cv::Mat bgr = decodeFrame(videoPath, frameIndex, error);
    if (bgr.empty())
        return {};
    if (bgr.type() != CV_8UC3) {
        if (error)
            *error = QStringLiteral("%1: unexpected pixel format in frame %2").arg(videoPath).arg(frameIndex);
        return {};
    }
    // copy(): the QImage must own its pixels once the decoder's buffer goes away.
    const QImage view(bgr.data, bgr.cols, bgr.rows, int(bgr.step), QImage::Format_BGR888);
    return drawBox(view.convertToFormat(QImage::Format_RGB32), box);
}

QImage FrameGrabber::drawBox(const QImage &image, const Box &box)
{
    QImage out = image.convertToFormat(QImage::Format_RGB32);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal width = std::max(2.0, std::min(out.width(), out.height()) / 200.0);
    const QRectF rect(box.x, box.y, box.w, box.h);
    // A dark halo under the bright outline keeps the box visible on light and dark scenes.
    painter.setPen(QPen(QColor(0, 0, 0, 160), width * 2.5));
    painter.drawRect(rect);
    painter.setPen(QPen(QColor(255, 196, 0), width));
    painter.drawRect(rect);
    return out;
}

} // namespace descry
