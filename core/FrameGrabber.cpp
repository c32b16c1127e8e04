#include "FrameGrabber.h"

#include "VideoDecoder.h"

#include <QPainter>

#include <algorithm>

namespace descry {

QImage FrameGrabber::grab(const QString &videoPath, int64_t frameIndex, const Box &box, QString *error)
{
    VideoDecoder decoder;
    if (!decoder.open(videoPath, error))
        return {};
    Frame frame;
    if (frameIndex < 0 || !decoder.skipTo(frameIndex) || !decoder.read(&frame) || frame.index != frameIndex) {
        if (error)
            *error = QStringLiteral("%1 ends before frame %2").arg(videoPath).arg(frameIndex);
        return {};
    }
    const cv::Mat &bgr = frame.image;
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
