#include "GalleryIntegrity.h"

#include "GalleryConnectionScope.h"
#include "GallerySchema.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QMutex>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUrl>
#include <QVariant>

#include <filesystem>
#include <system_error>

namespace descry::GalleryIntegrity {

namespace {

constexpr int kMaxProblems = 40;

QMutex &registryMutex()
{
    static QMutex mutex;
    return mutex;
}

// Files found damaged by this process (absolute path -> what SQLite said).
QMap<QString, QString> &damaged()
{
    static QMap<QString, QString> map;
    return map;
}

// The fingerprint of each file as this process last checked or wrote it.
QMap<QString, QByteArray> &trusted()
{
    static QMap<QString, QByteArray> map;
    return map;
}

QString absolute(const QString &path)
{
    return QFileInfo(path).absoluteFilePath();
}

QString recordPath(const QString &path)
{
    QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        cache = QDir::home().filePath(QStringLiteral(".cache"));
    const QByteArray key
        = QCryptographicHash::hash(absolute(path).toUtf8(), QCryptographicHash::Sha1).toHex();
    return QDir(cache).filePath(QStringLiteral("descry/gallery-checks/%1").arg(QString::fromLatin1(key)));
}

// Size and modification time (ns) of the main file: what changes when anything rewrites it.
QByteArray fingerprint(const QString &path)
{
    std::error_code error;
    const std::filesystem::path file(path.toStdString());
    const auto size = std::filesystem::file_size(file, error);
    if (error)
        return {};
    const auto modified = std::filesystem::last_write_time(file, error);
    if (error)
        return {};
    return QStringLiteral("%1 %2 %3\n")
        .arg(absolute(path))
        .arg(qulonglong(size))
        .arg(qlonglong(modified.time_since_epoch().count()))
        .toUtf8();
}

using gallery_internal::newConnectionName;
using gallery_internal::withConnection;

bool exec(QSqlDatabase &db, const QString &sql, QString *error, const QVariantList &values = {})
{
    QSqlQuery q(db);
    if (!q.prepare(sql)) {
        *error = q.lastError().text();
        return false;
    }
    for (const QVariant &value : values)
        q.addBindValue(value);
    if (!q.exec()) {
        *error = q.lastError().text();
        return false;
    }
    return true;
}

// Removes rows whose parent row did not survive, repeating while one removal orphans more
// (a lost tracklet orphans its crops; WITHOUT ROWID tables have no rowid to delete by, so rows
// go by their foreign key).
int64_t removeOrphans(QSqlDatabase &db, QString *error)
{
    int64_t removed = 0;
    for (int round = 0; round < 16; ++round) {
        QSqlQuery check(db);
        if (!check.exec(QStringLiteral("PRAGMA foreign_key_check"))) {
            *error = check.lastError().text();
            return -1;
        }
        QStringList tables;
        while (check.next())
            if (!tables.contains(check.value(0).toString()))
                tables << check.value(0).toString();
        check.finish();
        if (tables.isEmpty())
            return removed;
        for (const QString &table : tables) {
            QSqlQuery keys(db);
            keys.exec(QStringLiteral("PRAGMA foreign_key_list(\"%1\")").arg(table));
            QStringList deletes;
            while (keys.next())
                deletes << QStringLiteral("DELETE FROM \"%1\" WHERE \"%2\" IS NOT NULL AND \"%2\" NOT IN "
                                          "(SELECT \"%4\" FROM \"%3\")")
                               .arg(table, keys.value(3).toString(), keys.value(2).toString(),
                                   keys.value(4).isNull() ? QStringLiteral("rowid")
                                                          : keys.value(4).toString());
            for (const QString &sql : deletes) {
                QSqlQuery q(db);
                if (!q.exec(sql)) {
                    *error = q.lastError().text();
                    return -1;
                }
                removed += q.numRowsAffected();
            }
        }
    }
    return removed;
}

} // namespace

QString readOnlyDatabaseName(const QString &path)
{
    // A write-protected folder cannot take the -shm file a WAL reader needs: read such a file as
    // immutable (nobody can be writing it there either).
    const QFileInfo info(absolute(path));
    const bool folderWritable = QFileInfo(info.absolutePath()).isWritable();
    const bool shmExists = QFileInfo::exists(info.absoluteFilePath() + QStringLiteral("-shm"));
    QUrl url = QUrl::fromLocalFile(info.absoluteFilePath());
    url.setQuery(folderWritable || shmExists ? QStringLiteral("mode=ro") : QStringLiteral("immutable=1"));
    return url.toString(QUrl::FullyEncoded);
}

QString readOnlyConnectOptions()
{
    return QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=30000");
}

GalleryCheck check(const QString &path, bool quick)
{
    GalleryCheck result;
    QElapsedTimer timer;
    timer.start();
    if (!QFileInfo::exists(path)) {
        result.error = QStringLiteral("no file at %1").arg(path);
        return result;
    }
    if (QFileInfo(path).size() == 0) {
        result.error = QStringLiteral("%1 is an empty file (0 bytes), not a gallery").arg(path);
        return result;
    }
    withConnection(readOnlyDatabaseName(path), readOnlyConnectOptions(), [&](QSqlDatabase &db) {
        if (!db.open()) {
            result.error = db.lastError().text();
            return false;
        }
        QSqlQuery q(db);
        if (!q.exec(quick ? QStringLiteral("PRAGMA quick_check(%1)").arg(kMaxProblems)
                          : QStringLiteral("PRAGMA integrity_check(%1)").arg(kMaxProblems))) {
            result.error = q.lastError().text();
            return false;
        }
        while (q.next())
            result.problems << q.value(0).toString();
        if (q.lastError().isValid())
            result.problems << q.lastError().text();
        result.ok = result.problems == QStringList { QStringLiteral("ok") };
        if (result.ok)
            result.problems.clear();
        return true;
    });
    result.seconds = double(timer.nsecsElapsed()) * 1e-9;
    return result;
}

QString firstProblem(const GalleryCheck &check)
{
    for (const QString &problem : check.problems) {
        const QString line = problem.section(QLatin1Char('\n'), -1).trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1String("***")))
            return line;
    }
    return check.error.isEmpty() ? check.problems.value(0) : check.error;
}

