#pragma once

#include <QString>

namespace descry {

// Where a gallery lives: a SQLite file (a path, the default) or a PostgreSQL database shared by a
// team (a URL: postgresql://user[:password]@host[:port]/database[?options], the form libpq
// reads). Every place that takes a gallery takes either; only Gallery tells them apart further.
namespace GalleryLocation {

// True for postgresql:// and postgres:// URLs.
bool isServer(const QString &location);
// A file's absolute path, or the URL as given: the one spelling of a gallery in this process.
QString normalised(const QString &location);
// What to show a user: the path, or the URL without its password.
QString displayName(const QString &location);
// A file-system-safe key of the location (cache folders of a server gallery's indexes).
QString cacheKey(const QString &location);

} // namespace GalleryLocation

} // namespace descry
