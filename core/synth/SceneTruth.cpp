#include "SceneTruth.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace descry {

namespace {

const QString kFormat = QStringLiteral("descry-scene-truth");
constexpr int kVersion = 1;

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

QJsonObject identityToJson(const IdentityTruth &identity)
{
    QJsonObject json;
    json[QStringLiteral("id")] = identity.id;
    json[QStringLiteral("firstFrame")] = static_cast<double>(identity.firstFrame);
    json[QStringLiteral("lastFrame")] = static_cast<double>(identity.lastFrame);
    json[QStringLiteral("appearance")] = identity.appearance.toJson();
    json[QStringLiteral("captions")] = QJsonArray::fromStringList(identity.captions);
    return json;
}

bool identityFromJson(const QJsonObject &json, IdentityTruth *out, QString *error)
{
    IdentityTruth identity;
    identity.id = json.value(QStringLiteral("id")).toInt(0);
    identity.firstFrame = static_cast<int64_t>(json.value(QStringLiteral("firstFrame")).toDouble(-1));
    identity.lastFrame = static_cast<int64_t>(json.value(QStringLiteral("lastFrame")).toDouble(-1));
    if (identity.id <= 0)
        return fail(error, QStringLiteral("truth: identity without a positive \"id\""));
    if (!PersonAppearance::fromJson(
            json.value(QStringLiteral("appearance")).toObject(), &identity.appearance, error))
        return false;
    for (const QJsonValue &caption : json.value(QStringLiteral("captions")).toArray())
        identity.captions << caption.toString();
    *out = identity;
    return true;
}

QJsonArray boxToJson(const TruthBox &b)
{
    return QJsonArray { static_cast<double>(b.frame), b.identity, b.box.x, b.box.y, b.box.w, b.box.h,
        b.visible };
}

bool boxFromJson(const QJsonValue &value, TruthBox *out)
{
    const QJsonArray row = value.toArray();
    if (row.size() != 7)
        return false;
    for (const QJsonValue &v : row)
        if (!v.isDouble())
            return false;
    out->frame = static_cast<int64_t>(row[0].toDouble());
    out->identity = row[1].toInt();
    out->box = Box { static_cast<float>(row[2].toDouble()), static_cast<float>(row[3].toDouble()),
        static_cast<float>(row[4].toDouble()), static_cast<float>(row[5].toDouble()) };
    out->visible = static_cast<float>(row[6].toDouble());
    return true;
}

bool boxOrder(const TruthBox &a, const TruthBox &b)
{
    return a.frame != b.frame ? a.frame < b.frame : a.identity < b.identity;
}

} // namespace

std::vector<TruthBox> SceneTruth::boxesInFrame(int64_t frame) const
{
    TruthBox key;
    key.frame = frame;
    const auto byFrame = [](const TruthBox &a, const TruthBox &b) { return a.frame < b.frame; };
    const auto range = std::equal_range(boxes.begin(), boxes.end(), key, byFrame);
    return { range.first, range.second };
}

std::vector<TruthBox> SceneTruth::boxesOf(int id) const
{
    std::vector<TruthBox> out;
    std::copy_if(boxes.begin(), boxes.end(), std::back_inserter(out),
        [id](const TruthBox &b) { return b.identity == id; });
    return out;
}

const IdentityTruth *SceneTruth::identity(int id) const
{
    for (const IdentityTruth &identity : identities)
        if (identity.id == id)
            return &identity;
    return nullptr;
}

bool SceneTruth::save(const QString &path, QString *error) const
{
    QJsonArray ids;
    for (const IdentityTruth &identity : identities)
        ids.append(identityToJson(identity));
    QJsonArray rows;
    for (const TruthBox &box : boxes)
        rows.append(boxToJson(box));
    QJsonObject root;
    root[QStringLiteral("format")] = kFormat;
    root[QStringLiteral("version")] = kVersion;
    root[QStringLiteral("options")] = options.toJson();
    root[QStringLiteral("identities")] = ids;
    root[QStringLiteral("boxes")] = rows;

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    file.write(QJsonDocument(root).toJson(QJsonDocument::Compact));
    if (!file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

bool SceneTruth::load(const QString &path, SceneTruth *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return fail(error, QStringLiteral("%1 is not JSON: %2").arg(path, parseError.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != kFormat)
        return fail(error, QStringLiteral("%1 is not a scene truth file").arg(path));
    if (root.value(QStringLiteral("version")).toInt() != kVersion)
        return fail(error, QStringLiteral("%1: unsupported truth version").arg(path));

    SceneTruth truth;
    if (!SceneOptions::fromJson(root.value(QStringLiteral("options")).toObject(), &truth.options, error))
        return false;
    for (const QJsonValue &value : root.value(QStringLiteral("identities")).toArray()) {
        IdentityTruth identity;
        if (!identityFromJson(value.toObject(), &identity, error))
            return false;
        truth.identities.push_back(identity);
    }
    for (const QJsonValue &value : root.value(QStringLiteral("boxes")).toArray()) {
        TruthBox box;
        if (!boxFromJson(value, &box))
            return fail(error, QStringLiteral("%1: malformed box row").arg(path));
        truth.boxes.push_back(box);
    }
    std::stable_sort(truth.boxes.begin(), truth.boxes.end(), boxOrder);
    *out = truth;
    return true;
}

} // namespace descry
