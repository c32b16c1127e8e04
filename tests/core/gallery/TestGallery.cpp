#include "Gallery.h"
#include "GalleryRows.h"
#include "GallerySchema.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <cmath>
#include <thread>

using namespace descry;
using test::makeSource;
using test::makeTracklet;

namespace {

// A gallery as schema 1 wrote it (its embeddings table keyed by tracklet first), plus `rows`.
bool writeFirstSchemaGallery(const QString &path, std::initializer_list<const char *> rows)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery q(db);
        for (const char *sql :
            { "CREATE TABLE sources (id INTEGER PRIMARY KEY, path TEXT NOT NULL, content_hash TEXT NOT "
              "NULL UNIQUE, status TEXT NOT NULL, added_at TEXT NOT NULL)",
                "CREATE TABLE tracklets (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES "
                "sources(id) ON DELETE CASCADE, local_id INTEGER NOT NULL)",
                "CREATE TABLE detections (tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE, "
                "frame INTEGER NOT NULL, time REAL NOT NULL, x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, "
                "h REAL NOT NULL, score REAL NOT NULL, PRIMARY KEY(tracklet_id, frame)) WITHOUT ROWID",
                "CREATE TABLE crops (id INTEGER PRIMARY KEY, tracklet_id INTEGER NOT NULL REFERENCES "
                "tracklets(id) ON DELETE CASCADE, rank INTEGER NOT NULL, frame INTEGER NOT NULL, x REAL NOT NULL, "
                "y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL, quality REAL NOT NULL, image BLOB NOT NULL, "
                "mask BLOB)",
                "CREATE TABLE embeddings (tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE "
                "CASCADE, model_id TEXT NOT NULL, kind TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT "
                "NULL, PRIMARY KEY(tracklet_id, model_id, kind)) WITHOUT ROWID" })
            ok = ok && q.exec(QString::fromLatin1(sql));
        for (const char *sql : rows)
            ok = ok && q.exec(QString::fromLatin1(sql));
        ok = ok && q.exec(QStringLiteral("PRAGMA user_version = 1"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v1"));
    return ok;
}

} // namespace

class TestGallery : public QObject {
    Q_OBJECT

private:
    // A vector whose values say which tracklet and kind it belongs to, to catch mix-ups.
    static std::vector<float> vectorFor(int64_t trackletId, int dim, float kindOffset = 0)
    {
        std::vector<float> v(static_cast<size_t>(dim));
        for (int k = 0; k < dim; ++k)
            v[size_t(k)] = float(trackletId) + 0.001f * float(k) + kindOffset;
        return v;
    }

