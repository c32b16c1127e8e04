#pragma once

#include "GalleryConnection.h"
#include "GalleryOverview.h"

#include <QObject>

namespace descry {

// Reads the gallery's sources and tracklet counts on the sources thread.
class SourcesWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

public Q_SLOTS:
    void load(const QString &galleryPath);
    // Emits changed() when someone else committed to the gallery since the last poll of this
    // path (or the file appeared or went); the first poll of a path only takes note.
    void poll(const QString &galleryPath);

Q_SIGNALS:
    void loaded(const descry::GalleryOverview &overview);
    void changed(const QString &galleryPath);

private:
    GalleryConnection m_connection;
    QString m_polledPath;
    qint64 m_dataVersion = -1;
    bool m_existed = false;
};

} // namespace descry
