#pragma once

#include "GalleryConnection.h"
#include "ReviewQueue.h"
#include "ReviewState.h"

#include <QObject>

#include <memory>
#include <vector>

namespace descry {

// Owns the ReviewQueue and its gallery connection on the review thread. Every request is
// answered with exactly one stateReady, the queue's state after it. Requests run in the order
// they were made (decisions are writes: none may be skipped or reordered); a decision names
// the tracklet the annotator saw, and one that no longer matches the current item (a key
// pressed twice before the panel showed the next item) is ignored instead of deciding on an
// item nobody looked at.
class ReviewWorker : public QObject {
    Q_OBJECT
public:
    explicit ReviewWorker(QObject *parent = nullptr);
    ~ReviewWorker() override;

    void start(quint64 session, const QString &galleryPath, const QString &queryText,
        const std::vector<ReviewQueueItem> &items, const QString &author);
    void decide(quint64 session, qint64 seenTrackletId, ReviewVerdict verdict, const QString &label,
        const QString &note);
    void undo(quint64 session);
    void step(quint64 session, int delta);
    void goTo(quint64 session, int index);

Q_SIGNALS:
    void stateReady(const descry::ReviewState &state);

private:
    // False (and answers with `error`) when the request is not for the current queue.
    bool accept(quint64 session);
    void answer(const QString &error = {});

    GalleryConnection m_connection;
    Gallery *m_gallery = nullptr; // m_connection's, while m_queue uses it
    std::unique_ptr<ReviewQueue> m_queue; // declared after the connection: destroyed before it
    quint64 m_session = 0;
};

} // namespace descry
