#pragma once

#include "WorkerThread.h"

#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QSize>

#include <memory>

namespace descry {

class ThumbnailWorker;
struct ThumbnailRequests;

// Crop thumbnails for the results grid, loaded lazily off the GUI thread. thumbnail() answers
// from an LRU cache at once; on a miss it queues one request per crop (repeated asks while it
// is pending are deduplicated) and thumbnailReady follows. Only what the view paints is asked
// for, and a queue that grows past kMaxQueued forgets its oldest entries (long scrolled away;
// they are asked for again if they come back into view).
class ThumbnailLoader : public QObject {
    Q_OBJECT
public:
    explicit ThumbnailLoader(const QSize &size = QSize(136, 180), QObject *parent = nullptr);
    ~ThumbnailLoader() override;

    static constexpr int kMaxQueued = 256;
    static constexpr int kCacheKiB = 96 * 1024;

    void setGalleryPath(const QString &path); // clears the cache
    QSize thumbnailSize() const { return m_size; }

    // The thumbnail if cached; otherwise a null image, and the crop is queued.
    QImage thumbnail(qint64 cropId);
    bool isCached(qint64 cropId) const { return m_cache.contains(cropId); }
    bool hasFailed(qint64 cropId) const { return m_failed.contains(cropId); }
    int pendingCount() const { return int(m_pending.size()); }
    int requestCount() const { return m_requested; } // loads asked of the worker so far

Q_SIGNALS:
    void thumbnailReady(qint64 cropId, const QImage &image);
    void idle(); // nothing pending

private:
    void onLoaded(quint64 epoch, qint64 cropId, const QImage &image);
    void request(qint64 cropId);

    QSize m_size;
    std::shared_ptr<ThumbnailRequests> m_requests;
    ThumbnailWorker *m_worker = nullptr;
    std::unique_ptr<WorkerThread> m_thread;
    QCache<qint64, QImage> m_cache;
    QSet<qint64> m_pending;
    QSet<qint64> m_failed;
    quint64 m_epoch = 0;
    int m_requested = 0;
};

} // namespace descry
