#include "AttributeRefresh.h"

#include "AttributeExtractor.h"
#include "Gallery.h"
#include "Tracklet.h"

#include <QElapsedTimer>

#include <algorithm>

namespace descry {

namespace {

// The tracklet as ingest measured it: its detections (for the person's box in each crop) and its
// stored crops with mask and pose.
Tracklet storedTracklet(Gallery &gallery, int64_t trackletId)
{
    Tracklet t;
    t.detections = gallery.detections(trackletId);
    for (const CropRecord &record : gallery.crops(trackletId)) {
        Crop crop;
        crop.frame = record.frame;
        crop.box = record.box;
        crop.quality = record.quality;
        crop.jpeg = gallery.cropImage(record.id);
        crop.maskPng = gallery.cropMask(record.id);
        crop.pose = record.pose;
        t.crops.push_back(std::move(crop));
    }
    return t;
}

} // namespace

AttributeRefreshSummary AttributeRefresh::run(
    const QString &galleryPath, const Progress &progress, const std::atomic_bool *cancel, int batchTracklets)
{
    QElapsedTimer clock;
    clock.start();
    AttributeRefreshSummary summary;
    Gallery gallery;
    if (!gallery.open(galleryPath)) {
        summary.error = gallery.lastError();
        return summary;
    }
    const std::vector<TrackletRecord> tracklets = gallery.tracklets();
    summary.tracklets = int64_t(tracklets.size());
    const AttributeExtractor extractor;
    const size_t batch = size_t(std::max(1, batchTracklets));
    for (size_t start = 0; start < tracklets.size(); start += batch) {
        if (cancel && *cancel) {
            summary.cancelled = true;
            break;
        }
        std::vector<TrackletAttributes> measured;
        const size_t end = std::min(tracklets.size(), start + batch);
        for (size_t i = start; i < end; ++i) {
            const Tracklet t = storedTracklet(gallery, tracklets[i].id);
            // Crop-measured attributes only: detections read back carry no object scores.
            AttributeSet attributes = extractor.extract(t);
            if (attributes.empty()) {
                ++summary.withoutCrops;
                continue;
            }
            measured.push_back({ tracklets[i].id, std::move(attributes) });
        }
        if (!gallery.replaceMeasuredAttributes(measured)) {
            summary.error = QStringLiteral("cannot write to the gallery %1: %2").arg(galleryPath, gallery.lastError());
            return summary;
        }
        summary.remeasured += int64_t(measured.size());
        if (progress)
            progress(int64_t(end), summary.tracklets);
    }
    summary.ok = true;
    summary.seconds = double(clock.elapsed()) / 1000.0;
    return summary;
}

} // namespace descry
