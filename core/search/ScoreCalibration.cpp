#include "ScoreCalibration.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <set>

namespace descry {

namespace {

const QString kFormat = QStringLiteral("descry-score-calibration");
constexpr int kVersion = 1;
constexpr int kBins = 10;

double sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

// log(1 + exp(z)) without overflow.
double softplus(double z)
{
    return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

struct Pairs {
    const std::vector<float> &scores;
    std::vector<double> targets;

    // Log-loss of the targets under confidence = sigmoid(a * score + b).
    double loss(double a, double b) const
    {
        double sum = 0;
        for (size_t i = 0; i < scores.size(); ++i) {
            const double z = a * scores[i] + b;
            // -[t log s(z) + (1 - t) log(1 - s(z))] = softplus(z) - t z
            sum += softplus(z) - targets[i] * z;
        }
        return sum;
    }
};

} // namespace

float ScoreCalibration::confidence(float score) const
{
    return float(sigmoid(slope * double(score) + intercept));
}

bool ScoreCalibration::fit(
    const std::vector<float> &scores, const std::vector<uint8_t> &matches, QString *error)
{
    if (scores.size() != matches.size() || scores.empty()) {
        *error = QStringLiteral("no scored pairs to calibrate with");
        return false;
    }
    int64_t positives = 0;
    for (uint8_t m : matches)
        positives += m ? 1 : 0;
    const int64_t negatives = int64_t(matches.size()) - positives;
    if (positives == 0 || negatives == 0) {
        *error = QStringLiteral("calibration needs matching and non-matching pairs (got %1 and %2)")
                     .arg(positives)
                     .arg(negatives);
        return false;
    }
    Pairs set { scores, std::vector<double>(scores.size()) };
    const double high = double(positives + 1) / double(positives + 2), low = 1.0 / double(negatives + 2);
    for (size_t i = 0; i < scores.size(); ++i)
        set.targets[i] = matches[i] ? high : low;

    double a = 0, b = std::log(double(positives + 1) / double(negatives + 1));
    double current = set.loss(a, b);
    for (int iteration = 0; iteration < 100; ++iteration) {
        double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
        for (size_t i = 0; i < scores.size(); ++i) {
            const double s = scores[i], p = sigmoid(a * s + b), d = p - set.targets[i], w = p * (1 - p);
            ga += d * s;
            gb += d;
            haa += w * s * s;
            hab += w * s;
            hbb += w;
        }
        haa += 1e-12;
        hbb += 1e-12;
        const double det = haa * hbb - hab * hab;
        if (!(det > 0))
            break;
        const double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
        // Backtracking: Newton's full step can overshoot where the loss is far from quadratic.
        double step = 1;
        double next = set.loss(a + da, b + db);
        while (next > current + 1e-4 * step * (ga * da + gb * db) && step > 1e-10) {
            step /= 2;
            next = set.loss(a + step * da, b + step * db);
        }
        a += step * da;
        b += step * db;
        const bool converged = std::abs(step * da) < 1e-9 && std::abs(step * db) < 1e-9;
        current = next;
        if (converged)
            break;
    }
    if (!(a > 0) || !std::isfinite(b)) {
        *error = QStringLiteral("higher scores do not mean more matches on these pairs (fitted slope %1): "
                                "the model does not rank; calibration refused")
                     .arg(a);
        return false;
    }
    slope = a;
    intercept = b;
    this->pairs = int64_t(scores.size());
    this->matches = positives;
    return true;
}

void ScoreCalibration::measure(
    const std::vector<float> &scores, const std::vector<uint8_t> &matches, const std::vector<int> &queryOf)
{
    reliability.assign(kBins, {});
    std::vector<double> confidenceSum(kBins, 0);
    std::vector<float> conf(scores.size());
    for (size_t i = 0; i < scores.size(); ++i) {
        conf[i] = confidence(scores[i]);
        const int bin = std::clamp(int(conf[i] * kBins), 0, kBins - 1);
        ++reliability[size_t(bin)].pairs;
        reliability[size_t(bin)].matches += matches[i] ? 1 : 0;
        confidenceSum[size_t(bin)] += conf[i];
    }
    expectedCalibrationError = 0;
    for (int b = 0; b < kBins; ++b) {
        ReliabilityBin &bin = reliability[size_t(b)];
        bin.from = double(b) / kBins;
        bin.to = double(b + 1) / kBins;
        bin.meanConfidence = bin.pairs > 0 ? confidenceSum[size_t(b)] / double(bin.pairs) : 0;
        if (!scores.empty())
            expectedCalibrationError
                += double(bin.pairs) / double(scores.size()) * std::abs(bin.matchRate() - bin.meanConfidence);
    }
    std::set<int> queriesWithMatch;
    int64_t positives = 0;
    for (size_t i = 0; i < scores.size(); ++i)
        if (matches[i]) {
            ++positives;
            queriesWithMatch.insert(i < queryOf.size() ? queryOf[i] : -1);
        }
    cutoffs.clear();
    for (int c = 1; c < kBins; ++c) {
        CutoffFigures f;
        f.cutoff = double(c) / kBins;
        int64_t shown = 0, shownMatches = 0;
        std::set<int> queriesShown;
        for (size_t i = 0; i < scores.size(); ++i) {
            if (conf[i] < f.cutoff)
                continue;
            ++shown;
            if (matches[i]) {
                ++shownMatches;
                queriesShown.insert(i < queryOf.size() ? queryOf[i] : -1);
            }
        }
        f.precision = shown > 0 ? double(shownMatches) / double(shown) : 0;
        f.recall = positives > 0 ? double(shownMatches) / double(positives) : 0;
        f.queriesWithMatchShown
            = queriesWithMatch.empty() ? 0 : double(queriesShown.size()) / double(queriesWithMatch.size());
        cutoffs.push_back(f);
    }
}

CutoffFigures ScoreCalibration::figuresAt(double value) const
{
    for (const CutoffFigures &f : cutoffs)
        if (std::abs(f.cutoff - value) < 1e-9)
            return f;
    return {};
}

QJsonObject ScoreCalibration::toJson() const
{
    QJsonArray bins;
    for (const ReliabilityBin &b : reliability)
        bins.append(QJsonObject { { QStringLiteral("from"), b.from }, { QStringLiteral("to"), b.to },
            { QStringLiteral("pairs"), qint64(b.pairs) }, { QStringLiteral("matches"), qint64(b.matches) },
            { QStringLiteral("meanConfidence"), b.meanConfidence },
            { QStringLiteral("matchRate"), b.matchRate() } });
    QJsonArray figures;
    for (const CutoffFigures &f : cutoffs)
        figures.append(QJsonObject { { QStringLiteral("cutoff"), f.cutoff },
            { QStringLiteral("precision"), f.precision }, { QStringLiteral("recall"), f.recall },
            { QStringLiteral("queriesWithMatchShown"), f.queriesWithMatchShown } });
    return { { QStringLiteral("format"), kFormat }, { QStringLiteral("version"), kVersion },
        { QStringLiteral("model"), modelId },
        { QStringLiteral("method"),
            QStringLiteral("Platt scaling: confidence = 1 / (1 + exp(-(slope * score + intercept))), score = "
                           "global cosine + "
                           "non-local similarity + attributeWeight x attribute agreement") },
        { QStringLiteral("slope"), slope }, { QStringLiteral("intercept"), intercept },
        { QStringLiteral("attributeWeight"), attributeWeight }, { QStringLiteral("rescoreTop"), rescoreTop },
        { QStringLiteral("data"), data }, { QStringLiteral("split"), split },
        { QStringLiteral("queries"), queries }, { QStringLiteral("pairs"), qint64(pairs) },
        { QStringLiteral("matches"), qint64(matches) }, { QStringLiteral("cutoff"), cutoff },
        { QStringLiteral("reliability"), bins }, { QStringLiteral("cutoffs"), figures },
        { QStringLiteral("expectedCalibrationError"), expectedCalibrationError },
        { QStringLiteral("command"), command } };
}

bool ScoreCalibration::fromJson(const QJsonObject &json, ScoreCalibration *out, QString *error)
{
    if (json.value(QStringLiteral("format")).toString() != kFormat) {
        *error = QStringLiteral("not a Descry score calibration (\"format\" is not \"%1\")").arg(kFormat);
        return false;
    }
    if (json.value(QStringLiteral("version")).toInt() != kVersion) {
        *error = QStringLiteral("calibration version %1 is not the version this Descry reads (%2); run "
                                "'descry-cli eval --calibrate' again")
                     .arg(json.value(QStringLiteral("version")).toInt())
                     .arg(kVersion);
        return false;
    }
    ScoreCalibration c;
    c.modelId = json.value(QStringLiteral("model")).toString();
    c.slope = json.value(QStringLiteral("slope")).toDouble();
    c.intercept = json.value(QStringLiteral("intercept")).toDouble();
    c.attributeWeight = json.value(QStringLiteral("attributeWeight")).toDouble(0.5);
    c.rescoreTop = json.value(QStringLiteral("rescoreTop")).toInt(100);
    c.data = json.value(QStringLiteral("data")).toString();
    c.split = json.value(QStringLiteral("split")).toString();
    c.queries = json.value(QStringLiteral("queries")).toInt();
    c.pairs = json.value(QStringLiteral("pairs")).toInteger();
    c.matches = json.value(QStringLiteral("matches")).toInteger();
    c.cutoff = json.value(QStringLiteral("cutoff")).toDouble(0.5);
    c.expectedCalibrationError = json.value(QStringLiteral("expectedCalibrationError")).toDouble();
    c.command = json.value(QStringLiteral("command")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("reliability")).toArray()) {
        const QJsonObject o = v.toObject();
        ReliabilityBin b;
        b.from = o.value(QStringLiteral("from")).toDouble();
        b.to = o.value(QStringLiteral("to")).toDouble();
        b.pairs = o.value(QStringLiteral("pairs")).toInteger();
        b.matches = o.value(QStringLiteral("matches")).toInteger();
        b.meanConfidence = o.value(QStringLiteral("meanConfidence")).toDouble();
        c.reliability.push_back(b);
    }
    for (const QJsonValue &v : json.value(QStringLiteral("cutoffs")).toArray()) {
        const QJsonObject o = v.toObject();
        c.cutoffs.push_back({ o.value(QStringLiteral("cutoff")).toDouble(),
            o.value(QStringLiteral("precision")).toDouble(), o.value(QStringLiteral("recall")).toDouble(),
            o.value(QStringLiteral("queriesWithMatchShown")).toDouble() });
    }
    if (!c.isValid() || !std::isfinite(c.intercept) || !(c.cutoff >= 0 && c.cutoff <= 1)) {
        *error
            = QStringLiteral("the calibration has no model id, a slope <= 0 or a cut-off outside [0, 1]; run "
                             "'descry-cli eval --calibrate' again");
        return false;
    }
    *out = c;
    return true;
}

namespace {

// The SHA-256 a calibration file carries: of its other fields, written compactly (Qt sorts the
// keys and writes numbers so they read back exactly, so the reader can compute it again).
QString calibrationDigest(QJsonObject json)
{
    json.remove(QStringLiteral("sha256"));
    return QString::fromLatin1(
        QCryptographicHash::hash(QJsonDocument(json).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256).toHex());
}

} // namespace

bool ScoreCalibration::save(const QString &path, QString *error) const
{
    QSaveFile file(path);
    QJsonObject json = toJson();
    json.insert(QStringLiteral("sha256"), calibrationDigest(json));
    const QByteArray bytes = QJsonDocument(json).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error
            = QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

bool ScoreCalibration::load(const QString &path, ScoreCalibration *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("%1 is not valid JSON: %2")
                     .arg(QDir::toNativeSeparators(path), parse.errorString());
        return false;
    }
    // A file written before calibrations carried their hash has none and is read as it is.
    const QJsonValue recorded = doc.object().value(QStringLiteral("sha256"));
    if (!recorded.isUndefined() && recorded.toString() != calibrationDigest(doc.object())) {
        *error = QStringLiteral("%1 is damaged: its contents do not match the SHA-256 it records; restore it or "
                                "run 'descry-cli calibrate' again")
                     .arg(QDir::toNativeSeparators(path));
        return false;
    }
    if (!fromJson(doc.object(), out, error)) {
        *error = QDir::toNativeSeparators(path) + QStringLiteral(": ") + *error;
        return false;
    }
    return true;
}

QString ScoreCalibration::pathForModel(const QString &modelPath)
{
    const QFileInfo info(modelPath);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".calibration.json"));
}

} // namespace descry
