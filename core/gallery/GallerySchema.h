#pragma once

#include <QString>

class QSqlDatabase;

namespace descry {

// Numbered migrations of the gallery schema. The version lives in `PRAGMA user_version`;
// each step runs in its own transaction together with the version bump, so a crash mid-step
// leaves the previous version intact. Never edit a released step: append a new one.
class GallerySchema {
public:
    static int latestVersion();
    // Brings `db` to latestVersion(). Fails (with a reason) on a gallery made by a newer Descry.
    static bool migrate(QSqlDatabase &db, QString *error);
    static int currentVersion(QSqlDatabase &db);
};

} // namespace descry
