#include "Gallery.h"
#include "GalleryIntegrity.h"
#include "ReviewFixture.h"
#include "TestSupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace descry;

namespace {

// A gallery of `count` tracklets (a source, their detections and one crop each of `cropBytes`
// bytes: 'a' for the first tracklet, 'b' for the second...), closed again so the file holds
// everything (the WAL is checkpointed into it).
bool writeGallery(const QString &path, int count, int cropBytes = 200)
{
    Gallery gallery;
    if (!gallery.open(path))
        return false;
    const auto ids = test::addFixtureTracklets(gallery, count, 1, QStringLiteral("a"),
        [cropBytes](int tracklet, int) { return QByteArray(cropBytes, char('a' + tracklet % 26)); });
    if (ids.size() != size_t(count))
        qWarning("%s", qPrintable(gallery.lastError()));
    return ids.size() == size_t(count);
}

// The pages of one b-tree of the file ("leaf" or "internal") and how many rows each holds, by
// SQLite's dbstat table.
std::vector<int> pagesOf(
    const QString &path, const QString &name, const QString &type, std::vector<int> *cells = nullptr)
{
    std::vector<int> pages;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("pages"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral(
                "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno"));
            q.addBindValue(name);
            q.addBindValue(type);
            if (q.exec())
                while (q.next()) {
                    pages.push_back(q.value(0).toInt());
                    if (cells)
                        cells->push_back(q.value(1).toInt());
                }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("pages"));
    return pages;
}

// Overwrites one 4 KB page with garbage, as a failing disk or a stray write would; with
// `keepTime` the file's modification time is put back, so only a read can tell.
bool damagePage(const QString &path, int page, bool keepTime)
{
    const std::filesystem::path file(path.toStdString());
    const auto modified = std::filesystem::last_write_time(file);
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek(qint64(page - 1) * 4096))
        return false;
    QByteArray garbage(4096, '\0');
    quint32 state = 2463534242u;
    for (char &c : garbage) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        c = char(state & 0xff);
    }
    const bool written = f.write(garbage) == garbage.size();
    f.close();
    if (keepTime)
        std::filesystem::last_write_time(file, modified);
    return written;
}

} // namespace