bool needsCheck(const QString &path)
{
    const QString file = absolute(path);
    const QByteArray now = fingerprint(file);
    {
        QMutexLocker lock(&registryMutex());
        if (trusted().value(file) == now)
            return false;
    }
    QFile record(recordPath(file));
    if (!record.open(QIODevice::ReadOnly))
        return true;
    return record.readAll() != now;
}

void recordGood(const QString &path)
{
    const QString file = absolute(path);
    const QByteArray now = fingerprint(file);
    {
        QMutexLocker lock(&registryMutex());
        if (damaged().contains(file) || now.isEmpty() || trusted().value(file) == now)
            return;
        trusted().insert(file, now);
    }
    const QString target = recordPath(file);
    QDir().mkpath(QFileInfo(target).absolutePath());
    QFile record(target);
    // No record is only a check more at the next open, so a failure here is no error.
    if (record.open(QIODevice::WriteOnly | QIODevice::Truncate))
        record.write(now);
}

GalleryCheck checkIfChanged(const QString &path)
{
    static QMutex checking;
    QMutexLocker lock(&checking);
    if (!needsCheck(path)) {
        GalleryCheck unchanged;
        unchanged.ok = true;
        return unchanged;
    }
    const GalleryCheck checked = check(path, true);
    if (checked.ok)
        recordGood(path);
    return checked;
}

void markDamaged(const QString &path, const QString &reason)
{
    const QString file = absolute(path);
    {
        QMutexLocker lock(&registryMutex());
        if (!damaged().contains(file))
            damaged().insert(file, reason);
        trusted().remove(file);
    }
    QFile::remove(recordPath(file));
}

