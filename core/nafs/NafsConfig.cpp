#include "NafsConfig.h"

#include "JsonFields.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace descry {

namespace {

const QString kContext = QStringLiteral("model config");

QJsonArray toArray(const std::vector<int> &values)
{
    QJsonArray array;
    for (int v : values)
        array.append(v);
    return array;
}

QJsonObject architectureToJson(const NafsArchitecture &a)
{
    QJsonObject o;
    o[QStringLiteral("imageHeight")] = a.imageHeight;
    o[QStringLiteral("imageWidth")] = a.imageWidth;
    o[QStringLiteral("widths")] = toArray(a.widths);
    o[QStringLiteral("blocks")] = toArray(a.blocks);
    o[QStringLiteral("regionStripes")] = a.regionStripes;
    o[QStringLiteral("patchStripes")] = a.patchStripes;
    o[QStringLiteral("splitShuffle")] = a.splitShuffle;
    if (!a.trunk.isEmpty())
        o[QStringLiteral("trunk")] = a.trunk;
    o[QStringLiteral("embedding")] = a.embedding;
    o[QStringLiteral("maxTokens")] = a.maxTokens;
    o[QStringLiteral("textWidth")] = a.textWidth;
    o[QStringLiteral("textLayers")] = a.textLayers;
    o[QStringLiteral("textHeads")] = a.textHeads;
    o[QStringLiteral("textFeedForward")] = a.textFeedForward;
    o[QStringLiteral("dropout")] = a.dropout;
    o[QStringLiteral("inverseTemperature")] = a.inverseTemperature;
    o[QStringLiteral("leakySlope")] = a.leakySlope;
    o[QStringLiteral("focalAttention")] = a.focalAttention;
    return o;
}

bool architectureFromJson(const QJsonObject &o, NafsArchitecture *a, QString *error)
{
    auto r = [&](const char *key, auto *field) { return readJsonField(o, key, field, error, kContext); };
    return r("imageHeight", &a->imageHeight) && r("imageWidth", &a->imageWidth) && r("widths", &a->widths)
        && r("blocks", &a->blocks) && r("regionStripes", &a->regionStripes)
        && r("patchStripes", &a->patchStripes) && r("splitShuffle", &a->splitShuffle) && r("trunk", &a->trunk)
        && r("embedding", &a->embedding) && r("maxTokens", &a->maxTokens) && r("textWidth", &a->textWidth)
        && r("textLayers", &a->textLayers) && r("textHeads", &a->textHeads)
        && r("textFeedForward", &a->textFeedForward) && r("dropout", &a->dropout)
        && r("inverseTemperature", &a->inverseTemperature) && r("leakySlope", &a->leakySlope)
        && r("focalAttention", &a->focalAttention);
}

QJsonObject trainingToJson(const NafsTraining &t)
{
    QJsonObject o;
    o[QStringLiteral("seed")] = QString::number(t.seed);
    o[QStringLiteral("data")] = t.data;
    o[QStringLiteral("epochs")] = t.epochs;
    o[QStringLiteral("batchSize")] = t.batchSize;
    o[QStringLiteral("learningRate")] = t.learningRate;
    o[QStringLiteral("encoderLearningRateScale")] = t.encoderLearningRateScale;
    o[QStringLiteral("trunkLearningRateScale")] = t.trunkLearningRateScale;
    o[QStringLiteral("weightDecay")] = t.weightDecay;
    o[QStringLiteral("warmupEpochs")] = t.warmupEpochs;
    o[QStringLiteral("cmpmWeight")] = t.cmpmWeight;
    o[QStringLiteral("cmpcWeight")] = t.cmpcWeight;
    o[QStringLiteral("localWeight")] = t.localWeight;
    o[QStringLiteral("csalScale")] = t.csalScale;
    o[QStringLiteral("localBatch")] = t.localBatch;
    o[QStringLiteral("groundingWeight")] = t.groundingWeight;
    o[QStringLiteral("flip")] = t.flip;
    o[QStringLiteral("threads")] = t.threads;
    o[QStringLiteral("checkpointMinutes")] = t.checkpointMinutes;
    return o;
}

bool trainingFromJson(const QJsonObject &o, NafsTraining *t, QString *error)
{
    auto r = [&](const char *key, auto *field) { return readJsonField(o, key, field, error, kContext); };
    // Seeds are full 64-bit values, so they are decimal strings (a JSON number would round them).
    QString seed = QString::number(t->seed);
    if (!r("seed", &seed))
        return false;
    bool seedOk = false;
    t->seed = seed.toULongLong(&seedOk);
    if (!seedOk) {
        *error = QStringLiteral("%1: \"seed\" must be a decimal string").arg(kContext);
        return false;
    }
    return r("data", &t->data) && r("epochs", &t->epochs) && r("batchSize", &t->batchSize)
        && r("learningRate", &t->learningRate) && r("encoderLearningRateScale", &t->encoderLearningRateScale)
        && r("trunkLearningRateScale", &t->trunkLearningRateScale)
        && r("weightDecay", &t->weightDecay) && r("warmupEpochs", &t->warmupEpochs)
        && r("cmpmWeight", &t->cmpmWeight) && r("cmpcWeight", &t->cmpcWeight)
        && r("localWeight", &t->localWeight) && r("csalScale", &t->csalScale)
        && r("localBatch", &t->localBatch) && r("groundingWeight", &t->groundingWeight) && r("flip", &t->flip)
        && r("threads", &t->threads) && r("checkpointMinutes", &t->checkpointMinutes);
}

} // namespace

