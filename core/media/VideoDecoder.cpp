#include "VideoDecoder.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

const QStringList &videoExtensions()
{
    static const QStringList extensions { QStringLiteral("mp4"), QStringLiteral("avi"), QStringLiteral("mkv"),
        QStringLiteral("mov"), QStringLiteral("m4v"), QStringLiteral("mpg"), QStringLiteral("mpeg"),
        QStringLiteral("wmv"), QStringLiteral("webm") };
    return extensions;
}

const QStringList &imageExtensions()
{
    static const QStringList extensions { QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("png"),
        QStringLiteral("bmp"), QStringLiteral("tif"), QStringLiteral("tiff"), QStringLiteral("webp") };
    return extensions;
}

// Containers sometimes report 0, NaN or absurd rates (e.g. 90000 from a raw timebase);
// indices are still right, only times would be nonsense, so assume a common camera rate.
constexpr double kAssumedFps = 25.0;

bool plausibleFps(double fps)
{
    return std::isfinite(fps) && fps >= 0.5 && fps <= 1000.0;
}

void listInto(const QString &folder, QSet<QString> *visited, QStringList *videos, QStringList *problems)
{
    const QFileInfo folderInfo(folder);
    const QString canonical = folderInfo.canonicalFilePath();
    // A symlink loop would otherwise recurse forever.
    if (canonical.isEmpty() || visited->contains(canonical))
        return;
    visited->insert(canonical);
    QDir dir(folder);
    if (!folderInfo.isReadable() || !folderInfo.isExecutable() || !dir.exists()) {
        if (problems)
            problems->append(QStringLiteral("cannot read folder: %1").arg(folder));
        return;
    }
    const QFileInfoList entries
        = dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &entry : entries) {
        if (entry.isDir())
            listInto(entry.filePath(), visited, videos, problems);
        else if (VideoDecoder::isFootageFileName(entry.fileName()))
            videos->append(entry.filePath());
    }
}

} // namespace

VideoDecoder::VideoDecoder() = default;
VideoDecoder::~VideoDecoder() = default;

bool VideoDecoder::open(const QString &path, QString *error)
{
    m_capture.reset();
    m_info = {};
    m_next = 0;
    m_pending = cv::Mat();
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QFileInfo file(path);
    if (!file.exists())
        return fail(QStringLiteral("file not found: %1").arg(path));
    if (!file.isFile() || !file.isReadable())
        return fail(QStringLiteral("cannot read file: %1").arg(path));
    if (isImageFileName(path)) {
        // IMREAD_COLOR applies the EXIF orientation: phone photos come out upright.
        m_pending = cv::imread(file.absoluteFilePath().toStdString(), cv::IMREAD_COLOR);
        if (m_pending.empty())
            return fail(QStringLiteral("not an image Descry can read, or a damaged one: %1").arg(path));
        m_info.width = m_pending.cols;
        m_info.height = m_pending.rows;
        m_info.fps = 1;
        m_info.frameCount = 1;
        m_info.still = true;
        return true;
    }
    if (!isVideoFileName(path))
        return fail(QStringLiteral("not a video or image file, or an unsupported codec: %1").arg(path));

    auto capture = std::make_unique<cv::VideoCapture>();
    if (!capture->open(file.absoluteFilePath().toStdString(), cv::CAP_FFMPEG) || !capture->isOpened())
        return fail(QStringLiteral("not a video or image file, or an unsupported codec: %1").arg(path));
    // Containers can open fine and still hold nothing decodable; find out now rather than
    // after the user has queued the file. The frame is kept so no rewind is needed
    // (seeking back is unreliable for some codecs).
    if (!capture->read(m_pending) || m_pending.empty()) {
        m_pending = cv::Mat();
        return fail(QStringLiteral("no frames could be decoded: %1").arg(path));
    }
    m_info.width = m_pending.cols;
    m_info.height = m_pending.rows;
    const double fps = capture->get(cv::CAP_PROP_FPS);
    m_info.fpsAssumed = !plausibleFps(fps);
    m_info.fps = m_info.fpsAssumed ? kAssumedFps : fps;
    const double count = capture->get(cv::CAP_PROP_FRAME_COUNT);
    m_info.frameCount = std::isfinite(count) && count > 0 ? int64_t(std::llround(count)) : 0;
    m_capture = std::move(capture);
    return true;
}

void VideoDecoder::setStride(int stride)
{
    m_stride = std::max(1, stride);
}

bool VideoDecoder::grabOne()
{
    if (!m_pending.empty()) {
        m_pending = cv::Mat();
    } else if (!m_capture || !m_capture->grab()) {
        return false;
    }
    ++m_next;
    return true;
}

bool VideoDecoder::read(Frame *frame)
{
    // Kept frames are the multiples of the stride in source indices, so a run resumed
    // after skipTo() keeps exactly the frames an uninterrupted run keeps.
    while (m_next % m_stride != 0) {
        if (!grabOne())
            return false;
    }
    cv::Mat image;
    if (!m_pending.empty()) {
        image = m_pending;
        m_pending = cv::Mat();
    } else if (!m_capture || !m_capture->read(image) || image.empty()) {
        return false;
    }
    frame->image = image;
    frame->index = m_next;
    frame->time = double(m_next) / m_info.fps;
    ++m_next;
    return true;
}

bool VideoDecoder::skipTo(int64_t index)
{
    if (index < m_next)
        return false; // forward only: callers reopen to go back
    while (m_next < index) {
        if (!grabOne())
            return false;
    }
    return true;
}

bool VideoDecoder::isVideoFileName(const QString &path)
{
    return videoExtensions().contains(QFileInfo(path).suffix().toLower());
}

bool VideoDecoder::isImageFileName(const QString &path)
{
    return imageExtensions().contains(QFileInfo(path).suffix().toLower());
}

QStringList VideoDecoder::listFootage(const QString &folder, QStringList *problems)
{
    QStringList videos;
    QSet<QString> visited;
    if (!QFileInfo(folder).isDir()) {
        if (problems)
            problems->append(QStringLiteral("folder not found: %1").arg(folder));
        return videos;
    }
    listInto(QDir::cleanPath(folder), &visited, &videos, problems);
    std::sort(videos.begin(), videos.end());
    return videos;
}

} // namespace descry
