// Confirmed reviews as a training set: what ReviewDatasetWriter writes is what PedesDataset
// (and so descry-cli train) reads — identities per tracklet or shared label, captions = the
// confirmed query texts, the tracklets' own crops — and a failed export leaves no dataset.

#include "Gallery.h"
#include "PedesDataset.h"
#include "ReviewDatasetWriter.h"
#include "ReviewFixture.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>

using namespace descry;

namespace {

const QString kCoat = QStringLiteral("a woman in a red coat");
const QString kBag = QStringLiteral("a woman carrying a black bag");
const QString kDog = QStringLiteral("a man walking a dog");

bool addReview(
    Gallery &g, int64_t trackletId, const QString &query, ReviewVerdict verdict, const QString &label = {})
{
    ReviewRecord r;
    r.trackletId = trackletId;
    r.queryText = query;
    r.verdict = verdict;
    r.label = label;
    r.author = QStringLiteral("ann");
    return g.addReview(&r);
}

QJsonArray readEntries(const QString &dir)
{
    QFile file(QDir(dir).filePath(QStringLiteral("reid_raw.json")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).array();
}

// The fixture's crops are plain colours: the centre pixel says which crop an image is.
QColor centreColour(const QImage &image)
{
    return image.pixelColor(image.width() / 2, image.height() / 2);
}

bool closeColours(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) < 12 && std::abs(a.green() - b.green()) < 12
        && std::abs(a.blue() - b.blue()) < 12;
}

} // namespace

class TestReviewDataset : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_count = 0;

    QString newPath(const QString &name)
    {
        return m_dir.filePath(QStringLiteral("%1-%2").arg(name).arg(++m_count));
    }

    // Five tracklets of two crops each, reviewed as in a real session:
    //  t0 "Anna" (coat), t2 " anna " (bag) — one identity; t1 no label (coat; dog confirmed then
    //  rejected); t3 no label (coat + bag); t4 rejected only.
    bool fillGallery(Gallery &g, std::vector<int64_t> *ids)
    {
        if (!g.open(newPath(QStringLiteral("g")) + QStringLiteral(".sqlite")))
            return false;
        *ids = test::addFixtureTracklets(g, 5, 2);
        const std::vector<int64_t> &t = *ids;
        return t.size() == 5 && addReview(g, t[0], kCoat, ReviewVerdict::Confirmed, QStringLiteral("Anna"))
            && addReview(g, t[1], kCoat, ReviewVerdict::Confirmed)
            && addReview(g, t[1], kDog, ReviewVerdict::Confirmed)
            && addReview(g, t[1], kDog, ReviewVerdict::Rejected) // the latest counts
            && addReview(g, t[2], kBag, ReviewVerdict::Confirmed, QStringLiteral(" anna "))
            && addReview(g, t[3], kCoat, ReviewVerdict::Confirmed)
            && addReview(g, t[3], kBag, ReviewVerdict::Confirmed)
            && addReview(g, t[4], kCoat, ReviewVerdict::Rejected)
            && addReview(g, t[4], kBag, ReviewVerdict::Skipped);
    }

