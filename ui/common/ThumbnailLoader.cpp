#include "ThumbnailLoader.h"

#include "ThumbnailWorker.h"

#include <QMutexLocker>

namespace descry {

ThumbnailLoader::ThumbnailLoader(const QSize &size, QObject *parent)
    : QObject(parent)
    , m_size(size)
    , m_requests(std::make_shared<ThumbnailRequests>())
    , m_worker(new ThumbnailWorker(m_requests, size))
    , m_cache(kCacheKiB)
{
    connect(m_worker, &ThumbnailWorker::loaded, this, &ThumbnailLoader::onLoaded, Qt::QueuedConnection);
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-thumbnails"));
}

ThumbnailLoader::~ThumbnailLoader()
{
    {
        // Whatever is still queued is not wanted any more; let the thread stop soon.
        QMutexLocker lock(&m_requests->mutex);
        m_requests->ids.clear();
    }
    m_thread.reset();
}

void ThumbnailLoader::setGalleryPath(const QString &path)
{
    {
        QMutexLocker lock(&m_requests->mutex);
        m_requests->ids.clear();
        m_requests->galleryPath = path;
        m_requests->epoch = ++m_epoch;
    }
    m_cache.clear();
    m_pending.clear();
    m_failed.clear();
}

QImage ThumbnailLoader::thumbnail(qint64 cropId)
{
    if (const QImage *image = m_cache.object(cropId))
        return *image;
    if (cropId > 0 && !m_pending.contains(cropId) && !m_failed.contains(cropId))
        request(cropId);
    return {};
}

void ThumbnailLoader::request(qint64 cropId)
{
    m_pending.insert(cropId);
    ++m_requested;
    {
        QMutexLocker lock(&m_requests->mutex);
        m_requests->ids.push_back(cropId);
        while (m_requests->ids.size() > size_t(kMaxQueued)) {
            m_pending.remove(m_requests->ids.front());
            m_requests->ids.pop_front();
        }
    }
    ThumbnailWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker] { worker->drain(); }, Qt::QueuedConnection);
}

void ThumbnailLoader::onLoaded(quint64 epoch, qint64 cropId, const QImage &image)
{
    if (epoch != m_epoch)
        return;
    m_pending.remove(cropId);
    if (image.isNull()) {
        m_failed.insert(cropId);
    } else {
        m_cache.insert(cropId, new QImage(image), std::max<qsizetype>(1, image.sizeInBytes() / 1024));
    }
    Q_EMIT thumbnailReady(cropId, image);
    if (m_pending.isEmpty())
        Q_EMIT idle();
}

} // namespace descry
