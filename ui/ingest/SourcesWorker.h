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

Q_SIGNALS:
    void loaded(const descry::GalleryOverview &overview);

private:
    GalleryConnection m_connection;
};

} // namespace descry
