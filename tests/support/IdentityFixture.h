#pragma once

#include "Gallery.h"
#include "TrackletEmbedder.h"

#include <QString>

#include <vector>

namespace descry::test {

// A tracklet for identity tests: seen from `start` to `end` seconds (a box every 10 frames at
// 10 fps) with `visual` as its global vector of `modelId` (none when empty).
inline TrackletWithAttributes timedTracklet(
    int localId, double start, double end, std::vector<float> visual, const QString &modelId)
{
    TrackletWithAttributes item;
    item.tracklet.localId = localId;
    for (int64_t frame = int64_t(start * 10); frame <= int64_t(end * 10); frame += 10)
        item.tracklet.detections.push_back({ frame, double(frame) / 10.0, Box { 10.f, 20.f, 30.f, 80.f }, 0.9f });
    if (!visual.empty())
        item.embeddings.push_back({ 0, modelId, TrackletEmbedder::GlobalKind, std::move(visual) });
    return item;
}

// A 10 fps source of camera `camera` (file /footage/<camera>.avi), not yet added to a gallery.
inline SourceRecord cameraSource(const QString &camera)
{
    SourceRecord s;
    s.path = QStringLiteral("/footage/%1.avi").arg(camera);
    s.contentHash = camera;
    s.fps = 10;
    s.cameraLabel = camera;
    s.pipelineKey = QStringLiteral("k");
    return s;
}

} // namespace descry::test
