#pragma once

#include "IngestJob.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

class QThread;

namespace descry {

// Runs IngestJobs on a worker thread, one at a time: inputs added while a job runs wait in a
// queue and start when it ends. The job's signals arrive here queued and are forwarded, so
// widgets only ever see them on the GUI thread. Destroying the controller cancels the running
// job (it keeps a checkpoint, so the next ingest of that file resumes) and joins its thread.
class IngestController : public QObject {
    Q_OBJECT
public:
    explicit IngestController(QObject *parent = nullptr);
    ~IngestController() override;

    void setGalleryPath(const QString &path);
    QString galleryPath() const { return m_path; }
    void setOptions(const IngestOptions &options);
    const IngestOptions &options() const { return m_options; }
    void setDetector(const DetectorOptions &detector);
    bool isBusy() const { return m_thread != nullptr; }
    int queuedInputs() const { return int(m_queue.size() + m_reingestQueue.size()); }

public Q_SLOTS:
    void ingest(const QStringList &inputs);
    // Files already in the gallery, analysed again with the current detector (IngestOptions::reingest).
    void reingest(const QStringList &inputs);
    // Stops the running job at its next frame and forgets the queue.
    void cancel();

Q_SIGNALS:
    void busyChanged(bool busy);
    void optionsChanged(const descry::IngestOptions &options);
    void jobStarted(const QStringList &inputs);
    void progress(const descry::IngestProgress &progress);
    void problem(const QString &message);
    void sourceFinished(const descry::IngestSourceResult &result);
    void jobFinished(const descry::IngestSummary &summary);

private:
    void startNext();
    void onThreadFinished();

    QString m_path;
    IngestOptions m_options;
    QStringList m_queue;
    QStringList m_reingestQueue; // run after m_queue, as a job of its own
    QThread *m_thread = nullptr;
    IngestJob *m_job = nullptr;
    std::shared_ptr<std::atomic_bool> m_cancelledBeforeStart;
};

} // namespace descry
