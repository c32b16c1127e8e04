#include "GalleryConnection.h"

#include "Gallery.h"
#include "GalleryLocation.h"

#include <QFileInfo>

namespace descry {

GalleryConnection::GalleryConnection() = default;
GalleryConnection::~GalleryConnection() = default;

Gallery *GalleryConnection::get(const QString &path, QString *error, bool create)
{
    const QString absolute = GalleryLocation::normalised(path);
    if (m_gallery && m_gallery->isOpen() && m_gallery->path() == absolute)
        return m_gallery.get();
    m_gallery.reset();
    if (path.isEmpty()) {
        *error = QStringLiteral("no gallery chosen");
        return nullptr;
    }
    if (!create && !exists(absolute)) {
        *error = QStringLiteral("no gallery at %1 yet").arg(absolute);
        return nullptr;
    }
    auto gallery = std::make_unique<Gallery>();
    if (!gallery->open(absolute)) {
        *error = gallery->lastError();
        return nullptr;
    }
    m_gallery = std::move(gallery);
    return m_gallery.get();
}

void GalleryConnection::close()
{
    m_gallery.reset();
}

bool GalleryConnection::exists(const QString &location)
{
    return GalleryLocation::isServer(location) || QFileInfo::exists(location);
}

} // namespace descry