QString damage(const QString &path)
{
    QMutexLocker lock(&registryMutex());
    return damaged().value(absolute(path));
}

QStringList damagedPaths()
{
    QMutexLocker lock(&registryMutex());
    return damaged().keys();
}

QString damageMessage(const QString &path, const QString &reason)
{
    return QStringLiteral("the gallery %1 is damaged (%2); Descry will not read or write it. "
                          "Run 'descry-cli gallery check --gallery %1' for the details and "
                          "'descry-cli gallery repair --gallery %1 NEW.sqlite' to recover what can be "
                          "read into a new file (the damaged one is left as it is).")
        .arg(absolute(path), reason);
}

bool backup(const QString &path, const QString &target, QString *error)
{
    if (QFileInfo::exists(target)) {
        *error = QStringLiteral("%1 exists already; a backup never overwrites a file").arg(target);
        return false;
    }
    const QString known = damage(path);
    const GalleryCheck checked = known.isEmpty() ? check(path, true) : GalleryCheck {};
    if (!checked.ok) {
        *error = QStringLiteral("%1 fails SQLite's check (%2); back up what can be read with "
                                "'descry-cli gallery repair' instead")
                     .arg(path, known.isEmpty() ? firstProblem(checked) : known);
        return false;
    }
    QDir().mkpath(QFileInfo(target).absolutePath());
    const QString partial = target + QStringLiteral(".partial");
    QFile::remove(partial);
    const bool copied
        = withConnection(readOnlyDatabaseName(path), readOnlyConnectOptions(), [&](QSqlDatabase &db) {
              if (!db.open()) {
                  *error = db.lastError().text();
                  return false;
              }
              return exec(db, QStringLiteral("VACUUM INTO ?"), error, { partial });
          });
    if (!copied || !check(partial, true).ok || !QFile::rename(partial, target)) {
        if (copied && error->isEmpty())
            *error = QStringLiteral("the copy %1 did not pass SQLite's check or could not be renamed")
                         .arg(partial);
        QFile::remove(partial);
        return false;
    }
    recordGood(target);
    return true;
}

