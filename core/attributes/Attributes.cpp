#include "Attributes.h"

#include <array>

namespace descry {

namespace {
struct RegionName {
    BodyRegion region;
    const char *key;
};
constexpr std::array kRegionNames {
    RegionName { BodyRegion::Head, "head" },
    RegionName { BodyRegion::Upper, "upper" },
    RegionName { BodyRegion::Lower, "lower" },
    RegionName { BodyRegion::Feet, "feet" },
    RegionName { BodyRegion::Whole, "whole" },
};
} // namespace

QString regionKey(BodyRegion region)
{
    for (const auto &r : kRegionNames)
        if (r.region == region)
            return QString::fromLatin1(r.key);
    return QStringLiteral("whole");
}

bool regionFromKey(const QString &key, BodyRegion *out)
{
    for (const auto &r : kRegionNames) {
        if (key == QLatin1String(r.key)) {
            *out = r.region;
            return true;
        }
    }
    return false;
}

const QStringList &basicColourNames()
{
    static const QStringList names {
        QStringLiteral("black"),
        QStringLiteral("white"),
        QStringLiteral("grey"),
        QStringLiteral("red"),
        QStringLiteral("orange"),
        QStringLiteral("yellow"),
        QStringLiteral("green"),
        QStringLiteral("blue"),
        QStringLiteral("purple"),
        QStringLiteral("pink"),
        QStringLiteral("brown"),
    };
    return names;
}

} // namespace descry
