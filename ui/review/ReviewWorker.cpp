#include "ReviewWorker.h"

#include "Gallery.h"

namespace descry {

namespace {

// Crops shown per item: enough views to judge identity, few enough to read in a blink.
constexpr size_t kCropsShown = 4;

} // namespace

ReviewWorker::ReviewWorker(QObject *parent)
    : QObject(parent)
{ }

ReviewWorker::~ReviewWorker() = default;

void ReviewWorker::start(quint64 session, const QString &galleryPath, const QString &queryText,
    const std::vector<ReviewQueueItem> &items, const QString &author)
{
    m_queue.reset();
    m_gallery = nullptr;
    m_session = session;
    QString error;
    if (Gallery *gallery = m_connection.get(galleryPath, &error)) {
        auto queue = std::make_unique<ReviewQueue>(*gallery, queryText, items, author);
        if (queue->load(&error)) {
            m_gallery = gallery;
            m_queue = std::move(queue);
        }
    }
    answer(error);
}

void ReviewWorker::decide(
    quint64 session, qint64 seenTrackletId, ReviewVerdict verdict, const QString &label, const QString &note)
{
    if (!accept(session))
        return;
    const int index = m_queue->currentIndex();
    if (index < 0 || m_queue->item(index).trackletId != seenTrackletId) {
        answer(); // the panel catches up with the item it has not shown yet
        return;
    }
    QString error;
    m_queue->decide(verdict, label, note, &error);
    answer(error);
}

void ReviewWorker::undo(quint64 session)
{
    if (!accept(session))
        return;
    QString error;
    m_queue->undo(&error);
    answer(error);
}

void ReviewWorker::step(quint64 session, int delta)
{
    if (!accept(session))
        return;
    const int at = m_queue->isFinished() ? m_queue->size() : m_queue->currentIndex();
    m_queue->setCurrentIndex(at + delta);
    answer();
}

void ReviewWorker::goTo(quint64 session, int index)
{
    if (!accept(session))
        return;
    m_queue->setCurrentIndex(index);
    answer();
}

bool ReviewWorker::accept(quint64 session)
{
    if (session == m_session && m_queue)
        return true;
    answer(session == m_session ? QStringLiteral("no review queue: start one from a search") : QString());
    return false;
}

void ReviewWorker::answer(const QString &error)
{
    ReviewState state;
    state.session = m_session;
    state.error = error;
    if (!m_queue) {
        Q_EMIT stateReady(state);
        return;
    }
    state.queryText = m_queue->queryText();
    state.author = m_queue->author();
    state.total = m_queue->size();
    state.progress = m_queue->progress();
    state.canUndo = m_queue->canUndo();
    state.index = m_queue->currentIndex();
    if (state.index >= 0) {
        const ReviewQueueItem &item = m_queue->item(state.index);
        state.trackletId = item.trackletId;
        state.score = item.score;
        state.review = m_queue->review(state.index);
        if (const auto tracklet = m_gallery->tracklet(item.trackletId))
            state.tracklet = *tracklet;
        for (const CropRecord &crop : m_gallery->crops(item.trackletId)) {
            if (state.crops.size() >= kCropsShown)
                break;
            const QImage image = QImage::fromData(m_gallery->cropImage(crop.id), "JPEG");
            if (!image.isNull())
                state.crops.push_back(image);
        }
    }
    Q_EMIT stateReady(state);
}

} // namespace descry