namespace {

constexpr qint64 kFarAway = qint64(1) << 62;

// One row's key as text: a rowid, or a WITHOUT ROWID table's primary key values.
QString rowKey(const QVariantList &values)
{
    QStringList parts;
    for (const QVariant &v : values)
        parts << (v.typeId() == QMetaType::QString ? v.toString() : QString::number(v.toLongLong()));
    return parts.join(QChar(0x1f));
}

// SQLite's variable-length integer at `at` (big-endian 7-bit groups, 9 bytes at most).
qint64 readVarint(const QByteArray &page, int *at)
{
    qint64 value = 0;
    for (int i = 0; i < 9 && *at < page.size(); ++i) {
        const uchar byte = uchar(page[(*at)++]);
        if (i == 8)
            return (value << 8) | byte;
        value = (value << 7) | (byte & 0x7f);
        if (!(byte & 0x80))
            break;
    }
    return value;
}

// Rows whose values SQLite reads without an error but wrong: a value spilling onto an overflow
// page whose bytes were overwritten is read with those bytes (the integrity check sees the chain
// broken, a plain read does not). The check names the row's cell — "On tree page P cell C" —
// and the key is read from that cell's bytes in the file. Table name -> keys (rowKey).
std::map<QString, QSet<QString>> rowsWithDamagedValues(QSqlDatabase &from, const QString &path)
{
    std::map<QString, QSet<QString>> rows;
    if (QFileInfo(path + QStringLiteral("-wal")).size() > 0)
        return rows; // the file's pages may not be the ones SQLite reads
    QFile file(path);
    QSqlQuery check(from);
    if (!file.open(QIODevice::ReadOnly) || !check.exec(QStringLiteral("PRAGMA integrity_check(1000)")))
        return rows;
    const QByteArray header = file.read(100);
    const int pageSize = header.size() < 18 ? 0
        : ((uchar(header[16]) << 8) | uchar(header[17])) == 1
        ? 65536
        : ((uchar(header[16]) << 8) | uchar(header[17]));
    static const QRegularExpression cellPattern(QStringLiteral("On tree page (\\d+) cell (\\d+):"));
    std::vector<std::pair<int, int>> cells;
    while (check.next())
        for (const QString &line : check.value(0).toString().split(QLatin1Char('\n'))) {
            const QRegularExpressionMatch m = cellPattern.match(line);
            if (m.hasMatch())
                cells.emplace_back(m.captured(1).toInt(), m.captured(2).toInt());
        }
    for (const auto &[pageNumber, cell] : cells) {
        QSqlQuery owner(from);
        owner.prepare(QStringLiteral("SELECT name FROM dbstat WHERE pageno = ?"));
        owner.addBindValue(pageNumber);
        if (pageSize <= 0 || !owner.exec() || !owner.next() || !file.seek(qint64(pageNumber - 1) * pageSize))
            continue;
        const QString table = owner.value(0).toString();
        const QByteArray page = file.read(pageSize);
        const int head = pageNumber == 1 ? 100 : 0;
        if (page.size() != pageSize || head + 8 + 2 * cell + 2 > page.size())
            continue;
        const uchar type = uchar(page[head]);
        int at = (uchar(page[head + 8 + 2 * cell]) << 8) | uchar(page[head + 8 + 2 * cell + 1]);
        QVariantList key;
        if (type == 0x0d) { // table leaf: payload size, rowid
            readVarint(page, &at);
            key << readVarint(page, &at);
        } else if (type == 0x0a) { // index leaf (a WITHOUT ROWID table): payload size, then the record
            QSqlQuery info(from);
            int keyColumns = 0;
            if (info.exec(QStringLiteral("PRAGMA table_info(\"%1\")").arg(table)))
                while (info.next())
                    keyColumns += info.value(5).toInt() > 0;
            readVarint(page, &at);
            const int recordStart = at;
            const qint64 headerSize = readVarint(page, &at);
            std::vector<qint64> types;
            while (at < recordStart + headerSize && at < page.size())
                types.push_back(readVarint(page, &at));
            int value = recordStart + int(headerSize);
            for (int i = 0; i < keyColumns && i < int(types.size()) && value < page.size(); ++i) {
                const qint64 t = types[size_t(i)];
                static const int intBytes[] = { 0, 1, 2, 3, 4, 6, 8 };
                if (t >= 1 && t <= 6) {
                    qint64 v = qint8(page[value]); // sign from the first byte
                    for (int b = 1; b < intBytes[t]; ++b)
                        v = (v << 8) | uchar(page[value + b]);
                    key << v;
                    value += intBytes[t];
                } else if (t == 8 || t == 9) {
                    key << qint64(t - 8);
                } else if (t >= 13 && t % 2 == 1) {
                    key << QString::fromUtf8(page.mid(value, int((t - 13) / 2)));
                    value += int((t - 13) / 2);
                } else {
                    key.clear(); // a key of another type: not one of Descry's tables
                    break;
                }
            }
        }
        if (!key.isEmpty())
            rows[table].insert(rowKey(key));
    }
    return rows;
}

// The primary key columns of a WITHOUT ROWID table, in key order (empty for rowid tables).
QStringList primaryKeyOf(QSqlDatabase &db, const QString &table, const QString &seek)
{
    if (seek == QLatin1String("rowid"))
        return {};
    std::map<int, QString> ordered;
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("PRAGMA table_info(\"%1\")").arg(table)))
        while (q.next())
            if (q.value(5).toInt() > 0)
                ordered[q.value(5).toInt()] = q.value(1).toString();
    QStringList columns;
    for (const auto &[position, name] : ordered)
        columns << name;
    return columns;
}

