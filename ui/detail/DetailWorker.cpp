#include "DetailWorker.h"

#include "FrameGrabber.h"
#include "Gallery.h"

namespace descry {

DetailWorker::DetailWorker(std::shared_ptr<const Latest> latest, QObject *parent)
    : QObject(parent)
    , m_latest(std::move(latest))
{ }

void DetailWorker::loadTracklet(quint64 requestId, const QString &galleryPath, qint64 trackletId)
{
    if (requestId < m_latest->tracklet.load()) {
        Q_EMIT skipped(requestId);
        return;
    }
    Q_EMIT trackletLoaded(requestId, readTracklet(galleryPath, trackletId));
}

void DetailWorker::grabFrame(quint64 requestId, const QString &galleryPath, qint64 trackletId)
{
    if (requestId < m_latest->frame.load()) {
        Q_EMIT skipped(requestId);
        return;
    }
    Q_EMIT frameGrabbed(requestId, readFrame(galleryPath, trackletId));
}

TrackletDetail DetailWorker::readTracklet(const QString &galleryPath, qint64 trackletId)
{
    TrackletDetail detail;
    detail.trackletId = trackletId;
    Gallery *gallery = m_connection.get(galleryPath, &detail.error);
    if (!gallery)
        return detail;
    const std::optional<TrackletRecord> tracklet = gallery->tracklet(trackletId);
    if (!tracklet) {
        detail.error = QStringLiteral("tracklet %1 is no longer in the gallery").arg(trackletId);
        return detail;
    }
    detail.tracklet = *tracklet;
    detail.crops = gallery->crops(trackletId);
    for (const CropRecord &crop : detail.crops) {
        QImage image;
        image.loadFromData(gallery->cropImage(crop.id), "JPEG");
        detail.cropImages.push_back(image);
    }
    detail.detectionCount = int(gallery->detections(trackletId).size());
    detail.attributes = gallery->attributes(trackletId);
    return detail;
}

FrameView DetailWorker::readFrame(const QString &galleryPath, qint64 trackletId)
{
    FrameView view;
    view.trackletId = trackletId;
    Gallery *gallery = m_connection.get(galleryPath, &view.error);
    if (!gallery)
        return view;
    const std::optional<TrackletRecord> tracklet = gallery->tracklet(trackletId);
    if (!tracklet) {
        view.error = QStringLiteral("tracklet %1 is no longer in the gallery").arg(trackletId);
        return view;
    }
    view.sourcePath = tracklet->sourcePath;
    view.cameraLabel = tracklet->cameraLabel;
    // The frame of the best crop shows the person at their clearest; without crops, the
    // middle detection is the most representative moment.
    Box box;
    bool found = false;
    for (const CropRecord &crop : gallery->crops(trackletId)) {
        if (crop.id == tracklet->bestCropId || !found) {
            view.frame = crop.frame;
            box = crop.box;
            found = true;
        }
    }
    const std::vector<DetectionRecord> detections = gallery->detections(trackletId);
    if (!found && !detections.empty()) {
        const DetectionRecord &middle = detections[detections.size() / 2];
        view.frame = middle.frame;
        box = middle.box;
        found = true;
    }
    if (!found) {
        view.error = QStringLiteral("tracklet %1 has no detections").arg(trackletId);
        return view;
    }
    for (const DetectionRecord &d : detections)
        if (d.frame == view.frame)
            view.time = d.time;
    view.image = FrameGrabber::grab(view.sourcePath, view.frame, box, &view.error);
    return view;
}

} // namespace descry
