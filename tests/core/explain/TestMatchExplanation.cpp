// MatchExplanation (why a tracklet matched: text units, stripes, score parts), its drawing, and
// whether the shipped model's attention lands where the words say: upper-garment words on the
// upper body stripes, trouser and shoe words on the lower ones.
#include "HeatmapRenderer.h"
#include "MatchExplanation.h"
#include "NafsConfig.h"
#include "PedesDataset.h"
#include "PerceptionPackage.h"
#include "SyntheticPedes.h"
#include "TestSupport.h"
#include "TextPersonModel.h"
#include "WordPieceTokenizer.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <numeric>

using namespace descry;

namespace {

constexpr int kRegions = 3, kPatches = 6, kImageItems = 1 + kRegions + kPatches;

// "red t-shirt, blue jeans" as the model reads it: [CLS] [SUB] red t - shirt , [SUB] blue jeans [SEP].
QueryEmbedding handMadeQuery()
{
    QueryEmbedding q;
    q.text = QStringLiteral("red t-shirt, blue jeans");
    q.words = WordPieceTokenizer::basicTokenize(q.text); // red t - shirt , blue jeans
    const TextScale w = TextScale::Word;
    q.scales = {TextScale::Sentence, TextScale::SubSentence, w, w, w, w, w, TextScale::SubSentence, w, w, w};
    q.wordOf = {-1, -1, 0, 1, 2, 3, 4, -1, 5, 6, -1};
    q.spanOf = {-1, 0, 0, 0, 0, 0, 0, 1, 1, 1, -1};
    q.items = int(q.scales.size());
    for (int i = 0; i < q.items; ++i)
        q.tokens << QStringLiteral("t%1").arg(i);
    return q;
}

// Text item b attends only to stripe target[b]; image items attend evenly to all text items.
AttentionMap oneHotAttention(const std::vector<int> &target)
{
    AttentionMap m;
    m.imageItems = kImageItems;
    m.textItems = int(target.size());
    m.textToImage.assign(size_t(m.textItems * kImageItems), 0.f);
    for (int b = 0; b < m.textItems; ++b)
        m.textToImage[size_t(b * kImageItems + target[size_t(b)])] = 1.f;
    m.imageToText.assign(size_t(kImageItems * m.textItems), 1.f / float(m.textItems));
    return m;
}

bool isUpperGarment(const QString &word)
{
    static const QStringList words = {QStringLiteral("t-shirt"), QStringLiteral("tee"), QStringLiteral("shirt"),
        QStringLiteral("sweater"), QStringLiteral("jumper"), QStringLiteral("pullover"), QStringLiteral("jacket"),
        QStringLiteral("coat"), QStringLiteral("overcoat")};
    return words.contains(word);
}

bool isLowerGarment(const QString &word)
{
    static const QStringList words = {QStringLiteral("trousers"), QStringLiteral("pants"), QStringLiteral("slacks"),
        QStringLiteral("jeans"), QStringLiteral("shorts"), QStringLiteral("skirt"), QStringLiteral("shoes"),
        QStringLiteral("sneakers"), QStringLiteral("trainers")};
    return words.contains(word);
}

// The share of a unit's stripe attention (region and patch stripes, the global item left out)
// that lands on the upper half of the crop; a stripe straddling the middle counts half.
float upperShare(const MatchExplanation &e, int unit)
{
    double upper = 0, all = 0;
    for (int s = 0; s < e.stripeCount(); ++s) {
        const ImageStripe &stripe = e.stripes[size_t(s)];
        if (stripe.scale == ImageScale::Global)
            continue;
        const double a = e.attention(unit, s);
        const double above = std::clamp((0.5 - stripe.top) / (stripe.bottom - stripe.top), 0.0, 1.0);
        upper += a * above;
        all += a;
    }
    return all > 1e-6 ? float(upper / all) : -1.f;
}

// Where the garments are on a rendered person, as fractions of the crop height (the renderer's
// body: shoulders at 0.19-0.2, the top's hem at 0.5 — lower for coats —, trousers from the hips
// at 0.5 down to the shoes at the bottom).
constexpr double kUpperGarmentFrom = 0.2, kUpperGarmentTo = 0.5;
constexpr double kLowerGarmentFrom = 0.5, kLowerGarmentTo = 1.0;

// The share of a unit's stripe attention (region and patch stripes, the global item left out)
// on stripes that show part of the garment: stripes overlapping [from, to] by more than 2 % of the
// crop height. With 3 region stripes the middle one (0.33-0.67) holds more of a top than the
// upper one does, and also the hips, so it counts for both; the ordering check separates them.
// -1 when the unit looked at the global item only.
float garmentShare(const MatchExplanation &e, int unit, double from, double to)
{
    double on = 0, all = 0;
    for (int s = 0; s < e.stripeCount(); ++s) {
        const ImageStripe &stripe = e.stripes[size_t(s)];
        if (stripe.scale == ImageScale::Global)
            continue;
        const double a = e.attention(unit, s);
        const double overlap = std::min(double(stripe.bottom), to) - std::max(double(stripe.top), from);
        on += overlap > 0.02 ? a : 0.0;
        all += a;
    }
    return all > 1e-6 ? float(on / all) : -1.f;
}

} // namespace