// Copies what can still be read of one table from a damaged gallery. SQLite finds a row by
// walking its b-tree from the root; a damaged page fails every walk that passes through it but
// no other, so the table is read in key order, and where a read fails the walk starts again past
// the damage: the first key at which a seek works again is found by doubling steps, then by
// halving them. Rows on the damaged pages (and below a damaged interior page) are lost; every
// other row is copied.
class TableSalvage {
public:
    // `skip`: the keys (rowids, or primary key values joined by rowKey) of rows whose values
    // SQLite reads without an error but wrong: they are left out.
    TableSalvage(QSqlDatabase &from, QSqlDatabase &to, const QString &table, const QStringList &columns,
        const QString &seek, const QStringList &primaryKey, const QSet<QString> &skip)
        : m_from(from)
        , m_table(table)
        , m_seek(seek)
        , m_insert(to)
        , m_skip(skip)
    {
        for (const QString &c : primaryKey)
            m_primaryKey.push_back(int(columns.indexOf(c)));
        QStringList quoted, marks;
        for (const QString &c : columns) {
            quoted << QStringLiteral("\"%1\"").arg(c);
            marks << QStringLiteral("?");
        }
        m_columns = quoted.join(QStringLiteral(", "));
        m_insert.prepare(QStringLiteral("INSERT OR REPLACE INTO \"%1\" (%2) VALUES (%3)")
                             .arg(table, m_columns, marks.join(QStringLiteral(", "))));
        m_columnCount = int(columns.size());
    }

    int64_t copied() const { return m_copied; }
    int64_t damagedRegions() const { return m_damaged; }
    QString error() const { return m_error; }

    bool run()
    {
        if (m_seek.isEmpty()) { // a small table keyed by text: all of it, or what comes before the damage
            QSqlQuery q(m_from);
            q.setForwardOnly(true);
            if (!q.exec(QStringLiteral("SELECT %1 FROM \"%2\"").arg(m_columns, m_table))) {
                ++m_damaged;
                return true;
            }
            while (q.next())
                if (!copy(q, 0))
                    return false;
            m_damaged += q.lastError().isValid() ? 1 : 0;
            return true;
        }
        qint64 position = bound(QStringLiteral("min"), -kFarAway);
        const qint64 last = bound(QStringLiteral("max"), kFarAway);
        while (position <= last) {
            qint64 lastKey = 0;
            int64_t rows = 0;
            const Read read = scan(position, &lastKey, &rows);
            if (read == Read::Failed && !m_error.isEmpty())
                return false;
            if (read == Read::End)
                return true;
            ++m_damaged;
            if (rows > 0) { // the damage lies just after lastKey
                position = lastKey + 1;
                continue;
            }
            // No row could be read from `position` on: find where seeks work again.
            qint64 failing = position, step = 1, working = 0;
            for (;;) {
                working = failing > last - step ? last + 1 : failing + step;
                if (working > last || seekWorks(working))
                    break;
                failing = working;
                step = step > kFarAway / 2 ? kFarAway : step * 2;
            }
            if (working > last)
                return true;
            while (working - failing > 1) {
                const qint64 middle = failing + (working - failing) / 2;
                (seekWorks(middle) ? working : failing) = middle;
            }
            position = working;
        }
        return true;
    }

private:
    enum class Read { End, Damaged, Failed };

    qint64 bound(const QString &function, qint64 fallback)
    {
        QSqlQuery q(m_from);
        if (q.exec(QStringLiteral("SELECT %1(\"%2\") FROM \"%3\"").arg(function, m_seek, m_table)) && q.next()
            && !q.value(0).isNull())
            return q.value(0).toLongLong();
        return fallback;
    }

    bool seekWorks(qint64 key)
    {
        QSqlQuery q(m_from);
        q.prepare(QStringLiteral("SELECT \"%1\" FROM \"%2\" WHERE \"%1\" >= ? ORDER BY \"%1\" LIMIT 1")
                      .arg(m_seek, m_table));
        q.addBindValue(key);
        if (!q.exec())
            return false;
        q.next();
        return !q.lastError().isValid();
    }

