#pragma once

#include "GalleryConnection.h"

#include <QImage>
#include <QMutex>
#include <QObject>
#include <QSize>

#include <deque>
#include <memory>

namespace descry {

// The crop ids waiting for a thumbnail, shared by the loader (GUI thread, pushes) and the
// worker (pops). The newest request is served first: it is what the view painted last, i.e.
// what is on screen now.
struct ThumbnailRequests {
    QMutex mutex;
    std::deque<qint64> ids;
    QString galleryPath;
    quint64 epoch = 0; // bumped when the gallery changes; older answers are dropped
};

// Decodes crop JPEGs from the gallery and scales them to thumbnails on the thumbnail thread.
class ThumbnailWorker : public QObject {
    Q_OBJECT
public:
    ThumbnailWorker(
        std::shared_ptr<ThumbnailRequests> requests, const QSize &size, QObject *parent = nullptr);

public Q_SLOTS:
    // Serves requests until none is left.
    void drain();

Q_SIGNALS:
    // A null image when the crop could not be read.
    void loaded(quint64 epoch, qint64 cropId, const QImage &image);

private:
    QImage load(const QString &galleryPath, qint64 cropId);

    std::shared_ptr<ThumbnailRequests> m_requests;
    QSize m_size;
    GalleryConnection m_connection;
};

} // namespace descry
