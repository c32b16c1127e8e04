#pragma once

#include "Detection.h"

#include <QImage>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace descry {

class VideoDecoder;

// "Show in video": the source around a match, frame by frame, with the person's box drawn
// (interpolated between the tracklet's detections, which exist only on analysed frames).
// Decodes on the calling thread (the detail worker); reading forward is sequential decoding,
// a jump backwards reopens the file.
class ClipReader {
public:
    ClipReader();
    ~ClipReader();

    // The tracklet's frames plus `marginSeconds` before and after, clipped to the file.
    bool open(const QString &videoPath, const std::vector<Detection> &detections, double marginSeconds,
        QString *error);
    int64_t firstFrame() const { return m_first; }
    int64_t lastFrame() const { return m_last; }
    double fps() const;

    // The frame `index` (firstFrame..lastFrame) with the box drawn when the person is in it.
    // Null with `error` set when the file ends early.
    QImage frame(int64_t index, QString *error);
    // Where the person is at `index`: the detection there, or linear between the two around
    // it; false outside the tracklet's span.
    bool boxAt(int64_t index, Box *box) const;

private:
    QString m_path;
    std::vector<Detection> m_detections; // by frame
    std::unique_ptr<VideoDecoder> m_decoder;
    int64_t m_first = 0;
    int64_t m_last = 0;
};

} // namespace descry
