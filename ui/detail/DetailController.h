#pragma once

#include "DetailWorker.h"
#include "TrackletDetail.h"
#include "WorkerThread.h"

#include <QObject>

#include <memory>

namespace descry {

// Loads what the detail panel shows, off the GUI thread. Like searches, the latest request of
// each kind wins: selecting results quickly only loads the one that stays selected.
class DetailController : public QObject {
    Q_OBJECT
public:
    explicit DetailController(QObject *parent = nullptr);
    ~DetailController() override;

    void setGalleryPath(const QString &path);
    QString galleryPath() const { return m_path; }
    bool isBusy() const { return m_outstanding > 0; }

public Q_SLOTS:
    void loadTracklet(qint64 trackletId);
    void grabFrame(qint64 trackletId);

Q_SIGNALS:
    void trackletLoaded(const descry::TrackletDetail &detail);
    void frameGrabbed(const descry::FrameView &frame);
    void idle();

private:
    void post(std::atomic<quint64> &latest, void (DetailWorker::*request)(quint64, const QString &, qint64),
        qint64 trackletId);
    void settle();

    std::shared_ptr<DetailWorker::Latest> m_latest;
    DetailWorker *m_worker = nullptr;
    std::unique_ptr<WorkerThread> m_thread;
    QString m_path;
    quint64 m_nextId = 0;
    int m_outstanding = 0;
};

} // namespace descry
