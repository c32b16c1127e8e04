#include "Gallery.h"
#include "IdentityFixture.h"
#include "IdentityGrouper.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

using namespace descry;

namespace {

const QString kModel = QStringLiteral("m@1");

TrackletWithAttributes tracklet(int localId, double start, double end, std::vector<float> visual)
{
    return test::timedTracklet(localId, start, end, std::move(visual), kModel);
}

} // namespace

class TestIdentityGrouper : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Gallery m_gallery;
    int m_galleries = 0;
    std::vector<int64_t> m_ids; // a, b, c, d, e: see init()

    int64_t identityOf(int64_t tracklet) { return m_gallery.identities().at(tracklet); }

    bool regroup(IdentityGroupingResult *result)
    {
        IdentityGrouper grouper(m_gallery, kModel);
        QString error;
        const bool ok = grouper.regroup({}, result, &error);
        if (!ok)
            qWarning("%s", qPrintable(error));
        return ok;
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        // A fresh gallery per test.
        QVERIFY(m_gallery.open(m_dir.filePath(QStringLiteral("g%1.sqlite").arg(++m_galleries))));
        SourceRecord s = test::cameraSource(QStringLiteral("hall"));
        QVERIFY2(m_gallery.addSource(&s), qPrintable(m_gallery.lastError()));
        // a and b look alike, c and d look alike; c is on screen with a; e has no vectors.
        QVERIFY(m_gallery.commitProgress(s.id, { 300, 30, {} },
            { tracklet(1, 0, 5, { 1, 0 }), tracklet(2, 10, 15, { 0.99f, 0.14f }), tracklet(3, 3, 8, { 0, 1 }),
                tracklet(4, 20, 25, { 0.1f, 0.99f }), tracklet(5, 26, 29, {}) },
            true));
        m_ids.clear();
        for (const TrackletRecord &t : m_gallery.tracklets())
            m_ids.push_back(t.id);
        QCOMPARE(m_ids.size(), size_t(5));
    }

    void groupsAndKeepsIds()
    {
        IdentityGroupingResult result;
        QVERIFY(regroup(&result));
        QCOMPARE(result.grouping.trackletCount, int64_t(4));
        QCOMPARE(result.grouping.identityCount, int64_t(2));
        QCOMPARE(result.withoutVectors, int64_t(1));
        QVERIFY2(result.notes.join(QLatin1Char(' ')).contains(QStringLiteral("reindex")), qPrintable(result.notes.join(' ')));
        QCOMPARE(identityOf(m_ids[0]), identityOf(m_ids[1]));
        QCOMPARE(identityOf(m_ids[2]), identityOf(m_ids[3]));
        QVERIFY(identityOf(m_ids[0]) != identityOf(m_ids[2]));
        QVERIFY(!m_gallery.identities().count(m_ids[4]));
        const std::map<int64_t, int64_t> first = m_gallery.identities();
        // Grouping again changes nothing, ids included.
        QVERIFY(regroup(&result));
        QCOMPARE(result.keptIds, int64_t(2));
        QCOMPARE(m_gallery.identities(), first);
        QCOMPARE(m_gallery.latestIdentityGrouping()->version, int64_t(2));
        QCOMPARE(m_gallery.latestIdentityGrouping()->method, IdentityGrouper::method({}));
    }

    void thresholdKeptOnlyForTheSameMethod()
    {
        const IdentityClusteringOptions defaults;
        QCOMPARE(IdentityGrouper::currentThreshold(m_gallery), defaults.threshold); // never grouped
        // A user's threshold with today's way of comparing stays...
        IdentityClusteringOptions chosen;
        chosen.threshold = 0.55;
        IdentityGrouper grouper(m_gallery, kModel);
        IdentityGroupingResult result;
        QString error;
        QVERIFY2(grouper.regroup(chosen, &result, &error), qPrintable(error));
        QCOMPARE(IdentityGrouper::currentThreshold(m_gallery), 0.55);
        // ...a threshold set for another way (here: before neighbour attention) does not.
        IdentityClusteringOptions plain = chosen;
        plain.attentionNeighbours = 0;
        QCOMPARE(IdentityGrouper::method(plain), QStringLiteral("plain"));
        QVERIFY(IdentityGrouper::method(plain) != IdentityGrouper::method(defaults));
        QVERIFY2(grouper.regroup(plain, &result, &error), qPrintable(error));
        QCOMPARE(IdentityGrouper::currentThreshold(m_gallery), defaults.threshold);
    }

    void mergeOfPeopleSeenAtOnceIsRefused()
    {
        IdentityGroupingResult result;
        QVERIFY(regroup(&result));
        IdentityGrouper grouper(m_gallery, kModel);
        QString error;
        QVERIFY(!grouper.merge(identityOf(m_ids[0]), identityOf(m_ids[2]), QStringLiteral("ann"), &error));
        QVERIFY2(error.contains(QStringLiteral("same time")) && error.contains(QStringLiteral("hall.avi")), qPrintable(error));
        QVERIFY(m_gallery.identityLinks().empty());
        QVERIFY(!grouper.merge(identityOf(m_ids[0]), 999, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("999")), qPrintable(error));
    }

    void splitAndMergeSurviveRegrouping()
    {
        IdentityGroupingResult result;
        QVERIFY(regroup(&result));
        const int64_t person = identityOf(m_ids[0]);
        IdentityGrouper grouper(m_gallery, kModel);
        QString error;
        QVERIFY2(grouper.separate(m_ids[1], QStringLiteral("ann"), &error), qPrintable(error));
        QVERIFY(regroup(&result));
        QCOMPARE(identityOf(m_ids[0]), person); // the rest keeps its id
        QVERIFY(identityOf(m_ids[1]) != person);
        QVERIFY(identityOf(m_ids[1]) != identityOf(m_ids[2]));
        QVERIFY(regroup(&result));
        QVERIFY(identityOf(m_ids[1]) != person);
        // Merging them back contradicts the annotator's split: refused, with who said so.
        QVERIFY(!grouper.merge(identityOf(m_ids[1]), person, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("ann said")), qPrintable(error));

        // b and d look unlike, and were never seen at once: a merge joins them for good.
        QVERIFY2(grouper.merge(identityOf(m_ids[1]), identityOf(m_ids[3]), QStringLiteral("bob"), &error), qPrintable(error));
        QVERIFY(regroup(&result));
        QCOMPARE(identityOf(m_ids[1]), identityOf(m_ids[3]));
        QVERIFY(identityOf(m_ids[0]) != identityOf(m_ids[1]));
        // Split off again, b is told apart from everyone it was with: alone, with nothing left to split.
        QVERIFY(grouper.separate(m_ids[1], {}, &error));
        QVERIFY(regroup(&result));
        QVERIFY(identityOf(m_ids[1]) != identityOf(m_ids[3]));
        QVERIFY(!grouper.separate(m_ids[1], {}, &error));
        QVERIFY2(error.contains(QStringLiteral("only tracklet")), qPrintable(error));
    }

    void galleryWithoutVectorsSaysWhatToDo()
    {
        IdentityGrouper grouper(m_gallery, QStringLiteral("other@2"));
        IdentityGroupingResult result;
        QString error;
        QVERIFY(!grouper.regroup({}, &result, &error));
        QVERIFY2(error.contains(QStringLiteral("reindex")), qPrintable(error));
        QVERIFY(m_gallery.identities().empty());
    }

    // Evidence at identity level: each person among the chosen tracklets with all of its
    // tracklets in footage order, people in the order first named; ungrouped tracklets stay.
    void appearancesInFootageOrder()
    {
        IdentityGroupingResult result;
        QVERIFY(regroup(&result));
        const int64_t a = m_ids[0], b = m_ids[1], c = m_ids[2], d = m_ids[3], e = m_ids[4];
        QCOMPARE(IdentityGrouper::withAppearances(m_gallery, { d, b, e, a }), (std::vector<int64_t> { c, d, a, b, e }));
        QCOMPARE(IdentityGrouper::appearancesOf(m_gallery, { identityOf(b), 999, identityOf(b) }),
            (std::vector<int64_t> { a, b }));
        QVERIFY(IdentityGrouper::appearancesOf(m_gallery, {}).empty());
    }

    // Cameras with recording times and a transit: a look-alike in the yard camera 20 s after a
    // left the hall is someone else when the walk takes a minute, and a merge of the two is
    // refused with the times; once the transit is removed they are one person again.
    void transitTimesKeepPeopleApart()
    {
        SourceRecord yard = test::cameraSource(QStringLiteral("yard"));
        QVERIFY(m_gallery.addSource(&yard));
        QVERIFY(m_gallery.commitProgress(yard.id, { 300, 30, {} }, { tracklet(1, 0, 4, { 1, 0.02f }) }, true));
        const int64_t f = m_gallery.tracklets(yard.id).front().id;
        const QDateTime ten = QDateTime(QDate(2026, 12, 1), QTime(10, 0), Qt::UTC);
        QVERIFY(m_gallery.setSourceRecordedAt(m_gallery.sources().front().id, ten));
        QVERIFY(m_gallery.setSourceRecordedAt(yard.id, ten.addSecs(25))); // a ends at 5 s: 20 s before f
        QVERIFY(m_gallery.sources().back().recordedAt == ten.addSecs(25));

        IdentityGroupingResult result;
        QVERIFY(regroup(&result));
        QCOMPARE(identityOf(f), identityOf(m_ids[0])); // no transit known: appearance decides
        QVERIFY(m_gallery.setCameraTransit(QStringLiteral("yard"), QStringLiteral("hall"), 60));
        QCOMPARE(m_gallery.cameraTransits().size(), size_t(1));
        QCOMPARE(m_gallery.cameraTransits().front().cameraA, QStringLiteral("hall")); // stored in order
        QVERIFY(regroup(&result));
        QVERIFY(identityOf(f) != identityOf(m_ids[0]));
        IdentityGrouper grouper(m_gallery, kModel);
        QString error;
        QVERIFY(!grouper.merge(identityOf(f), identityOf(m_ids[0]), {}, &error));
        QVERIFY2(error.contains(QStringLiteral("20.0 s apart")) && error.contains(QStringLiteral("at least 60 s")),
            qPrintable(error));
        QVERIFY(m_gallery.setCameraTransit(QStringLiteral("hall"), QStringLiteral("yard"), -1)); // removed
        QVERIFY(m_gallery.cameraTransits().empty());
        QVERIFY(regroup(&result));
        QCOMPARE(identityOf(f), identityOf(m_ids[0]));
        QVERIFY(!m_gallery.setCameraTransit(QStringLiteral("hall"), QStringLiteral("hall"), 5));
        QVERIFY(!m_gallery.setSourceRecordedAt(9999, ten));
    }
};

QTEST_GUILESS_MAIN(TestIdentityGrouper)
#include "TestIdentityGrouper.moc"
