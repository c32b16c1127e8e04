#include "SceneOptions.h"

#include "JsonFields.h"

#include <QFileInfo>

namespace descry {

namespace {

template<typename T> bool readValue(const QJsonObject &json, const char *key, T *out, QString *error)
{
    return readJsonField(json, key, out, error, QStringLiteral("scene options"));
}

// Seeds are full 64-bit values; JSON numbers (doubles) would round them, so they are strings.
bool readSeed(const QJsonObject &json, uint64_t *out, QString *error, const QString &key = QStringLiteral("seed"))
{
    const QJsonValue v = json.value(key);
    if (v.isUndefined())
        return true;
    bool ok = false;
    const uint64_t seed = v.isString() ? v.toString().toULongLong(&ok) : 0;
    if (!ok) {
        *error = QStringLiteral("scene options: \"%1\" must be a decimal string").arg(key);
        return false;
    }
    *out = seed;
    return true;
}

} // namespace

QJsonObject SceneOptions::toJson() const
{
    QJsonObject json;
    json[QStringLiteral("seed")] = QString::number(seed);
    if (peopleSeed != 0)
        json[QStringLiteral("peopleSeed")] = QString::number(peopleSeed);
    json[QStringLiteral("width")] = width;
    json[QStringLiteral("height")] = height;
    json[QStringLiteral("fps")] = fps;
    json[QStringLiteral("frames")] = frames;
    json[QStringLiteral("people")] = people;
    json[QStringLiteral("minHeight")] = minHeight;
    json[QStringLiteral("maxHeight")] = maxHeight;
    json[QStringLiteral("shadows")] = shadows;
    json[QStringLiteral("lightingChange")] = lightingChange;
    json[QStringLiteral("noise")] = noise;
    json[QStringLiteral("blur")] = blur;
    json[QStringLiteral("noiseSigma")] = noiseSigma;
    json[QStringLiteral("captionsPerIdentity")] = captionsPerIdentity;
    json[QStringLiteral("clothDetail")] = clothDetail;
    json[QStringLiteral("extras")] = extras;
    json[QStringLiteral("occluders")] = occluders;
    json[QStringLiteral("lowLight")] = lowLight;
    json[QStringLiteral("motionBlur")] = motionBlur;
    json[QStringLiteral("jpegQuality")] = jpegQuality;
    if (!backgroundPlate.isEmpty())
        json[QStringLiteral("backgroundPlate")] = backgroundPlate;
    return json;
}

bool SceneOptions::fromJson(const QJsonObject &json, SceneOptions *out, QString *error)
{
    SceneOptions o;
    QString why;
    const bool ok = readSeed(json, &o.seed, &why) && readSeed(json, &o.peopleSeed, &why, QStringLiteral("peopleSeed"))
        && readValue(json, "width", &o.width, &why)
        && readValue(json, "height", &o.height, &why) && readValue(json, "fps", &o.fps, &why)
        && readValue(json, "frames", &o.frames, &why) && readValue(json, "people", &o.people, &why)
        && readValue(json, "minHeight", &o.minHeight, &why)
        && readValue(json, "maxHeight", &o.maxHeight, &why) && readValue(json, "shadows", &o.shadows, &why)
        && readValue(json, "lightingChange", &o.lightingChange, &why)
        && readValue(json, "noise", &o.noise, &why) && readValue(json, "blur", &o.blur, &why)
        && readValue(json, "noiseSigma", &o.noiseSigma, &why)
        && readValue(json, "captionsPerIdentity", &o.captionsPerIdentity, &why)
        && readValue(json, "clothDetail", &o.clothDetail, &why) && readValue(json, "extras", &o.extras, &why)
        && readValue(json, "occluders", &o.occluders, &why)
        && readValue(json, "lowLight", &o.lowLight, &why)
        && readValue(json, "motionBlur", &o.motionBlur, &why)
        && readValue(json, "jpegQuality", &o.jpegQuality, &why)
        && readValue(json, "backgroundPlate", &o.backgroundPlate, &why);
    if (ok)
        why = o.validate();
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    *out = o;
    return true;
}

QString SceneOptions::validate() const
{
    if (width < 64 || height < 64 || width > 8192 || height > 8192)
        return QStringLiteral("scene options: frame size %1x%2 is out of range").arg(width).arg(height);
    if (!(fps > 0 && fps <= 240))
        return QStringLiteral("scene options: fps must be in (0, 240]");
    if (frames < 1 || people < 0 || people > 250)
        return QStringLiteral("scene options: need frames >= 1 and 0 <= people <= 250");
    if (minHeight < 8 || maxHeight < minHeight || maxHeight > height)
        return QStringLiteral("scene options: need 8 <= minHeight <= maxHeight <= frame height");
    if (noiseSigma < 0 || captionsPerIdentity < 0)
        return QStringLiteral("scene options: noiseSigma and captionsPerIdentity must not be negative");
    if (!(lowLight > 0.1 && lowLight <= 1) || motionBlur < 0 || motionBlur > 31
        || (jpegQuality != 0 && (jpegQuality < 5 || jpegQuality > 100)))
        return QStringLiteral(
            "scene options: need 0.1 < lowLight <= 1, 0 <= motionBlur <= 31 and jpegQuality 0 "
            "or 5..100");
    if (occluders < 0 || occluders > 8)
        return QStringLiteral("scene options: occluders must be 0..8");
    if (!backgroundPlate.isEmpty() && !QFileInfo(backgroundPlate).isReadable())
        return QStringLiteral("scene options: the background plate %1 cannot be read").arg(backgroundPlate);
    return {};
}

} // namespace descry