class TestMatchExplanation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unitsFollowTheText();
    void attentionRowsAndCentres();
    void contributionsSumToTheLocalSimilarity();
    void anotherLayoutGivesNoUnits();
    void overlayTintsTheAttendedStripe();
    void sheetDrawsEveryUnit();
    void shippedModelLooksWhereTheWordsSay();
};

void TestMatchExplanation::unitsFollowTheText()
{
    const QueryEmbedding q = handMadeQuery();
    const MatchExplanation e = MatchExplanation::build(q, oneHotAttention(std::vector<int>(size_t(q.items), 0)), kRegions, kPatches);
    QStringList texts;
    for (const TextUnit &u : e.units)
        texts << u.text;
    // Sentence, the two comma-delimited sub-sentences, then the words: "t", "-", "shirt" are one
    // word again and the comma is none.
    QCOMPARE(texts, (QStringList{q.text, QStringLiteral("red t-shirt"), QStringLiteral("blue jeans"), QStringLiteral("red"),
                        QStringLiteral("t-shirt"), QStringLiteral("blue"), QStringLiteral("jeans")}));
    QVERIFY(e.units[0].scale == TextScale::Sentence);
    QVERIFY(e.units[1].scale == TextScale::SubSentence);
    QVERIFY(e.units[4].scale == TextScale::Word);
    QCOMPARE(e.units[4].items, (std::vector<int>{3, 4, 5}));
    QCOMPARE(e.stripeCount(), kImageItems);
    QCOMPARE(e.stripes[1].label(), QStringLiteral("region 1/3"));
    QCOMPARE(e.stripes[9].label(), QStringLiteral("patch 6/6"));
    QCOMPARE(e.findUnit(QStringLiteral("JEANS")), 6);
    QCOMPARE(e.findUnit(QStringLiteral("jeans"), TextScale::SubSentence), -1);
}

void TestMatchExplanation::attentionRowsAndCentres()
{
    const QueryEmbedding q = handMadeQuery();
    // [CLS] -> global; [SUB]1 -> region 1; red -> patch 1; t, -, shirt -> patches 1, 2, 2;
    // [SUB]2 -> region 3; blue -> patch 5, jeans -> patch 6; [SEP] -> global.
    const std::vector<int> target = {0, 1, 4, 4, 5, 5, 0, 3, 8, 9, 0};
    const MatchExplanation e = MatchExplanation::build(q, oneHotAttention(target), kRegions, kPatches);
    const int tshirt = e.findUnit(QStringLiteral("t-shirt")), jeans = e.findUnit(QStringLiteral("jeans"));
    QCOMPARE(e.attention(tshirt, 4), 1.f / 3);
    QCOMPARE(e.attention(tshirt, 5), 2.f / 3);
    QCOMPARE(e.attentionOn(tshirt, ImageScale::Patch), 1.f);
    QCOMPARE(e.attentionOn(0, ImageScale::Global), 1.f);
    QCOMPARE(e.verticalCentre(0), -1.f); // the sentence looked at the global item only
    // Patch k of 6 has its centre at (k + 0.5) / 6.
    QVERIFY(qAbs(e.verticalCentre(tshirt) - (1.f / 3 * 0.5f / 6 + 2.f / 3 * 1.5f / 6)) < 1e-6f);
    QVERIFY(qAbs(e.verticalCentre(jeans) - 5.5f / 6) < 1e-6f);
    // Image -> text: every stripe spread evenly over 11 items; "t-shirt" holds 3 of them.
    QVERIFY(qAbs(e.stripeAttention(2, tshirt) - 3.f / 11) < 1e-6f);
    for (int u = 0; u < e.unitCount(); ++u) {
        float row = 0;
        for (int s = 0; s < e.stripeCount(); ++s)
            row += e.attention(u, s);
        QVERIFY2(qAbs(row - 1.f) < 1e-5f, qPrintable(e.units[size_t(u)].text));
    }
}

