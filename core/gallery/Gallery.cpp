#include "Gallery.h"

#include "GalleryConnectionScope.h"
#include "GalleryIntegrity.h"
#include "GalleryLocation.h"
#include "GallerySchema.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSet>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>
#include <QVariant>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <cstring>
#include <functional>
#include <unordered_map>

#include <unistd.h>

namespace descry {

namespace {

std::atomic<bool> &readOnlyByDefault()
{
    static std::atomic<bool> readOnly { false };
    return readOnly;
}

using gallery_internal::newConnectionName;

// A new gallery file, made whole under a temporary name and then linked into place: no other
// process or thread ever sees it half made (SQLite creates an empty file before its first page,
// and a 0-byte file is refused as no gallery). Several racing to create one gallery: the first
// link wins, the others open the winner's file.
bool createGalleryFile(const QString &path, QString *error)
{
    static QAtomicInteger<quint64> counter;
    const QString temp = QStringLiteral("%1.new-%2-%3")
                             .arg(path)
                             .arg(QCoreApplication::applicationPid())
                             .arg(counter.fetchAndAddRelaxed(1));
    const QString failure = gallery_internal::withConnection(temp, QString(), [](QSqlDatabase &db) {
        if (!db.open())
            return db.lastError().text();
        QSqlQuery wal(db);
        if (!wal.exec(QStringLiteral("PRAGMA journal_mode=WAL")))
            return wal.lastError().text();
        wal.finish(); // its row would hold a statement open across the migrations' commits
        QString why;
        GallerySchema::migrate(db, &why);
        return why;
    });
    bool ok = failure.isEmpty();
    if (ok && ::link(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) != 0 && errno != EEXIST)
        ok = QFile::exists(path) || QFile::rename(temp, path); // a file system without hard links
    for (const QString &leftover : { temp, temp + QStringLiteral("-wal"), temp + QStringLiteral("-shm") })
        QFile::remove(leftover);
    if (!ok)
        *error = QStringLiteral("cannot create the gallery %1: %2")
                     .arg(path, failure.isEmpty() ? QStringLiteral("the folder refuses new files") : failure);
    return ok;
}

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime fromIso(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

QByteArray floatsToBlob(const std::vector<float> &values)
{
    return QByteArray(
        reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));
}

std::vector<float> blobToFloats(const QByteArray &blob)
{
    std::vector<float> values(size_t(blob.size()) / sizeof(float));
    std::memcpy(values.data(), blob.constData(), values.size() * sizeof(float));
    return values;
}

const QString kSourceColumns = QStringLiteral(
    "id, path, content_hash, size_bytes, fps, frame_count, duration, width, height, camera_label, status,"
    " processed_frames, pipeline_key, error, added_at, finished_at, recorded_at");

SourceRecord sourceFromQuery(const QSqlQuery &q)
{
    SourceRecord s;
    s.id = q.value(0).toLongLong();
    s.path = q.value(1).toString();
    s.contentHash = q.value(2).toString();
    s.sizeBytes = q.value(3).toLongLong();
    s.fps = q.value(4).toDouble();
    s.frameCount = q.value(5).toLongLong();
    s.duration = q.value(6).toDouble();
    s.width = q.value(7).toInt();
    s.height = q.value(8).toInt();
    s.cameraLabel = q.value(9).toString();
    s.status = sourceStatusFromKey(q.value(10).toString());
    s.processedFrames = q.value(11).toLongLong();
    s.pipelineKey = q.value(12).toString();
    s.error = q.value(13).toString();
    s.addedAt = fromIso(q.value(14));
    s.finishedAt = fromIso(q.value(15));
    s.recordedAt = fromIso(q.value(16));
    return s;
}

// The best crop (lowest rank) of a tracklet, as a column of a query over tracklets t.
const QString kBestCrop = QStringLiteral("(SELECT c.id FROM crops c WHERE c.tracklet_id = t.id ORDER BY c.rank LIMIT 1)");

// `bestCrop`: the column that fills TrackletRecord::bestCropId (kBestCrop, or 0 to leave it out).
// Without `sourceText` the source's path and camera label are left empty (a caller that reads
// many rows fills them from the few sources: decoding them on every row was a third of reading a
// million).
QString trackletSelect(const QString &bestCrop = kBestCrop, bool sourceText = true)
{
    return QStringLiteral("SELECT t.id, t.source_id, t.local_id, t.start_frame, t.end_frame, t.start_time, t.end_time,"
                          " t.detection_count, %1, %2, coalesce(i.identity_id, 0) FROM tracklets t%3"
                          " LEFT JOIN tracklet_identities i ON i.tracklet_id = t.id")
        .arg(bestCrop,
            sourceText ? QStringLiteral("s.path, s.camera_label") : QStringLiteral("NULL, NULL"),
            sourceText ? QStringLiteral(" JOIN sources s ON s.id = t.source_id") : QString());
}

TrackletRecord trackletFromQuery(const QSqlQuery &q)
{
    TrackletRecord t;
    t.id = q.value(0).toLongLong();
    t.sourceId = q.value(1).toLongLong();
    t.localId = q.value(2).toInt();
    t.startFrame = q.value(3).toLongLong();
    t.endFrame = q.value(4).toLongLong();
    t.startTime = q.value(5).toDouble();
    t.endTime = q.value(6).toDouble();
    t.detectionCount = q.value(7).toInt();
    t.bestCropId = q.value(8).toLongLong();
    t.sourcePath = q.value(9).toString();
    t.cameraLabel = q.value(10).toString();
    t.identityId = q.value(11).toLongLong();
    return t;
}

const QString kReviewSelect = QStringLiteral(
    "SELECT id, tracklet_id, query_text, verdict, label, note, author, created_at FROM reviews");

// The latest decision of every (query, tracklet) pair, optionally of one query.
const QString kLatestReviewIds
    = QStringLiteral("SELECT max(id) FROM reviews %1 GROUP BY query_text, tracklet_id");

// A null QString binds as SQL NULL; optional text columns are NOT NULL DEFAULT ''.
QString textOrEmpty(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

ReviewRecord reviewFromQuery(const QSqlQuery &q)
{
    ReviewRecord r;
    r.id = q.value(0).toLongLong();
    r.trackletId = q.value(1).toLongLong();
    r.queryText = q.value(2).toString();
    // The table's CHECK admits only the three keys.
    r.verdict = reviewVerdictFromKey(q.value(3).toString()).value_or(ReviewVerdict::Skipped);
    r.label = q.value(4).toString();
    r.note = q.value(5).toString();
    r.author = q.value(6).toString();
    r.createdAt = fromIso(q.value(7));
    return r;
}

// SQLite's answer to reading a page that is not what the file's structure says it is.
bool isDamage(const QSqlError &error, bool postgres)
{
    if (postgres) // SQLSTATE data_corrupted, index_corrupted: the server's pages, not ours to repair
        return false;
    bool numeric = false;
    const int code = error.nativeErrorCode().toInt(&numeric) & 0xff;
    constexpr int kSqliteCorrupt = 11;
    constexpr int kSqliteNotADatabase = 26;
    if (numeric && (code == kSqliteCorrupt || code == kSqliteNotADatabase))
        return true;
    const QString text = error.databaseText();
    return text.contains(QLatin1String("malformed")) || text.contains(QLatin1String("not a database"));
}

// Statements that only read (the checks in run() let them through on a read-only or damaged
// gallery; everything else would write).
bool onlyReads(const QString &sql)
{
    const QString head = sql.trimmed().left(8).toUpper();
    return head.startsWith(QLatin1String("SELECT")) || head.startsWith(QLatin1String("WITH"))
        || (head.startsWith(QLatin1String("PRAGMA")) && !sql.contains(QLatin1Char('=')));
}

} // namespace

struct Gallery::Impl {
    QString connectionName;
    QString path;
    QString lastError;
    bool readOnly = false;
    bool postgres = false; // a team's gallery on a PostgreSQL server (GalleryLocation::isServer)
    bool inTransactionNow = false;

