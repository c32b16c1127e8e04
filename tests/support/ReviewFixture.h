#pragma once

// Galleries for the review tests (queue, dataset, panel, CLI): tracklets stored the way ingest
// stores them, with real JPEG crops of a distinct colour each, without any video.

#include "Gallery.h"

#include <QBuffer>
#include <QColor>
#include <QImage>

#include <functional>
#include <vector>

namespace descry::test {

// A plain-colour JPEG person crop.
inline QByteArray colourJpeg(const QColor &colour, int width = 24, int height = 64)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG", 90);
    return bytes;
}

// The colour of crop `crop` of the `index`-th fixture tracklet: tells images apart in tests.
inline QColor fixtureColour(int index, int crop)
{
    return QColor::fromHsv((index * 47) % 360, 200, 120 + 40 * (crop % 3));
}

// Adds a source with `count` tracklets of `cropsEach` crops (one committed checkpoint) and
// returns the tracklet ids in order; empty on failure (the reason is in gallery.lastError()).
// `cropBytes(tracklet index, crop index)`, when given, is stored instead of the colour JPEGs.
inline std::vector<int64_t> addFixtureTracklets(Gallery &gallery, int count, int cropsEach = 2,
    const QString &contentHash = QStringLiteral("fixture"),
    const std::function<QByteArray(int, int)> &cropBytes = {})
{
    SourceRecord source;
    source.path = QStringLiteral("/footage/%1.avi").arg(contentHash);
    source.contentHash = contentHash;
    source.fps = 10;
    source.width = 640;
    source.height = 480;
    source.cameraLabel = QStringLiteral("cam-%1").arg(contentHash);
    source.pipelineKey = QStringLiteral("fixture");
    if (!gallery.addSource(&source))
        return {};
    std::vector<TrackletWithAttributes> items;
    for (int i = 0; i < count; ++i) {
        Tracklet t;
        t.localId = i + 1;
        for (int f = 0; f < 3; ++f)
            t.detections.push_back(
                { 10 * i + f, double(10 * i + f) / 10.0, Box { 10.f, 20.f, 24.f, 64.f }, 0.9f });
        for (int c = 0; c < cropsEach; ++c) {
            Crop crop;
            crop.frame = 10 * i + c;
            crop.box = Box { 10.f, 20.f, 24.f, 64.f };
            crop.quality = float(cropsEach - c);
            crop.jpeg = cropBytes ? cropBytes(i, c) : colourJpeg(fixtureColour(i, c));
            t.crops.push_back(crop);
        }
        items.push_back({ t, {} });
    }
    if (!gallery.commitProgress(source.id, { 10 * count, 10 * count, {} }, items, true))
        return {};
    std::vector<int64_t> ids;
    for (const TrackletRecord &t : gallery.tracklets(source.id))
        ids.push_back(t.id);
    return ids;
}

} // namespace descry::test
