#include "DetailController.h"

namespace descry {

DetailController::DetailController(QObject *parent)
    : QObject(parent)
    , m_latest(std::make_shared<DetailWorker::Latest>())
    , m_worker(new DetailWorker(m_latest))
{
    qRegisterMetaType<descry::TrackletDetail>();
    qRegisterMetaType<descry::FrameView>();
    connect(m_worker, &DetailWorker::trackletLoaded, this, [this](quint64 id, const TrackletDetail &detail) {
        if (id == m_latest->tracklet.load())
            Q_EMIT trackletLoaded(detail);
        settle();
    });
    connect(m_worker, &DetailWorker::frameGrabbed, this, [this](quint64 id, const FrameView &frame) {
        if (id == m_latest->frame.load())
            Q_EMIT frameGrabbed(frame);
        settle();
    });
    connect(m_worker, &DetailWorker::skipped, this, &DetailController::settle);
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-detail"));
}

DetailController::~DetailController() = default;

void DetailController::setGalleryPath(const QString &path)
{
    m_path = path;
    // Answers still on their way describe the previous gallery.
    m_latest->tracklet = ++m_nextId;
    m_latest->frame = ++m_nextId;
}

void DetailController::loadTracklet(qint64 trackletId)
{
    post(m_latest->tracklet, &DetailWorker::loadTracklet, trackletId);
}

void DetailController::grabFrame(qint64 trackletId)
{
    post(m_latest->frame, &DetailWorker::grabFrame, trackletId);
}

// Gives the request a new id, marks it the latest of its kind and queues it on the worker.
void DetailController::post(std::atomic<quint64> &latest,
    void (DetailWorker::*request)(quint64, const QString &, qint64), qint64 trackletId)
{
    const quint64 id = ++m_nextId;
    latest = id;
    ++m_outstanding;
    DetailWorker *worker = m_worker;
    const QString path = m_path;
    QMetaObject::invokeMethod(
        m_worker, [worker, request, id, path, trackletId] { (worker->*request)(id, path, trackletId); },
        Qt::QueuedConnection);
}

void DetailController::settle()
{
    if (--m_outstanding == 0)
        Q_EMIT idle();
}

} // namespace descry