private Q_SLOTS:
    void exportLoadsAsPedesDataset()
    {
        Gallery g;
        std::vector<int64_t> t;
        QVERIFY2(fillGallery(g, &t), qPrintable(g.lastError()));
        const QString dir = newPath(QStringLiteral("ds"));
        ReviewDatasetWriter writer(g);
        QString error;
        QVERIFY2(writer.write(dir, &error), qPrintable(error));
        const ReviewDatasetSummary &s = writer.summary();
        QCOMPARE(s.pairs, 5); // t0 coat, t1 coat, t2 bag, t3 coat, t3 bag
        QCOMPARE(s.tracklets, 4);
        QCOMPARE(s.identities, 3);
        QCOMPARE(s.trainIdentities, 3);
        QCOMPARE(s.valIdentities, 0);
        QCOMPARE(s.images, 8);
        QCOMPARE(s.captions, 10); // t3's two images carry two captions each
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral(".partial")));

        PedesDataset dataset;
        QVERIFY2(dataset.load(dir, &error), qPrintable(error));
        QCOMPARE(dataset.format(), QStringLiteral("CUHK-PEDES"));
        QVERIFY2(dataset.verify(&error), qPrintable(error));
        QCOMPARE(int(dataset.samples().size()), 8);
        QCOMPARE(dataset.identityCount(), 3);
        QCOMPARE(dataset.identityCount(QStringLiteral("train")), 3);
        QCOMPARE(dataset.captionCount(), 10);
        QCOMPARE(dataset.splits(), QStringList { QStringLiteral("train") });

        // Entry by entry: which tracklet, which identity, which captions, which pixels.
        const QJsonArray entries = readEntries(dir);
        QCOMPARE(entries.size(), 8);
        const std::map<int64_t, int> indexOf { { t[0], 0 }, { t[1], 1 }, { t[2], 2 }, { t[3], 3 } };
        const std::map<int64_t, int> expectedIdentity { { t[0], 1 }, { t[2], 1 }, { t[1], 2 }, { t[3], 3 } };
        const std::map<int64_t, QStringList> expectedCaptions { { t[0], { kCoat } }, { t[1], { kCoat } },
            { t[2], { kBag } }, { t[3], { kCoat, kBag } } };
        std::map<int64_t, int> cropsSeen;
        for (int i = 0; i < entries.size(); ++i) {
            const QJsonObject e = entries[i].toObject();
            const int64_t tracklet = e.value(QStringLiteral("tracklet")).toInteger();
            QVERIFY2(indexOf.count(tracklet), "only confirmed tracklets are exported");
            const PedesSample &sample = dataset.samples()[size_t(i)];
            QCOMPARE(sample.identity, expectedIdentity.at(tracklet));
            QCOMPARE(sample.captions, expectedCaptions.at(tracklet));
            QCOMPARE(sample.split, QStringLiteral("train"));
            if (tracklet == t[0] || tracklet == t[2])
                QVERIFY(!e.value(QStringLiteral("label")).toString().isEmpty());
            else
                QVERIFY(!e.contains(QStringLiteral("label")));
            // The image decodes and is that tracklet's crop (best first).
            const QImage image(sample.imagePath);
            QVERIFY2(!image.isNull(), qPrintable(sample.imagePath));
            QCOMPARE(image.size(), QSize(24, 64));
            const int crop = cropsSeen[tracklet]++;
            QVERIFY(closeColours(centreColour(image), test::fixtureColour(indexOf.at(tracklet), crop)));
        }
        // Same gallery, same dataset.
        const QString again = newPath(QStringLiteral("ds"));
        ReviewDatasetWriter second(g);
        QVERIFY(second.write(again, &error));
        QCOMPARE(readEntries(again), entries);
    }

    void validationFractionIsExactAndDeterministic()
    {
        Gallery g;
        std::vector<int64_t> ids;
        QVERIFY(g.open(newPath(QStringLiteral("g")) + QStringLiteral(".sqlite")));
        ids = test::addFixtureTracklets(g, 10, 1);
        QCOMPARE(ids.size(), size_t(10));
        for (int64_t id : ids)
            QVERIFY(addReview(g, id, kCoat, ReviewVerdict::Confirmed));
        ReviewDatasetOptions options;
        options.valFraction = 0.25;
        ReviewDatasetWriter writer(g, options);
        const QString dir = newPath(QStringLiteral("ds"));
        QString error;
        QVERIFY2(writer.write(dir, &error), qPrintable(error));
        QCOMPARE(writer.summary().valIdentities, 2); // floor(10 x 0.25)
        QCOMPARE(writer.summary().trainIdentities, 8);
        PedesDataset dataset;
        QVERIFY(dataset.load(dir, &error));
        QCOMPARE(dataset.identityCount(QStringLiteral("val")), 2);
        std::set<int> val;
        for (const PedesSample &s : dataset.samples(QStringLiteral("val")))
            val.insert(s.identity);
        QCOMPARE(val, (std::set<int> { 4, 8 })); // evenly spaced
        // One identity: no validation rather than no training.
        Gallery single;
        QVERIFY(single.open(newPath(QStringLiteral("g")) + QStringLiteral(".sqlite")));
        const std::vector<int64_t> one = test::addFixtureTracklets(single, 1, 1);
        QVERIFY(addReview(single, one[0], kCoat, ReviewVerdict::Confirmed));
        ReviewDatasetWriter small(single, options);
        QVERIFY(small.write(newPath(QStringLiteral("ds")), &error));
        QCOMPARE(small.summary().trainIdentities, 1);
        options.valFraction = 1.0;
        ReviewDatasetWriter bad(single, options);
        QVERIFY(!bad.write(newPath(QStringLiteral("ds")), &error));
        QVERIFY(error.contains(QStringLiteral("fraction")));
    }

    void refusesWhatWouldMixOrMislead()
    {
        Gallery g;
        std::vector<int64_t> t;
        QVERIFY(g.open(newPath(QStringLiteral("g")) + QStringLiteral(".sqlite")));
        t = test::addFixtureTracklets(g, 2, 1);
        QString error;
        const QString dir = newPath(QStringLiteral("ds"));
        ReviewDatasetWriter writer(g);
        QVERIFY(!writer.write(dir, &error)); // nothing confirmed yet
        QVERIFY2(error.contains(QStringLiteral("no confirmed reviews")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(dir));

        QVERIFY(addReview(g, t[0], kCoat, ReviewVerdict::Confirmed));
        QVERIFY(QDir().mkpath(dir));
        QFile stray(QDir(dir).filePath(QStringLiteral("notes.txt")));
        QVERIFY(stray.open(QIODevice::WriteOnly));
        stray.close();
        QVERIFY(!writer.write(dir, &error));
        QVERIFY(error.contains(QStringLiteral("not empty")));
        QVERIFY(QFile::remove(stray.fileName()));
        QVERIFY2(writer.write(dir, &error), qPrintable(error)); // an empty folder is fine
        QVERIFY(QFileInfo::exists(QDir(dir).filePath(QStringLiteral("reid_raw.json"))));
    }

    void failureMidwayLeavesNoDataset()
    {
        Gallery g;
        std::vector<int64_t> t;
        QVERIFY2(fillGallery(g, &t), qPrintable(g.lastError()));
        // The last confirmed tracklet's second crop lost its bytes: the export fails after
        // writing the others.
        const int64_t cropId = g.crops(t[3]).back().id;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(g.path());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.prepare(QStringLiteral("UPDATE crops SET image = x'' WHERE id = ?")));
            q.addBindValue(qint64(cropId));
            QVERIFY(q.exec());
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        const QString dir = newPath(QStringLiteral("ds"));
        ReviewDatasetWriter writer(g);
        QString error;
        QVERIFY(!writer.write(dir, &error));
        QVERIFY2(error.contains(QStringLiteral("crop %1").arg(cropId)), qPrintable(error));
        QVERIFY(!QFileInfo::exists(dir));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral(".partial")));
        QCOMPARE(writer.summary().images, 0);
    }
};

QTEST_MAIN(TestReviewDataset)
#include "TestReviewDataset.moc"