QString NafsArchitecture::validate() const
{
    if (widths.size() != 4 || blocks.size() != 4)
        return QStringLiteral("model config: \"widths\" and \"blocks\" need 4 entries (stem+stage1..stage4)");
    for (size_t i = 0; i < 4; ++i) {
        if (widths[i] < 4 || widths[i] > 2048 || blocks[i] < 1 || blocks[i] > 16)
            return QStringLiteral("model config: widths must be in [4, 2048] and blocks in [1, 16]");
    }
    if (regionStripes < 1 || patchStripes < 1 || imageHeight < 32 || imageWidth < 16)
        return QStringLiteral("model config: need at least one region and one patch stripe, input >= 32x16");
    if (!trunk.isEmpty()) {
        if (imageHeight % (16 * regionStripes) != 0 || imageHeight % (8 * patchStripes) != 0 || imageWidth % 32 != 0)
            return QStringLiteral("model config: with the trunk %1, imageHeight %2 must be a multiple of 16 x "
                                  "regionStripes (%3) and of 8 x patchStripes (%4), imageWidth %5 of 32")
                .arg(trunk)
                .arg(imageHeight)
                .arg(regionStripes)
                .arg(patchStripes)
                .arg(imageWidth);
    } else if (imageHeight % 8 != 0 || (imageHeight / 4) % regionStripes != 0 || (imageHeight / 8) % patchStripes != 0)
        return QStringLiteral(
            "model config: imageHeight %1 must be a multiple of 8 with imageHeight/4 divisible by "
            "regionStripes (%2) and imageHeight/8 by patchStripes (%3)")
            .arg(imageHeight)
            .arg(regionStripes)
            .arg(patchStripes);
    if (imageWidth % 8 != 0)
        return QStringLiteral("model config: imageWidth %1 must be a multiple of 8").arg(imageWidth);
    if (embedding < 8 || textWidth < 8 || textHeads < 1 || textWidth % textHeads != 0)
        return QStringLiteral("model config: textWidth must be divisible by textHeads; sizes >= 8");
    if (maxTokens < 8 || textLayers < 1 || textFeedForward < 8 || dropout < 0 || dropout >= 1)
        return QStringLiteral("model config: need maxTokens >= 8, textLayers >= 1, 0 <= dropout < 1");
    if (!(inverseTemperature > 0) || leakySlope < 0)
        return QStringLiteral("model config: inverseTemperature must be > 0, leakySlope >= 0");
    return {};
}

QString NafsTraining::validate() const
{
    if (epochs < 1 || batchSize < 2 || !(learningRate > 0) || encoderLearningRateScale <= 0 || trunkLearningRateScale < 0)
        return QStringLiteral("model config: need epochs >= 1, batchSize >= 2, learning rates > 0");
    if (weightDecay < 0 || warmupEpochs < 0 || threads < 1 || checkpointMinutes < 1)
        return QStringLiteral("model config: need weightDecay >= 0, warmupEpochs >= 0, threads >= 1, "
                              "checkpointMinutes >= 1");
    if (localBatch < 0 || localBatch == 1)
        return QStringLiteral("model config: localBatch must be 0 (the whole batch) or at least 2");
    if (cmpmWeight < 0 || cmpcWeight < 0 || localWeight < 0 || groundingWeight < 0 || !(csalScale > 0))
        return QStringLiteral("model config: loss weights must not be negative, csalScale > 0");
    return {};
}

QJsonObject NafsConfig::toJson() const
{
    QJsonObject json;
    json[QStringLiteral("name")] = name;
    json[QStringLiteral("family")] = family;
    json[QStringLiteral("version")] = version;
    json[QStringLiteral("model")] = architectureToJson(model);
    json[QStringLiteral("training")] = trainingToJson(training);
    return json;
}

bool NafsConfig::fromJson(const QJsonObject &json, NafsConfig *out, QString *error)
{
    NafsConfig c;
    QString why;
    bool ok = readJsonField(json, "name", &c.name, &why, kContext)
        && readJsonField(json, "family", &c.family, &why, kContext)
        && readJsonField(json, "version", &c.version, &why, kContext)
        && readJsonField(json, "weightsSha256", &c.weightsSha256, &why, kContext)
        && architectureFromJson(json.value(QStringLiteral("model")).toObject(), &c.model, &why)
        && trainingFromJson(json.value(QStringLiteral("training")).toObject(), &c.training, &why);
    if (ok && c.family != QLatin1String("nafs"))
        why = QStringLiteral("model config: family \"%1\" is not supported by this build (expected \"nafs\")")
                  .arg(c.family);
    else if (ok && c.version != formatVersion)
        why = QStringLiteral("model config: format version %1 is not supported by this build (it reads "
                             "version %2); retrain or use a matching Descry")
                  .arg(c.version)
                  .arg(formatVersion);
    else if (ok && c.name.isEmpty())
        why = QStringLiteral("model config: \"name\" is empty");
    if (ok && why.isEmpty())
        why = c.model.validate();
    if (ok && why.isEmpty())
        why = c.training.validate();
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    *out = c;
    return true;
}

bool NafsConfig::save(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool NafsConfig::load(const QString &path, NafsConfig *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read model config %1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("model config %1 is not a JSON object (%2 at offset %3)")
                     .arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    QString why;
    if (!fromJson(doc.object(), out, &why)) {
        *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

} // namespace descry
