#pragma once

// Rows for the gallery tests (both engines): a tracklet and a source the way ingest stores them,
// with values that say where they came from.

#include "Gallery.h"

namespace descry::test {

// `length` detections from `firstFrame` at `fps` (boxes step right by a pixel a frame) and one crop.
inline Tracklet makeTracklet(int localId, int64_t firstFrame, int length, double fps = 10.0)
{
    Tracklet t;
    t.localId = localId;
    for (int i = 0; i < length; ++i)
        t.detections.push_back({ firstFrame + i, double(firstFrame + i) / fps,
            Box { 10.f + float(i), 20.f, 30.f, 80.f }, 0.5f + 0.01f * float(i) });
    Crop c;
    c.frame = firstFrame + 1;
    c.box = t.detections[1].box;
    c.quality = 3.5f;
    c.jpeg = QByteArray("\xff\xd8 fake jpeg bytes", 18);
    t.crops.push_back(c);
    return t;
}

inline SourceRecord makeSource(const QString &hash)
{
    SourceRecord s;
    s.path = QStringLiteral("/footage/%1.avi").arg(hash);
    s.contentHash = hash;
    s.fps = 10;
    s.frameCount = 795;
    s.duration = 79.5;
    s.width = 768;
    s.height = 576;
    s.cameraLabel = QStringLiteral("cam-%1").arg(hash);
    s.pipelineKey = QStringLiteral("k1");
    return s;
}

} // namespace descry::test
