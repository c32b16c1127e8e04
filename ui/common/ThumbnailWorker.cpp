#include "ThumbnailWorker.h"

#include "Gallery.h"

#include <QMutexLocker>

namespace descry {

ThumbnailWorker::ThumbnailWorker(
    std::shared_ptr<ThumbnailRequests> requests, const QSize &size, QObject *parent)
    : QObject(parent)
    , m_requests(std::move(requests))
    , m_size(size)
{ }

void ThumbnailWorker::drain()
{
    for (;;) {
        qint64 cropId = 0;
        QString path;
        quint64 epoch = 0;
        {
            QMutexLocker lock(&m_requests->mutex);
            if (m_requests->ids.empty())
                return;
            cropId = m_requests->ids.back();
            m_requests->ids.pop_back();
            path = m_requests->galleryPath;
            epoch = m_requests->epoch;
        }
        Q_EMIT loaded(epoch, cropId, load(path, cropId));
    }
}

QImage ThumbnailWorker::load(const QString &galleryPath, qint64 cropId)
{
    QString error;
    Gallery *gallery = m_connection.get(galleryPath, &error);
    if (!gallery)
        return {};
    QImage image;
    if (!image.loadFromData(gallery->cropImage(cropId), "JPEG"))
        return {};
    // Only ever shrink: the delegate decides how far a small crop may be enlarged on screen.
    if (image.width() > m_size.width() || image.height() > m_size.height())
        image = image.scaled(m_size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

} // namespace descry