    QSqlDatabase db() const { return QSqlDatabase::database(connectionName, false); }

    // Why this gallery may not be written: read-only, or damage found by this process.
    QString writeRefusal() const
    {
        const QString damage = postgres ? QString() : GalleryIntegrity::damage(path);
        if (!damage.isEmpty())
            return GalleryIntegrity::damageMessage(path, damage);
        if (readOnly)
            return QStringLiteral("the gallery %1 is open read-only; nothing can be changed in it")
                .arg(GalleryLocation::displayName(path));
        return {};
    }

    // Records `error` as the reason; damage also goes to the process-wide list, so no connection
    // of this process writes to the file again.
    void fail(const QSqlError &error, const QString &doing, const QString &sql)
    {
        lastError = QStringLiteral("%1 (%2: %3)").arg(error.text(), doing, sql.left(80));
        if (isDamage(error, postgres)) {
            GalleryIntegrity::markDamaged(path, error.databaseText());
            lastError = GalleryIntegrity::damageMessage(path, error.databaseText());
        }
    }

    // Prepares and runs `sql` with positional values; on failure records the reason.
    bool run(QSqlQuery &query, const QString &sql, const QVariantList &values = {})
    {
        // A write on its own is checked here; the writes of a transaction were checked once when
        // it began (inTransaction), so the rows of a commit cost nothing more.
        const bool loneWrite = !inTransactionNow && !onlyReads(sql);
        if (loneWrite) {
            const QString refusal = writeRefusal();
            if (!refusal.isEmpty()) {
                lastError = refusal;
                return false;
            }
        }
        if (!query.prepare(sql)) {
            fail(query.lastError(), QStringLiteral("preparing"), sql);
            return false;
        }
        for (const QVariant &v : values)
            query.addBindValue(v);
        if (!query.exec()) {
            fail(query.lastError(), QStringLiteral("running"), sql);
            return false;
        }
        if (loneWrite && !postgres)
            GalleryIntegrity::recordGood(path); // this process's own write went through SQLite
        return true;
    }

    // QSqlQuery::next() that tells the end of the rows from a read that failed: a page SQLite
    // cannot read ends a loop just like the last row, so without this a damaged table reads as
    // a short or empty one.
    bool next(QSqlQuery &query)
    {
        if (query.next())
            return true;
        if (query.lastError().isValid())
            fail(query.lastError(), QStringLiteral("reading"), query.lastQuery());
        return false;
    }

    bool run(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(db());
        return run(query, sql, values);
    }

    // Runs `work` in one transaction: committed when it returns true, rolled back otherwise, with
    // the reason in lastError either way.
    bool inTransaction(const std::function<bool()> &work)
    {
        lastError = writeRefusal();
        if (!lastError.isEmpty())
            return false;
        QSqlDatabase database = db();
        if (!database.transaction()) {
            lastError = database.lastError().text();
            return false;
        }
        inTransactionNow = true;
        const bool worked = work();
        inTransactionNow = false;
        if (!worked || !database.commit()) {
            const QString reason = lastError.isEmpty() ? database.lastError().text() : lastError;
            database.rollback();
            lastError = reason;
            return false;
        }
        // This process's own write (and the checkpoint after it) went through SQLite.
        if (!postgres)
            GalleryIntegrity::recordGood(path);
        return true;
    }

    // "Now" in seconds since 1970 by the database's clock: claims compare heartbeats written by
    // many machines, whose own clocks may disagree.
    QString serverNow() const
    {
        return postgres ? QStringLiteral("extract(epoch from clock_timestamp())")
                        : QStringLiteral("((julianday('now') - 2440587.5) * 86400.0)");
    }

    bool openServer(const QString &url, bool readOnlyAccess);
    bool insertTracklet(int64_t sourceId, const TrackletWithAttributes &item);
    bool insertEmbeddings(const std::vector<EmbeddingRecord> &records, int64_t trackletId = 0);
};

Gallery::Gallery()
    : d(std::make_unique<Impl>())
{ }

Gallery::~Gallery()
{
    close();
}

QString Gallery::defaultPath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty())
        dir = QDir::home().filePath(QStringLiteral(".local/share/Descry"));
    return QDir(dir).filePath(QStringLiteral("gallery.sqlite"));
}

void Gallery::setDefaultAccess(Access access)
{
    readOnlyByDefault() = access == Access::ReadOnly;
}

bool Gallery::open(const QString &path, Access access)
{
    close();
    if (readOnlyByDefault())
        access = Access::ReadOnly;
    d->postgres = GalleryLocation::isServer(path);
    d->readOnly = false;
    if (d->postgres) {
        d->path = path;
        const bool ok = d->openServer(path, access == Access::ReadOnly);
        if (!ok)
            close();
        return ok;
    }
    QFileInfo info(path);
    d->path = info.absoluteFilePath();
    const QString known = GalleryIntegrity::damage(d->path);
    if (!known.isEmpty()) {
        d->lastError = GalleryIntegrity::damageMessage(d->path, known);
        return false;
    }
    if (!info.exists() && access != Access::ReadOnly) {
        if (!QDir().mkpath(info.absolutePath())) {
            d->lastError = QStringLiteral("cannot create the folder for the gallery: %1").arg(info.absolutePath());
            return false;
        }
        if (!createGalleryFile(d->path, &d->lastError))
            return false;
        info.refresh();
    }
    if (info.exists()) {
        if (info.size() == 0) {
            d->lastError = QStringLiteral("%1 is an empty file (0 bytes), not a Descry gallery; remove it "
                                          "or choose another path (a new gallery is made where no file is)")
                               .arg(d->path);
            return false;
        }
        // Checked before anything is written (the WAL switch and migrations write).
        const GalleryCheck checked = GalleryIntegrity::checkIfChanged(d->path);
        if (!checked.error.isEmpty()) {
            d->lastError = QStringLiteral("%1 is not a Descry gallery or is damaged (%2)").arg(d->path, checked.error);
            return false;
        }
        if (!checked.ok) {
            const QString first = GalleryIntegrity::firstProblem(checked);
            GalleryIntegrity::markDamaged(d->path, first);
            d->lastError = GalleryIntegrity::damageMessage(d->path, first);
            return false;
        }
        d->readOnly = access == Access::ReadOnly || !info.isWritable()
            || !QFileInfo(info.absolutePath()).isWritable();
    } else {
        d->lastError = QStringLiteral("no gallery at %1").arg(d->path);
        return false;
    }
    d->connectionName = newConnectionName();
    // The connection handle must be gone before close() removes the connection.
    const bool ok = [this] {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connectionName);
        if (d->readOnly) {
            db.setDatabaseName(GalleryIntegrity::readOnlyDatabaseName(d->path));
            db.setConnectOptions(GalleryIntegrity::readOnlyConnectOptions());
        } else {
            db.setDatabaseName(d->path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
        }
        if (!db.open()) {
            d->lastError
                = QStringLiteral("cannot open the gallery %1: %2").arg(d->path, db.lastError().text());
            return false;
        }
        if (d->readOnly) {
            const int version = GallerySchema::currentVersion(db);
            if (version != GallerySchema::latestVersion()) {
                d->lastError = QStringLiteral("%1 is read-only and has gallery schema %2; this Descry reads "
                                              "schema %3. Copy it to a writable folder to upgrade it.")
                                   .arg(d->path)
                                   .arg(version)
                                   .arg(GallerySchema::latestVersion());
                return false;
            }
            QSqlQuery pragma(db); // changes the connection, not the file
            return pragma.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        }
        // WAL: readers (search, thumbnails) never block the ingest writer. NORMAL sync is safe
        // with WAL (a power cut may lose the last commit, never corrupt).
        const bool pragmas = d->run(QStringLiteral("PRAGMA journal_mode=WAL"))
            && d->run(QStringLiteral("PRAGMA synchronous=NORMAL"))
            && d->run(QStringLiteral("PRAGMA foreign_keys=ON"));
        if (!pragmas) {
            d->lastError
                = QStringLiteral("%1 is not a Descry gallery or is damaged (%2)").arg(d->path, d->lastError);
            return false;
        }
        QString error;
        if (!GallerySchema::migrate(db, &error)) {
            d->lastError = QStringLiteral("%1: %2").arg(d->path, error);
            return false;
        }
        GalleryIntegrity::recordGood(d->path); // the WAL switch and migrations are this process's writes
        return true;
    }();
    if (!ok)
        close();
    return ok;
}