void TestMatchExplanation::contributionsSumToTheLocalSimilarity()
{
    const QueryEmbedding q = handMadeQuery();
    AttentionMap m = oneHotAttention({0, 1, 4, 4, 5, 5, 0, 3, 8, 9, 0});
    for (int a = 0; a < kImageItems; ++a)
        m.imageItemRelevance.push_back(0.1f * float(a) - 0.2f);
    for (int b = 0; b < q.items; ++b)
        m.textItemRelevance.push_back(0.05f * float(b));
    MatchExplanation e = MatchExplanation::build(q, m, kRegions, kPatches);
    QVERIFY(e.hasContributions());
    const float local = 0.5f * std::accumulate(m.imageItemRelevance.begin(), m.imageItemRelevance.end(), 0.f) / kImageItems
        + 0.5f * std::accumulate(m.textItemRelevance.begin(), m.textItemRelevance.end(), 0.f) / float(q.items);
    const float sum = std::accumulate(e.stripeContribution.begin(), e.stripeContribution.end(), 0.f);
    QVERIFY2(qAbs(sum - local) < 1e-5f, qPrintable(QStringLiteral("%1 vs %2").arg(sum).arg(local)));
    // Patch 6 gets its own relevance half plus "jeans" (item 9, relevance 0.45) routed to it.
    QVERIFY(qAbs(e.stripeContribution[9] - (0.5f * 0.7f / kImageItems + 0.5f * 0.45f / float(q.items))) < 1e-6f);
    e.globalCosine = 0.25f;
    QVERIFY(qAbs(e.scaleContribution(ImageScale::Global) - (0.25f + e.stripeContribution[0])) < 1e-6f);
    QVERIFY(qAbs(e.scaleContribution(ImageScale::Global) + e.scaleContribution(ImageScale::Region)
            + e.scaleContribution(ImageScale::Patch) - (0.25f + local))
        < 1e-5f);
    // A module without per-item relevances (an older TorchScript export): attention but no split.
    m.imageItemRelevance.clear();
    QVERIFY(!MatchExplanation::build(q, m, kRegions, kPatches).hasContributions());
}

void TestMatchExplanation::anotherLayoutGivesNoUnits()
{
    const QueryEmbedding q = handMadeQuery();
    const MatchExplanation e = MatchExplanation::build(q, oneHotAttention(std::vector<int>(size_t(q.items), 0)), 2, 2);
    QCOMPARE(e.unitCount(), 0);
    QVERIFY(e.toJson().value(QStringLiteral("units")).toArray().isEmpty());
}

void TestMatchExplanation::overlayTintsTheAttendedStripe()
{
    const QueryEmbedding q = handMadeQuery();
    const MatchExplanation e = MatchExplanation::build(q, oneHotAttention({0, 1, 4, 4, 5, 5, 0, 3, 8, 9, 0}), kRegions, kPatches);
    QImage crop(40, 120, QImage::Format_RGB32);
    crop.fill(QColor(128, 128, 128));
    const int jeans = e.findUnit(QStringLiteral("jeans"));
    const QImage out = HeatmapRenderer::overlay(crop, e, jeans, ImageScale::Patch, QSize(40, 120));
    QCOMPARE(out.size(), QSize(40, 120));
    // "jeans" looked only at patch 6 (rows 100..119): red there, the cool end of the ramp above.
    const QColor attended = out.pixelColor(20, 112), other = out.pixelColor(20, 50);
    QVERIFY2(attended.red() > other.red() + 40, qPrintable(QStringLiteral("%1 vs %2").arg(attended.name(), other.name())));
    QVERIFY(attended.red() > attended.blue());
}

void TestMatchExplanation::sheetDrawsEveryUnit()
{
    const QueryEmbedding q = handMadeQuery();
    MatchExplanation e = MatchExplanation::build(q, oneHotAttention({0, 1, 4, 4, 5, 5, 0, 3, 8, 9, 0}), kRegions, kPatches);
    QImage crop(60, 180, QImage::Format_RGB32);
    crop.fill(Qt::darkGreen);
    const QImage sheet = HeatmapRenderer::sheet(crop, e);
    QVERIFY(!sheet.isNull());
    // Seven units in one row of cells to the right of the large crop.
    QVERIFY(sheet.width() > 7 * 96);
    QVERIFY(sheet.height() > 2 * 132);
    QVERIFY(!HeatmapRenderer::sheet(QImage(), e).isNull()); // no stored crop: stripes only
}