    Read scan(qint64 from, qint64 *lastKey, int64_t *rows)
    {
        QSqlQuery q(m_from);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT %1, \"%2\" FROM \"%3\" WHERE \"%2\" >= ? ORDER BY \"%2\"")
                      .arg(m_columns, m_seek, m_table));
        q.addBindValue(from);
        if (!q.exec())
            return Read::Damaged;
        while (q.next()) {
            if (!copy(q, 0))
                return Read::Failed;
            *lastKey = q.value(m_columnCount).toLongLong();
            ++*rows;
        }
        return q.lastError().isValid() ? Read::Damaged : Read::End;
    }

    bool copy(const QSqlQuery &row, int first)
    {
        if (!m_skip.isEmpty()) {
            QVariantList key;
            if (m_seek == QLatin1String("rowid"))
                key << row.value(m_columnCount);
            for (int i : m_primaryKey)
                key << (i >= 0 ? row.value(first + i) : QVariant());
            if (m_skip.contains(rowKey(key))) {
                ++m_damaged;
                return true;
            }
        }
        for (int i = 0; i < m_columnCount; ++i)
            m_insert.bindValue(i, row.value(first + i));
        if (!m_insert.exec()) {
            // A value SQLite could not read (a broken overflow chain) arrives as NULL, which the
            // new file's NOT NULL refuses: that row is lost, the rest goes on.
            constexpr int kSqliteConstraint = 19;
            if ((m_insert.lastError().nativeErrorCode().toInt() & 0xff) == kSqliteConstraint) {
                ++m_damaged;
                return true;
            }
            m_error = QStringLiteral("cannot write %1 to the new file: %2")
                          .arg(m_table, m_insert.lastError().text());
            return false;
        }
        ++m_copied;
        return true;
    }

    QSqlDatabase &m_from;
    QString m_table;
    QString m_seek;
    QString m_columns;
    int m_columnCount = 0;
    QSqlQuery m_insert;
    QSet<QString> m_skip;
    std::vector<int> m_primaryKey; // column indexes, WITHOUT ROWID tables
    int64_t m_copied = 0;
    int64_t m_damaged = 0;
    QString m_error;
};

QStringList columnsOf(QSqlDatabase &db, const QString &table)
{
    QStringList columns;
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("PRAGMA table_info(\"%1\")").arg(table)))
        while (q.next())
            columns << q.value(1).toString();
    return columns;
}

// The integer key a table is read in order of: the rowid, or (a WITHOUT ROWID table) its
// tracklet_id, which leads its primary key or has an index; empty: read it whole.
QString seekColumn(QSqlDatabase &db, const QString &table, const QStringList &columns)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?"));
    q.addBindValue(table);
    const bool withoutRowid
        = q.exec() && q.next() && q.value(0).toString().contains(QLatin1String("WITHOUT ROWID"));
    if (!withoutRowid)
        return QStringLiteral("rowid");
    return columns.contains(QLatin1String("tracklet_id")) ? QStringLiteral("tracklet_id") : QString();
}

} // namespace

