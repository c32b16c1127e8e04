#include "SourcesController.h"

#include "SourcesWorker.h"

namespace descry {

SourcesController::SourcesController(QObject *parent)
    : QObject(parent)
    , m_worker(new SourcesWorker)
{
    qRegisterMetaType<descry::GalleryOverview>();
    connect(m_worker, &SourcesWorker::loaded, this, &SourcesController::onLoaded, Qt::QueuedConnection);
    connect(m_worker, &SourcesWorker::changed, this, &SourcesController::onChanged, Qt::QueuedConnection);
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-sources"));
    // Watching the gallery is one PRAGMA every two seconds on the sources thread.
    m_poll = new QTimer(this);
    m_poll->setInterval(2000);
    connect(m_poll, &QTimer::timeout, this, [this] {
        if (!m_path.isEmpty())
            QMetaObject::invokeMethod(m_worker, "poll", Qt::QueuedConnection, Q_ARG(QString, m_path));
    });
    m_poll->start();
}

void SourcesController::onChanged(const QString &path)
{
    if (path != m_path)
        return;
    refresh();
    Q_EMIT galleryChanged();
}

SourcesController::~SourcesController() = default;

void SourcesController::setGalleryPath(const QString &path)
{
    m_path = path;
    m_overview = {};
    refresh();
}

void SourcesController::refresh()
{
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_inFlight = true;
    QMetaObject::invokeMethod(m_worker, "load", Qt::QueuedConnection, Q_ARG(QString, m_path));
}

void SourcesController::onLoaded(const GalleryOverview &overview)
{
    m_inFlight = false;
    if (m_again || overview.path != m_path) {
        m_again = false;
        refresh();
        return;
    }
    m_overview = overview;
    Q_EMIT overviewChanged(m_overview);
}

} // namespace descry