    // `count` tracklets committed in one transaction; returns their ids in order.
    static std::vector<int64_t> addTracklets(Gallery &g, int64_t sourceId, int count, int firstLocalId = 1)
    {
        std::vector<TrackletWithAttributes> items;
        for (int i = 0; i < count; ++i)
            items.push_back({ makeTracklet(firstLocalId + i, 0, 2), {} });
        if (!g.commitProgress(sourceId, { 10, 1, {} }, items, false))
            return {};
        std::vector<int64_t> ids;
        for (const TrackletRecord &t : g.tracklets(sourceId))
            if (t.localId >= firstLocalId && t.localId < firstLocalId + count)
                ids.push_back(t.id);
        return ids;
    }

private Q_SLOTS:
    void freshGalleryIsAtLatestSchema()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY2(g.open(dir.filePath(QStringLiteral("sub/folder/g.sqlite"))), qPrintable(g.lastError()));
        QCOMPARE(g.schemaVersion(), GallerySchema::latestVersion());
        QCOMPARE(g.trackletCount(), int64_t(0));
        // WAL is on: readers never block the ingest writer.
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("sub/folder/g.sqlite-wal"))));
    }

    void reopenKeepsDataAndDoesNotRemigrate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        {
            Gallery g;
            QVERIFY(g.open(path));
            SourceRecord s = makeSource(QStringLiteral("aa"));
            QVERIFY(g.addSource(&s));
        }
        Gallery g;
        QVERIFY(g.open(path));
        QCOMPARE(g.sources().size(), size_t(1));
        QCOMPARE(g.schemaVersion(), GallerySchema::latestVersion());
    }

    void refusesGalleryFromNewerDescry()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        {
            Gallery g;
            QVERIFY(g.open(path));
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 999")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        Gallery g;
        QVERIFY(!g.open(path));
        QVERIFY2(g.lastError().contains(QStringLiteral("newer Descry")), qPrintable(g.lastError()));
    }

    void refusesFileThatIsNotAGallery()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        Gallery g;
        QVERIFY(!g.open(path));
        QVERIFY(!g.lastError().isEmpty());
        QCOMPARE(QFile(path).size(), qint64(4096)); // untouched
    }

    void sourceAndTrackletRoundTrip()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("bb"));
        QVERIFY(g.addSource(&s));
        QVERIFY(s.id > 0);

        TrackletWithAttributes item { makeTracklet(7, 100, 12),
            { { BodyRegion::Upper, QStringLiteral("colour:red"), 0.6f } } };
        IngestCheckpoint cp { 200, 20, QByteArray("state") };
        QVERIFY2(g.commitProgress(s.id, cp, { item }, false), qPrintable(g.lastError()));

        const auto stored = g.checkpoint(s.id);
        QVERIFY(stored);
        QCOMPARE(stored->nextFrame, int64_t(200));
        QCOMPARE(stored->trackerState, QByteArray("state"));

        const auto tracklets = g.tracklets();
        QCOMPARE(tracklets.size(), size_t(1));
        const TrackletRecord &t = tracklets.front();
        QCOMPARE(t.localId, 7);
        QCOMPARE(t.startFrame, int64_t(100));
        QCOMPARE(t.endFrame, int64_t(111));
        QCOMPARE(t.detectionCount, 12);
        QCOMPARE(t.sourcePath, s.path);
        QVERIFY(t.bestCropId > 0);
        QCOMPARE(g.cropImage(t.bestCropId), item.tracklet.crops[0].jpeg);

        // A crop without a pose reads back without one; the person box is the crop's detection.
        const std::vector<CropRecord> crops = g.crops(t.id);
        QCOMPARE(crops.size(), size_t(1));
        QVERIFY(!crops[0].pose && !crops[0].body());
        QCOMPARE(crops[0].person, (Box { 0.f, 0.f, 30.f, 80.f })); // the crop here is the box itself
        QVERIFY(!g.bestCropBody(t.id));

        const auto dets = g.detections(t.id);
        QCOMPARE(dets.size(), size_t(12));
        QCOMPARE(dets[3].box, (Box { 13.f, 20.f, 30.f, 80.f }));
        QCOMPARE(dets[3].frame, int64_t(103));

        const AttributeSet attrs = g.attributes(t.id);
        QCOMPARE(attrs.size(), size_t(1));
        QCOMPARE(attrs[0].region, BodyRegion::Upper);
        QCOMPARE(attrs[0].name, QStringLiteral("colour:red"));

        QVERIFY(
            g.putEmbedding(t.id, QStringLiteral("nafs-test"), QStringLiteral("global"), { 1.f, -2.f, 3.5f }));
        QCOMPARE(g.embedding(t.id, QStringLiteral("nafs-test"), QStringLiteral("global")),
            (std::vector<float> { 1.f, -2.f, 3.5f }));
        QVERIFY(g.embedding(t.id, QStringLiteral("other-model"), QStringLiteral("global")).empty());

        QVERIFY(g.commitProgress(s.id, { 300, 30, {} }, {}, true));
        QCOMPARE(g.source(s.id)->status, SourceStatus::Done);
        QVERIFY(g.sourceByHash(QStringLiteral("bb")));
    }

    // The pose of a crop is stored with it and comes back with the person's box in the crop.
    void cropPosesRoundTrip()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("pp"));
        QVERIFY(g.addSource(&s));
        Tracklet tracklet = makeTracklet(1, 10, 6);
        Crop &crop = tracklet.crops[0];
        crop.box = Box { 8.f, 16.f, 36.f, 88.f }; // the detection (11, 20, 30, 80) with padding
        Pose pose;
        for (int k = 0; k < kKeypoints; ++k)
            pose.keypoints[size_t(k)] = { 3.f + float(k), 5.f + 4.f * float(k), 0.05f * float(k) };
        crop.pose = pose;
        QVERIFY2(g.commitProgress(s.id, { 20, 6, {} }, { TrackletWithAttributes { tracklet, {} } }, true),
            qPrintable(g.lastError()));
        const int64_t id = g.tracklets().front().id;
        const std::vector<CropRecord> crops = g.crops(id);
        QCOMPARE(crops.size(), size_t(1));
        QVERIFY(crops[0].pose.has_value());
        QCOMPARE(crops[0].pose->toBytes(), pose.toBytes());
        QCOMPARE(crops[0].person, (Box { 3.f, 4.f, 30.f, 80.f }));
        const std::optional<CropBody> body = g.bestCropBody(id);
        QVERIFY(body.has_value());
        QCOMPARE(body->person, crops[0].person);
        QCOMPARE(body->pose[Keypoint::RightAnkle].y, 5.f + 4.f * 16.f);
    }

    void embeddingsAreCommittedWithTheirTracklets()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("em"));
        QVERIFY(g.addSource(&s));
        const QString model = QStringLiteral("nafs@abc");
        // The tracklets get their ids inside commitProgress; the embeddings follow them there.
        TrackletWithAttributes first { makeTracklet(1, 0, 4), {} };
        first.embeddings = { { 0, model, QStringLiteral("global"), { 1.f, 2.f } },
            { 0, model, QStringLiteral("items"), { 1.f, 2.f, 3.f, 4.f } } };
        TrackletWithAttributes second { makeTracklet(2, 5, 4), {} };
        second.embeddings = { { 0, model, QStringLiteral("global"), { -1.f, 0.5f } } };
        TrackletWithAttributes third { makeTracklet(3, 9, 4), {} }; // none: a model failure
        QVERIFY2(g.commitProgress(s.id, { 20, 2, {} }, { first, second, third }, false),
            qPrintable(g.lastError()));

        const auto tracklets = g.tracklets();
        QCOMPARE(tracklets.size(), size_t(3));
        QCOMPARE(
            g.embedding(tracklets[0].id, model, QStringLiteral("global")), (std::vector<float> { 1.f, 2.f }));
        QCOMPARE(g.embedding(tracklets[0].id, model, QStringLiteral("items")),
            (std::vector<float> { 1.f, 2.f, 3.f, 4.f }));
        QCOMPARE(g.embedding(tracklets[1].id, model, QStringLiteral("global")),
            (std::vector<float> { -1.f, 0.5f }));
        QVERIFY(g.embedding(tracklets[1].id, model, QStringLiteral("items")).empty());
        QCOMPARE(g.embeddingCount(model, QStringLiteral("global")), int64_t(2));
        QCOMPARE(g.embeddingCount(model, QStringLiteral("items")), int64_t(1));
        QCOMPARE(g.trackletsWithoutEmbedding(model, QStringLiteral("global"), 10),
            (std::vector<int64_t> { tracklets[2].id }));

        // A bad embedding fails the whole commit: no tracklet is left without its embeddings.
        TrackletWithAttributes broken { makeTracklet(4, 20, 4), {} };
        broken.embeddings = { { 0, model, QStringLiteral("global"), {} } };
        QVERIFY(!g.commitProgress(s.id, { 40, 4, QByteArray("later") }, { broken }, false));
        QVERIFY2(g.lastError().contains(QStringLiteral("embedding")), qPrintable(g.lastError()));
        QCOMPARE(g.trackletCount(), int64_t(3));
        QCOMPARE(g.checkpoint(s.id)->nextFrame, int64_t(20));
    }

    void embeddingBatchesAndBulkReads()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("eb"));
        QVERIFY(g.addSource(&s));
        const std::vector<int64_t> ids = addTracklets(g, s.id, 7);
        QCOMPARE(ids.size(), size_t(7));
        const QString a = QStringLiteral("model-a@1"), b = QStringLiteral("model-b@2");
        const QString global = QStringLiteral("global");

        // Written out of id order, and for two models: reads come back by id, per model.
        std::vector<EmbeddingRecord> batch;
        for (size_t i : { 4, 0, 6, 2 })
            batch.push_back({ ids[i], a, global, vectorFor(ids[i], 5) });
        batch.push_back({ ids[1], b, global, vectorFor(ids[1], 3, 0.5f) });
        QVERIFY2(g.putEmbeddings(batch), qPrintable(g.lastError()));
        QCOMPARE(g.embeddingCount(a, global), int64_t(4));
        QCOMPARE(g.embeddingCount(b, global), int64_t(1));
        QCOMPARE(g.embeddingCount(a, QStringLiteral("items")), int64_t(0));

        std::vector<int64_t> loadedIds;
        std::vector<float> matrix;
        int dim = -1;
        QVERIFY(g.loadEmbeddings(a, global, &loadedIds, &matrix, &dim));
        QCOMPARE(loadedIds, (std::vector<int64_t> { ids[0], ids[2], ids[4], ids[6] }));
        QCOMPARE(dim, 5);
        QCOMPARE(matrix.size(), size_t(4 * 5));
        for (size_t r = 0; r < loadedIds.size(); ++r)
            QCOMPARE(std::vector<float>(matrix.begin() + long(r * 5), matrix.begin() + long(r * 5 + 5)),
                vectorFor(loadedIds[r], 5));
        QVERIFY(g.loadEmbeddings(QStringLiteral("unknown@0"), global, &loadedIds, &matrix, &dim));
        QVERIFY(loadedIds.empty() && matrix.empty() && dim == 0);

        // Random access in the caller's order; missing ones are empty.
        const auto picked = g.embeddings({ ids[6], ids[1], ids[0], 999999 }, a, global);
        QCOMPARE(picked.size(), size_t(4));
        QCOMPARE(picked[0], vectorFor(ids[6], 5));
        QVERIFY(picked[1].empty());
        QCOMPARE(picked[2], vectorFor(ids[0], 5));
        QVERIFY(picked[3].empty());

        // What a reindex still has to do, in id order, in pages.
        QCOMPARE(g.trackletsWithoutEmbedding(a, global, 2), (std::vector<int64_t> { ids[1], ids[3] }));
        QCOMPARE(g.trackletsWithoutEmbedding(a, global, 10, ids[3]), (std::vector<int64_t> { ids[5] }));
        QCOMPARE(g.trackletsWithoutEmbedding(b, global, 100).size(), size_t(6));

        // One bad record rolls the whole batch back.
        QVERIFY(!g.putEmbeddings({ { ids[1], a, global, vectorFor(ids[1], 5) }, { ids[3], a, global, {} } }));
        QCOMPARE(g.embeddingCount(a, global), int64_t(4));

        // Replacing keeps one row per tracklet, model and kind.
        QVERIFY(g.putEmbedding(ids[0], a, global, vectorFor(ids[0], 5, 7.f)));
        QCOMPARE(g.embeddingCount(a, global), int64_t(4));
        QCOMPARE(g.embedding(ids[0], a, global), vectorFor(ids[0], 5, 7.f));

        // Vectors of one model and kind that disagree on their size cannot form a matrix.
        QVERIFY(g.putEmbedding(ids[3], a, global, vectorFor(ids[3], 4)));
        QVERIFY(!g.loadEmbeddings(a, global, &loadedIds, &matrix, &dim));
        QVERIFY2(g.lastError().contains(QStringLiteral("reindex")), qPrintable(g.lastError()));
        QVERIFY(loadedIds.empty() && matrix.empty());
    }

    void generationFollowsTrackletsAndEmbeddings()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        Gallery g;
        QVERIFY(g.open(path));
        SourceRecord s = makeSource(QStringLiteral("gen"));
        QVERIFY(g.addSource(&s));
        int64_t last = g.generation();
        QVERIFY(last >= 0);
        const auto changed = [&] {
            const int64_t now = g.generation();
            const bool differs = now != last;
            last = now;
            return differs;
        };
        const std::vector<int64_t> ids = addTracklets(g, s.id, 3);
        QVERIFY(changed());
        QVERIFY(!changed()); // reading does not move it
        QVERIFY(g.putEmbeddings({ { ids[0], QStringLiteral("m"), QStringLiteral("global"), { 1.f } } }));
        QVERIFY(changed());
        // Same key, new values: cached vectors would be stale.
        QVERIFY(g.putEmbedding(ids[0], QStringLiteral("m"), QStringLiteral("global"), { 2.f }));
        QVERIFY(changed());
        QVERIFY(g.addQuery(QStringLiteral("red coat"), 1, 0.5));
        QVERIFY(!changed()); // query history is no search content
        // Another connection (another process, say) writing is seen too.
        {
            Gallery other;
            QVERIFY(other.open(path));
            QVERIFY(other.putEmbedding(ids[1], QStringLiteral("m"), QStringLiteral("global"), { 3.f }));
        }
        QVERIFY(changed());
        // Removing a source's tracklets removes their embeddings by cascade: both count.
        QVERIFY(g.resetSource(s.id, QStringLiteral("k2")));
        QVERIFY(changed());
        QCOMPARE(g.embeddingCount(QStringLiteral("m"), QStringLiteral("global")), int64_t(0));
    }

    void migratesAFirstSchemaGallery()
    {
        // A gallery written by schema 1 (its embeddings table keyed by tracklet first) keeps
        // its vectors through the migration and gains the generation counter.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.sqlite"));
        QVERIFY(writeFirstSchemaGallery(path,
            { "INSERT INTO sources VALUES (1, '/a.avi', 'h', 'done', '2024-01-01')", "INSERT INTO tracklets VALUES (5, 1, 1)",
                "INSERT INTO tracklets VALUES (6, 1, 2)",
                "INSERT INTO embeddings VALUES (6, 'm', 'global', 2, x'0000803f00000040')",
                "INSERT INTO embeddings VALUES (5, 'm', 'global', 2, x'0000404000008040')",
                "INSERT INTO detections VALUES (5, 3, 0.3, 12, 24, 10, 20, 0.9)",
                "INSERT INTO crops VALUES (1, 5, 0, 3, 10, 20, 14, 26, 1.0, x'ffd8', NULL)" }));
        Gallery g;
        QVERIFY2(g.open(path), qPrintable(g.lastError()));
        QCOMPARE(g.schemaVersion(), GallerySchema::latestVersion());
        // Crops stored before poses existed read back without one (schema 4).
        const std::vector<CropRecord> crops = g.crops(5);
        QCOMPARE(crops.size(), size_t(1));
        QVERIFY(!crops[0].pose);
        QCOMPARE(crops[0].person, (Box { 2.f, 4.f, 10.f, 20.f }));
        QCOMPARE(
            g.embedding(5, QStringLiteral("m"), QStringLiteral("global")), (std::vector<float> { 3.f, 4.f }));
        std::vector<int64_t> ids;
        std::vector<float> matrix;
        int dim = 0;
        QVERIFY(g.loadEmbeddings(QStringLiteral("m"), QStringLiteral("global"), &ids, &matrix, &dim));
        QCOMPARE(ids, (std::vector<int64_t> { 5, 6 }));
        QCOMPARE(matrix, (std::vector<float> { 3.f, 4.f, 1.f, 2.f }));
        const int64_t before = g.generation();
        QVERIFY(g.putEmbedding(5, QStringLiteral("m"), QStringLiteral("items"), { 1.f }));
        QVERIFY(g.generation() != before);
        // Schema 5: no identities yet, and the first id to hand out.
        QVERIFY(g.identities().empty());
        QCOMPARE(g.nextIdentityId(), int64_t(1));
    }

    // Schema 6: a source's recording time, set when it is added or later, and camera transits.
    void recordingTimesAndTransitsRoundTrip()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord a = makeSource(QStringLiteral("a")), b = makeSource(QStringLiteral("b"));
        a.recordedAt = QDateTime(QDate(2026, 12, 1), QTime(10, 0, 0, 250), Qt::UTC);
        QVERIFY(g.addSource(&a));
        QVERIFY(g.addSource(&b));
        QCOMPARE(g.source(a.id)->recordedAt, a.recordedAt);
        QVERIFY(!g.source(b.id)->recordedAt.isValid());
        QVERIFY(g.setSourceRecordedAt(b.id, a.recordedAt.addSecs(90)));
        QCOMPARE(g.source(b.id)->recordedAt, a.recordedAt.addSecs(90));
        QVERIFY(g.setSourceRecordedAt(b.id, {}));
        QVERIFY(!g.source(b.id)->recordedAt.isValid());
        QVERIFY(g.setCameraTransit(QStringLiteral("yard"), QStringLiteral("gate"), 30));
        QVERIFY(g.setCameraTransit(QStringLiteral("gate"), QStringLiteral("yard"), 45)); // the same pair
        QCOMPARE(g.cameraTransits().size(), size_t(1));
        QCOMPARE(g.cameraTransits().front().minSeconds, 45.0);
    }

    void identitiesAndLinksRoundTrip()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("i"));
        QVERIFY(g.addSource(&s));
        const std::vector<int64_t> t = addTracklets(g, s.id, 3);
        QCOMPARE(t.size(), size_t(3));
        QVERIFY(g.identities().empty());
        QVERIFY(!g.latestIdentityGrouping());
        QCOMPARE(g.nextIdentityId(), int64_t(1));

        const int64_t before = g.generation();
        IdentityGroupingRecord grouping { 0, QStringLiteral("m@1"), 0.7, 3, 2, 0.01, {}, QStringLiteral("attention 5:0.2") };
        QVERIFY2(g.replaceIdentities(&grouping, { { t[0], 1 }, { t[1], 1 }, { t[2], 2 } }), qPrintable(g.lastError()));
        QCOMPARE(grouping.version, int64_t(1));
        QVERIFY(g.generation() != before); // caches of grouped results reload
        QCOMPARE(g.identities(), (std::map<int64_t, int64_t> { { t[0], 1 }, { t[1], 1 }, { t[2], 2 } }));
        QCOMPARE(g.nextIdentityId(), int64_t(3));
        const auto stored = g.latestIdentityGrouping();
        QVERIFY(stored);
        QCOMPARE(stored->modelId, QStringLiteral("m@1"));
        QCOMPARE(stored->identityCount, int64_t(2));
        QCOMPARE(stored->method, QStringLiteral("attention 5:0.2"));

        // A new grouping replaces the whole assignment; ids handed out are never handed out again.
        IdentityGroupingRecord second { 0, QStringLiteral("m@1"), 0.7, 1, 1, 0.01, {}, {} };
        QVERIFY(g.replaceIdentities(&second, { { t[0], 5 } }));
        QCOMPARE(second.version, int64_t(2));
        QCOMPARE(g.identities(), (std::map<int64_t, int64_t> { { t[0], 5 } }));
        QCOMPARE(g.nextIdentityId(), int64_t(6));
        QVERIFY(g.replaceIdentities(&second, { { t[0], 1 } }));
        QCOMPARE(g.nextIdentityId(), int64_t(6));

        // Links: stored as an ordered pair, the latest of a pair counts, nonsense is refused.
        IdentityLinkRecord same { 0, t[1], t[0], true, QStringLiteral("ann"), {} };
        QVERIFY2(g.addIdentityLink(&same), qPrintable(g.lastError()));
        QCOMPARE(same.trackletA, t[0]);
        IdentityLinkRecord different { 0, t[0], t[1], false, QStringLiteral("bob"), {} };
        QVERIFY(g.addIdentityLink(&different));
        IdentityLinkRecord other { 0, t[2], t[0], true, {}, {} };
        QVERIFY(g.addIdentityLink(&other));
        const std::vector<IdentityLinkRecord> links = g.identityLinks();
        QCOMPARE(links.size(), size_t(2));
        QCOMPARE(links[0].id, different.id);
        QVERIFY(!links[0].same);
        QCOMPARE(links[0].author, QStringLiteral("bob"));
        QCOMPARE(links[1].trackletB, t[2]);
        IdentityLinkRecord self { 0, t[0], t[0], true, {}, {} };
        QVERIFY(!g.addIdentityLink(&self));
        QVERIFY2(g.lastError().contains(QStringLiteral("itself")), qPrintable(g.lastError()));
        IdentityLinkRecord missing { 0, t[0], 999, true, {}, {} };
        QVERIFY(!g.addIdentityLink(&missing));
        QVERIFY2(g.lastError().contains(QStringLiteral("999")), qPrintable(g.lastError()));

        // A re-ingest of the source removes its tracklets, and with them their identities and links.
        QVERIFY(g.resetSource(s.id, QStringLiteral("k2")));
        QVERIFY(g.identities().empty());
        QVERIFY(g.identityLinks().empty());
    }

    void oldGalleryOpenedByManyConnectionsAtOnce()
    {
        // The GUI's workers open a gallery on their own connections at the same moment; with an
        // older schema each used to run the migration, and all but the first failed.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.sqlite"));
        QVERIFY(writeFirstSchemaGallery(path, {}));
        constexpr int kConnections = 6;
        std::vector<QString> errors(kConnections);
        std::vector<std::thread> threads;
        std::atomic<int> ready { 0 };
        for (int i = 0; i < kConnections; ++i)
            threads.emplace_back([&, i] {
                ++ready;
                while (ready.load() < kConnections) { } // start together
                Gallery g;
                if (!g.open(path))
                    errors[size_t(i)] = g.lastError();
                else if (g.schemaVersion() != GallerySchema::latestVersion())
                    errors[size_t(i)] = QStringLiteral("schema %1").arg(g.schemaVersion());
            });
        for (std::thread &t : threads)
            t.join();
        for (const QString &e : errors)
            QVERIFY2(e.isEmpty(), qPrintable(e));
    }

    void bulkLoadAtScale()
    {
        // Search loads every global vector of a model at once. Checked for content at a size
        // that keeps the suite fast; DESCRY_BULK_ROWS=100000 measures the real scale (the
        // times are reported, not asserted).
        bool ok = false;
        int rows = qEnvironmentVariableIntValue("DESCRY_BULK_ROWS", &ok);
        if (!ok || rows < 1)
            rows = 3000;
        const int dim = 128;
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("bulk.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("bulk"));
        QVERIFY(g.addSource(&s));
        QElapsedTimer clock;
        clock.start();
        const std::vector<int64_t> ids = addTracklets(g, s.id, rows);
        QCOMPARE(int(ids.size()), rows);
        const double insertTracklets = double(clock.restart());
        const QString model = QStringLiteral("nafs@bulk");
        for (int start = 0; start < rows; start += 1000) {
            std::vector<EmbeddingRecord> batch;
            for (int i = start; i < std::min(rows, start + 1000); ++i) {
                batch.push_back(
                    { ids[size_t(i)], model, QStringLiteral("global"), vectorFor(ids[size_t(i)], dim) });
                batch.push_back(
                    { ids[size_t(i)], model, QStringLiteral("items"), vectorFor(ids[size_t(i)], dim * 10) });
            }
            QVERIFY(g.putEmbeddings(batch));
        }
        const double insertEmbeddings = double(clock.restart());
        std::vector<int64_t> loadedIds;
        std::vector<float> matrix;
        int loadedDim = 0;
        QVERIFY(g.loadEmbeddings(model, QStringLiteral("global"), &loadedIds, &matrix, &loadedDim));
        const double load = double(clock.restart());
        const int64_t generation = g.generation();
        const double generationMs = double(clock.nsecsElapsed()) / 1e6;
        clock.restart();
        const int64_t count = g.embeddingCount(model, QStringLiteral("global"));
        const double countMs = double(clock.restart());
        QCOMPARE(count, int64_t(rows));
        QVERIFY(generation > 0);
        QCOMPARE(loadedIds, ids);
        QCOMPARE(loadedDim, dim);
        QCOMPARE(matrix.size(), size_t(rows) * dim);
        for (int i : { 0, rows / 2, rows - 1 })
            QCOMPARE(matrix[size_t(i) * dim + 7], vectorFor(ids[size_t(i)], dim)[7]);
        qInfo("%d rows x %d floats (+ %d-float items rows): tracklets %.0f ms, embeddings %.0f ms, "
              "loadEmbeddings %.0f ms, generation %.3f ms, embeddingCount %.0f ms",
            rows, dim, dim * 10, insertTracklets, insertEmbeddings, load, generationMs, countMs);
    }

    void failedCommitLeavesNothingBehind()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("cc"));
        QVERIFY(g.addSource(&s));
        // Two tracklets with the same local id violate UNIQUE(source_id, local_id): the whole
        // batch, checkpoint included, must roll back.
        const TrackletWithAttributes a { makeTracklet(1, 0, 6), {} };
        QVERIFY(!g.commitProgress(s.id, { 50, 5, QByteArray("x") }, { a, a }, false));
        QCOMPARE(g.trackletCount(), int64_t(0));
        QCOMPARE(g.checkpoint(s.id)->nextFrame, int64_t(0));
    }

    void resetSourceDropsItsTracklets()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        SourceRecord s = makeSource(QStringLiteral("dd"));
        QVERIFY(g.addSource(&s));
        QVERIFY(g.commitProgress(s.id, { 50, 5, QByteArray("x") }, { { makeTracklet(1, 0, 6), {} } }, false));
        QCOMPARE(g.trackletCount(), int64_t(1));
        QVERIFY(g.resetSource(s.id, QStringLiteral("k2")));
        QCOMPARE(g.trackletCount(), int64_t(0));
        QCOMPARE(g.source(s.id)->pipelineKey, QStringLiteral("k2"));
        QCOMPARE(g.checkpoint(s.id)->nextFrame, int64_t(0));
    }

    void queryHistoryNewestFirst()
    {
        QTemporaryDir dir;
        Gallery g;
        QVERIFY(g.open(dir.filePath(QStringLiteral("g.sqlite"))));
        QVERIFY(g.addQuery(QStringLiteral("red coat"), 3, 1.5));
        QVERIFY(g.addQuery(QStringLiteral("blue jeans"), 0, 0.7));
        const auto recent = g.recentQueries(10);
        QCOMPARE(recent.size(), size_t(2));
        QCOMPARE(recent[0].text, QStringLiteral("blue jeans"));
        QCOMPARE(recent[1].resultCount, 3);
    }

    void oneConnectionPerThread()
    {
        // A reader on another thread sees what this thread committed, through its own connection.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        Gallery writer;
        QVERIFY(writer.open(path));
        SourceRecord s = makeSource(QStringLiteral("ee"));
        QVERIFY(writer.addSource(&s));
        QVERIFY(writer.commitProgress(
            s.id, { 50, 5, {} }, { { makeTracklet(1, 0, 6), {} }, { makeTracklet(2, 3, 8), {} } }, false));
        int64_t seen = -1;
        QThread *thread = QThread::create([&] {
            Gallery reader;
            if (reader.open(path))
                seen = reader.trackletCount();
        });
        thread->start();
        QVERIFY(thread->wait(10000));
        delete thread;
        QCOMPARE(seen, int64_t(2));
    }
};

QTEST_GUILESS_MAIN(TestGallery)
#include "TestGallery.moc"
