#include "Gallery.h"
#include "GallerySchema.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace descry;

class TestGallery : public QObject {
    Q_OBJECT

private:
    static Tracklet makeTracklet(int localId, int64_t firstFrame, int length)
    {
        Tracklet t;
        t.localId = localId;
        for (int i = 0; i < length; ++i)
            t.detections.push_back({ firstFrame + i, double(firstFrame + i) / 10.0,
                Box { 10.f + float(i), 20.f, 30.f, 80.f }, 0.5f + 0.01f * float(i) });
        Crop c;
        c.frame = firstFrame + 1;
        c.box = t.detections[1].box;
        c.quality = 3.5f;
        c.jpeg = QByteArray("\xff\xd8 fake jpeg bytes", 18);
        t.crops.push_back(c);
        return t;
    }

    static SourceRecord makeSource(const QString &hash)
    {
        SourceRecord s;
        s.path = QStringLiteral("/footage/%1.avi").arg(hash);
        s.contentHash = hash;
        s.fps = 10;
        s.frameCount = 795;
        s.duration = 79.5;
        s.width = 768;
        s.height = 576;
        s.cameraLabel = QStringLiteral("cam-%1").arg(hash);
        s.pipelineKey = QStringLiteral("k1");
        return s;
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
