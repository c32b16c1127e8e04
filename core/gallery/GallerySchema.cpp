#include "GallerySchema.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QRegularExpression>
#include <QStringList>

#include <vector>

namespace descry {

namespace {

// Step N brings the schema from version N-1 to N. `both` is written in SQLite's dialect and
// translated for PostgreSQL (forPostgres); what only one engine needs (SQLite's triggers, their
// PostgreSQL functions) is in its own list and runs after `both`.
struct Step {
    QStringList both;
    QStringList sqliteOnly = {};
    QStringList postgresOnly = {};
};

// The statement of a PostgreSQL trigger that bumps the named counter once per statement.
QString postgresCounterTrigger(const QString &name, const QString &event, const QString &table, const QString &counter)
{
    return QStringLiteral("CREATE TRIGGER %1 AFTER %2 ON %3 FOR EACH STATEMENT EXECUTE FUNCTION descry_bump_%4()")
        .arg(name, event, table, counter);
}

// A PL/pgSQL function that bumps one row of the counters table (the body of its triggers).
QString postgresCounterFunction(const QString &counter)
{
    return QStringLiteral("CREATE FUNCTION descry_bump_%1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                          " UPDATE counters SET value = value + 1 WHERE name = '%1'; RETURN NULL; END $$")
        .arg(counter);
}

const std::vector<Step> &migrationSteps()
{
    static const std::vector<Step> steps {
        // 1: the foundation: footage, tracklets and everything hanging off them.
        { {
            QStringLiteral("CREATE TABLE sources ("
                           " id INTEGER PRIMARY KEY,"
                           " path TEXT NOT NULL,"
                           " content_hash TEXT NOT NULL UNIQUE,"
                           " size_bytes INTEGER NOT NULL DEFAULT 0,"
                           " fps REAL NOT NULL DEFAULT 0,"
                           " frame_count INTEGER NOT NULL DEFAULT 0,"
                           " duration REAL NOT NULL DEFAULT 0,"
                           " width INTEGER NOT NULL DEFAULT 0,"
                           " height INTEGER NOT NULL DEFAULT 0,"
                           " camera_label TEXT NOT NULL DEFAULT '',"
                           " status TEXT NOT NULL,"
                           " processed_frames INTEGER NOT NULL DEFAULT 0,"
                           " pipeline_key TEXT NOT NULL DEFAULT '',"
                           " checkpoint_frame INTEGER NOT NULL DEFAULT 0,"
                           " tracker_state BLOB,"
                           " error TEXT NOT NULL DEFAULT '',"
                           " added_at TEXT NOT NULL,"
                           " finished_at TEXT)"),
            QStringLiteral("CREATE TABLE tracklets ("
                           " id INTEGER PRIMARY KEY,"
                           " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
                           " local_id INTEGER NOT NULL,"
                           " start_frame INTEGER NOT NULL,"
                           " end_frame INTEGER NOT NULL,"
                           " start_time REAL NOT NULL,"
                           " end_time REAL NOT NULL,"
                           " detection_count INTEGER NOT NULL,"
                           " UNIQUE(source_id, local_id))"),
            QStringLiteral("CREATE INDEX tracklets_by_source ON tracklets(source_id, start_time)"),
            QStringLiteral("CREATE TABLE detections ("
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " frame INTEGER NOT NULL,"
                           " time REAL NOT NULL,"
                           " x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,"
                           " score REAL NOT NULL,"
                           " PRIMARY KEY(tracklet_id, frame)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE crops ("
                           " id INTEGER PRIMARY KEY,"
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " rank INTEGER NOT NULL,"
                           " frame INTEGER NOT NULL,"
                           " x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,"
                           " quality REAL NOT NULL,"
                           " image BLOB NOT NULL,"
                           " mask BLOB)"),
            QStringLiteral("CREATE INDEX crops_by_tracklet ON crops(tracklet_id, rank)"),
            QStringLiteral("CREATE TABLE attributes ("
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " region TEXT NOT NULL,"
                           " name TEXT NOT NULL,"
                           " value REAL NOT NULL,"
                           " PRIMARY KEY(tracklet_id, region, name)) WITHOUT ROWID"),
            // Vectors of the neural models: which model made them is part of the key, so a
            // model change never mixes incomparable vectors.
            QStringLiteral("CREATE TABLE embeddings ("
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " model_id TEXT NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " dim INTEGER NOT NULL,"
                           " vector BLOB NOT NULL,"
                           " PRIMARY KEY(tracklet_id, model_id, kind)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE annotations ("
                           " id INTEGER PRIMARY KEY,"
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " query TEXT NOT NULL DEFAULT '',"
                           " verdict TEXT NOT NULL DEFAULT '',"
                           " label TEXT NOT NULL DEFAULT '',"
                           " note TEXT NOT NULL DEFAULT '',"
                           " author TEXT NOT NULL DEFAULT '',"
                           " created_at TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX annotations_by_tracklet ON annotations(tracklet_id)"),
            QStringLiteral("CREATE TABLE query_history ("
                           " id INTEGER PRIMARY KEY,"
                           " text TEXT NOT NULL,"
                           " result_count INTEGER NOT NULL,"
                           " elapsed_ms REAL NOT NULL,"
                           " created_at TEXT NOT NULL)"),
        } },
        // 2: embeddings keyed by (model, kind, tracklet) and a generation counter.
        // Search reads every vector of one model and kind; with that order first in the key
        // they lie together in the b-tree and load as one range scan (measured on 100k
        // tracklets with 128-float globals beside 1280-float item rows: 0.3 s, against 3.5 s
        // through a secondary index on the old key). Deleting a tracklet still finds its
        // vectors through embeddings_by_tracklet. The counter is bumped by triggers on
        // every tracklet and embedding write, cascaded deletes included, so generation() is
        // one row read and sees writes of other processes.
        { {
            QStringLiteral("CREATE TABLE embeddings_by_model ("
                           " model_id TEXT NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " dim INTEGER NOT NULL,"
                           " vector BLOB NOT NULL,"
                           " PRIMARY KEY(model_id, kind, tracklet_id)) WITHOUT ROWID"),
            QStringLiteral("INSERT INTO embeddings_by_model (model_id, kind, tracklet_id, dim, vector)"
                           " SELECT model_id, kind, tracklet_id, dim, vector FROM embeddings"),
            QStringLiteral("DROP TABLE embeddings"),
            QStringLiteral("ALTER TABLE embeddings_by_model RENAME TO embeddings"),
            QStringLiteral("CREATE INDEX embeddings_by_tracklet ON embeddings(tracklet_id)"),
            QStringLiteral(
                "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID"),
            QStringLiteral("INSERT INTO counters (name, value) VALUES ('generation', 0)"),
        },
            {
                QStringLiteral("CREATE TRIGGER tracklets_inserted AFTER INSERT ON tracklets BEGIN"
                               " UPDATE counters SET value = value + 1 WHERE name = 'generation'; END"),
                QStringLiteral("CREATE TRIGGER tracklets_deleted AFTER DELETE ON tracklets BEGIN"
                               " UPDATE counters SET value = value + 1 WHERE name = 'generation'; END"),
                QStringLiteral("CREATE TRIGGER embeddings_inserted AFTER INSERT ON embeddings BEGIN"
                               " UPDATE counters SET value = value + 1 WHERE name = 'generation'; END"),
                QStringLiteral("CREATE TRIGGER embeddings_updated AFTER UPDATE ON embeddings BEGIN"
                               " UPDATE counters SET value = value + 1 WHERE name = 'generation'; END"),
                QStringLiteral("CREATE TRIGGER embeddings_deleted AFTER DELETE ON embeddings BEGIN"
                               " UPDATE counters SET value = value + 1 WHERE name = 'generation'; END"),
            },
            {
                // Once per statement: a row trigger would bump it for every row of a batch.
                postgresCounterFunction(QStringLiteral("generation")),
                postgresCounterTrigger(QStringLiteral("tracklets_inserted"), QStringLiteral("INSERT"),
                    QStringLiteral("tracklets"), QStringLiteral("generation")),
                postgresCounterTrigger(QStringLiteral("tracklets_deleted"), QStringLiteral("DELETE"),
                    QStringLiteral("tracklets"), QStringLiteral("generation")),
                postgresCounterTrigger(QStringLiteral("embeddings_inserted"), QStringLiteral("INSERT"),
                    QStringLiteral("embeddings"), QStringLiteral("generation")),
                postgresCounterTrigger(QStringLiteral("embeddings_updated"), QStringLiteral("UPDATE"),
                    QStringLiteral("embeddings"), QStringLiteral("generation")),
                postgresCounterTrigger(QStringLiteral("embeddings_deleted"), QStringLiteral("DELETE"),
                    QStringLiteral("embeddings"), QStringLiteral("generation")),
            } },
        // 3: annotators' review decisions (ReviewQueue, descry-cli review). History is kept: a
        // new decision on the same (query, tracklet) is a new row and the highest id counts,
        // so both lookups (a query's latest decisions, a tracklet's history) end in id order.
        // No trigger bumps the generation counter: reviews change no tracklet or vector, so
        // search caches stay valid while annotators work.
        { {
            QStringLiteral("CREATE TABLE reviews ("
                           " id INTEGER PRIMARY KEY,"
                           " tracklet_id INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " query_text TEXT NOT NULL,"
                           " verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'rejected', 'skipped')),"
                           " label TEXT NOT NULL DEFAULT '',"
                           " note TEXT NOT NULL DEFAULT '',"
                           " author TEXT NOT NULL DEFAULT '',"
                           " created_at TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX reviews_by_query ON reviews(query_text, tracklet_id, id)"),
            QStringLiteral("CREATE INDEX reviews_by_tracklet ON reviews(tracklet_id, id)"),
        } },
        // 4: the body pose of each crop (Pose::toBytes: 17 x (x, y, score) float32 in the crop's
        // pixels), NULL where no pose model ran (older galleries, --pose off).
        { {
            QStringLiteral("ALTER TABLE crops ADD COLUMN pose BLOB"),
        } },
        // 5: identities (IdentityGrouper): which person each tracklet is, as the latest grouping
        // decided, and the annotators' links that every later grouping respects. A grouping is a
        // numbered version with what made it; the identity of a tracklet is replaced as a whole
        // by each new grouping, which moves the generation counter (caches regroup results).
        // Links keep their history like reviews: the latest per tracklet pair counts.
        // 'next_identity' never goes down, so an identity id that vanished is never reused.
        { {
            QStringLiteral("CREATE TABLE identity_groupings ("
                           " version INTEGER PRIMARY KEY,"
                           " model_id TEXT NOT NULL,"
                           " threshold REAL NOT NULL,"
                           " tracklet_count INTEGER NOT NULL,"
                           " identity_count INTEGER NOT NULL,"
                           " seconds REAL NOT NULL,"
                           " created_at TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE tracklet_identities ("
                           " tracklet_id INTEGER PRIMARY KEY REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " identity_id INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX tracklet_identities_by_identity ON tracklet_identities(identity_id, tracklet_id)"),
            QStringLiteral("CREATE TABLE identity_links ("
                           " id INTEGER PRIMARY KEY,"
                           " tracklet_a INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " tracklet_b INTEGER NOT NULL REFERENCES tracklets(id) ON DELETE CASCADE,"
                           " same INTEGER NOT NULL CHECK (same IN (0, 1)),"
                           " author TEXT NOT NULL DEFAULT '',"
                           " created_at TEXT NOT NULL,"
                           " CHECK (tracklet_a < tracklet_b))"),
            QStringLiteral("CREATE INDEX identity_links_by_pair ON identity_links(tracklet_a, tracklet_b, id)"),
            QStringLiteral("INSERT INTO counters (name, value) VALUES ('next_identity', 1)"),
        },
            {
                QStringLiteral("CREATE TRIGGER identity_groupings_inserted AFTER INSERT ON identity_groupings BEGIN"
                               " UPDATE counters SET value = value + 1 WHERE name = 'generation'; END"),
            },
            {
                postgresCounterTrigger(QStringLiteral("identity_groupings_inserted"), QStringLiteral("INSERT"),
                    QStringLiteral("identity_groupings"), QStringLiteral("generation")),
            } },
        // 6: when a source was recorded (its first frame, UTC; NULL: unknown) and how long a
        // person needs at least from one camera to another (a pair stored once, camera_a <
        // camera_b). Identity grouping keeps apart two tracklets of two cameras whose times leave
        // less than that between them.
        { {
            QStringLiteral("ALTER TABLE sources ADD COLUMN recorded_at TEXT"),
            QStringLiteral("CREATE TABLE camera_transits ("
                           " camera_a TEXT NOT NULL,"
                           " camera_b TEXT NOT NULL,"
                           " min_seconds REAL NOT NULL CHECK (min_seconds >= 0),"
                           " PRIMARY KEY (camera_a, camera_b),"
                           " CHECK (camera_a < camera_b))"),
        } },
        // 7: how a grouping compared tracklets (IdentityGrouper::method, e.g. "attention 5:0.2";
        // '' for groupings before this was recorded: the plain affinity), so a threshold chosen
        // for one way is not carried over to another.
        { {
            QStringLiteral("ALTER TABLE identity_groupings ADD COLUMN method TEXT NOT NULL DEFAULT ''"),
        } },
        // 8: claims, so that several ingest workers (processes, machines sharing a PostgreSQL
        // gallery) never ingest one source at once: the worker that holds a source while it
        // ingests it, and its last heartbeat in seconds since 1970 by the database's clock (one
        // clock for every machine). A claim whose heartbeat stopped is taken over (IngestJob).
        // PostgreSQL has no data_version: a counter bumped by every write that callers watch
        // (Gallery::dataVersion) stands in for it; the writes of an ingest go through sources.
        { {
              QStringLiteral("ALTER TABLE sources ADD COLUMN claimed_by TEXT"),
              QStringLiteral("ALTER TABLE sources ADD COLUMN heartbeat_at REAL"),
          },
            {},
            {
                QStringLiteral("INSERT INTO counters (name, value) VALUES ('data_version', 0)"),
                postgresCounterFunction(QStringLiteral("data_version")),
                postgresCounterTrigger(QStringLiteral("sources_changed"), QStringLiteral("INSERT OR UPDATE OR DELETE"),
                    QStringLiteral("sources"), QStringLiteral("data_version")),
                postgresCounterTrigger(QStringLiteral("reviews_changed"), QStringLiteral("INSERT OR UPDATE OR DELETE"),
                    QStringLiteral("reviews"), QStringLiteral("data_version")),
                postgresCounterTrigger(QStringLiteral("identity_links_changed"),
                    QStringLiteral("INSERT OR UPDATE OR DELETE"), QStringLiteral("identity_links"),
                    QStringLiteral("data_version")),
                postgresCounterTrigger(QStringLiteral("camera_transits_changed"),
                    QStringLiteral("INSERT OR UPDATE OR DELETE"), QStringLiteral("camera_transits"),
                    QStringLiteral("data_version")),
                postgresCounterTrigger(QStringLiteral("attributes_changed"), QStringLiteral("INSERT OR UPDATE OR DELETE"),
                    QStringLiteral("attributes"), QStringLiteral("data_version")),
            } },
    };
    return steps;
}

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = QStringLiteral("%1 (in: %2)").arg(query.lastError().text(), sql.left(80));
    return false;
}

bool isPostgres(const QSqlDatabase &db)
{
    return db.driverName() == QLatin1String("QPSQL");
}

// A statement of `both` in PostgreSQL's words: 64-bit integers, identity columns for SQLite's
// rowid keys, double precision for REAL (PostgreSQL's real is 4 bytes), bytea, and text compared
// byte by byte as SQLite's BINARY collation does (ordering and the CHECKs on name pairs must not
// depend on the server's locale).
QString forPostgres(QString sql)
{
    static const QRegularExpression rowidKey(QStringLiteral("\\bINTEGER PRIMARY KEY,"));
    static const QRegularExpression integer(QStringLiteral("\\bINTEGER\\b"));
    static const QRegularExpression real(QStringLiteral("\\bREAL\\b"));
    static const QRegularExpression blob(QStringLiteral("\\bBLOB\\b"));
    static const QRegularExpression text(QStringLiteral("\\bTEXT\\b"));
    sql.replace(rowidKey, QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"));
    sql.replace(integer, QStringLiteral("BIGINT"));
    sql.replace(real, QStringLiteral("DOUBLE PRECISION"));
    sql.replace(blob, QStringLiteral("BYTEA"));
    sql.replace(text, QStringLiteral("TEXT COLLATE \"C\""));
    sql.remove(QStringLiteral(" WITHOUT ROWID"));
    return sql;
}

// The statements of one step for this engine, in order.
QStringList statementsOf(const Step &step, bool postgres)
{
    QStringList out;
    for (const QString &sql : step.both)
        out.append(postgres ? forPostgres(sql) : sql);
    out += postgres ? step.postgresOnly : step.sqliteOnly;
    return out;
}

// PostgreSQL keeps the version in a table (it has no user_version); the lock that makes one
// upgrader at a time is a transaction-scoped advisory lock (SQLite: BEGIN IMMEDIATE).
constexpr qint64 kMigrationLock = 0x44455343525931; // "DESCRY1"

bool beginStep(QSqlDatabase &db, QString *error)
{
    if (!isPostgres(db))
        return exec(db, QStringLiteral("BEGIN IMMEDIATE"), error);
    return exec(db, QStringLiteral("BEGIN"), error)
        && exec(db, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kMigrationLock), error)
        && exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS descry_schema (version INTEGER NOT NULL)"), error)
        && exec(db,
            QStringLiteral("INSERT INTO descry_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM descry_schema)"),
            error);
}

bool setVersion(QSqlDatabase &db, int version, QString *error)
{
    return isPostgres(db) ? exec(db, QStringLiteral("UPDATE descry_schema SET version = %1").arg(version), error)
                          : exec(db, QStringLiteral("PRAGMA user_version = %1").arg(version), error);
}

} // namespace

int GallerySchema::latestVersion()
{
    return int(migrationSteps().size());
}

int GallerySchema::currentVersion(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!isPostgres(db))
        return query.exec(QStringLiteral("PRAGMA user_version")) && query.next() ? query.value(0).toInt() : -1;
    // A new database has no version table yet: schema 0.
    if (!query.exec(QStringLiteral("SELECT to_regclass('descry_schema') IS NOT NULL")) || !query.next())
        return -1;
    if (!query.value(0).toBool())
        return 0;
    if (!query.exec(QStringLiteral("SELECT version FROM descry_schema")))
        return -1;
    return query.next() ? query.value(0).toInt() : 0;
}

bool GallerySchema::migrate(QSqlDatabase &db, QString *error)
{
    const int current = currentVersion(db);
    if (current < 0) {
        *error = QStringLiteral("cannot read the schema version: %1").arg(db.lastError().text());
        return false;
    }
    if (current > latestVersion()) {
        *error = QStringLiteral("this gallery was written by a newer Descry (schema %1, this build knows "
                                "up to %2); update Descry to open it")
                     .arg(current)
                     .arg(latestVersion());
        return false;
    }
    const bool postgres = isPostgres(db);
    const auto &steps = migrationSteps();
    for (int version = current + 1; version <= latestVersion(); ++version) {
        // The write lock is taken before the version is read again: the GUI's workers (and a
        // team's ingest workers) open an old gallery on several connections at once, and only one
        // of them may run a step (the others find it done; seen as "table reviews already exists").
        QString stepError;
        if (!beginStep(db, &stepError)) {
            QString ignored;
            exec(db, QStringLiteral("ROLLBACK"), &ignored);
            *error = QStringLiteral("cannot lock the gallery to upgrade it: %1").arg(stepError);
            return false;
        }
        if (currentVersion(db) >= version) {
            exec(db, QStringLiteral("COMMIT"), &stepError);
            continue;
        }
        bool ok = true;
        for (const QString &sql : statementsOf(steps[size_t(version - 1)], postgres))
            ok = ok && exec(db, sql, &stepError);
        ok = ok && setVersion(db, version, &stepError);
        if (!ok || !exec(db, QStringLiteral("COMMIT"), &stepError)) {
            QString ignored;
            exec(db, QStringLiteral("ROLLBACK"), &ignored);
            *error = QStringLiteral("migration to schema %1 failed: %2").arg(version).arg(stepError);
            return false;
        }
    }
    return true;
}

} // namespace descry
