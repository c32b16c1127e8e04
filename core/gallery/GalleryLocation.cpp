#include "GalleryLocation.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QUrl>

namespace descry::GalleryLocation {

bool isServer(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive)
        || location.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

QString normalised(const QString &location)
{
    if (isServer(location) || location.isEmpty())
        return location;
    return QFileInfo(location).absoluteFilePath();
}

QString displayName(const QString &location)
{
    if (!isServer(location))
        return location;
    QUrl url(location);
    url.setPassword({});
    return url.toString();
}

QString cacheKey(const QString &location)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(displayName(normalised(location)).toUtf8(), QCryptographicHash::Sha1)
            .toHex());
}

} // namespace descry::GalleryLocation
