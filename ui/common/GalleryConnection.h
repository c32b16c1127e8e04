#pragma once

#include <QString>

#include <memory>

namespace descry {

class Gallery;

// The Gallery connection of one worker: opened on first use, on the worker's thread, and
// reopened when the gallery location (a file path or a postgresql:// URL) changes. Only ever
// touched from that thread.
class GalleryConnection {
public:
    GalleryConnection();
    ~GalleryConnection();

    // The open gallery at `path`, or nullptr with `error` set. Without `create`, a gallery
    // file that does not exist yet is reported instead of created (readers must not create it).
    Gallery *get(const QString &path, QString *error, bool create = false);
    void close();

    // Whether there is a gallery to read at `location`: a file once the first ingest made it; a
    // server's database always (it is made by its administrator; opening it says what is wrong).
    static bool exists(const QString &location);

private:
    std::unique_ptr<Gallery> m_gallery;
};

} // namespace descry
