#include "WorkerThread.h"

namespace descry {

WorkerThread::WorkerThread(QObject *worker, const QString &name)
{
    m_thread.setObjectName(name);
    worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread.start();
}

WorkerThread::~WorkerThread()
{
    // Requests already queued to the worker are dropped; a request being served finishes first.
    m_thread.quit();
    m_thread.wait();
}

} // namespace descry
