#include "SourcesWorker.h"

#include "Gallery.h"
#include "GalleryIntegrity.h"

#include <QHash>

namespace descry {

void SourcesWorker::load(const QString &galleryPath)
{
    GalleryOverview overview;
    overview.path = galleryPath;
    overview.exists = GalleryConnection::exists(galleryPath);
    if (overview.exists) {
        Gallery *gallery = m_connection.get(galleryPath, &overview.error);
        if (gallery) {
            // One pass over the tracklets rather than one query per source.
            QHash<int64_t, int> perSource;
            for (const TrackletRecord &t : gallery->tracklets())
                ++perSource[t.sourceId];
            for (SourceRecord &s : gallery->sources())
                overview.sources.push_back({ s, perSource.value(s.id) });
            overview.trackletCount = gallery->trackletCount();
            overview.readOnly = gallery->isReadOnly();
            if (!gallery->damage().isEmpty())
                overview.error = GalleryIntegrity::damageMessage(galleryPath, gallery->damage());
        }
    }
    Q_EMIT loaded(overview);
}

void SourcesWorker::poll(const QString &galleryPath)
{
    const bool exists = GalleryConnection::exists(galleryPath);
    qint64 version = -1;
    QString error;
    if (exists)
        if (Gallery *gallery = m_connection.get(galleryPath, &error, false))
            version = gallery->dataVersion();
    const bool first = galleryPath != m_polledPath;
    const bool moved = version != m_dataVersion || exists != m_existed;
    m_polledPath = galleryPath;
    m_dataVersion = version;
    m_existed = exists;
    if (!first && moved)
        Q_EMIT changed(galleryPath);
}

} // namespace descry