bool repair(const QString &path, const QString &target, GalleryRepair *report, QString *error)
{
    if (QFileInfo::exists(target)) {
        *error = QStringLiteral("%1 exists already; repair writes a new file and never overwrites one")
                     .arg(target);
        return false;
    }
    if (absolute(path) == absolute(target)) {
        *error = QStringLiteral("repair never writes in place: name a new file");
        return false;
    }
    QDir().mkpath(QFileInfo(target).absolutePath());
    const QString partial = target + QStringLiteral(".partial");
    for (const char *suffix : { "", "-wal", "-shm", "-journal" })
        QFile::remove(partial + QLatin1String(suffix));

    const QString fromName = newConnectionName();
    const QString toName = newConnectionName();
    bool ok = false;
    {
        QSqlDatabase from = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), fromName);
        from.setDatabaseName(readOnlyDatabaseName(path));
        from.setConnectOptions(readOnlyConnectOptions());
        QSqlDatabase to = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), toName);
        to.setDatabaseName(partial);
        ok = [&] {
            if (!from.open() || !to.open()) {
                *error = from.isOpen() ? to.lastError().text() : from.lastError().text();
                return false;
            }
            QSqlQuery tables(from);
            if (!tables.exec(QStringLiteral("SELECT name FROM sqlite_schema WHERE type = 'table'"))) {
                *error
                    = QStringLiteral("the damaged file's list of tables cannot be read (%1); nothing can be "
                                     "recovered by Descry")
                          .arg(tables.lastError().text());
                return false;
            }
            QStringList fromTables;
            while (tables.next())
                fromTables << tables.value(0).toString();
            const std::map<QString, QSet<QString>> damagedValues
                = rowsWithDamagedValues(from, absolute(path));
            // The new file gets this build's schema; every column both have is copied.
            if (!GallerySchema::migrate(to, error)
                || !exec(to, QStringLiteral("PRAGMA foreign_keys = OFF"), error) || !to.transaction())
                return false;
            QSqlQuery toTables(to);
            toTables.exec(QStringLiteral("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT "
                                         "LIKE 'sqlite_%' ORDER BY name"));
            QStringList names;
            while (toTables.next())
                names << toTables.value(0).toString();
            for (const QString &table : names) {
                if (!fromTables.contains(table))
                    continue;
                const QStringList targetColumns = columnsOf(to, table);
                QStringList columns;
                for (const QString &c : columnsOf(from, table))
                    if (targetColumns.contains(c))
                        columns << c;
                if (columns.isEmpty())
                    continue;
                const QString seek = seekColumn(from, table, columns);
                const auto skip = damagedValues.find(table);
                TableSalvage salvage(from, to, table, columns, seek, primaryKeyOf(from, table, seek),
                    skip == damagedValues.end() ? QSet<QString> {} : skip->second);
                if (!salvage.run()) {
                    *error = salvage.error();
                    to.rollback();
                    return false;
                }
                report->rowsRecovered[table] = salvage.copied();
                report->damagedRegions += salvage.damagedRegions();
                if (salvage.damagedRegions() > 0)
                    report->damagedTables << table;
            }
            if (!to.commit()) {
                *error = to.lastError().text();
                return false;
            }
            // Rows whose parents were lost (a crop of a tracklet that is gone) go, and the
            // counter moves so no cache takes the new file for the old one.
            if (!exec(to, QStringLiteral("PRAGMA foreign_keys = ON"), error))
                return false;
            report->orphansRemoved = removeOrphans(to, error);
            if (report->orphansRemoved < 0)
                return false;
            QString ignored; // a gallery without the counter row is still readable
            exec(to, QStringLiteral("UPDATE counters SET value = value + 1 WHERE name = 'generation'"),
                &ignored);
            for (auto &[table, rows] : report->rowsRecovered) {
                QSqlQuery count(to);
                if (count.exec(QStringLiteral("SELECT count(*) FROM \"%1\"").arg(table)) && count.next())
                    rows = count.value(0).toLongLong();
            }
            return true;
        }();
        from.close();
        to.close();
    }
    QSqlDatabase::removeDatabase(fromName);
    QSqlDatabase::removeDatabase(toName);
    const GalleryCheck checked = ok ? check(partial, false) : GalleryCheck {};
    if (!ok || !checked.ok || !QFile::rename(partial, target)) {
        if (ok)
            *error = QStringLiteral("the recovered file fails SQLite's check: %1").arg(firstProblem(checked));
        for (const char *suffix : { "", "-wal", "-shm", "-journal" })
            QFile::remove(partial + QLatin1String(suffix));
        return false;
    }
    recordGood(target);
    return true;
}

} // namespace descry::GalleryIntegrity
