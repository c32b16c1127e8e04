#include "PatternBenchmark.h"

#include "AttributeExtractor.h"
#include "PedesDataset.h"
#include "QueryParser.h"

#include <QElapsedTimer>
#include <QHash>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace descry {

namespace {

enum Pattern { Striped, Checked, Either, PatternCount };
const std::array<QString, PatternCount> kNames { QStringLiteral("striped"), QStringLiteral("checked"),
    QStringLiteral("patterned") };

struct Truth {
    bool striped = false, checked = false, any = false;
};

Truth captionTruth(const QStringList &captions)
{
    const QueryParser parser;
    Truth t;
    for (const QString &caption : captions)
        for (const QueryTerm &term : parser.parse(caption).terms) {
            if (term.weight < 0 || !term.attribute.startsWith(QLatin1String("pattern:")))
                continue;
            t.any = true;
            t.striped = t.striped || term.attribute == QLatin1String("pattern:striped");
            t.checked = t.checked || term.attribute == QLatin1String("pattern:checked");
        }
    return t;
}

std::optional<float> valueOf(const AttributeSet &attributes, const QString &name)
{
    for (const AttributeValue &a : attributes)
        if (a.region == BodyRegion::Upper && a.name == name)
            return a.value;
    return std::nullopt;
}

// Mann-Whitney: the share of (positive, negative) pairs ordered right, ties counting half.
double areaUnderCurve(const std::vector<float> &positives, const std::vector<float> &negatives)
{
    if (positives.empty() || negatives.empty())
        return 0;
    double wins = 0;
    for (const float p : positives)
        for (const float n : negatives)
            wins += p > n ? 1.0 : p == n ? 0.5 : 0.0;
    return wins / (double(positives.size()) * double(negatives.size()));
}

double mean(const std::vector<float> &v)
{
    double s = 0;
    for (const float x : v)
        s += x;
    return v.empty() ? 0 : s / double(v.size());
}

} // namespace

QJsonObject PatternBenchRow::toJson() const
{
    return { { QStringLiteral("pattern"), pattern }, { QStringLiteral("positives"), positives },
        { QStringLiteral("negatives"), negatives }, { QStringLiteral("auc"), auc },
        { QStringLiteral("mean_positive"), meanPositive }, { QStringLiteral("mean_negative"), meanNegative } };
}

bool benchmarkPatterns(
    const QString &dataDir, const QString &split, int minHeight, PatternBenchResult *out, QString *error)
{
    PedesDataset data;
    if (!data.load(dataDir, error))
        return false;
    const std::vector<PedesSample> samples = split.isEmpty() ? data.samples() : data.samples(split);
    if (samples.empty()) {
        *error = QStringLiteral("no images in split '%1' of %2").arg(split, dataDir);
        return false;
    }
    // The truth is the person's: a dataset may caption only some images of each person.
    QHash<int, QStringList> captionsOf;
    for (const PedesSample &s : samples)
        captionsOf[s.identity] += s.captions;
    QHash<int, Truth> truthOf;
    for (auto it = captionsOf.cbegin(); it != captionsOf.cend(); ++it)
        truthOf.insert(it.key(), captionTruth(it.value()));
    const AttributeExtractor extractor;
    std::array<std::vector<float>, PatternCount> positives, plain;
    *out = {};
    QElapsedTimer timer;
    qint64 measuring = 0;
    for (const PedesSample &s : samples) {
        const cv::Mat image = cv::imread(s.imagePath.toStdString(), cv::IMREAD_COLOR);
        if (image.empty()) {
            *error = QStringLiteral("cannot read %1").arg(s.imagePath);
            return false;
        }
        if (image.rows < minHeight || captionsOf.value(s.identity).isEmpty())
            continue;
        ++out->images;
        timer.start();
        const AttributeSet attributes = extractor.extract(image, cv::Mat());
        measuring += timer.nsecsElapsed();
        const std::optional<float> striped = valueOf(attributes, QStringLiteral("pattern:striped"));
        const std::optional<float> checked = valueOf(attributes, QStringLiteral("pattern:checked"));
        if (!striped || !checked)
            continue;
        ++out->measured;
        const std::array<float, PatternCount> score { *striped, *checked, std::max(*striped, *checked) };
        const Truth truth = truthOf.value(s.identity);
        const std::array<bool, PatternCount> is { truth.striped, truth.checked, truth.any };
        for (int p = 0; p < PatternCount; ++p) {
            if (is[size_t(p)])
                positives[size_t(p)].push_back(score[size_t(p)]);
            else if (!truth.any)
                plain[size_t(p)].push_back(score[size_t(p)]);
        }
    }
    for (int p = 0; p < PatternCount; ++p) {
        PatternBenchRow row;
        row.pattern = kNames[size_t(p)];
        row.positives = int(positives[size_t(p)].size());
        row.negatives = int(plain[size_t(p)].size());
        row.auc = areaUnderCurve(positives[size_t(p)], plain[size_t(p)]);
        row.meanPositive = mean(positives[size_t(p)]);
        row.meanNegative = mean(plain[size_t(p)]);
        out->rows.push_back(row);
    }
    out->msPerImage = out->images > 0 ? double(measuring) / 1e6 / out->images : 0;
    return true;
}

} // namespace descry
