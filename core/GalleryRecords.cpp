#include "GalleryRecords.h"

namespace descry {

QString sourceStatusKey(SourceStatus status)
{
    switch (status) {
    case SourceStatus::Ingesting:
        return QStringLiteral("ingesting");
    case SourceStatus::Done:
        return QStringLiteral("done");
    case SourceStatus::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("failed");
}

SourceStatus sourceStatusFromKey(const QString &key)
{
    if (key == QLatin1String("done"))
        return SourceStatus::Done;
    if (key == QLatin1String("ingesting"))
        return SourceStatus::Ingesting;
    return SourceStatus::Failed;
}

} // namespace descry
