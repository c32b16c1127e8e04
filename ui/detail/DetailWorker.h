#pragma once

#include "GalleryConnection.h"
#include "TrackletDetail.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace descry {

// Reads a tracklet's crops at full resolution, and decodes source frames for "show in
// frame", on the detail thread. Requests superseded before their turn are skipped.
class DetailWorker : public QObject {
    Q_OBJECT
public:
    struct Latest {
        std::atomic<quint64> tracklet { 0 };
        std::atomic<quint64> frame { 0 };
    };

    explicit DetailWorker(std::shared_ptr<const Latest> latest, QObject *parent = nullptr);

public Q_SLOTS:
    void loadTracklet(quint64 requestId, const QString &galleryPath, qint64 trackletId);
    void grabFrame(quint64 requestId, const QString &galleryPath, qint64 trackletId);

Q_SIGNALS:
    // Exactly one answer per request: the result, or `skipped`.
    void trackletLoaded(quint64 requestId, const descry::TrackletDetail &detail);
    void frameGrabbed(quint64 requestId, const descry::FrameView &frame);
    void skipped(quint64 requestId);

private:
    TrackletDetail readTracklet(const QString &galleryPath, qint64 trackletId);
    FrameView readFrame(const QString &galleryPath, qint64 trackletId);

    std::shared_ptr<const Latest> m_latest;
    GalleryConnection m_connection;
};

} // namespace descry
