// The gallery on both engines it runs on: a SQLite file and a PostgreSQL database (a real server
// started for the test by PostgresServer; its rows skip when PostgreSQL is not installed). Every
// test runs once per engine with the same expectations, and the claims that let several ingest
// workers share a gallery are tried with connections racing for one source.

#include "Gallery.h"
#include "GalleryLocation.h"
#include "GalleryRows.h"
#include "GallerySchema.h"
#include "PostgresServer.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

using namespace descry;

class TestGalleryBackends : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::PostgresServer> m_server;
    QString m_whyNoServer;
    QTemporaryDir m_dir;
    int m_galleries = 0;

    // A new, empty gallery of the engine the current data row names.
    QString freshGallery()
    {
        QFETCH_GLOBAL(QString, engine);
        const QString name = QStringLiteral("g%1").arg(++m_galleries);
        if (engine == QLatin1String("sqlite"))
            return m_dir.filePath(name + QStringLiteral(".sqlite"));
        QString error;
        if (!m_server || !m_server->createDatabase(name, &error))
            return {};
        return m_server->url(name);
    }

    // A source with awkward values: a rate and duration that are not short decimals, a quote.
    static SourceRecord makeSource(const QString &hash)
    {
        SourceRecord s = test::makeSource(hash);
        s.path = QStringLiteral("/footage/%1 it's.avi").arg(hash);
        s.fps = 29.97;
        s.duration = 26.526526526526525;
        return s;
    }

    // At 29.97 frames a second, with a crop whose bytes hold a zero.
    static Tracklet makeTracklet(int localId, int64_t firstFrame, int length)
    {
        Tracklet t = test::makeTracklet(localId, firstFrame, length, 29.97);
        t.crops.front().jpeg = QByteArray("\xff\xd8\x00\x01 jpeg bytes with a zero", 26);
        return t;
    }

    static ReviewRecord review(
        int64_t trackletId, const QString &query, ReviewVerdict verdict, const QString &author = {})
    {
        ReviewRecord r;
        r.trackletId = trackletId;
        r.queryText = query;
        r.verdict = verdict;
        r.author = author;
        return r;
    }

    // Opens the current row's gallery, or skips the row when its engine is not here.
    bool openFresh(Gallery &g)
    {
        const QString location = freshGallery();
        if (location.isEmpty())
            return false;
        return g.open(location);
    }

