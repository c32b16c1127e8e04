#pragma once

#include "GalleryRecords.h"

#include <QMetaType>
#include <QString>

#include <vector>

namespace descry {

struct SourceOverview {
    SourceRecord source;
    int tracklets = 0;
};

// What the sources panel and the status bar show about a gallery.
struct GalleryOverview {
    QString path;
    bool exists = false; // false: nothing ingested yet, the file is created by the first ingest
    QString error; // the gallery exists but cannot be read (or a read found it damaged)
    bool readOnly = false; // write-protected or opened read-only: searches work, nothing is written
    std::vector<SourceOverview> sources;
    int64_t trackletCount = 0;
};

} // namespace descry

Q_DECLARE_METATYPE(descry::GalleryOverview)