class TestGalleryIntegrity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the check records go to a test cache
    }

    void damageIsFoundAtOpenAndNothingIsWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        QVERIFY(writeGallery(path, 1000));
        const std::vector<int> leaves = pagesOf(path, QStringLiteral("tracklets"), QStringLiteral("leaf"));
        QVERIFY(leaves.size() > 3);
        QVERIFY(damagePage(path, leaves[leaves.size() / 2], false));
        const QByteArray before = test::fileSha256(path);

        Gallery gallery;
        QVERIFY(!gallery.open(path));
        QVERIFY2(gallery.lastError().contains(QLatin1String("damaged")), qPrintable(gallery.lastError()));
        QVERIFY(gallery.lastError().contains(QLatin1String("gallery repair")));
        QVERIFY(!GalleryIntegrity::damage(path).isEmpty());
        QVERIFY(!gallery.open(path)); // known damage: refused at once
        QCOMPARE(test::fileSha256(path), before);
        QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal"))
            || QFileInfo(path + QStringLiteral("-wal")).size() == 0);
    }

    void damageFoundByAReadStopsWrites()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        QVERIFY(writeGallery(path, 1000));
        { // a good open records the file as checked
            Gallery gallery;
            QVERIFY(gallery.open(path));
        }
        const std::vector<int> leaves = pagesOf(path, QStringLiteral("tracklets"), QStringLiteral("leaf"));
        QVERIFY(damagePage(path, leaves[leaves.size() / 2], true));
        QVERIFY(!GalleryIntegrity::needsCheck(path)); // size and time as checked: only a read can tell

        Gallery gallery;
        QVERIFY2(gallery.open(path), qPrintable(gallery.lastError()));
        const QByteArray before = test::fileSha256(path);
        // Before: a damaged page read as the end of the table (fewer people, no error).
        const auto tracklets = gallery.tracklets();
        QVERIFY(tracklets.size() < 1000);
        QVERIFY(!gallery.damage().isEmpty());
        QVERIFY(gallery.lastError().contains(QLatin1String("damaged")));
        QVERIFY(!gallery.addQuery(QStringLiteral("a red coat"), 0, 1.0));
        QVERIFY(gallery.lastError().contains(QLatin1String("damaged")));
        gallery.close();
        QCOMPARE(test::fileSha256(path), before);
        QVERIFY(GalleryIntegrity::needsCheck(path)); // the good record is gone
        QVERIFY(!gallery.open(path));
    }

    void emptyFileIsRefusedNotReplaced()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("empty.sqlite"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        Gallery gallery;
        QVERIFY(!gallery.open(path));
        QVERIFY(gallery.lastError().contains(QLatin1String("0 bytes")));
        QCOMPARE(QFileInfo(path).size(), 0);
    }

    void readOnlyGallerySearchesWithoutWriting()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("case.sqlite"));
        QVERIFY(writeGallery(path, 50));
        const QByteArray before = test::fileSha256(path);
        Gallery gallery;
        QVERIFY2(gallery.open(path, Gallery::Access::ReadOnly), qPrintable(gallery.lastError()));
        QVERIFY(gallery.isReadOnly());
        QCOMPARE(gallery.tracklets().size(), size_t(50));
        QVERIFY(!gallery.addQuery(QStringLiteral("a red coat"), 0, 1.0));
        QVERIFY(gallery.lastError().contains(QLatin1String("read-only")));
        QVERIFY(gallery.damage().isEmpty());
        gallery.close();
        QCOMPARE(test::fileSha256(path), before);

        Gallery writable;
        QVERIFY(writable.open(path));
        QVERIFY(!writable.isReadOnly());
    }

    void backupIsACheckedCopy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        const QString copy = dir.filePath(QStringLiteral("backups/g-copy.sqlite"));
        QVERIFY(writeGallery(path, 60));
        QString error;
        QVERIFY2(GalleryIntegrity::backup(path, copy, &error), qPrintable(error));
        QVERIFY(!GalleryIntegrity::backup(path, copy, &error)); // never over a file
        QVERIFY(error.contains(QLatin1String("exists")));
        Gallery gallery;
        QVERIFY(gallery.open(copy));
        QCOMPARE(gallery.tracklets().size(), size_t(60));
        QVERIFY(GalleryIntegrity::check(copy, false).ok);
    }

    void repairRecoversEverythingOffTheDamagedPage()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        const QString repaired = dir.filePath(QStringLiteral("repaired.sqlite"));
        QVERIFY(writeGallery(path, 1000));
        std::vector<int> cells;
        const std::vector<int> leaves
            = pagesOf(path, QStringLiteral("tracklets"), QStringLiteral("leaf"), &cells);
        QVERIFY(leaves.size() > 3);
        QVERIFY(damagePage(path, leaves[leaves.size() / 2], false));
        const size_t lost = size_t(cells[leaves.size() / 2]);
        QString error;
        QVERIFY(!GalleryIntegrity::backup(path, dir.filePath(QStringLiteral("b.sqlite")), &error));
        const QByteArray before = test::fileSha256(path);
        const GalleryCheck checked = GalleryIntegrity::check(path, false);
        QVERIFY(!checked.ok);
        QVERIFY(!checked.problems.isEmpty());

        GalleryRepair report;
        QVERIFY2(GalleryIntegrity::repair(path, repaired, &report, &error), qPrintable(error));
        QCOMPARE(test::fileSha256(path), before); // only read
        QVERIFY(!GalleryIntegrity::repair(path, repaired, &report, &error)); // never over a file
        Gallery gallery;
        QVERIFY2(gallery.open(repaired), qPrintable(gallery.lastError()));
        const auto tracklets = gallery.tracklets();
        // Exactly the tracklets on the damaged leaf are lost; all the others come back with their
        // crops and detections, and the crops of the lost ones are gone with them.
        QCOMPARE(tracklets.size(), size_t(1000) - lost);
        QCOMPARE(report.rowsRecovered.at(QStringLiteral("tracklets")), int64_t(tracklets.size()));
        QVERIFY(report.damagedTables.contains(QStringLiteral("tracklets")));
        QVERIFY(report.orphansRemoved > 0);
        for (const TrackletRecord &t : tracklets) {
            QCOMPARE(gallery.detections(t.id).size(), size_t(3));
            QCOMPARE(gallery.crops(t.id).size(), size_t(1));
        }
        QCOMPARE(gallery.sources().size(), size_t(1));
        QVERIFY(GalleryIntegrity::check(repaired, false).ok);
    }

    // A crop whose bytes spill onto an overflow page that was overwritten reads without an error,
    // with the garbage in it; the integrity check names its cell, and repair leaves that one
    // row out instead of copying damaged bytes as data.
    void repairLeavesOutValuesOnDamagedOverflowPages()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("g.sqlite"));
        const QString repaired = dir.filePath(QStringLiteral("repaired.sqlite"));
        QVERIFY(writeGallery(path, 20, 9000)); // each crop: two overflow pages and a bit
        const std::vector<int> overflow = pagesOf(path, QStringLiteral("crops"), QStringLiteral("overflow"));
        QVERIFY(overflow.size() >= 40);
        QVERIFY(damagePage(path, overflow[overflow.size() / 2], false));
        QString error;
        GalleryRepair report;
        QVERIFY2(GalleryIntegrity::repair(path, repaired, &report, &error), qPrintable(error));
        Gallery gallery;
        QVERIFY(gallery.open(repaired));
        const auto tracklets = gallery.tracklets();
        QCOMPARE(tracklets.size(), size_t(20));
        int crops = 0;
        for (const TrackletRecord &t : tracklets)
            for (const CropRecord &c : gallery.crops(t.id)) {
                ++crops;
                const QByteArray image = gallery.cropImage(c.id);
                QCOMPARE(image, QByteArray(9000, char('a' + (t.localId - 1) % 26)));
            }
        QCOMPARE(crops, 19);
        QVERIFY(report.damagedTables.contains(QStringLiteral("crops")));
    }
};

QTEST_GUILESS_MAIN(TestGalleryIntegrity)
#include "TestGalleryIntegrity.moc"
