#pragma once

#include "Gallery.h"
#include "TrackletEmbedder.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <cmath>
#include <vector>

namespace descry::test {

// A tracklet placed by hand for search tests: its source, time span, attributes and global
// vector (none: no embeddings of the model).
struct PlacedTracklet {
    int source = 0; // index into the cameras given to addPlacedTracklets
    double start = 0, end = 0; // seconds
    std::vector<float> global = {};
    AttributeSet attributes = {};
};

// A measured attribute for a placed tracklet: attr(BodyRegion::Upper, "colour:red", 0.6f).
inline AttributeValue attr(BodyRegion region, const char *name, float value)
{
    return { region, QString::fromLatin1(name), value };
}

// The gallery ids of placed tracklets named by their index in the placed list.
template <typename Index>
QSet<int64_t> idsOf(const std::vector<int64_t> &ids, std::initializer_list<Index> indexes)
{
    QSet<int64_t> out;
    for (Index i : indexes)
        out.insert(ids[size_t(i)]);
    return out;
}

// A unit vector at cosine `c` with the unit vector `anchor`, leaning towards basis vector `k`
// (different k give different directions off the anchor).
inline std::vector<float> vectorAt(const std::vector<float> &anchor, float c, int k)
{
    const size_t n = anchor.size();
    std::vector<float> u(n, 0.0f);
    u[size_t(k) % n] = 1;
    float dot = 0;
    for (size_t i = 0; i < n; ++i)
        dot += u[i] * anchor[i];
    float norm = 0;
    for (size_t i = 0; i < n; ++i) {
        u[i] -= dot * anchor[i];
        norm += u[i] * u[i];
    }
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = c * anchor[i] + std::sqrt(std::max(0.0f, 1 - c * c)) * u[i] / std::sqrt(norm);
    return v;
}

// One source per camera label ("cam0.avi", ...), then the tracklets in order, committed source
// by source (so ids ascend in the order given within a source, sources in camera order).
// Tracklets with a global vector also get `items` as their item features. Fills the tracklet
// ids in the order of `tracklets`.
inline bool addPlacedTracklets(Gallery &gallery, const QStringList &cameras,
    const std::vector<PlacedTracklet> &tracklets, const QString &modelId, const std::vector<float> &items,
    std::vector<int64_t> *ids, std::vector<int64_t> *sourceIds)
{
    sourceIds->clear();
    std::vector<int64_t> byOrder(tracklets.size(), 0);
    for (int s = 0; s < cameras.size(); ++s) {
        SourceRecord source;
        source.path = QStringLiteral("cam%1.avi").arg(s);
        source.contentHash = QStringLiteral("hash-%1-%2").arg(s).arg(gallery.trackletCount());
        source.pipelineKey = QStringLiteral("test");
        source.cameraLabel = cameras.at(s);
        source.fps = 10;
        if (!gallery.addSource(&source))
            return false;
        sourceIds->push_back(source.id);
        std::vector<TrackletWithAttributes> batch;
        for (size_t i = 0; i < tracklets.size(); ++i) {
            const PlacedTracklet &p = tracklets[i];
            if (p.source != s)
                continue;
            TrackletWithAttributes t;
            t.tracklet.localId = int(i) + 1;
            for (double time : { p.start, p.end }) {
                Detection d;
                d.frame = int64_t(std::lround(time * 10));
                d.time = time;
                d.box = Box { 1, 1, 10, 30 };
                t.tracklet.detections.push_back(d);
            }
            t.attributes = p.attributes;
            if (!p.global.empty()) {
                t.embeddings.push_back({ 0, modelId, TrackletEmbedder::GlobalKind, p.global });
                t.embeddings.push_back({ 0, modelId, TrackletEmbedder::ItemsKind, items });
            }
            batch.push_back(t);
        }
        const int64_t before = gallery.trackletCount();
        if (!gallery.commitProgress(source.id, IngestCheckpoint {}, batch, true))
            return false;
        const std::vector<TrackletRecord> stored = gallery.tracklets(source.id);
        if (int64_t(stored.size()) != int64_t(batch.size())
            || gallery.trackletCount() != before + int64_t(batch.size()))
            return false;
        for (const TrackletRecord &r : stored)
            byOrder[size_t(r.localId - 1)] = r.id; // localId is the index + 1
    }
    *ids = byOrder;
    return true;
}

} // namespace descry::test
