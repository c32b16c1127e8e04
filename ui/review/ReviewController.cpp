#include "ReviewController.h"

#include "ReviewWorker.h"

namespace descry {

ReviewController::ReviewController(QObject *parent)
    : QObject(parent)
    , m_worker(new ReviewWorker)
{
    qRegisterMetaType<descry::ReviewState>();
    connect(m_worker, &ReviewWorker::stateReady, this, &ReviewController::onStateReady);
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-review"));
}

ReviewController::~ReviewController() = default;

void ReviewController::setGalleryPath(const QString &path)
{
    m_path = path;
}

void ReviewController::start(const QString &queryText, const std::vector<ReviewQueueItem> &items)
{
    const quint64 session = ++m_session;
    const QString path = m_path;
    const QString author = m_author;
    post([session, path, queryText, items, author](
             ReviewWorker *worker) { worker->start(session, path, queryText, items, author); });
}

void ReviewController::confirm(const QString &label, const QString &note)
{
    decide(ReviewVerdict::Confirmed, label, note);
}

void ReviewController::reject(const QString &label, const QString &note)
{
    decide(ReviewVerdict::Rejected, label, note);
}

void ReviewController::skip(const QString &label, const QString &note)
{
    decide(ReviewVerdict::Skipped, label, note);
}

void ReviewController::decide(ReviewVerdict verdict, const QString &label, const QString &note)
{
    // The item the annotator is looking at: the worker refuses the decision if it has moved on.
    const qint64 seen = m_state.session == m_session ? m_state.trackletId : 0;
    const quint64 session = m_session;
    post([session, seen, verdict, label, note](
             ReviewWorker *worker) { worker->decide(session, seen, verdict, label, note); });
}

void ReviewController::undo()
{
    const quint64 session = m_session;
    post([session](ReviewWorker *worker) { worker->undo(session); });
}

void ReviewController::next()
{
    const quint64 session = m_session;
    post([session](ReviewWorker *worker) { worker->step(session, +1); });
}

void ReviewController::previous()
{
    const quint64 session = m_session;
    post([session](ReviewWorker *worker) { worker->step(session, -1); });
}

void ReviewController::goTo(int index)
{
    const quint64 session = m_session;
    post([session, index](ReviewWorker *worker) { worker->goTo(session, index); });
}

template<typename Request> void ReviewController::post(Request request)
{
    ++m_outstanding;
    ReviewWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker, request] { request(worker); }, Qt::QueuedConnection);
}

void ReviewController::onStateReady(const ReviewState &state)
{
    // Answers about a queue that a newer start() replaced describe nothing on screen.
    if (state.session == m_session) {
        m_state = state;
        Q_EMIT stateChanged(m_state);
    }
    if (--m_outstanding == 0)
        Q_EMIT idle();
}

} // namespace descry