// A PostgreSQL gallery: the URL's parts become Qt's connection settings; what the URL leaves out
// (password, port) libpq takes from its usual places (PGPASSWORD, ~/.pgpass, 5432). The schema is
// made or upgraded by the same numbered steps as a file's (GallerySchema, in PostgreSQL's words).
bool Gallery::Impl::openServer(const QString &url, bool readOnlyAccess)
{
    const QUrl parsed(url, QUrl::StrictMode);
    const QString database = parsed.path().mid(1);
    const QString shown = GalleryLocation::displayName(url);
    if (!parsed.isValid() || parsed.host().isEmpty() || database.isEmpty()) {
        lastError = QStringLiteral("%1 is not a PostgreSQL gallery address; write it as "
                                   "postgresql://user@host[:port]/database")
                        .arg(shown);
        return false;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        lastError = QStringLiteral("cannot open %1: Qt's PostgreSQL driver is not installed (Debian: apt-get install "
                                   "libqt6sql6-psql)")
                        .arg(shown);
        return false;
    }
    readOnly = readOnlyAccess;
    connectionName = newConnectionName();
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    db.setHostName(parsed.host());
    if (parsed.port() > 0)
        db.setPort(parsed.port());
    db.setDatabaseName(QUrl::fromPercentEncoding(database.toUtf8()));
    db.setUserName(parsed.userName());
    db.setPassword(parsed.password());
    // libpq's own keywords from the query (sslmode=require, connect_timeout=...).
    QStringList options { QStringLiteral("connect_timeout=10"), QStringLiteral("application_name=descry") };
    for (const auto &[key, value] : QUrlQuery(parsed).queryItems(QUrl::FullyDecoded))
        options.append(QStringLiteral("%1=%2").arg(key, value));
    db.setConnectOptions(options.join(QLatin1Char(';')));
    if (!db.open()) {
        lastError = QStringLiteral("cannot connect to the gallery %1: %2").arg(shown, db.lastError().text().trimmed());
        return false;
    }
    QSqlQuery quiet(db); // the server's notices ("already exists, skipping") are no news to a user
    quiet.exec(QStringLiteral("SET client_min_messages TO warning"));
    if (readOnly) {
        const int version = GallerySchema::currentVersion(db);
        if (version != GallerySchema::latestVersion()) {
            lastError = QStringLiteral("%1 is opened read-only and has gallery schema %2; this Descry reads schema %3")
                            .arg(shown)
                            .arg(version)
                            .arg(GallerySchema::latestVersion());
            return false;
        }
        // The server refuses writes too, not only this class.
        QSqlQuery session(db);
        if (!session.exec(QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"))) {
            lastError = session.lastError().text();
            return false;
        }
        return true;
    }
    QString error;
    if (!GallerySchema::migrate(db, &error)) {
        lastError = QStringLiteral("%1: %2").arg(shown, error);
        return false;
    }
    return true;
}

void Gallery::close()
{
    if (d->connectionName.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(d->connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(d->connectionName);
    d->connectionName.clear();
    // What this process wrote went through SQLite: the file as it is now is vouched for, unless
    // a read found damage (then the next open checks it again).
    if (!d->postgres && GalleryIntegrity::damage(d->path).isEmpty() && QFileInfo::exists(d->path))
        GalleryIntegrity::recordGood(d->path);
}

bool Gallery::isReadOnly() const
{
    return d->readOnly;
}

QString Gallery::damage() const
{
    return d->postgres ? QString() : GalleryIntegrity::damage(d->path);
}

bool Gallery::isOpen() const
{
    return !d->connectionName.isEmpty() && d->db().isOpen();
}

QString Gallery::path() const
{
    return d->path;
}

QString Gallery::lastError() const
{
    return d->lastError;
}

int Gallery::schemaVersion() const
{
    QSqlDatabase db = d->db();
    return GallerySchema::currentVersion(db);
}

int Gallery::latestSchemaVersion()
{
    return GallerySchema::latestVersion();
}

int Gallery::storedSchemaVersion(const QString &path, QString *error)
{
    if (GalleryLocation::isServer(path)) {
        Gallery gallery; // a read-only open refuses a schema other than this build's: the reason says which
        if (!gallery.open(path, Access::ReadOnly)) {
            if (error)
                *error = gallery.lastError();
            return -1;
        }
        return gallery.schemaVersion();
    }
    return gallery_internal::withConnection(GalleryIntegrity::readOnlyDatabaseName(path),
        GalleryIntegrity::readOnlyConnectOptions(), [error](QSqlDatabase &db) {
            const int version = db.open() ? GallerySchema::currentVersion(db) : -1;
            if (version < 0 && error)
                *error = db.lastError().text();
            return version;
        });
}

// ---------------------------------------------------------------- sources

std::optional<SourceRecord> Gallery::sourceByHash(const QString &contentHash)
{
    QSqlQuery q(d->db());
    if (!d->run(q, QStringLiteral("SELECT %1 FROM sources WHERE content_hash = ?").arg(kSourceColumns),
            { contentHash })
        || !d->next(q))
        return std::nullopt;
    return sourceFromQuery(q);
}

std::optional<SourceRecord> Gallery::source(int64_t id)
{
    QSqlQuery q(d->db());
    if (!d->run(q, QStringLiteral("SELECT %1 FROM sources WHERE id = ?").arg(kSourceColumns), { qint64(id) })
        || !d->next(q))
        return std::nullopt;
    return sourceFromQuery(q);
}

std::vector<SourceRecord> Gallery::sources()
{
    std::vector<SourceRecord> out;
    QSqlQuery q(d->db());
    if (d->run(q, QStringLiteral("SELECT %1 FROM sources ORDER BY id").arg(kSourceColumns)))
        while (d->next(q))
            out.push_back(sourceFromQuery(q));
    return out;
}

bool Gallery::addSource(SourceRecord *s)
{
    QSqlQuery q(d->db());
    s->addedAt = QDateTime::currentDateTimeUtc();
    const bool ok = d->run(q,
        QStringLiteral("INSERT INTO sources (path, content_hash, size_bytes, fps, frame_count, duration,"
                       " width, height, camera_label, status, pipeline_key, added_at, recorded_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        { s->path, s->contentHash, qint64(s->sizeBytes), s->fps, qint64(s->frameCount), s->duration, s->width,
            s->height, s->cameraLabel, sourceStatusKey(s->status), s->pipelineKey,
            s->addedAt.toString(Qt::ISODateWithMs),
            s->recordedAt.isValid() ? QVariant(s->recordedAt.toUTC().toString(Qt::ISODateWithMs)) : QVariant() });
    if (ok)
        s->id = q.lastInsertId().toLongLong();
    return ok;
}

bool Gallery::resetSource(int64_t sourceId, const QString &pipelineKey)
{
    return d->inTransaction([&] {
        return d->run(QStringLiteral("DELETE FROM tracklets WHERE source_id = ?"), { qint64(sourceId) })
            && d->run(QStringLiteral(
                          "UPDATE sources SET status = 'ingesting', processed_frames = 0, checkpoint_frame = 0,"
                          " tracker_state = NULL, pipeline_key = ?, error = '', finished_at = NULL WHERE id = ?"),
                { pipelineKey, qint64(sourceId) });
    });
}

bool Gallery::setSourceRecordedAt(int64_t sourceId, const QDateTime &recordedAt)
{
    QSqlQuery q(d->db());
    const QVariant value = recordedAt.isValid() ? QVariant(recordedAt.toUTC().toString(Qt::ISODateWithMs)) : QVariant();
    if (!d->run(q, QStringLiteral("UPDATE sources SET recorded_at = ? WHERE id = ?"), { value, qint64(sourceId) }))
        return false;
    if (q.numRowsAffected() == 0) {
        d->lastError = QStringLiteral("no source %1 in the gallery").arg(sourceId);
        return false;
    }
    return true;
}

bool Gallery::setCameraTransit(const QString &cameraA, const QString &cameraB, double minSeconds)
{
    if (cameraA == cameraB || cameraA.isEmpty() || cameraB.isEmpty()) {
        d->lastError = QStringLiteral("a transit joins two different cameras");
        return false;
    }
    const QString a = std::min(cameraA, cameraB), b = std::max(cameraA, cameraB);
    if (minSeconds < 0)
        return d->run(QStringLiteral("DELETE FROM camera_transits WHERE camera_a = ? AND camera_b = ?"), { a, b });
    return d->run(QStringLiteral("INSERT INTO camera_transits (camera_a, camera_b, min_seconds) VALUES (?, ?, ?)"
                                 " ON CONFLICT (camera_a, camera_b) DO UPDATE SET min_seconds = excluded.min_seconds"),
        { a, b, minSeconds });
}

std::vector<CameraTransit> Gallery::cameraTransits()
{
    std::vector<CameraTransit> out;
    QSqlQuery q(d->db());
    if (d->run(q, QStringLiteral("SELECT camera_a, camera_b, min_seconds FROM camera_transits ORDER BY camera_a, camera_b")))
        while (d->next(q))
            out.push_back({ q.value(0).toString(), q.value(1).toString(), q.value(2).toDouble() });
    return out;
}

bool Gallery::setSourceLength(int64_t sourceId, int64_t frameCount, double duration)
{
    return d->run(QStringLiteral("UPDATE sources SET frame_count = ?, duration = ? WHERE id = ?"),
        { qint64(frameCount), duration, qint64(sourceId) });
}

bool Gallery::updateSourcePath(int64_t sourceId, const QString &path)
{
    return d->run(QStringLiteral("UPDATE sources SET path = ? WHERE id = ?"), { path, qint64(sourceId) });
}

std::optional<IngestCheckpoint> Gallery::checkpoint(int64_t sourceId)
{
    QSqlQuery q(d->db());
    if (!d->run(q,
            QStringLiteral(
                "SELECT checkpoint_frame, processed_frames, tracker_state FROM sources WHERE id = ?"),
            { qint64(sourceId) })
        || !d->next(q))
        return std::nullopt;
    IngestCheckpoint c;
    c.nextFrame = q.value(0).toLongLong();
    c.processedFrames = q.value(1).toLongLong();
    c.trackerState = q.value(2).toByteArray();
    return c;
}

bool Gallery::Impl::insertTracklet(int64_t sourceId, const TrackletWithAttributes &item)
{
    const Tracklet &t = item.tracklet;
    QSqlQuery q(db());
    if (!run(q,
            QStringLiteral(
                "INSERT INTO tracklets (source_id, local_id, start_frame, end_frame, start_time, end_time,"
                " detection_count) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            { qint64(sourceId), t.localId, qint64(t.startFrame()), qint64(t.endFrame()), t.startTime(),
                t.endTime(), int(t.detections.size()) }))
        return false;
    const qint64 trackletId = q.lastInsertId().toLongLong();

    QSqlQuery det(db());
    if (!det.prepare(QStringLiteral("INSERT INTO detections (tracklet_id, frame, time, x, y, w, h, score) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))) {
        lastError = det.lastError().text();
        return false;
    }
    for (const Detection &x : t.detections) {
        for (const QVariant &v :
            QVariantList { trackletId, qint64(x.frame), x.time, x.box.x, x.box.y, x.box.w, x.box.h, x.score })
            det.addBindValue(v);
        if (!det.exec()) {
            lastError = det.lastError().text();
            return false;
        }
    }
    const QVariant nullBlob(QMetaType(QMetaType::QByteArray));
    for (size_t rank = 0; rank < t.crops.size(); ++rank) {
        const Crop &c = t.crops[rank];
        if (!run(QStringLiteral(
                     "INSERT INTO crops (tracklet_id, rank, frame, x, y, w, h, quality, image, mask, pose)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                { trackletId, int(rank), qint64(c.frame), c.box.x, c.box.y, c.box.w, c.box.h, c.quality,
                    c.jpeg, c.maskPng.isEmpty() ? nullBlob : QVariant(c.maskPng),
                    c.pose ? QVariant(c.pose->toBytes()) : nullBlob }))
            return false;
    }
    for (const AttributeValue &a : item.attributes) {
        if (!run(QStringLiteral("INSERT INTO attributes (tracklet_id, region, name, value) VALUES (?, ?, ?, ?)"
                                " ON CONFLICT (tracklet_id, region, name) DO UPDATE SET value = excluded.value"),
                { trackletId, regionKey(a.region), a.name, a.value }))
            return false;
    }
    return insertEmbeddings(item.embeddings, trackletId);
}

// Inserts with one prepared statement; `trackletId` > 0 overrides the records' ids (a tracklet
// being inserted learns its id only now). The caller owns the transaction.
bool Gallery::Impl::insertEmbeddings(const std::vector<EmbeddingRecord> &records, int64_t trackletId)
{
    if (records.empty())
        return true;
    QSqlQuery q(db());
    const QString sql = QStringLiteral("INSERT INTO embeddings (model_id, kind, tracklet_id, dim, vector)"
                                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT (model_id, kind, tracklet_id)"
                                       " DO UPDATE SET dim = excluded.dim, vector = excluded.vector");
    if (!q.prepare(sql)) {
        lastError = QStringLiteral("%1 (preparing: %2)").arg(q.lastError().text(), sql.left(80));
        return false;
    }
    for (const EmbeddingRecord &r : records) {
        if (r.modelId.isEmpty() || r.kind.isEmpty() || r.vector.empty()) {
            lastError = QStringLiteral("an embedding without model id, kind or values cannot be stored "
                                       "(tracklet %1); this is a bug in the caller")
                            .arg(trackletId > 0 ? trackletId : r.trackletId);
            return false;
        }
        q.addBindValue(r.modelId);
        q.addBindValue(r.kind);
        q.addBindValue(qint64(trackletId > 0 ? trackletId : r.trackletId));
        q.addBindValue(int(r.vector.size()));
        q.addBindValue(floatsToBlob(r.vector));
        if (!q.exec()) {
            lastError = QStringLiteral("%1 (storing the %2 embedding of tracklet %3)")
                            .arg(q.lastError().text(), r.kind)
                            .arg(trackletId > 0 ? trackletId : r.trackletId);
            return false;
        }
    }
    return true;
}

bool Gallery::commitProgress(int64_t sourceId, const IngestCheckpoint &checkpoint,
    const std::vector<TrackletWithAttributes> &finished, bool done, const QString &worker)
{
    return d->inTransaction([&] {
        // The claim first: a worker that lost it stops here, before a row of its is written.
        if (!worker.isEmpty()) {
            QSqlQuery claim(d->db());
            if (!d->run(claim,
                    QStringLiteral("UPDATE sources SET heartbeat_at = %1 WHERE id = ? AND claimed_by = ?").arg(d->serverNow()),
                    { qint64(sourceId), worker }))
                return false;
            if (claim.numRowsAffected() != 1) {
                d->lastError = QStringLiteral("another worker took this source over (this worker's heartbeat "
                                              "stopped for too long); nothing more of it is written from here");
                return false;
            }
        }
        for (const auto &item : finished)
            if (!d->insertTracklet(sourceId, item))
                return false;
        if (done)
            return d->run(QStringLiteral(
                              "UPDATE sources SET status = 'done', processed_frames = ?, checkpoint_frame = ?,"
                              " tracker_state = NULL, finished_at = ?, claimed_by = NULL, heartbeat_at = NULL"
                              " WHERE id = ?"),
                { qint64(checkpoint.processedFrames), qint64(checkpoint.nextFrame), isoNow(), qint64(sourceId) });
        return d->run(QStringLiteral(
                          "UPDATE sources SET processed_frames = ?, checkpoint_frame = ?, tracker_state = ?"
                          " WHERE id = ?"),
            { qint64(checkpoint.processedFrames), qint64(checkpoint.nextFrame), checkpoint.trackerState,
                qint64(sourceId) });
    });
}

bool Gallery::markSourceFailed(int64_t sourceId, const QString &reason)
{
    return d->run(
        QStringLiteral("UPDATE sources SET status = 'failed', error = ?, finished_at = ?, claimed_by = NULL,"
                       " heartbeat_at = NULL WHERE id = ?"),
        { reason, isoNow(), qint64(sourceId) });
}

// ---------------------------------------------------------------- claims

SourceClaim Gallery::claimSource(
    int64_t sourceId, const QString &worker, const std::function<bool(const SourceClaim &)> &mayTakeOver)
{
    SourceClaim claim;
    const QString read = QStringLiteral("SELECT coalesce(claimed_by, ''), %1 - heartbeat_at, status FROM sources WHERE id = ?")
                             .arg(d->serverNow());
    const auto decide = [&](QSqlQuery &q) {
        claim.holder = q.value(0).toString();
        claim.heartbeatAge = q.value(1).isNull() ? -1 : q.value(1).toDouble();
        claim.status = sourceStatusFromKey(q.value(2).toString());
        const bool free = claim.holder.isEmpty() || claim.holder == worker || (mayTakeOver && mayTakeOver(claim));
        if (!free)
            claim.outcome = SourceClaim::Outcome::Held;
        return free;
    };
    // Compare-and-set: the holder must still be the one the decision was made on.
    const auto take = [&] {
        QSqlQuery q(d->db());
        if (!d->run(q,
                QStringLiteral("UPDATE sources SET claimed_by = ?, heartbeat_at = %1 WHERE id = ? AND coalesce(claimed_by, '') = ?")
                    .arg(d->serverNow()),
                { worker, qint64(sourceId), claim.holder }))
            return false;
        claim.outcome = q.numRowsAffected() == 1 ? SourceClaim::Outcome::Claimed : SourceClaim::Outcome::Busy;
        return true;
    };
    const auto missing = [&] {
        d->lastError = QStringLiteral("no source %1 in the gallery").arg(sourceId);
        claim.outcome = SourceClaim::Outcome::Failed;
    };
    if (!d->postgres) {
        QSqlQuery q(d->db());
        if (!d->run(q, read, { qint64(sourceId) }))
            return claim;
        if (!d->next(q)) {
            missing();
            return claim;
        }
        const bool free = decide(q);
        // The read's snapshot must end before the write: a connection that still reads an older
        // snapshot cannot write after another's commit (SQLite answers "locked" at once).
        q.finish();
        if (free && !take())
            claim.outcome = SourceClaim::Outcome::Failed;
        return claim;
    }
    // PostgreSQL: the row stays locked from the read to the commit; a row another worker has
    // locked (it is claiming or committing this source) is skipped, not waited for.
    bool locked = false;
    const bool ok = d->inTransaction([&] {
        QSqlQuery q(d->db());
        if (!d->run(q, read + QStringLiteral(" FOR UPDATE SKIP LOCKED"), { qint64(sourceId) }))
            return false;
        if (!d->next(q)) {
            locked = true;
            return true;
        }
        return !decide(q) || take();
    });
    if (!ok) {
        claim.outcome = SourceClaim::Outcome::Failed;
    } else if (locked) {
        if (source(sourceId))
            claim.outcome = SourceClaim::Outcome::Busy;
        else
            missing();
    }
    return claim;
}

bool Gallery::heartbeat(int64_t sourceId, const QString &worker)
{
    QSqlQuery q(d->db());
    if (!d->run(q, QStringLiteral("UPDATE sources SET heartbeat_at = %1 WHERE id = ? AND claimed_by = ?").arg(d->serverNow()),
            { qint64(sourceId), worker }))
        return false;
    if (q.numRowsAffected() != 1) {
        d->lastError = QStringLiteral("another worker took source %1 over").arg(sourceId);
        return false;
    }
    return true;
}

bool Gallery::releaseSource(int64_t sourceId, const QString &worker)
{
    return d->run(QStringLiteral("UPDATE sources SET claimed_by = NULL, heartbeat_at = NULL WHERE id = ? AND claimed_by = ?"),
        { qint64(sourceId), worker });
}

// ---------------------------------------------------------------- tracklets

int64_t Gallery::trackletCount(int64_t sourceId)
{
    QSqlQuery q(d->db());
    const bool ok = sourceId > 0
        ? d->run(
            q, QStringLiteral("SELECT count(*) FROM tracklets WHERE source_id = ?"), { qint64(sourceId) })
        : d->run(q, QStringLiteral("SELECT count(*) FROM tracklets"));
    return ok && d->next(q) ? q.value(0).toLongLong() : 0;
}

int64_t Gallery::reviewCount(int64_t sourceId)
{
    QSqlQuery q(d->db());
    const bool ok = d->run(q,
        QStringLiteral("SELECT count(*) FROM reviews JOIN tracklets ON tracklets.id = reviews.tracklet_id"
                       " WHERE tracklets.source_id = ?"),
        { qint64(sourceId) });
    return ok && d->next(q) ? q.value(0).toLongLong() : 0;
}

int64_t Gallery::dataVersion()
{
    QSqlQuery q(d->db());
    // PostgreSQL: counters that triggers bump on every write (GallerySchema steps 2 and 8).
    const QString sql = d->postgres
        ? QStringLiteral("SELECT sum(value) FROM counters WHERE name IN ('generation', 'data_version')")
        : QStringLiteral("PRAGMA data_version");
    if (!d->run(q, sql) || !d->next(q))
        return -1;
    return q.value(0).toLongLong();
}

int64_t Gallery::generation()
{
    // Triggers bump the counter on every tracklet and embedding write (GallerySchema step 2).
    QSqlQuery q(d->db());
    if (!d->run(q, QStringLiteral("SELECT value FROM counters WHERE name = 'generation'")) || !d->next(q))
        return -1;
    return q.value(0).toLongLong();
}

std::vector<TrackletRecord> Gallery::tracklets(int64_t sourceId, bool bestCrop)
{
    // One copy of each source's path and camera label shared by its tracklets (QString is
    // implicitly shared), read once per source instead of decoded on every row.
    std::unordered_map<int64_t, std::pair<QString, QString>> sourceText;
    for (const SourceRecord &s : sources())
        sourceText.try_emplace(s.id, s.path, s.cameraLabel);
    const QString select = trackletSelect(bestCrop ? kBestCrop : QStringLiteral("0"), false);
    std::vector<TrackletRecord> out;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    const bool ok = sourceId > 0
        ? d->run(
            q, select + QStringLiteral(" WHERE t.source_id = ? ORDER BY t.id"), { qint64(sourceId) })
        : d->run(q, select + QStringLiteral(" ORDER BY t.id"));
    if (ok)
        while (d->next(q)) {
            TrackletRecord t = trackletFromQuery(q);
            const auto text = sourceText.find(t.sourceId);
            if (text != sourceText.end()) {
                t.sourcePath = text->second.first;
                t.cameraLabel = text->second.second;
            }
            out.push_back(std::move(t));
        }
    return out;
}

std::optional<TrackletRecord> Gallery::tracklet(int64_t id)
{
    QSqlQuery q(d->db());
    if (!d->run(q, trackletSelect() + QStringLiteral(" WHERE t.id = ?"), { qint64(id) }) || !d->next(q))
        return std::nullopt;
    return trackletFromQuery(q);
}

int64_t Gallery::bestCropId(int64_t trackletId)
{
    QSqlQuery q(d->db());
    return d->run(q, QStringLiteral("SELECT id FROM crops WHERE tracklet_id = ? ORDER BY rank LIMIT 1"), { qint64(trackletId) })
            && d->next(q)
        ? q.value(0).toLongLong()
        : 0;
}

std::vector<DetectionRecord> Gallery::detections(int64_t trackletId)
{
    std::vector<DetectionRecord> out;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (d->run(q,
            QStringLiteral(
                "SELECT frame, time, x, y, w, h, score FROM detections WHERE tracklet_id = ? ORDER BY frame"),
            { qint64(trackletId) }))
        while (d->next(q))
            out.push_back({ q.value(0).toLongLong(), q.value(1).toDouble(),
                Box {
                    q.value(2).toFloat(), q.value(3).toFloat(), q.value(4).toFloat(), q.value(5).toFloat() },
                q.value(6).toFloat() });
    return out;
}

std::vector<CropRecord> Gallery::crops(int64_t trackletId)
{
    std::vector<CropRecord> out;
    QSqlQuery q(d->db());
    if (!d->run(q,
            QStringLiteral("SELECT c.id, c.frame, c.x, c.y, c.w, c.h, c.quality, c.pose, d.x, d.y, d.w, d.h"
                           " FROM crops c LEFT JOIN detections d ON d.tracklet_id = c.tracklet_id AND d.frame = c.frame"
                           " WHERE c.tracklet_id = ? ORDER BY c.rank"),
            { qint64(trackletId) }))
        return out;
    while (d->next(q)) {
        CropRecord c;
        c.id = q.value(0).toLongLong();
        c.trackletId = trackletId;
        c.frame = q.value(1).toLongLong();
        c.box = Box { q.value(2).toFloat(), q.value(3).toFloat(), q.value(4).toFloat(), q.value(5).toFloat() };
        c.quality = q.value(6).toFloat();
        c.pose = Pose::fromBytes(q.value(7).toByteArray());
        c.person = q.value(8).isNull()
            ? Box { 0, 0, c.box.w, c.box.h }
            : Box { q.value(8).toFloat() - c.box.x, q.value(9).toFloat() - c.box.y, q.value(10).toFloat(),
                  q.value(11).toFloat() };
        out.push_back(c);
    }
    return out;
}

std::optional<CropBody> Gallery::bestCropBody(int64_t trackletId)
{
    const std::vector<CropRecord> all = crops(trackletId);
    return all.empty() ? std::nullopt : all.front().body();
}

QByteArray Gallery::cropImage(int64_t cropId)
{
    QSqlQuery q(d->db());
    return d->run(q, QStringLiteral("SELECT image FROM crops WHERE id = ?"), { qint64(cropId) }) && d->next(q)
        ? q.value(0).toByteArray()
        : QByteArray();
}

QByteArray Gallery::cropMask(int64_t cropId)
{
    QSqlQuery q(d->db());
    return d->run(q, QStringLiteral("SELECT mask FROM crops WHERE id = ?"), { qint64(cropId) }) && d->next(q)
        ? q.value(0).toByteArray()
        : QByteArray();
}

bool Gallery::replaceMeasuredAttributes(const std::vector<TrackletAttributes> &measured)
{
    return d->inTransaction([&] {
        for (const TrackletAttributes &t : measured) {
            const qint64 id = t.trackletId;
            if (!d->run(QStringLiteral("DELETE FROM attributes WHERE tracklet_id = ? AND name NOT LIKE 'accessory:%'"),
                    { id }))
                return false;
            for (const AttributeValue &a : t.attributes)
                if (!d->run(QStringLiteral("INSERT INTO attributes (tracklet_id, region, name, value) VALUES (?, ?, ?, ?)"
                                           " ON CONFLICT (tracklet_id, region, name) DO UPDATE SET value = excluded.value"),
                        { id, regionKey(a.region), a.name, a.value }))
                    return false;
        }
        return d->run(QStringLiteral("UPDATE counters SET value = value + 1 WHERE name = 'generation'"));
    });
}

std::vector<TrackletAttributes> Gallery::allAttributes()
{
    std::vector<TrackletAttributes> out;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (!d->run(q,
            QStringLiteral("SELECT t.id, a.region, a.name, a.value FROM tracklets t"
                           " LEFT JOIN attributes a ON a.tracklet_id = t.id ORDER BY t.id")))
        return out;
    // Attribute names are a small vocabulary: one shared copy of each, not one per value.
    QSet<QString> names;
    while (d->next(q)) {
        const int64_t id = q.value(0).toLongLong();
        if (out.empty() || out.back().trackletId != id)
            out.push_back({ id, {} });
        if (q.value(1).isNull())
            continue;
        AttributeValue a;
        regionFromKey(q.value(1).toString(), &a.region);
        a.name = *names.insert(q.value(2).toString());
        a.value = q.value(3).toFloat();
        out.back().attributes.push_back(a);
    }
    return out;
}

AttributeSet Gallery::attributes(int64_t trackletId)
{
    AttributeSet out;
    QSqlQuery q(d->db());
    if (d->run(q,
            QStringLiteral(
                "SELECT region, name, value FROM attributes WHERE tracklet_id = ? ORDER BY region, name"),
            { qint64(trackletId) }))
        while (d->next(q)) {
            AttributeValue a;
            regionFromKey(q.value(0).toString(), &a.region);
            a.name = q.value(1).toString();
            a.value = q.value(2).toFloat();
            out.push_back(a);
        }
    return out;
}

// ---------------------------------------------------------------- history, embeddings

bool Gallery::addQuery(const QString &text, int resultCount, double elapsedMs)
{
    return d->run(
        QStringLiteral(
            "INSERT INTO query_history (text, result_count, elapsed_ms, created_at) VALUES (?, ?, ?, ?)"),
        { text, resultCount, elapsedMs, isoNow() });
}

std::vector<QueryRecord> Gallery::recentQueries(int limit)
{
    std::vector<QueryRecord> out;
    QSqlQuery q(d->db());
    if (d->run(q,
            QStringLiteral("SELECT id, text, result_count, elapsed_ms, created_at FROM query_history ORDER "
                           "BY id DESC LIMIT ?"),
            { limit }))
        while (d->next(q))
            out.push_back({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toInt(),
                q.value(3).toDouble(), fromIso(q.value(4)) });
    return out;
}

// ---------------------------------------------------------------- reviews

bool Gallery::addReview(ReviewRecord *record)
{
    record->queryText = record->queryText.simplified();
    if (record->queryText.isEmpty()) {
        d->lastError = QStringLiteral("a review needs the query text it answers");
        return false;
    }
    if (!record->createdAt.isValid())
        record->createdAt = QDateTime::currentDateTimeUtc();
    QSqlQuery q(d->db());
    if (!d->run(q,
            QStringLiteral("INSERT INTO reviews (tracklet_id, query_text, verdict, label, note, author,"
                           " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            { qint64(record->trackletId), record->queryText, reviewVerdictKey(record->verdict),
                textOrEmpty(record->label), textOrEmpty(record->note), textOrEmpty(record->author),
                record->createdAt.toUTC().toString(Qt::ISODateWithMs) })) {
        if (!tracklet(record->trackletId))
            d->lastError = QStringLiteral("tracklet %1 is not in the gallery (it may have been removed "
                                          "by a new ingest of its source)")
                               .arg(record->trackletId);
        return false;
    }
    record->id = q.lastInsertId().toLongLong();
    return true;
}

bool Gallery::removeReview(int64_t reviewId)
{
    QSqlQuery q(d->db());
    if (!d->run(q, QStringLiteral("DELETE FROM reviews WHERE id = ?"), { qint64(reviewId) }))
        return false;
    if (q.numRowsAffected() < 1) {
        d->lastError = QStringLiteral("review %1 is not in the gallery (its tracklet may have been removed)")
                           .arg(reviewId);
        return false;
    }
    return true;
}

std::vector<ReviewRecord> Gallery::reviews(const QString &queryText)
{
    std::vector<ReviewRecord> out;
    QSqlQuery q(d->db());
    const QString text = queryText.simplified();
    const bool ok = text.isEmpty()
        ? d->run(q,
            kReviewSelect
                + QStringLiteral(" WHERE id IN (%1) ORDER BY id").arg(kLatestReviewIds.arg(QString())))
        : d->run(q,
            kReviewSelect
                + QStringLiteral(" WHERE id IN (%1) ORDER BY id")
                      .arg(kLatestReviewIds.arg(QStringLiteral("WHERE query_text = ?"))),
            { text });
    if (ok)
        while (d->next(q))
            out.push_back(reviewFromQuery(q));
    return out;
}

std::vector<ReviewRecord> Gallery::reviewsOfTracklet(int64_t trackletId)
{
    std::vector<ReviewRecord> out;
    QSqlQuery q(d->db());
    if (d->run(
            q, kReviewSelect + QStringLiteral(" WHERE tracklet_id = ? ORDER BY id"), { qint64(trackletId) }))
        while (d->next(q))
            out.push_back(reviewFromQuery(q));
    return out;
}

std::vector<ReviewRecord> Gallery::confirmedReviews()
{
    std::vector<ReviewRecord> out;
    QSqlQuery q(d->db());
    if (d->run(q,
            kReviewSelect
                + QStringLiteral(" WHERE id IN (%1) AND verdict = 'confirmed' ORDER BY tracklet_id, id")
                      .arg(kLatestReviewIds.arg(QString()))))
        while (d->next(q))
            out.push_back(reviewFromQuery(q));
    return out;
}

// ---------------------------------------------------------------- identities

bool Gallery::replaceIdentities(IdentityGroupingRecord *grouping, const std::map<int64_t, int64_t> &identityOfTracklet)
{
    if (!grouping->createdAt.isValid())
        grouping->createdAt = QDateTime::currentDateTimeUtc();
    int64_t highest = 0;
    return d->inTransaction([&] {
        if (!d->run(QStringLiteral("DELETE FROM tracklet_identities")))
            return false;
        QSqlQuery insert(d->db());
        if (!insert.prepare(QStringLiteral("INSERT INTO tracklet_identities (tracklet_id, identity_id) VALUES (?, ?)"))) {
            d->lastError = insert.lastError().text();
            return false;
        }
        for (const auto &[tracklet, identity] : identityOfTracklet) {
            insert.bindValue(0, qint64(tracklet));
            insert.bindValue(1, qint64(identity));
            if (!insert.exec()) {
                d->lastError = QStringLiteral("%1 (storing the identity of tracklet %2)").arg(insert.lastError().text()).arg(tracklet);
                return false;
            }
            highest = std::max(highest, identity);
        }
        QSqlQuery q(d->db());
        if (!d->run(q,
                QStringLiteral("INSERT INTO identity_groupings (model_id, threshold, tracklet_count, identity_count, seconds,"
                               " created_at, method) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                { textOrEmpty(grouping->modelId), grouping->threshold, qint64(grouping->trackletCount),
                    qint64(grouping->identityCount), grouping->seconds,
                    grouping->createdAt.toUTC().toString(Qt::ISODateWithMs), textOrEmpty(grouping->method) }))
            return false;
        grouping->version = q.lastInsertId().toLongLong();
        return d->run(QStringLiteral("UPDATE counters SET value = CASE WHEN value < ? THEN ? ELSE value END"
                                     " WHERE name = 'next_identity'"),
            { qint64(highest + 1), qint64(highest + 1) });
    });
}

std::map<int64_t, int64_t> Gallery::identities()
{
    std::map<int64_t, int64_t> out;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (d->run(q, QStringLiteral("SELECT tracklet_id, identity_id FROM tracklet_identities")))
        while (d->next(q))
            out.emplace(q.value(0).toLongLong(), q.value(1).toLongLong());
    return out;
}

std::optional<IdentityGroupingRecord> Gallery::latestIdentityGrouping()
{
    QSqlQuery q(d->db());
    if (!d->run(q,
            QStringLiteral("SELECT version, model_id, threshold, tracklet_count, identity_count, seconds, created_at, method"
                           " FROM identity_groupings ORDER BY version DESC LIMIT 1"))
        || !d->next(q))
        return std::nullopt;
    return IdentityGroupingRecord { q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toDouble(),
        q.value(3).toLongLong(), q.value(4).toLongLong(), q.value(5).toDouble(), fromIso(q.value(6)), q.value(7).toString() };
}

int64_t Gallery::nextIdentityId()
{
    QSqlQuery q(d->db());
    if (!d->run(q, QStringLiteral("SELECT value FROM counters WHERE name = 'next_identity'")) || !d->next(q))
        return -1;
    return q.value(0).toLongLong();
}

bool Gallery::addIdentityLink(IdentityLinkRecord *link)
{
    if (link->trackletA == link->trackletB) {
        d->lastError = QStringLiteral("tracklet %1 cannot be linked to itself").arg(link->trackletA);
        return false;
    }
    if (link->trackletA > link->trackletB)
        std::swap(link->trackletA, link->trackletB);
    for (const int64_t id : { link->trackletA, link->trackletB })
        if (!tracklet(id)) {
            d->lastError = QStringLiteral("tracklet %1 is not in the gallery (it may have been removed by a new "
                                          "ingest of its source)")
                               .arg(id);
            return false;
        }
    if (!link->createdAt.isValid())
        link->createdAt = QDateTime::currentDateTimeUtc();
    QSqlQuery q(d->db());
    if (!d->run(q,
            QStringLiteral("INSERT INTO identity_links (tracklet_a, tracklet_b, same, author, created_at)"
                           " VALUES (?, ?, ?, ?, ?)"),
            { qint64(link->trackletA), qint64(link->trackletB), link->same ? 1 : 0, textOrEmpty(link->author),
                link->createdAt.toUTC().toString(Qt::ISODateWithMs) }))
        return false;
    link->id = q.lastInsertId().toLongLong();
    return true;
}

std::vector<IdentityLinkRecord> Gallery::identityLinks()
{
    std::vector<IdentityLinkRecord> out;
    QSqlQuery q(d->db());
    if (d->run(q,
            QStringLiteral("SELECT id, tracklet_a, tracklet_b, same, author, created_at FROM identity_links WHERE id IN"
                           " (SELECT max(id) FROM identity_links GROUP BY tracklet_a, tracklet_b) ORDER BY id")))
        while (d->next(q))
            out.push_back({ q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong(),
                q.value(3).toInt() != 0, q.value(4).toString(), fromIso(q.value(5)) });
    return out;
}

bool Gallery::putEmbedding(
    int64_t trackletId, const QString &modelId, const QString &kind, const std::vector<float> &vector)
{
    return putEmbeddings({ { trackletId, modelId, kind, vector } });
}

bool Gallery::putEmbeddings(const std::vector<EmbeddingRecord> &records)
{
    return d->inTransaction([&] { return d->insertEmbeddings(records); });
}

std::vector<float> Gallery::embedding(int64_t trackletId, const QString &modelId, const QString &kind)
{
    QSqlQuery q(d->db());
    if (!d->run(q,
            QStringLiteral(
                "SELECT vector FROM embeddings WHERE model_id = ? AND kind = ? AND tracklet_id = ?"),
            { modelId, kind, qint64(trackletId) })
        || !d->next(q))
        return {};
    return blobToFloats(q.value(0).toByteArray());
}

std::vector<std::vector<float>> Gallery::embeddings(
    const std::vector<int64_t> &ids, const QString &modelId, const QString &kind)
{
    std::vector<std::vector<float>> out(ids.size());
    QSqlQuery q(d->db());
    const QString sql
        = QStringLiteral("SELECT vector FROM embeddings WHERE model_id = ? AND kind = ? AND tracklet_id = ?");
    if (!q.prepare(sql)) {
        d->lastError = QStringLiteral("%1 (preparing: %2)").arg(q.lastError().text(), sql.left(80));
        return out;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
        q.addBindValue(modelId);
        q.addBindValue(kind);
        q.addBindValue(qint64(ids[i]));
        if (q.exec() && d->next(q))
            out[i] = blobToFloats(q.value(0).toByteArray());
        q.finish();
    }
    return out;
}

bool Gallery::loadEmbeddings(const QString &modelId, const QString &kind, std::vector<int64_t> *ids,
    std::vector<float> *matrix, int *dim)
{
    ids->clear();
    matrix->clear();
    *dim = 0;
    // The tracklet count bounds the rows (one per tracklet): reserve once instead of regrowing
    // a matrix of tens of megabytes.
    const int64_t bound = trackletCount();
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (!d->run(q,
            QStringLiteral("SELECT tracklet_id, dim, vector FROM embeddings WHERE model_id = ? AND kind = ?"
                           " ORDER BY tracklet_id"),
            { modelId, kind }))
        return false;
    ids->reserve(size_t(bound));
    while (d->next(q)) {
        const int rowDim = q.value(1).toInt();
        const QByteArray blob = q.value(2).toByteArray();
        if (*dim == 0) {
            *dim = rowDim;
            matrix->reserve(size_t(bound) * size_t(rowDim));
        }
        if (rowDim != *dim || blob.size() != qsizetype(rowDim * sizeof(float))) {
            d->lastError
                = QStringLiteral("the %1 embeddings of %2 disagree on their size (%3 and %4 values at "
                                 "tracklet %5); run 'descry-cli reindex' with that model")
                      .arg(kind, modelId)
                      .arg(*dim)
                      .arg(blob.size() / qsizetype(sizeof(float)))
                      .arg(q.value(0).toLongLong());
            ids->clear();
            matrix->clear();
            *dim = 0;
            return false;
        }
        ids->push_back(q.value(0).toLongLong());
        const auto *values = reinterpret_cast<const float *>(blob.constData());
        matrix->insert(matrix->end(), values, values + rowDim);
    }
    return true;
}

std::vector<int64_t> Gallery::trackletsWithoutEmbedding(
    const QString &modelId, const QString &kind, int limit, int64_t afterId)
{
    std::vector<int64_t> out;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (d->run(q,
            QStringLiteral(
                "SELECT t.id FROM tracklets t WHERE t.id > ? AND NOT EXISTS (SELECT 1 FROM embeddings e"
                " WHERE e.model_id = ? AND e.kind = ? AND e.tracklet_id = t.id) ORDER BY t.id LIMIT ?"),
            { qint64(afterId), modelId, kind, limit }))
        while (d->next(q))
            out.push_back(q.value(0).toLongLong());
    return out;
}

int64_t Gallery::embeddingCount(const QString &modelId, const QString &kind)
{
    QSqlQuery q(d->db());
    return d->run(q, QStringLiteral("SELECT count(*) FROM embeddings WHERE model_id = ? AND kind = ?"),
               { modelId, kind })
            && d->next(q)
        ? q.value(0).toLongLong()
        : 0;
}

} // namespace descry
