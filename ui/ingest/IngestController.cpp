#include "IngestController.h"

#include <QThread>

namespace descry {

IngestController::IngestController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<descry::IngestProgress>();
    qRegisterMetaType<descry::IngestSourceResult>();
    qRegisterMetaType<descry::IngestSummary>();
}

IngestController::~IngestController()
{
    m_queue.clear();
    if (!m_thread)
        return;
    cancel();
    disconnect(m_thread, nullptr, this, nullptr);
    m_thread->quit();
    m_thread->wait();
    delete m_job;
    delete m_thread;
}

void IngestController::setGalleryPath(const QString &path)
{
    // A running job keeps writing to the gallery it started with; later jobs use the new one.
    m_path = path;
}

void IngestController::setOptions(const IngestOptions &options)
{
    m_options = options;
    Q_EMIT optionsChanged(m_options);
}

void IngestController::setDetector(const DetectorOptions &detector)
{
    m_options.detector = detector;
    Q_EMIT optionsChanged(m_options);
}

void IngestController::ingest(const QStringList &inputs)
{
    if (inputs.isEmpty())
        return;
    m_queue += inputs;
    if (!m_thread)
        startNext();
}

void IngestController::reingest(const QStringList &inputs)
{
    if (inputs.isEmpty())
        return;
    m_reingestQueue += inputs;
    if (!m_thread)
        startNext();
}

void IngestController::cancel()
{
    m_queue.clear();
    m_reingestQueue.clear();
    if (m_job) {
        *m_cancelledBeforeStart = true;
        m_job->requestCancel();
    }
}

void IngestController::startNext()
{
    if (m_queue.isEmpty() && m_reingestQueue.isEmpty())
        return;
    IngestOptions options = m_options;
    options.reingest = m_queue.isEmpty();
    const QStringList inputs = options.reingest ? m_reingestQueue : m_queue;
    (options.reingest ? m_reingestQueue : m_queue).clear();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("descry-ingest"));
    m_job = new IngestJob(m_path, inputs, options);
    m_job->moveToThread(m_thread);
    // IngestJob::run() clears its cancel flag when it starts, so a cancel that comes before the
    // thread has started is remembered here and the job is not run at all.
    m_cancelledBeforeStart = std::make_shared<std::atomic_bool>(false);
    connect(m_thread, &QThread::started, m_job, [job = m_job, cancelled = m_cancelledBeforeStart] {
        if (!*cancelled) {
            job->run();
            return;
        }
        IngestSummary summary;
        summary.cancelled = true;
        Q_EMIT job->finished(summary);
    });
    connect(m_job, &IngestJob::progress, this, &IngestController::progress, Qt::QueuedConnection);
    connect(m_job, &IngestJob::problem, this, &IngestController::problem, Qt::QueuedConnection);
    connect(m_job, &IngestJob::sourceFinished, this, &IngestController::sourceFinished, Qt::QueuedConnection);
    connect(m_job, &IngestJob::finished, this, &IngestController::jobFinished, Qt::QueuedConnection);
    // quit() is thread-safe; calling it directly from the job's thread ends the loop after run().
    connect(m_job, &IngestJob::finished, m_thread, &QThread::quit, Qt::DirectConnection);
    connect(m_thread, &QThread::finished, this, &IngestController::onThreadFinished, Qt::QueuedConnection);
    m_thread->start();
    Q_EMIT busyChanged(true);
    Q_EMIT jobStarted(inputs);
}

void IngestController::onThreadFinished()
{
    // Queued after the job's own queued signals, so jobFinished has been delivered already.
    m_thread->wait();
    delete m_job;
    delete m_thread;
    m_job = nullptr;
    m_thread = nullptr;
    if (!m_queue.isEmpty() || !m_reingestQueue.isEmpty()) {
        startNext();
        return;
    }
    Q_EMIT busyChanged(false);
}

} // namespace descry
