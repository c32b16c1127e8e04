#pragma once

#include "GalleryOverview.h"
#include "WorkerThread.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace descry {

class SourcesWorker;

// Keeps the GUI's picture of the gallery (sources, tracklet counts) fresh without touching the
// database on the GUI thread. Refreshes coalesce: asking again while a read runs schedules
// exactly one more read after it.
class SourcesController : public QObject {
    Q_OBJECT
public:
    explicit SourcesController(QObject *parent = nullptr);
    ~SourcesController() override;

    void setGalleryPath(const QString &path);
    QString galleryPath() const { return m_path; }
    const GalleryOverview &overview() const { return m_overview; }
    bool isLoading() const { return m_inFlight; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void overviewChanged(const descry::GalleryOverview &overview);
    // Something was committed to the gallery by another connection (another process or machine,
    // or a worker of this one); the overview is being read again already.
    void galleryChanged();

private:
    void onLoaded(const GalleryOverview &overview);
    void onChanged(const QString &path);

    SourcesWorker *m_worker = nullptr;
    std::unique_ptr<WorkerThread> m_thread;
    QString m_path;
    GalleryOverview m_overview;
    bool m_inFlight = false;
    bool m_again = false;
    QTimer *m_poll = nullptr;
};

} // namespace descry
