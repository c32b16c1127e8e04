#pragma once

#include "Frame.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace cv {
class VideoCapture;
}

namespace descry {

struct VideoInfo {
    double fps = 0;
    int64_t frameCount = 0; // as the container reports it; may be wrong for broken files
    int width = 0, height = 0;
    bool fpsAssumed = false; // the container gave no usable rate; `fps` is a default (25)
    bool still = false; // a photo: one frame (index 0, time 0), fps 1
    double duration() const { return fps > 0 ? double(frameCount) / fps : 0; }
};

// Decodes a video file (mp4/avi/mkv/mov/... through OpenCV's FFmpeg backend) frame by frame,
// keeping every `stride`-th frame. Frame indices and times always refer to the source. A photo
// (jpg/png/bmp/tiff/webp, turned upright by its EXIF orientation) is footage of one frame.
class VideoDecoder {
public:
    VideoDecoder();
    ~VideoDecoder();
    VideoDecoder(const VideoDecoder &) = delete;
    VideoDecoder &operator=(const VideoDecoder &) = delete;

    bool open(const QString &path, QString *error);
    void setStride(int stride);
    int stride() const { return m_stride; }
    const VideoInfo &info() const { return m_info; }

    // Next kept frame; false at the end of the stream (or when the file is cut short).
    bool read(Frame *frame);
    // Advance without decoding pixels where the backend allows (grab only) up to `index`.
    bool skipTo(int64_t index);
    int64_t nextIndex() const { return m_next; }

    static bool isVideoFileName(const QString &path);
    static bool isImageFileName(const QString &path);
    static bool isFootageFileName(const QString &path) { return isVideoFileName(path) || isImageFileName(path); }
    // Video and image files under `folder`, recursively, sorted; unreadable sub-folders are
    // reported through `problems` (one line each) and skipped.
    static QStringList listFootage(const QString &folder, QStringList *problems);

private:
    std::unique_ptr<cv::VideoCapture> m_capture;
    VideoInfo m_info;
    int m_stride = 1;
    int64_t m_next = 0;
    cv::Mat m_pending; // first frame, decoded by open() to prove the file is readable

    bool grabOne();
};

} // namespace descry
