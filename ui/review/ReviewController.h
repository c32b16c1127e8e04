#pragma once

#include "ReviewQueue.h"
#include "ReviewState.h"
#include "WorkerThread.h"

#include <QObject>

#include <memory>
#include <vector>

namespace descry {

class ReviewWorker;

// The review queue of one query, run off the GUI thread: ReviewWorker owns the ReviewQueue and
// its own gallery connection on the review thread, this object queues the annotator's actions
// to it in order and hands every resulting state to the panel. Unlike searches, no request is
// dropped (each is a decision the annotator made); starting a new queue makes answers about the
// previous one stale, and those are dropped here.
class ReviewController : public QObject {
    Q_OBJECT
public:
    explicit ReviewController(QObject *parent = nullptr);
    ~ReviewController() override;

    void setGalleryPath(const QString &path); // used by the next start()
    QString galleryPath() const { return m_path; }
    // Stored with every decision; empty means ReviewQueue::defaultAuthor() (the OS user name).
    void setAuthor(const QString &author) { m_author = author; }
    QString author() const { return m_author; }

    // Reviews `items` (a query's results, best first) for `queryText`; decisions stored for the
    // query earlier come back and the queue opens at the first item without one.
    void start(const QString &queryText, const std::vector<ReviewQueueItem> &items);

    // The latest state received for the current queue (session 0 before the first start()).
    const ReviewState &state() const { return m_state; }
    bool isBusy() const { return m_outstanding > 0; }

public Q_SLOTS:
    // Decide on the item the panel shows (state().trackletId) and move on.
    void confirm(const QString &label, const QString &note);
    void reject(const QString &label, const QString &note);
    void skip(const QString &label, const QString &note);
    void decide(descry::ReviewVerdict verdict, const QString &label, const QString &note);
    void undo();
    void next();
    void previous();
    void goTo(int index);

Q_SIGNALS:
    void stateChanged(const descry::ReviewState &state);
    void idle(); // every request so far answered

private:
    template<typename Request> void post(Request request);
    void onStateReady(const ReviewState &state);

    ReviewWorker *m_worker = nullptr;
    std::unique_ptr<WorkerThread> m_thread;
    QString m_path;
    QString m_author;
    quint64 m_session = 0;
    ReviewState m_state;
    int m_outstanding = 0;
};

} // namespace descry
