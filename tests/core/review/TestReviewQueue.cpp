// The review workflow's storage and queue: the reviews table behind Gallery's review API
// (history kept, latest decision counts, no search-cache invalidation, cascade with its
// tracklet) and ReviewQueue (decide and advance, progress, undo, resume, navigation).

#include "Gallery.h"
#include "GallerySchema.h"
#include "ReviewFixture.h"
#include "ReviewQueue.h"

#include <QTemporaryDir>
#include <QTest>

using namespace descry;

namespace {

const QString kQuery = QStringLiteral("a woman in a red coat");

std::vector<ReviewQueueItem> itemsOf(const std::vector<int64_t> &ids)
{
    std::vector<ReviewQueueItem> items;
    for (size_t i = 0; i < ids.size(); ++i)
        items.push_back({ ids[i], 1.f - 0.1f * float(i) });
    return items;
}

ReviewRecord review(
    int64_t trackletId, const QString &query, ReviewVerdict verdict, const QString &label = {})
{
    ReviewRecord r;
    r.trackletId = trackletId;
    r.queryText = query;
    r.verdict = verdict;
    r.label = label;
    r.author = QStringLiteral("tester");
    return r;
}

} // namespace

class TestReviewQueue : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_galleries = 0;

    // A new gallery with `count` tracklets; ids in *ids.
    bool openGallery(Gallery &gallery, int count, std::vector<int64_t> *ids)
    {
        if (!gallery.open(m_dir.filePath(QStringLiteral("g%1.sqlite").arg(++m_galleries))))
            return false;
        *ids = test::addFixtureTracklets(gallery, count, 1);
        return int(ids->size()) == count;
    }

