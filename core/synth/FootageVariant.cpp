#include "FootageVariant.h"

#include <QFile>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

namespace descry {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

int even(double v)
{
    return std::max(2, int(std::lround(v / 2)) * 2);
}

// One copy of the clip for the mosaic: reads on from its own start and wraps at the end.
class ShiftedClip {
public:
    bool open(const std::string &path, int64_t start)
    {
        m_path = path;
        if (!m_capture.open(path))
            return false;
        for (int64_t i = 0; i < start; ++i)
            if (!m_capture.grab())
                return false;
        return true;
    }
    bool read(cv::Mat *frame)
    {
        if (m_capture.read(*frame) && !frame->empty())
            return true;
        m_capture.release();
        return m_capture.open(m_path) && m_capture.read(*frame) && !frame->empty();
    }

private:
    std::string m_path;
    cv::VideoCapture m_capture;
};

} // namespace

QString FootageVariantOptions::validate() const
{
    if (kind == Kind::Pan && !(panWindow >= 0.2 && panWindow < 1.0))
        return QStringLiteral("the pan window must be from 0.2 to just under 1 of the frame");
    if (kind == Kind::Mosaic && (mosaic < 2 || mosaic > 4))
        return QStringLiteral("the mosaic must be 2 to 4 copies a side");
    if (kind == Kind::Scale && !(scale >= 0.25 && scale <= 4.0))
        return QStringLiteral("the scale must be from 0.25 to 4");
    return {};
}

bool writeFootageVariant(const QString &input, const QString &output, const FootageVariantOptions &options,
    const std::function<void(double)> &progress, QString *error)
{
    if (const QString invalid = options.validate(); !invalid.isEmpty())
        return fail(error, invalid);
    if (!QFile::exists(input))
        return fail(error, QStringLiteral("%1 does not exist").arg(input));
    const std::string path = QFile::encodeName(input).toStdString();
    cv::VideoCapture source(path);
    if (!source.isOpened())
        return fail(error, QStringLiteral("cannot read %1 as a video").arg(input));
    const int width = int(source.get(cv::CAP_PROP_FRAME_WIDTH));
    const int height = int(source.get(cv::CAP_PROP_FRAME_HEIGHT));
    const double fps = source.get(cv::CAP_PROP_FPS) > 0 ? source.get(cv::CAP_PROP_FPS) : 25.0;
    const auto frames = int64_t(source.get(cv::CAP_PROP_FRAME_COUNT));
    if (width <= 0 || height <= 0 || frames <= 1)
        return fail(error, QStringLiteral("%1 has no frame size or fewer than 2 frames").arg(input));

    cv::Size outSize;
    std::vector<std::unique_ptr<ShiftedClip>> copies;
    switch (options.kind) {
    case FootageVariantOptions::Kind::Pan:
        outSize = { even(width * options.panWindow), even(height * options.panWindow) };
        break;
    case FootageVariantOptions::Kind::Scale:
        outSize = { even(width * options.scale), even(height * options.scale) };
        break;
    case FootageVariantOptions::Kind::Mosaic: {
        outSize = { width * options.mosaic, height * options.mosaic };
        const int n = options.mosaic * options.mosaic;
        for (int k = 0; k < n; ++k) {
            copies.push_back(std::make_unique<ShiftedClip>());
            if (!copies.back()->open(path, frames * k / n))
                return fail(
                    error, QStringLiteral("cannot read %1 from frame %2").arg(input).arg(frames * k / n));
        }
        break;
    }
    }
    cv::VideoWriter writer(
        QFile::encodeName(output).toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, outSize);
    if (!writer.isOpened())
        return fail(error, QStringLiteral("cannot open %1 for writing MJPG video").arg(output));

    cv::Mat frame, out(outSize, CV_8UC3);
    for (int64_t i = 0; i < frames; ++i) {
        if (options.kind == FootageVariantOptions::Kind::Mosaic) {
            for (size_t k = 0; k < copies.size(); ++k) {
                if (!copies[k]->read(&frame) || frame.size() != cv::Size(width, height))
                    return fail(error,
                        QStringLiteral("%1: frame %2 of copy %3 did not decode").arg(input).arg(i).arg(k));
                const int col = int(k) % options.mosaic, row = int(k) / options.mosaic;
                frame.copyTo(out(cv::Rect(col * width, row * height, width, height)));
            }
        } else {
            if (!source.read(frame) || frame.empty())
                break; // the container's count can be high: the clip ends where decoding does
            if (options.kind == FootageVariantOptions::Kind::Scale) {
                cv::resize(frame, out, outSize, 0, 0, options.scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
            } else {
                // Out to the far corner over the first half, back over the second.
                const double t = double(i) / double(frames - 1);
                const double phase = t < 0.5 ? 2 * t : 2 - 2 * t;
                const int x = int(std::lround(phase * (width - outSize.width)));
                const int y = int(std::lround(phase * (height - outSize.height)));
                frame(cv::Rect(x, y, outSize.width, outSize.height)).copyTo(out);
            }
        }
        writer.write(out);
        if (progress && i % 50 == 0)
            progress(double(i) / double(frames));
    }
    writer.release();
    if (!QFile::exists(output))
        return fail(error, QStringLiteral("video %1 was not written").arg(output));
    return true;
}

} // namespace descry