void TestMatchExplanation::shippedModelLooksWhereTheWordsSay()
{
    const QString modelPath = QStringLiteral(DESCRY_SOURCE_MODELS_DIR "/descry-nafs-p.json");
    if (!QFileInfo::exists(modelPath))
        QSKIP("the shipped model models/descry-nafs-p.json is not in this checkout");
    if (!QFileInfo::exists(PerceptionPackage::folder() + QStringLiteral("/nanodet.json")))
        QSKIP("the shipped model's trunk needs the perception package: scripts/fetch-perception-models.sh");
    QString error;
    const std::unique_ptr<TextPersonModel> model = TextPersonModel::load(modelPath, &error);
    QVERIFY2(model, qPrintable(error));

    // People the model never trained on: another seed than the shipped recipe's.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SyntheticPedesOptions options;
    options.seed = 20261130;
    options.identities = 24;
    SyntheticPedesSummary summary;
    QVERIFY2(writeSyntheticPedes(dir.path(), options, {}, &summary, &error), qPrintable(error));
    PedesDataset dataset;
    QVERIFY2(dataset.load(dir.path(), &error), qPrintable(error));

    int upperWords = 0, upperOnGarment = 0, upperOnTopHalf = 0, lowerWords = 0, lowerOnGarment = 0,
        lowerOnBottomHalf = 0, pairs = 0, pairsOrdered = 0;
    std::vector<PedesSample> samples;
    for (const QString &split : dataset.splits())
        for (PedesSample &s : dataset.samples(split))
            samples.push_back(std::move(s));
    for (const PedesSample &sample : samples) {
        const cv::Mat crop = cv::imread(sample.imagePath.toStdString(), cv::IMREAD_COLOR);
        QVERIFY(!crop.empty());
        const std::vector<VisualEmbedding> visual = model->encodeCrops({crop});
        for (const QString &caption : sample.captions) {
            const QueryEmbedding query = model->encodeQuery(caption);
            std::vector<AttentionMap> maps;
            model->localSimilarity(query, {&visual.front()}, ImageScaleSet::All, &maps);
            const MatchExplanation e = MatchExplanation::build(query, maps.front(), model->regionStripes(), model->patchStripes());
            float upperCentre = -1, lowerCentre = -1;
            for (int u = 0; u < e.unitCount(); ++u) {
                if (e.units[size_t(u)].scale != TextScale::Word)
                    continue;
                const QString word = e.units[size_t(u)].text.toLower();
                const float half = upperShare(e, u);
                if (half < 0)
                    continue; // looked at the global item only
                if (isUpperGarment(word)) {
                    ++upperWords;
                    upperOnGarment += garmentShare(e, u, kUpperGarmentFrom, kUpperGarmentTo) > 0.5f;
                    upperOnTopHalf += half > 0.5f;
                    upperCentre = e.verticalCentre(u);
                } else if (isLowerGarment(word)) {
                    ++lowerWords;
                    lowerOnGarment += garmentShare(e, u, kLowerGarmentFrom, kLowerGarmentTo) > 0.5f;
                    lowerOnBottomHalf += half < 0.5f;
                    lowerCentre = std::max(lowerCentre, e.verticalCentre(u));
                }
            }
            if (upperCentre >= 0 && lowerCentre >= 0) {
                ++pairs;
                pairsOrdered += upperCentre < lowerCentre;
            }
        }
    }
    const double upperFraction = double(upperOnGarment) / std::max(1, upperWords);
    const double lowerFraction = double(lowerOnGarment) / std::max(1, lowerWords);
    const double orderedFraction = double(pairsOrdered) / std::max(1, pairs);
    qInfo("upper-garment words mostly on stripes showing the top: %d/%d = %.3f (mostly above the crop's middle: "
          "%d/%d); trouser/shoe words mostly on stripes showing them: %d/%d = %.3f (mostly below the middle: %d/%d); "
          "captions with the upper word looking higher than the lower one: %d/%d = %.3f",
        upperOnGarment, upperWords, upperFraction, upperOnTopHalf, upperWords, lowerOnGarment, lowerWords,
        lowerFraction, lowerOnBottomHalf, lowerWords, pairsOrdered, pairs, orderedFraction);
    QVERIFY(upperWords >= 50 && lowerWords >= 50 && pairs >= 50);
    // Contrastive losses alone do not ground words in stripes: the first shipped model (trained
    // without the stripe grounding loss) measured 0.54 / 0.69 / 0.59 here (by crop halves 0.42 /
    // 0.55), chance level; the model trained with the loss (weight 0.2) 1.00 / 1.00 / 1.00 (by
    // halves 0.20 / 1.00: its tops look at the middle region stripe, 0.33-0.67 of the height,
    // which holds more of a top than the upper stripe does — hence the garment-extent measure).
    // A model trained without the loss is expected to fail here, and one trained with it must pass.
    NafsConfig config;
    QVERIFY2(NafsConfig::load(modelPath, &config, &error), qPrintable(error));
    if (config.training.groundingWeight <= 0)
        QEXPECT_FAIL("", "the shipped model was trained without the stripe grounding loss", Abort);
    QVERIFY2(upperFraction >= 0.7, "upper-garment words should mostly attend to the upper stripes");
    QVERIFY2(lowerFraction >= 0.7, "trouser and shoe words should mostly attend to the lower stripes");
    QVERIFY2(orderedFraction >= 0.8, "within a caption the upper garment should look higher than the lower one");
}

QTEST_MAIN(TestMatchExplanation)
#include "TestMatchExplanation.moc"