private Q_SLOTS:
    void verdictKeysRoundTrip()
    {
        for (ReviewVerdict v : { ReviewVerdict::Confirmed, ReviewVerdict::Rejected, ReviewVerdict::Skipped })
            QVERIFY(reviewVerdictFromKey(reviewVerdictKey(v)) == v);
        QCOMPARE(reviewVerdictKey(ReviewVerdict::Confirmed), QStringLiteral("confirmed"));
        QVERIFY(!reviewVerdictFromKey(QStringLiteral("Confirmed")));
        QVERIFY(!reviewVerdictFromKey(QString()));
    }

    void galleryKeepsHistoryAndTheLatestCounts()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY2(openGallery(g, 3, &ids), qPrintable(g.lastError()));
        QCOMPARE(g.schemaVersion(), GallerySchema::latestVersion());

        ReviewRecord first = review(ids[0], QStringLiteral("  a woman in a  red coat "),
            ReviewVerdict::Confirmed, QStringLiteral("Anna"));
        QVERIFY2(g.addReview(&first), qPrintable(g.lastError()));
        QVERIFY(first.id > 0);
        QCOMPARE(first.queryText, kQuery); // stored with whitespace simplified
        QVERIFY(first.createdAt.isValid());
        ReviewRecord second = review(ids[0], kQuery, ReviewVerdict::Rejected);
        QVERIFY(g.addReview(&second));
        ReviewRecord other = review(ids[1], kQuery, ReviewVerdict::Confirmed);
        QVERIFY(g.addReview(&other));
        ReviewRecord otherQuery
            = review(ids[0], QStringLiteral("a man with a dog"), ReviewVerdict::Confirmed);
        QVERIFY(g.addReview(&otherQuery));

        // The query's latest decisions, in the order they were made.
        const std::vector<ReviewRecord> latest = g.reviews(QStringLiteral("a woman in a red coat "));
        QCOMPARE(latest.size(), size_t(2));
        QCOMPARE(latest[0].id, second.id);
        QVERIFY(latest[0].verdict == ReviewVerdict::Rejected);
        QCOMPARE(latest[0].author, QStringLiteral("tester"));
        QCOMPARE(latest[1].id, other.id);
        QCOMPARE(g.reviews().size(), size_t(3)); // every query
        // The history keeps the superseded decision, with its label.
        const std::vector<ReviewRecord> history = g.reviewsOfTracklet(ids[0]);
        QCOMPARE(history.size(), size_t(3));
        QCOMPARE(history[0].id, first.id);
        QCOMPARE(history[0].label, QStringLiteral("Anna"));
        QCOMPARE(history[0].createdAt, first.createdAt.toUTC());
        // Confirmed pairs: the rejection withdrew (tracklet 0, red coat).
        const std::vector<ReviewRecord> confirmed = g.confirmedReviews();
        QCOMPARE(confirmed.size(), size_t(2));
        QCOMPARE(confirmed[0].id, otherQuery.id); // by tracklet: ids[0] first
        QCOMPARE(confirmed[1].id, other.id);

        // Undoing the rejection brings the confirmation back.
        QVERIFY(g.removeReview(second.id));
        QCOMPARE(g.confirmedReviews().size(), size_t(3));
        QVERIFY(!g.removeReview(second.id));
        QVERIFY(g.lastError().contains(QStringLiteral("not in the gallery")));
    }

    void galleryRefusesBadReviews()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 1, &ids));
        ReviewRecord noQuery = review(ids[0], QStringLiteral("   "), ReviewVerdict::Confirmed);
        QVERIFY(!g.addReview(&noQuery));
        QVERIFY(g.lastError().contains(QStringLiteral("query text")));
        ReviewRecord unknown = review(ids[0] + 100, kQuery, ReviewVerdict::Confirmed);
        QVERIFY(!g.addReview(&unknown));
        QVERIFY2(g.lastError().contains(QStringLiteral("not in the gallery")), qPrintable(g.lastError()));
        QCOMPARE(unknown.id, int64_t(0));
        QVERIFY(g.reviews().empty());
    }

    void reviewsLeaveTheSearchCacheValidAndGoWithTheirTracklet()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 2, &ids));
        const int64_t generation = g.generation();
        ReviewRecord r = review(ids[1], kQuery, ReviewVerdict::Confirmed);
        QVERIFY(g.addReview(&r));
        QVERIFY(g.removeReview(r.id));
        QVERIFY(g.addReview(&r));
        // SearchEngine reloads tracklets when the generation changes: reviews change none.
        QCOMPARE(g.generation(), generation);
        // A re-ingest under a new pipeline drops the source's tracklets and their reviews.
        QVERIFY(g.resetSource(g.sources().front().id, QStringLiteral("k2")));
        QVERIFY(g.reviews().empty());
        QVERIFY(g.reviewsOfTracklet(ids[1]).empty());
        QVERIFY(g.generation() != generation);
    }

    void decisionsAdvanceAndCount()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 5, &ids));
        std::vector<ReviewQueueItem> items = itemsOf(ids);
        items.push_back(items[1]); // a duplicate result is reviewed once
        ReviewQueue queue(g, QStringLiteral(" a woman in a red coat"), items, QStringLiteral("ann"));
        QString error;
        QVERIFY2(queue.load(&error), qPrintable(error));
        QCOMPARE(queue.size(), 5);
        QCOMPARE(queue.queryText(), kQuery);
        QCOMPARE(queue.currentIndex(), 0);
        QCOMPARE(queue.progress().reviewed(), 0);

        QVERIFY2(queue.confirm(QStringLiteral(" Anna "), QStringLiteral("at the gate"), &error),
            qPrintable(error));
        QCOMPARE(queue.currentIndex(), 1);
        QVERIFY(queue.reject({}, {}, &error));
        QVERIFY(queue.skip({}, QStringLiteral("too dark"), &error));
        QCOMPARE(queue.currentIndex(), 3);
        const ReviewProgress p = queue.progress();
        QCOMPARE(p.total, 5);
        QCOMPARE(p.confirmed, 1);
        QCOMPARE(p.rejected, 1);
        QCOMPARE(p.skipped, 1);
        QCOMPARE(p.reviewed(), 2); // skipped is not decided

        const std::vector<ReviewRecord> rows = g.reviews(kQuery);
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[0].trackletId, ids[0]);
        QVERIFY(rows[0].verdict == ReviewVerdict::Confirmed);
        QCOMPARE(rows[0].label, QStringLiteral("Anna"));
        QCOMPARE(rows[0].note, QStringLiteral("at the gate"));
        QCOMPARE(rows[0].author, QStringLiteral("ann"));
        QVERIFY(rows[1].verdict == ReviewVerdict::Rejected);
        QVERIFY(rows[2].verdict == ReviewVerdict::Skipped);
        QVERIFY(queue.review(0) && queue.review(0)->id == rows[0].id);
        QVERIFY(!queue.review(3));

        // The undecided ones first, then the skipped one gets its second look, then the end.
        QVERIFY(queue.confirm({}, {}, &error));
        QCOMPARE(queue.currentIndex(), 4);
        QVERIFY(queue.confirm({}, {}, &error));
        QCOMPARE(queue.currentIndex(), 2);
        QVERIFY(queue.skip({}, {}, &error));
        QVERIFY(queue.isFinished());
        QCOMPARE(queue.currentIndex(), -1);
        QVERIFY(!queue.confirm({}, {}, &error));
        QVERIFY(error.contains(QStringLiteral("past its last item")));
        QCOMPARE(g.reviewsOfTracklet(ids[2]).size(), size_t(2)); // both skips are history
    }

    void undoTakesBackNewestFirst()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 3, &ids));
        ReviewQueue queue(g, kQuery, itemsOf(ids), QStringLiteral("ann"));
        QString error;
        QVERIFY(queue.load(&error));
        QVERIFY(!queue.canUndo());
        QVERIFY(!queue.undo(&error));
        QVERIFY(error.contains(QStringLiteral("nothing to undo")));

        QVERIFY(queue.confirm(QStringLiteral("Anna"), {}, &error));
        QVERIFY(queue.reject({}, {}, &error));
        QCOMPARE(queue.currentIndex(), 2);
        QCOMPARE(g.reviews(kQuery).size(), size_t(2));

        QVERIFY2(queue.undo(&error), qPrintable(error));
        QCOMPARE(queue.currentIndex(), 1); // back on the item whose decision was taken back
        QVERIFY(!queue.review(1));
        QCOMPARE(queue.progress().rejected, 0);
        QCOMPARE(g.reviews(kQuery).size(), size_t(1));
        // Decide differently: the redo is a new row.
        QVERIFY(queue.confirm({}, {}, &error));
        QCOMPARE(queue.progress().confirmed, 2);
        QVERIFY(queue.undo(&error));
        QVERIFY(queue.undo(&error));
        QCOMPARE(queue.currentIndex(), 0);
        QVERIFY(!queue.canUndo());
        QVERIFY(g.reviews().empty());
        QCOMPARE(queue.progress().reviewed(), 0);
    }

    void undoShowsTheDecisionBefore()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 2, &ids));
        ReviewRecord earlier = review(ids[0], kQuery, ReviewVerdict::Skipped);
        QVERIFY(g.addReview(&earlier));
        ReviewQueue queue(g, kQuery, itemsOf(ids));
        QString error;
        QVERIFY(queue.load(&error));
        QCOMPARE(queue.currentIndex(), 1); // item 0 was looked at already
        queue.previous();
        QCOMPARE(queue.currentIndex(), 0);
        QVERIFY(queue.confirm({}, {}, &error));
        QVERIFY(queue.review(0)->verdict == ReviewVerdict::Confirmed);
        QVERIFY(queue.undo(&error));
        QVERIFY(queue.review(0) && queue.review(0)->id == earlier.id);
        QCOMPARE(queue.progress().skipped, 1);
    }

    void resumesAnEarlierSessionAndTheLatestVerdictWins()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 4, &ids));
        QString error;
        {
            ReviewQueue first(g, kQuery, itemsOf(ids), QStringLiteral("ann"));
            QVERIFY(first.load(&error));
            QVERIFY(first.confirm(QStringLiteral("Anna"), {}, &error));
            QVERIFY(first.reject({}, {}, &error));
        }
        // Another annotator, another day: the queue opens where the first stopped.
        ReviewQueue second(g, kQuery, itemsOf(ids), QStringLiteral("bob"));
        QVERIFY(second.load(&error));
        QCOMPARE(second.currentIndex(), 2);
        QCOMPARE(second.progress().confirmed, 1);
        QCOMPARE(second.progress().rejected, 1);
        QVERIFY(second.review(0)->verdict == ReviewVerdict::Confirmed);
        QCOMPARE(second.review(0)->author, QStringLiteral("ann"));
        QCOMPARE(second.review(0)->label, QStringLiteral("Anna"));
        QVERIFY(!second.canUndo()); // the earlier session's rows are not this session's to undo

        // Bob disagrees with Ann on item 0: his decision is the one that counts.
        second.setCurrentIndex(0);
        QVERIFY(second.reject({}, QStringLiteral("different shoes"), &error));
        QCOMPARE(second.progress().confirmed, 0);
        QCOMPARE(second.progress().rejected, 2);
        QVERIFY(g.confirmedReviews().empty());
        QCOMPARE(g.reviewsOfTracklet(ids[0]).size(), size_t(2));
        const std::vector<ReviewRecord> rows = g.reviews(kQuery);
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows.back().author, QStringLiteral("bob"));

        // Once every item has a decision, a resumed queue opens past the end.
        QVERIFY(second.confirm({}, {}, &error));
        QVERIFY(second.confirm({}, {}, &error));
        QVERIFY(second.isFinished());
        ReviewQueue third(g, kQuery, itemsOf(ids));
        QVERIFY(third.load(&error));
        QVERIFY(third.isFinished());
        QCOMPARE(third.progress().reviewed(), 4);
        // Another query over the same tracklets starts from scratch.
        ReviewQueue otherQuery(g, QStringLiteral("a man with a dog"), itemsOf(ids));
        QVERIFY(otherQuery.load(&error));
        QCOMPARE(otherQuery.currentIndex(), 0);
        QCOMPARE(otherQuery.progress().reviewed(), 0);
    }

    void navigationIsClampedAndWritesNothing()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 3, &ids));
        ReviewQueue queue(g, kQuery, itemsOf(ids));
        QString error;
        QVERIFY(queue.load(&error));
        queue.previous();
        QCOMPARE(queue.currentIndex(), 0);
        queue.setCurrentIndex(99);
        QVERIFY(queue.isFinished());
        queue.previous();
        QCOMPARE(queue.currentIndex(), 2);
        queue.next();
        queue.next();
        QVERIFY(queue.isFinished());
        queue.setCurrentIndex(-5);
        QCOMPARE(queue.currentIndex(), 0);
        QVERIFY(g.reviews().empty());
    }

    void authorDefaultsToTheUserName()
    {
        const QByteArray saved = qgetenv("USER");
        qputenv("USER", "annotator-7");
        QCOMPARE(ReviewQueue::defaultAuthor(), QStringLiteral("annotator-7"));
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 1, &ids));
        ReviewQueue queue(g, kQuery, itemsOf(ids));
        QString error;
        QVERIFY(queue.load(&error));
        QVERIFY(queue.confirm({}, {}, &error));
        QCOMPARE(g.reviews().front().author, QStringLiteral("annotator-7"));
        if (saved.isNull())
            qunsetenv("USER");
        else
            qputenv("USER", saved);
    }

    void failuresAreReported()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(openGallery(g, 2, &ids));
        QString error;
        ReviewQueue noQuery(g, QStringLiteral("  "), itemsOf(ids));
        QVERIFY(!noQuery.load(&error));
        QVERIFY(error.contains(QStringLiteral("query text")));
        // A result whose tracklet is gone (re-ingested meanwhile): the decision fails, the
        // cursor stays.
        ReviewQueue queue(g, kQuery, { { ids[0] + 50, 0.5f }, { ids[1], 0.4f } });
        QVERIFY(queue.load(&error));
        QVERIFY(!queue.confirm({}, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("not in the gallery")), qPrintable(error));
        QCOMPARE(queue.currentIndex(), 0);
        QVERIFY(!queue.canUndo());
        ReviewQueue empty(g, kQuery, {});
        QVERIFY(empty.load(&error));
        QVERIFY(empty.isFinished());
        QVERIFY(!empty.skip({}, {}, &error));
    }
};

QTEST_MAIN(TestReviewQueue)
#include "TestReviewQueue.moc"
