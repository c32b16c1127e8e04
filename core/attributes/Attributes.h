#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace descry {

// The body regions the attribute baseline measures and the query parser names.
enum class BodyRegion { Head, Upper, Lower, Feet, Whole };

QString regionKey(BodyRegion region); // "head", "upper", ...
bool regionFromKey(const QString &key, BodyRegion *out);

// The 11 basic colour terms (Berlin & Kay), the vocabulary of colour naming and queries.
const QStringList &basicColourNames();

// One measured attribute of a tracklet: e.g. (Upper, "colour:red", 0.62) means 62 % of the
// upper-body foreground pixels are named red; (Lower, "garment:shorts", 0.8) a confidence.
struct AttributeValue {
    BodyRegion region = BodyRegion::Whole;
    QString name;
    float value = 0;
};

using AttributeSet = std::vector<AttributeValue>;

// The attributes stored for one tracklet, as the gallery returns them for search.
struct TrackletAttributes {
    int64_t trackletId = 0;
    AttributeSet attributes;
};

} // namespace descry