#define OPEN_OR_SKIP(gallery)                                                                                \
    do {                                                                                                     \
        QFETCH_GLOBAL(QString, engine);                                                                      \
        if (engine == QLatin1String("postgresql") && !m_server)                                              \
            QSKIP(qPrintable(QStringLiteral("PostgreSQL not available: ") + m_whyNoServer));                 \
        QVERIFY2(openFresh(gallery), qPrintable(gallery.lastError()));                                       \
    } while (false)

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto server = std::make_unique<test::PostgresServer>();
        if (server->start(&m_whyNoServer))
            m_server = std::move(server);
        else
            qInfo("PostgreSQL rows skip: %s", qPrintable(m_whyNoServer));
    }

    void initTestCase_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }

    void locationsAreToldApart()
    {
        QVERIFY(GalleryLocation::isServer(QStringLiteral("postgresql://u@h/db")));
        QVERIFY(GalleryLocation::isServer(QStringLiteral("postgres://u@h/db")));
        QVERIFY(!GalleryLocation::isServer(QStringLiteral("/tmp/postgresql/g.sqlite")));
        QCOMPARE(
            GalleryLocation::displayName(QStringLiteral("postgresql://u:secret@h:5433/db?sslmode=require")),
            QStringLiteral("postgresql://u@h:5433/db?sslmode=require"));
        Gallery g;
        QVERIFY(!g.open(QStringLiteral("postgresql://u:secret@127.0.0.1/")));
        QVERIFY2(g.lastError().contains(QLatin1String("postgresql://user@host")), qPrintable(g.lastError()));
        QVERIFY(!g.lastError().contains(QLatin1String("secret")));
    }

    // Everything a search, an ingest and an annotator do, read back as written.
    void roundTrip()
    {
        Gallery g;
        OPEN_OR_SKIP(g);
        QCOMPARE(g.schemaVersion(), GallerySchema::latestVersion());
        SourceRecord s = makeSource(QStringLiteral("aa"));
        QVERIFY2(g.addSource(&s), qPrintable(g.lastError()));
        QVERIFY(s.id > 0);
        SourceRecord again = makeSource(QStringLiteral("aa"));
        QVERIFY(!g.addSource(&again)); // one row per content

        const int64_t generation = g.generation();
        const TrackletWithAttributes item { makeTracklet(7, 100, 12),
            { { BodyRegion::Upper, QStringLiteral("colour:red"), 0.6f },
                { BodyRegion::Lower, QStringLiteral("colour:black"), 0.25f } },
            { { 0, QStringLiteral("m"), QStringLiteral("global"), { 1.f, -2.f, 3.5f } } } };
        QVERIFY2(g.commitProgress(s.id, { 200, 20, QByteArray("state\0with zero", 15) }, { item }, false),
            qPrintable(g.lastError()));
        QVERIFY(g.generation() > generation);
        QCOMPARE(g.checkpoint(s.id)->trackerState, QByteArray("state\0with zero", 15));

        const std::optional<SourceRecord> stored = g.source(s.id);
        QVERIFY(stored);
        QCOMPARE(stored->path, s.path);
        QCOMPARE(stored->fps, 29.97); // doubles stay doubles
        QCOMPARE(stored->duration, s.duration);
        const std::vector<TrackletRecord> tracklets = g.tracklets();
        QCOMPARE(tracklets.size(), size_t(1));
        const TrackletRecord &t = tracklets.front();
        QCOMPARE(t.localId, 7);
        QCOMPARE(t.endFrame, int64_t(111));
        QCOMPARE(t.startTime, 100 / 29.97);
        QCOMPARE(g.cropImage(t.bestCropId), item.tracklet.crops[0].jpeg);
        const std::vector<DetectionRecord> detections = g.detections(t.id);
        QCOMPARE(detections.size(), size_t(12));
        QCOMPARE(detections[3].box, (Box { 13.f, 20.f, 30.f, 80.f }));
        QCOMPARE(g.attributes(t.id).size(), size_t(2));
        QCOMPARE(g.attributes(t.id)[0].region, BodyRegion::Lower); // ordered by region key, then name

        // Upserts: a vector and an attribute replaced in place.
        QVERIFY2(g.putEmbedding(t.id, QStringLiteral("m"), QStringLiteral("global"), { 4.f, 5.f, 6.f }),
            qPrintable(g.lastError()));
        std::vector<int64_t> ids;
        std::vector<float> matrix;
        int dim = 0;
        QVERIFY(g.loadEmbeddings(QStringLiteral("m"), QStringLiteral("global"), &ids, &matrix, &dim));
        QCOMPARE(ids, (std::vector<int64_t> { t.id }));
        QCOMPARE(matrix, (std::vector<float> { 4.f, 5.f, 6.f }));
        QVERIFY2(g.replaceMeasuredAttributes(
                     { { t.id, { { BodyRegion::Upper, QStringLiteral("colour:blue"), 0.9f } } } }),
            qPrintable(g.lastError()));
        QCOMPARE(g.attributes(t.id).size(), size_t(1));
        QCOMPARE(g.allAttributes().front().attributes.front().name, QStringLiteral("colour:blue"));

        // Reviews keep every decision with its author; the latest counts.
        ReviewRecord first
            = review(t.id, QStringLiteral("a  red coat"), ReviewVerdict::Confirmed, QStringLiteral("alice"));
        ReviewRecord second
            = review(t.id, QStringLiteral("a red coat"), ReviewVerdict::Rejected, QStringLiteral("bob"));
        QVERIFY2(g.addReview(&first) && g.addReview(&second), qPrintable(g.lastError()));
        QVERIFY(second.id > first.id);
        QCOMPARE(g.reviews().size(), size_t(1));
        QCOMPARE(g.reviews().front().author, QStringLiteral("bob"));
        QCOMPARE(g.reviewsOfTracklet(t.id).size(), size_t(2));
        QVERIFY(g.removeReview(second.id));
        QCOMPARE(g.confirmedReviews().size(), size_t(1));

        // Identities: the next id never goes down.
        IdentityGroupingRecord grouping;
        grouping.modelId = QStringLiteral("m");
        QVERIFY2(g.replaceIdentities(&grouping, { { t.id, 41 } }), qPrintable(g.lastError()));
        QCOMPARE(g.nextIdentityId(), int64_t(42));
        QVERIFY(g.replaceIdentities(&grouping, { { t.id, 3 } }));
        QCOMPARE(g.nextIdentityId(), int64_t(42));
        QCOMPARE(g.identities().at(t.id), int64_t(3));
        QCOMPARE(g.tracklet(t.id)->identityId, int64_t(3));

        // Text compares byte by byte on both engines (the pair's CHECK and its order).
        QVERIFY2(g.setCameraTransit(QStringLiteral("cam-a"), QStringLiteral("Cam-b"), 12),
            qPrintable(g.lastError()));
        QVERIFY(g.setCameraTransit(QStringLiteral("Cam-b"), QStringLiteral("cam-a"), 15));
        QCOMPARE(g.cameraTransits().size(), size_t(1));
        QCOMPARE(g.cameraTransits().front().cameraA, QStringLiteral("Cam-b"));
        QCOMPARE(g.cameraTransits().front().minSeconds, 15.0);

        QVERIFY(g.addQuery(QStringLiteral("a red coat"), 3, 12.5));
        QCOMPARE(g.recentQueries(5).front().text, QStringLiteral("a red coat"));
        QCOMPARE(g.trackletsWithoutEmbedding(QStringLiteral("m"), QStringLiteral("item"), 10),
            (std::vector<int64_t> { t.id }));

        QVERIFY(g.commitProgress(s.id, { 300, 30, {} }, {}, true));
        QCOMPARE(g.source(s.id)->status, SourceStatus::Done);
        QVERIFY2(g.resetSource(s.id, QStringLiteral("k2")), qPrintable(g.lastError()));
        QCOMPARE(g.trackletCount(), int64_t(0)); // its rows went with it (cascades)
        QCOMPARE(g.reviewCount(s.id), int64_t(0));
    }

    // What the GUI watches: another connection's commit (a review, an ingest) moves dataVersion.
    void dataVersionSeesOtherConnections()
    {
        Gallery writer;
        OPEN_OR_SKIP(writer);
        Gallery watcher;
        QVERIFY(watcher.open(writer.path()));
        SourceRecord s = makeSource(QStringLiteral("bb"));
        QVERIFY(writer.addSource(&s));
        QVERIFY(writer.commitProgress(s.id, { 10, 1, {} }, { { makeTracklet(1, 0, 3), {} } }, false));
        const int64_t before = watcher.dataVersion();
        QVERIFY(before >= 0);
        ReviewRecord r = review(writer.tracklets().front().id, QStringLiteral("q"), ReviewVerdict::Confirmed);
        QVERIFY(writer.addReview(&r));
        QVERIFY(watcher.dataVersion() != before);
    }

    // One worker holds a source; the others see who; a stale claim is taken over, and the worker
    // that lost it writes nothing more.
    void claimsAreHeldAndTakenOver()
    {
        Gallery a;
        OPEN_OR_SKIP(a);
        Gallery b;
        QVERIFY(b.open(a.path()));
        SourceRecord s = makeSource(QStringLiteral("cc"));
        QVERIFY(a.addSource(&s));
        const auto never = [](const SourceClaim &) { return false; };

        SourceClaim claim = a.claimSource(s.id, QStringLiteral("machine-a"), never);
        QCOMPARE(claim.outcome, SourceClaim::Outcome::Claimed);
        QVERIFY(claim.holder.isEmpty());
        QCOMPARE(
            a.claimSource(s.id, QStringLiteral("machine-a"), never).outcome, SourceClaim::Outcome::Claimed);
        claim = b.claimSource(s.id, QStringLiteral("machine-b"), never);
        QCOMPARE(claim.outcome, SourceClaim::Outcome::Held);
        QCOMPARE(claim.holder, QStringLiteral("machine-a"));
        QVERIFY(claim.heartbeatAge >= 0 && claim.heartbeatAge < 30); // the database's clock
        QVERIFY2(a.commitProgress(s.id, { 10, 1, {} }, { { makeTracklet(1, 0, 3), {} } }, false,
                     QStringLiteral("machine-a")),
            qPrintable(a.lastError()));
        QVERIFY(!b.commitProgress(
            s.id, { 20, 2, {} }, { { makeTracklet(2, 0, 3), {} } }, false, QStringLiteral("machine-b")));
        QCOMPARE(b.trackletCount(), int64_t(1));

        QThread::msleep(1100);
        claim = b.claimSource(s.id, QStringLiteral("machine-b"), [](const SourceClaim &held) {
            return held.heartbeatAge > 1.0; // a's heartbeat is older than the (short) timeout
        });
        QCOMPARE(claim.outcome, SourceClaim::Outcome::Claimed);
        QCOMPARE(claim.holder, QStringLiteral("machine-a"));
        QVERIFY(claim.heartbeatAge > 1.0);
        QVERIFY(!a.heartbeat(s.id, QStringLiteral("machine-a")));
        QVERIFY(!a.commitProgress(
            s.id, { 20, 2, {} }, { { makeTracklet(2, 0, 3), {} } }, false, QStringLiteral("machine-a")));
        QVERIFY2(a.lastError().contains(QLatin1String("another worker")), qPrintable(a.lastError()));
        QVERIFY(b.heartbeat(s.id, QStringLiteral("machine-b")));
        QVERIFY(b.commitProgress(
            s.id, { 30, 3, {} }, { { makeTracklet(2, 0, 3), {} } }, true, QStringLiteral("machine-b")));
        QCOMPARE(a.trackletCount(), int64_t(2));

        // Done lets the claim go; a later worker can claim it (a re-ingest) and reads the status.
        claim = a.claimSource(s.id, QStringLiteral("machine-c"), never);
        QCOMPARE(claim.outcome, SourceClaim::Outcome::Claimed);
        QCOMPARE(claim.status, SourceStatus::Done);
        QVERIFY(a.releaseSource(s.id, QStringLiteral("machine-c")));
        QCOMPARE(
            a.claimSource(999999, QStringLiteral("machine-c"), never).outcome, SourceClaim::Outcome::Failed);
    }

    // Workers racing for one source: exactly one gets it, on its own connection each.
    void racingClaimsHaveOneWinner()
    {
        Gallery g;
        OPEN_OR_SKIP(g);
        SourceRecord s = makeSource(QStringLiteral("dd"));
        QVERIFY(g.addSource(&s));
        const QString location = g.path();
        constexpr int kWorkers = 8;
        std::atomic<int> claimed { 0 }, others { 0 }, failed { 0 }, ready { 0 };
        QStringList errors;
        std::mutex mutex;
        const auto fail = [&](const QString &error) {
            ++failed;
            const std::lock_guard<std::mutex> lock(mutex);
            errors << error;
        };
        std::vector<std::thread> threads;
        for (int w = 0; w < kWorkers; ++w)
            threads.emplace_back([&, w] {
                Gallery mine;
                if (!mine.open(location)) {
                    ++ready;
                    fail(mine.lastError());
                    return;
                }
                ++ready;
                while (ready.load() < kWorkers)
                    std::this_thread::yield();
                const SourceClaim c = mine.claimSource(
                    s.id, QStringLiteral("worker-%1").arg(w), [](const SourceClaim &) { return false; });
                if (c.outcome == SourceClaim::Outcome::Claimed)
                    ++claimed;
                else if (c.outcome == SourceClaim::Outcome::Failed)
                    fail(mine.lastError());
                else
                    ++others;
            });
        for (std::thread &t : threads)
            t.join();
        QVERIFY2(failed.load() == 0, qPrintable(errors.join(QLatin1Char('\n'))));
        QCOMPARE(claimed.load(), 1);
        QCOMPARE(others.load(), kWorkers - 1);
    }

    // Several workers opening a new gallery at once: one makes the schema, none fails.
    void concurrentFirstOpens()
    {
        QFETCH_GLOBAL(QString, engine);
        if (engine == QLatin1String("postgresql") && !m_server)
            QSKIP(qPrintable(QStringLiteral("PostgreSQL not available: ") + m_whyNoServer));
        const QString location = freshGallery();
        std::atomic<int> opened { 0 };
        QStringList errors;
        std::mutex mutex;
        std::vector<std::thread> threads;
        for (int w = 0; w < 4; ++w)
            threads.emplace_back([&] {
                Gallery g;
                if (g.open(location) && g.schemaVersion() == GallerySchema::latestVersion()) {
                    ++opened;
                } else {
                    const std::lock_guard<std::mutex> lock(mutex);
                    errors << g.lastError();
                }
            });
        for (std::thread &t : threads)
            t.join();
        QVERIFY2(opened.load() == 4, qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // A read-only gallery answers reads and refuses every write with the reason.
    void readOnlyRefusesWrites()
    {
        Gallery writer;
        OPEN_OR_SKIP(writer);
        SourceRecord s = makeSource(QStringLiteral("ee"));
        QVERIFY(writer.addSource(&s));
        const QString location = writer.path();
        writer.close();
        Gallery reader;
        QVERIFY2(reader.open(location, Gallery::Access::ReadOnly), qPrintable(reader.lastError()));
        QVERIFY(reader.isReadOnly());
        QCOMPARE(reader.sources().size(), size_t(1));
        QVERIFY(!reader.addQuery(QStringLiteral("q"), 0, 1));
        QVERIFY2(reader.lastError().contains(QLatin1String("read-only")), qPrintable(reader.lastError()));
        QCOMPARE(reader.claimSource(s.id, QStringLiteral("w"), {}).outcome, SourceClaim::Outcome::Failed);
    }
};

QTEST_GUILESS_MAIN(TestGalleryBackends)
#include "TestGalleryBackends.moc"
