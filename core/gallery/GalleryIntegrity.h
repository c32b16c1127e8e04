#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>

namespace descry {

// What SQLite's own checks say of a gallery file.
struct GalleryCheck {
    bool ok = false;
    QStringList problems; // SQLite's lines, at most a few dozen; empty when ok
    QString error; // why the check could not run at all (not a database, cannot open)
    double seconds = 0;
};

// What `repair` salvaged into the new file.
struct GalleryRepair {
    std::map<QString, int64_t> rowsRecovered; // table -> rows in the new gallery
    int64_t orphansRemoved = 0; // rows whose parent row was lost (foreign key check)
    int64_t damagedRegions = 0; // places where reading a table met damage and went on past it
    QStringList damagedTables; // the tables that lost rows there
};

// Trust in gallery files (issue 15): damage is found by SQLite's checks, never written over, and
// a copy of what can be read is the way out. A gallery is checked when it is opened and its file
// changed since the last good check (a fingerprint of size and modification time kept in the
// user's cache, outside the gallery so a read-only one can be vouched for too), and on any read
// that SQLite answers with "malformed"; a process that found damage in a file writes nothing
// more to it.
namespace GalleryIntegrity {

// A read-only connection to `path`: the database name (a URI: mode=ro, or immutable=1 where the
// folder is write-protected and a WAL reader could not make its -shm file) and the options.
QString readOnlyDatabaseName(const QString &path);
QString readOnlyConnectOptions();

// PRAGMA quick_check (`quick`) or integrity_check on a read-only connection of its own.
GalleryCheck check(const QString &path, bool quick);

// The first of SQLite's lines that names a problem (not its "*** in database main ***" heading),
// or the error; for one-line messages.
QString firstProblem(const GalleryCheck &check);

// True when the file changed since the last good check recorded for it (or none was), and it
// was not already checked by this process.
bool needsCheck(const QString &path);
// The file as it is now is good: record its fingerprint (and trust it for this process).
void recordGood(const QString &path);
// quick_check when needsCheck(), recording a good result; ok without a check otherwise. One
// check at a time in the process: the GUI's workers opening a changed gallery together wait for
// the first one's check instead of each reading the whole file.
GalleryCheck checkIfChanged(const QString &path);

// A process-wide list of files found damaged; every Gallery of that file refuses to write.
void markDamaged(const QString &path, const QString &reason);
QString damage(const QString &path); // empty when none was found
QStringList damagedPaths();
// What to tell a user whose gallery is damaged: the reason and the way out.
QString damageMessage(const QString &path, const QString &reason);

// A consistent copy (VACUUM INTO) to a new file; refuses a damaged gallery and an existing target.
bool backup(const QString &path, const QString &target, QString *error);

// Every row that can still be read of a damaged gallery, copied to `target` (a new file with this
// build's schema; the damaged one is only read), then rows that lost their parents removed.
// (The sqlite3 shell's .recover, which reads pages below a damaged b-tree page too, needs the
// sqlite_dbpage table that Debian's SQLite is built without.)
bool repair(const QString &path, const QString &target, GalleryRepair *report, QString *error);

} // namespace GalleryIntegrity

} // namespace descry
