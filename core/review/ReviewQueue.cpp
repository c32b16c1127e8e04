#include "ReviewQueue.h"

#include "Gallery.h"

#include <QtGlobal>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace descry {

namespace {

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

} // namespace

QString ReviewQueue::defaultAuthor()
{
    for (const char *name : { "USER", "USERNAME" }) {
        const QString value = qEnvironmentVariable(name).trimmed();
        if (!value.isEmpty())
            return value;
    }
    return QStringLiteral("unknown");
}

ReviewQueue::ReviewQueue(
    Gallery &gallery, const QString &queryText, std::vector<ReviewQueueItem> items, const QString &author)
    : m_gallery(gallery)
    , m_queryText(queryText.simplified())
    , m_author(author.trimmed().isEmpty() ? defaultAuthor() : author.trimmed())
{
    std::unordered_set<int64_t> seen;
    for (const ReviewQueueItem &item : items)
        if (seen.insert(item.trackletId).second)
            m_items.push_back(item);
    m_reviews.resize(m_items.size());
}

bool ReviewQueue::load(QString *error)
{
    if (m_queryText.isEmpty())
        return fail(error, QStringLiteral("a review queue needs the query text its results answer"));
    if (!m_gallery.isOpen())
        return fail(error, QStringLiteral("the gallery is not open"));
    std::unordered_map<int64_t, ReviewRecord> stored;
    for (ReviewRecord &r : m_gallery.reviews(m_queryText))
        stored[r.trackletId] = std::move(r);
    for (size_t i = 0; i < m_items.size(); ++i) {
        const auto found = stored.find(m_items[i].trackletId);
        m_reviews[i] = found == stored.end() ? std::nullopt : std::optional<ReviewRecord>(found->second);
    }
    m_undo.clear();
    m_current = nextToDecide(-1);
    return true;
}

ReviewProgress ReviewQueue::progress() const
{
    ReviewProgress p;
    p.total = size();
    for (const auto &review : m_reviews) {
        if (!review)
            continue;
        switch (review->verdict) {
        case ReviewVerdict::Confirmed:
            ++p.confirmed;
            break;
        case ReviewVerdict::Rejected:
            ++p.rejected;
            break;
        case ReviewVerdict::Skipped:
            ++p.skipped;
            break;
        }
    }
    return p;
}

void ReviewQueue::setCurrentIndex(int index)
{
    m_current = std::clamp(index, 0, size());
}

bool ReviewQueue::confirm(const QString &label, const QString &note, QString *error)
{
    return decide(ReviewVerdict::Confirmed, label, note, error);
}

bool ReviewQueue::reject(const QString &label, const QString &note, QString *error)
{
    return decide(ReviewVerdict::Rejected, label, note, error);
}

bool ReviewQueue::skip(const QString &label, const QString &note, QString *error)
{
    return decide(ReviewVerdict::Skipped, label, note, error);
}

bool ReviewQueue::decide(ReviewVerdict verdict, const QString &label, const QString &note, QString *error)
{
    const int index = currentIndex();
    if (index < 0)
        return fail(error, QStringLiteral("no item to review: the queue is past its last item"));
    ReviewRecord record;
    record.trackletId = m_items[size_t(index)].trackletId;
    record.queryText = m_queryText;
    record.verdict = verdict;
    record.label = label.trimmed();
    record.note = note.trimmed();
    record.author = m_author;
    if (!m_gallery.addReview(&record))
        return fail(error,
            QStringLiteral("cannot store the decision on tracklet %1: %2")
                .arg(record.trackletId)
                .arg(m_gallery.lastError()));
    m_reviews[size_t(index)] = record;
    m_undo.push_back({ index, record.id });
    m_current = nextToDecide(index);
    return true;
}

bool ReviewQueue::undo(QString *error)
{
    if (m_undo.empty())
        return fail(error, QStringLiteral("nothing to undo: no decision was made in this session"));
    const Written last = m_undo.back();
    // Popped even when the row is gone (its tracklet was deleted), so undo never gets stuck.
    m_undo.pop_back();
    m_current = last.index;
    const bool removed = m_gallery.removeReview(last.reviewId);
    // What counts now is whatever the gallery holds, including decisions other annotators
    // made on this item meanwhile.
    m_reviews[size_t(last.index)] = latestStored(m_items[size_t(last.index)].trackletId);
    if (!removed)
        return fail(error, QStringLiteral("cannot undo: %1").arg(m_gallery.lastError()));
    return true;
}

int ReviewQueue::nextToDecide(int after) const
{
    const int n = size();
    // Items nobody has looked at first; then the skipped ones, which wait for a second look.
    for (const bool wantSkipped : { false, true }) {
        for (int step = 1; step <= n; ++step) {
            const int i = (after + step) % n;
            if (i == after)
                continue;
            const auto &review = m_reviews[size_t(i)];
            if (!wantSkipped && !review)
                return i;
            if (wantSkipped && review && review->verdict == ReviewVerdict::Skipped)
                return i;
        }
    }
    return n;
}

std::optional<ReviewRecord> ReviewQueue::latestStored(int64_t trackletId) const
{
    std::optional<ReviewRecord> latest;
    for (ReviewRecord &r : m_gallery.reviewsOfTracklet(trackletId))
        if (r.queryText == m_queryText)
            latest = std::move(r);
    return latest;
}

} // namespace descry
