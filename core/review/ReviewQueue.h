#pragma once

#include "GalleryRecords.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace descry {

class Gallery;

// One result of the query under review, in the order the search ranked it.
struct ReviewQueueItem {
    int64_t trackletId = 0;
    float score = 0;
};

// How far a queue is. Skipped items are seen but undecided, so `reviewed` counts only
// confirmations and rejections.
struct ReviewProgress {
    int total = 0;
    int confirmed = 0;
    int rejected = 0;
    int skipped = 0;
    int reviewed() const { return confirmed + rejected; }
};

// An annotator's pass over one query's results: a cursor over the items, and confirm / reject /
// skip that store a decision in the gallery (with label, note, author and time) and move on.
// Decisions of earlier sessions on the same query come back on load(), so a queue resumes where
// the annotators left it; undo() takes back this session's decisions, newest first.
//
// Torch-free and widget-free: the GUI runs it on a worker thread (ui/review/ReviewController), the CLI
// and tests directly. It uses the Gallery it is given from the calling thread only.
class ReviewQueue {
public:
    // The OS user name ($USER, or $USERNAME on Windows), "unknown" when neither is set.
    static QString defaultAuthor();

    // `items` are deduplicated by tracklet (the first occurrence stays); an empty `author`
    // means defaultAuthor(). Call load() before anything else.
    ReviewQueue(Gallery &gallery, const QString &queryText, std::vector<ReviewQueueItem> items,
        const QString &author = {});

    // Reads the decisions already stored for the query and puts the cursor on the first item
    // without one (past the end when every item has one).
    bool load(QString *error);

    QString queryText() const { return m_queryText; } // whitespace simplified, as stored
    QString author() const { return m_author; }
    int size() const { return int(m_items.size()); }
    const ReviewQueueItem &item(int index) const { return m_items[size_t(index)]; }
    // The decision that counts for item `index` (the latest stored), if any.
    const std::optional<ReviewRecord> &review(int index) const { return m_reviews[size_t(index)]; }
    ReviewProgress progress() const;

    // The item under the cursor, or -1 when the cursor is past the end (every item has a
    // decision, or the annotator walked past the last one) or the queue is empty.
    int currentIndex() const { return m_current < size() ? m_current : -1; }
    bool isFinished() const { return currentIndex() < 0; }
    // Moves the cursor without deciding anything; `index` is clamped to 0 .. size() (size()
    // is past the end).
    void setCurrentIndex(int index);
    void next() { setCurrentIndex(m_current + 1); }
    void previous() { setCurrentIndex(m_current - 1); }

    // Store a decision on the current item and move to the next one that needs a decision:
    // the first item after it (wrapping around) without any decision; when every item has one,
    // the first skipped item after it; when none is left, past the end. Fails (nothing moves)
    // past the end or when the gallery refuses the row.
    bool confirm(const QString &label, const QString &note, QString *error);
    bool reject(const QString &label, const QString &note, QString *error);
    bool skip(const QString &label, const QString &note, QString *error);
    bool decide(ReviewVerdict verdict, const QString &label, const QString &note, QString *error);

    // Removes the newest decision of this session and puts the cursor back on its item, which
    // shows the decision before it again (or none). Earlier sessions' rows are never removed.
    bool canUndo() const { return !m_undo.empty(); }
    bool undo(QString *error);

private:
    int nextToDecide(int after) const;
    std::optional<ReviewRecord> latestStored(int64_t trackletId) const;

    struct Written {
        int index = 0;
        int64_t reviewId = 0;
    };

    Gallery &m_gallery;
    QString m_queryText;
    QString m_author;
    std::vector<ReviewQueueItem> m_items;
    std::vector<std::optional<ReviewRecord>> m_reviews; // parallel to m_items
    std::vector<Written> m_undo;
    int m_current = 0;
};

} // namespace descry
