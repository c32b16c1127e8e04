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

QString reviewVerdictKey(ReviewVerdict verdict)
{
    switch (verdict) {
    case ReviewVerdict::Confirmed:
        return QStringLiteral("confirmed");
    case ReviewVerdict::Rejected:
        return QStringLiteral("rejected");
    case ReviewVerdict::Skipped:
        return QStringLiteral("skipped");
    }
    return QStringLiteral("skipped");
}

std::optional<ReviewVerdict> reviewVerdictFromKey(const QString &key)
{
    for (ReviewVerdict verdict :
        { ReviewVerdict::Confirmed, ReviewVerdict::Rejected, ReviewVerdict::Skipped })
        if (key == reviewVerdictKey(verdict))
            return verdict;
    return std::nullopt;
}

} // namespace descry
