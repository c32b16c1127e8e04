#pragma once

#include "Box.h"

#include <QImage>
#include <QString>

#include <cstdint>

namespace descry {

// One source frame as a QImage with a person's box drawn on it, so a reviewer can see a
// result in its surroundings ("show in frame"). Decodes on the calling thread: call it from a
// worker. Early frames are reached by decoding from the start (exact for every codec); deep
// into long files it seeks, and falls back to decoding when the seek does not land exactly.
class FrameGrabber {
public:
    // A null image with `error` set when the file cannot be read or ends before the frame.
    static QImage grab(const QString &videoPath, int64_t frameIndex, const Box &box, QString *error);
    // A copy of `image` with `box` outlined, the line scaled to the image so it shows at any zoom.
    static QImage drawBox(const QImage &image, const Box &box);
};

} // namespace descry
