#pragma once

#include <QString>
#include <QThread>

namespace descry {

// A thread that owns one worker object, the shape every controller of the GUI uses. The
// worker is moved to the thread and deleted there when the thread ends, so a Gallery it holds
// closes on the thread that opened it; destruction stops the thread and joins it.
class WorkerThread {
public:
    WorkerThread(QObject *worker, const QString &name);
    ~WorkerThread();
    WorkerThread(const WorkerThread &) = delete;
    WorkerThread &operator=(const WorkerThread &) = delete;

private:
    QThread m_thread;
};

} // namespace descry
