// The pieces of the NAFS network (seed 000) checked against small cases worked out by hand:
// stripe split & shuffle, the locality constraint of the text encoder, the non-local attention
// step, and the CMPM / CMPC / CSAL losses.
#include "BodyZones.h"
#include "NafsLosses.h"
#include "NafsModel.h"
#include "NafsWeights.h"
#include "PerceptionPackage.h"
#include "PretrainedTrunk.h"
#include "TfjsInterpreter.h"
#include "TinyNafsModel.h"
#include "WordPieceVocabulary.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace descry;

namespace {

constexpr double kEps = 1e-8;

// sum_j p_j (log p_j - log(q_j + eps)) for one row, p = softmax(logits): the matching KL of
// one image (or text), written out with scalars only.
double rowKl(const std::vector<double> &logits, const std::vector<double> &q)
{
    double z = 0;
    for (double l : logits)
        z += std::exp(l);
    double kl = 0;
    for (size_t j = 0; j < logits.size(); ++j) {
        const double p = std::exp(logits[j]) / z;
        kl += p * (std::log(p) - std::log(q[j] + kEps));
    }
    return kl;
}

double value(const torch::Tensor &t)
{
    return t.item<double>();
}

NafsArchitecture tinyArchitecture()
{
    NafsArchitecture a = test::tinyNafsConfig().model;
    a.maxTokens = 8;
    a.dropout = 0;
    return a;
}

// [CLS] [SUB] w w [SUB] w [SEP] [PAD]: two sub-sentences (0: positions 1-3, 1: positions 4-5).
struct SmallSequence {
    torch::Tensor ids = torch::tensor({ 2, 5, 10, 11, 5, 12, 3, 0 }, torch::kLong).unsqueeze(0);
    torch::Tensor mask = torch::tensor({ 1, 1, 1, 1, 1, 1, 1, 0 }, torch::kLong).unsqueeze(0);
    torch::Tensor span = torch::tensor({ -1, 0, 0, 0, 1, 1, -1, -2 }, torch::kLong).unsqueeze(0);
};

} // namespace

class TestNafsNetwork : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void permuteStripesMovesWholeBandsAndInverts()
    {
        // 1 x 1 x 6 x 2 map whose rows are 0..5; three bands of two rows.
        const torch::Tensor x
            = torch::arange(6, torch::kFloat).view({ 1, 1, 6, 1 }).expand({ 1, 1, 6, 2 }).contiguous();
        const torch::Tensor y = StaircaseBackboneImpl::permuteStripes(x, { 2, 0, 1 });
        const std::vector<float> expected { 4, 5, 0, 1, 2, 3 };
        for (int r = 0; r < 6; ++r)
            QCOMPARE(y[0][0][r][1].item<float>(), expected[size_t(r)]);
        // Order {1, 2, 0} is the inverse of {2, 0, 1}.
        QVERIFY(torch::equal(StaircaseBackboneImpl::permuteStripes(y, { 1, 2, 0 }), x));
        const torch::Tensor pooled = StaircaseBackboneImpl::poolStripes(x, 3);
        QCOMPARE(pooled.sizes().vec(), (std::vector<int64_t> { 1, 3, 1 }));
        QCOMPARE(pooled[0][2][0].item<float>(), 4.5f);
    }

    void backboneGivesEveryScale()
    {
        NafsArchitecture a = tinyArchitecture();
        StaircaseBackbone backbone(a);
        const torch::Tensor images = torch::randn({ 2, 3, a.imageHeight, a.imageWidth });
        for (bool training : { true, false }) {
            backbone->train(training);
            const StaircaseFeatures f = backbone(images);
            QCOMPARE(f.global.sizes().vec(), (std::vector<int64_t> { 2, 8 }));
            QCOMPARE(f.region.sizes().vec(), (std::vector<int64_t> { 2, a.regionStripes, 8 }));
            QCOMPARE(f.patch.sizes().vec(), (std::vector<int64_t> { 2, a.patchStripes, 8 }));
        }
        // In inference the shuffle is off: the same input gives the same features.
        backbone->eval();
        QVERIFY(torch::allclose(backbone(images).patch, backbone(images).patch));
    }

    // The NanoDet trunk starts as the package's network: on the same pixels it gives what the
    // graph gives with NanoDet's own input (BGR, its mean and deviation), so the colour order and
    // normalisation are right; every weight is a parameter that a loss reaches; and the staircase
    // built on it gives every scale.
    void pretrainedTrunkStartsAsTheGraphAndLearns()
    {
        if (!QFile::exists(PerceptionPackage::folder() + QStringLiteral("/nanodet.json")))
            QSKIP("needs scripts/fetch-perception-models.sh");
        PretrainedTrunk trunk(QStringLiteral("nanodet-backbone"));
        const torch::Tensor pixels = torch::randint(0, 256, { 2, 64, 32, 3 }, torch::kLong).to(torch::kUInt8);
        const std::vector<torch::Tensor> maps = trunk(normalizeImages(pixels));
        QCOMPARE(maps.size(), size_t(3));
        QCOMPARE(maps[0].sizes().vec(), (std::vector<int64_t> { 2, 128, 8, 4 }));
        QCOMPARE(maps[2].sizes().vec(), (std::vector<int64_t> { 2, 512, 2, 1 }));

        QString error;
        const auto graph = PerceptionPackage::load(QStringLiteral("nanodet"), &error);
        QVERIFY2(graph, qPrintable(error));
        const torch::Tensor bgr = pixels.to(torch::kFloat32).flip(3);
        const torch::Tensor input = ((bgr - torch::tensor({ 103.53f, 116.28f, 123.675f }))
            / torch::tensor({ 57.375f, 57.12f, 58.395f }))
                                        .permute({ 0, 3, 1, 2 })
                                        .contiguous();
        TfjsInterpreter interpreter(*graph);
        std::vector<torch::Tensor> reference;
        QVERIFY2(interpreter.run({ { QStringLiteral("input_1"), input } }, trunk->trunkSpec().outputs,
                     &reference, &error),
            qPrintable(error));
        for (size_t l = 0; l < 3; ++l)
            QVERIFY(torch::allclose(maps[l], reference[l], 1e-3, 1e-3));

        const std::vector<torch::Tensor> parameters = trunk->parameters();
        QVERIFY(parameters.size() > 40); // a filter and a bias per convolution
        (maps[0].mean() + maps[1].mean() + maps[2].mean()).backward();
        for (const torch::Tensor &p : parameters)
            QVERIFY(p.grad().defined() && p.grad().abs().sum().item<double>() > 0);

        NafsArchitecture a = tinyArchitecture();
        a.trunk = QStringLiteral("nanodet-backbone");
        a.imageHeight = 96;
        a.imageWidth = 32;
        QVERIFY2(a.validate().isEmpty(), qPrintable(a.validate()));
        StaircaseBackbone backbone(a);
        QCOMPARE(backbone->trunkParameters().size(), parameters.size());
        const StaircaseFeatures f = backbone(torch::randn({ 2, 3, a.imageHeight, a.imageWidth }));
        QCOMPARE(f.global.sizes().vec(), (std::vector<int64_t> { 2, 8 }));
        QCOMPARE(f.region.sizes().vec(), (std::vector<int64_t> { 2, a.regionStripes, 8 }));
        QCOMPARE(f.patch.sizes().vec(), (std::vector<int64_t> { 2, a.patchStripes, 8 }));
    }

    // A weights file holds a pretrained trunk as its change from the package's values (no
    // third-party weights in a model file); loading adds them back and gets the trained values.
    void trunkWeightsAreStoredAsTheirChange()
    {
        if (!QFile::exists(PerceptionPackage::folder() + QStringLiteral("/nanodet.json")))
            QSKIP("needs scripts/fetch-perception-models.sh");
        NafsArchitecture a = tinyArchitecture();
        a.trunk = QStringLiteral("nanodet-backbone");
        a.imageHeight = 96;
        a.imageWidth = 32;
        NafsModel trained(a, 20);
        std::vector<torch::Tensor> trunk = trained->trunkParameters();
        const std::vector<torch::Tensor> package = trained->trunkPackageValues();
        QCOMPARE(package.size(), trunk.size());
        QVERIFY(torch::equal(trunk[0], package[0])); // training starts from the package
        {
            torch::NoGradGuard noGrad;
            for (torch::Tensor &p : trunk)
                p.add_(0.01f * torch::randn_like(p));
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.pt"));
        QString error;
        QVERIFY2(saveNafsWeights(trained, path, &error), qPrintable(error));

        torch::serialize::InputArchive archive;
        archive.load_from(path.toStdString());
        const auto named = trained->named_parameters();
        for (const auto &p : named) {
            if (p.value().unsafeGetTensorImpl() != trunk[0].unsafeGetTensorImpl())
                continue;
            torch::Tensor stored;
            QVERIFY(archive.try_read(nafsArchiveKey(p.key()), stored));
            QVERIFY(torch::allclose(stored, trunk[0] - package[0]));
            QVERIFY(stored.abs().max().item<float>() < 0.1f); // the change, not the package's filter
        }

        NafsModel loaded(a, 20);
        QVERIFY2(loadNafsWeights(loaded, path, &error), qPrintable(error));
        const std::vector<torch::Tensor> back = loaded->trunkParameters();
        for (size_t i = 0; i < trunk.size(); ++i)
            QVERIFY(torch::allclose(back[i], trunk[i], 1e-6, 1e-6));
        const auto loadedNamed = loaded->named_parameters();
        for (const auto &p : named)
            QVERIFY2(torch::allclose(loadedNamed[p.key()], p.value(), 1e-6, 1e-6), p.key().c_str());
    }

    // export --out NAME.json: the same weights under another name, read and written by this build.
    void copyKeepsTheWeightsUnderANewName()
    {
        QTemporaryDir dir;
        QString error;
        const QString original = test::writeTinyNafsModel(dir.path(), QStringLiteral("tiny"), 3, &error);
        QVERIFY2(!original.isEmpty(), qPrintable(error));
        const QString copy = dir.filePath(QStringLiteral("shipped/renamed.json"));
        QVERIFY2(copyNafsModel(original, copy, &error), qPrintable(error));
        NafsConfig a, b;
        QVERIFY2(NafsConfig::load(original, &a, &error) && NafsConfig::load(copy, &b, &error), qPrintable(error));
        QCOMPARE(b.name, QStringLiteral("renamed"));
        QVERIFY(a.model == b.model);
        WordPieceVocabulary vocabulary;
        QVERIFY2(vocabulary.load(dir.filePath(QStringLiteral("shipped/renamed.vocab")), &error), qPrintable(error));
        NafsModel before(a.model, vocabulary.size()), after(b.model, vocabulary.size());
        QVERIFY2(loadNafsWeights(before, dir.filePath(QStringLiteral("tiny.pt")), &error), qPrintable(error));
        QVERIFY2(loadNafsWeights(after, dir.filePath(QStringLiteral("shipped/renamed.pt")), &error), qPrintable(error));
        const auto afterNamed = after->named_parameters();
        for (const auto &p : before->named_parameters())
            QVERIFY2(torch::equal(afterNamed[p.key()], p.value()), p.key().c_str());

        QVERIFY(!copyNafsModel(original, original, &error));
        QVERIFY2(error.contains(QStringLiteral("would overwrite")), qPrintable(error));
        QVERIFY(!copyNafsModel(original, dir.filePath(QStringLiteral("x.pt")), &error));
    }

    void localityMaskKeepsSubSentencesToTheirSpan()
    {
        const SmallSequence s;
        const torch::Tensor allowed = TextEncoderImpl::localityMask(s.ids, s.mask, s.span)[0];
        auto row = [&](int q) {
            std::vector<int> r;
            for (int k = 0; k < 8; ++k)
                r.push_back(allowed[q][k].item<bool>() ? 1 : 0);
            return r;
        };
        QCOMPARE(row(0), (std::vector<int> { 1, 1, 1, 1, 1, 1, 1, 0 })); // [CLS]: the whole sentence
        QCOMPARE(row(1), (std::vector<int> { 0, 1, 1, 1, 0, 0, 0, 0 })); // [SUB] 0: its span only
        QCOMPARE(row(4), (std::vector<int> { 0, 0, 0, 0, 1, 1, 0, 0 })); // [SUB] 1
        QCOMPARE(row(2), (std::vector<int> { 1, 1, 1, 1, 1, 1, 1, 0 })); // a word: the whole sentence
    }

    void subSentenceFeatureIgnoresOtherSubSentences()
    {
        // With one layer, a [SUB] output depends only on its own span: changing a word of
        // sub-sentence 1 leaves sub-sentence 0's feature unchanged, but changes the sentence's.
        TextEncoder encoder(tinyArchitecture(), 20);
        encoder->eval();
        const SmallSequence s;
        const TextFeatures before = encoder(s.ids, s.mask, s.span);
        torch::Tensor changed = s.ids.clone();
        changed[0][5] = 13;
        const TextFeatures after = encoder(changed, s.mask, s.span);
        QVERIFY(torch::allclose(before.items[0][1], after.items[0][1], 1e-6, 1e-6));
        QVERIFY(!torch::allclose(before.items[0][0], after.items[0][0], 1e-4, 1e-4));
        QVERIFY(!torch::allclose(before.items[0][4], after.items[0][4], 1e-4, 1e-4));
        // Alignment takes [CLS], [SUB] and words, not [SEP] or padding.
        const std::vector<bool> expected { true, true, true, true, true, true, false, false };
        for (int i = 0; i < 8; ++i)
            QCOMPARE(before.valid[0][i].item<bool>(), bool(expected[size_t(i)]));
    }

    void attentionWeightsMatchHandComputation()
    {
        // Two queries x two contexts, cosines [[0.6, 0.0], [0.8, 0.5]]. LeakyReLU keeps them;
        // L2 over the queries: column 0 has norm 1, column 1 norm 0.5 -> [[0.6, 0], [0.8, 1]].
        // Softmax over the contexts (lambda 1): row 0 = [e^.6, 1] / (e^.6 + 1), row 1 =
        // [e^.8, e^1] / (e^.8 + e^1). Focal keeps items >= 1/2: row 0 -> [1, 0], row 1 -> [0, 1].
        const torch::Tensor s = torch::tensor({ 0.6, 0.0, 0.8, 0.5 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor valid = torch::ones({ 2 }, torch::kBool);
        const torch::Tensor plain = NonLocalAlignmentImpl::attentionWeights(s, valid, valid, 1.0, 0.1, false);
        const double a00 = std::exp(0.6) / (std::exp(0.6) + 1.0);
        const double a11 = std::exp(1.0) / (std::exp(0.8) + std::exp(1.0));
        // (1e-7: the norm adds eps = 1e-8 to its denominator.)
        QVERIFY(std::abs(value(plain[0][0]) - a00) < 1e-7);
        QVERIFY(std::abs(value(plain[0][1]) - (1 - a00)) < 1e-7);
        QVERIFY(std::abs(value(plain[1][1]) - a11) < 1e-7);
        const torch::Tensor focal = NonLocalAlignmentImpl::attentionWeights(s, valid, valid, 1.0, 0.1, true);
        QVERIFY(torch::allclose(
            focal, torch::tensor({ 1.0, 0.0, 0.0, 1.0 }, torch::kDouble).view({ 2, 2 }), 1e-6, 1e-6));

        // A negative cosine goes through LeakyReLU (slope 0.1) before the norm: one query,
        // cosines [0.5, -0.2] -> [0.5, -0.02] -> normalised per column over the single query
        // -> [1, -1]; lambda 2: softmax([2, -2]).
        const torch::Tensor one = torch::tensor({ 0.5, -0.2 }, torch::kDouble).view({ 1, 2 });
        const torch::Tensor w = NonLocalAlignmentImpl::attentionWeights(
            one, torch::ones({ 1 }, torch::kBool), valid, 2.0, 0.1, false);
        QVERIFY(std::abs(value(w[0][0]) - std::exp(2.0) / (std::exp(2.0) + std::exp(-2.0))) < 1e-7);

        // An invalid context gets no weight and does not count in n.
        const torch::Tensor partial = torch::tensor({ true, false });
        const torch::Tensor masked
            = NonLocalAlignmentImpl::attentionWeights(s, valid, partial, 1.0, 0.1, true);
        QCOMPARE(value(masked[0][1]), 0.0);
        QVERIFY(std::abs(value(masked[1][0]) - 1.0) < 1e-7);
    }

    void alignmentScoresEveryPairAndKeepsWeights()
    {
        NafsArchitecture a = tinyArchitecture();
        NonLocalAlignment alignment(a);
        const torch::Tensor image = torch::randn({ 2, 7, a.embedding });
        const torch::Tensor text = torch::randn({ 3, 5, a.embedding });
        torch::Tensor imageValid = torch::ones({ 2, 7 }, torch::kBool);
        imageValid.index_put_({ torch::indexing::Slice(), torch::indexing::Slice(4, 7) }, false);
        torch::Tensor textValid = torch::ones({ 3, 5 }, torch::kBool);
        textValid[2][4] = false;
        const AlignmentScores scores = alignment(image, imageValid, text, textValid, true);
        QCOMPARE(scores.imageToText.sizes().vec(), (std::vector<int64_t> { 2, 3 }));
        QCOMPARE(scores.textToImage.sizes().vec(), (std::vector<int64_t> { 2, 3 }));
        QCOMPARE(scores.imageToTextWeights.sizes().vec(), (std::vector<int64_t> { 2, 3, 7, 5 }));
        QCOMPARE(scores.textToImageWeights.sizes().vec(), (std::vector<int64_t> { 2, 3, 5, 7 }));
        // Invalid image items neither attend nor are attended to.
        QCOMPARE(
            scores.imageToTextWeights
                .index({ torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(4, 7) })
                .abs()
                .sum()
                .item<float>(),
            0.0f);
        QCOMPARE(scores.textToImageWeights.index({ "...", torch::indexing::Slice(4, 7) })
                     .abs()
                     .sum()
                     .item<float>(),
            0.0f);
        QCOMPARE(scores.textToImageWeights[0][2][4].abs().sum().item<float>(), 0.0f);
        // Valid rows are distributions.
        QVERIFY(std::abs(scores.imageToTextWeights[1][1][0].sum().item<float>() - 1.0f) < 1e-5f);
        // Scores are cosines: within [-1, 1]; pair (1, 2) scored alone equals its batch entry.
        QVERIFY(scores.similarity().abs().max().item<float>() <= 1.0f + 1e-5f);
        const AlignmentScores single = alignment(image.narrow(0, 1, 1), imageValid.narrow(0, 1, 1),
            text.narrow(0, 2, 1), textValid.narrow(0, 2, 1), false);
        QVERIFY(std::abs(single.similarity()[0][0].item<float>() - scores.similarity()[1][2].item<float>())
            < 1e-5f);
    }

    void cmpmMatchesHandComputation()
    {
        // image = I, text = diag(2, 3). image . text/|text| = I; text . image/|image| = diag(2, 3).
        const torch::Tensor image = torch::tensor({ 1.0, 0.0, 0.0, 1.0 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor text = torch::tensor({ 2.0, 0.0, 0.0, 3.0 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor distinct = torch::tensor({ 0, 1 }, torch::kLong);
        const double i2t = (rowKl({ 1, 0 }, { 1, 0 }) + rowKl({ 0, 1 }, { 0, 1 })) / 2;
        const double t2i = (rowKl({ 2, 0 }, { 1, 0 }) + rowKl({ 0, 3 }, { 0, 1 })) / 2;
        QVERIFY(std::abs(value(cmpmLoss(image, text, distinct)) - (i2t + t2i)) < 1e-9);
        // Both pairs of one identity: q = [1/2, 1/2] in every row.
        const torch::Tensor same = torch::tensor({ 4, 4 }, torch::kLong);
        const double i2tSame = (rowKl({ 1, 0 }, { 0.5, 0.5 }) + rowKl({ 0, 1 }, { 0.5, 0.5 })) / 2;
        const double t2iSame = (rowKl({ 2, 0 }, { 0.5, 0.5 }) + rowKl({ 0, 3 }, { 0.5, 0.5 })) / 2;
        QVERIFY(std::abs(value(cmpmLoss(image, text, same)) - (i2tSame + t2iSame)) < 1e-9);
        // Perfectly separated pairs cost less than swapped ones.
        QVERIFY(
            value(cmpmLoss(image, text * 5, distinct)) < value(cmpmLoss(image, text.flip(0) * 5, distinct)));
    }

    void cmpcMatchesHandComputation()
    {
        // Projections: image_i on text_i/|text_i| = e_i; text_i on image_i/|image_i| = 2 e_0, 3 e_1.
        // Classifier = I (already unit columns): logits are those vectors; CE with labels 0, 1.
        const torch::Tensor image = torch::tensor({ 1.0, 0.0, 0.0, 1.0 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor text = torch::tensor({ 2.0, 0.0, 0.0, 3.0 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor labels = torch::tensor({ 0, 1 }, torch::kLong);
        const torch::Tensor classifier = torch::eye(2, torch::kDouble) * 3; // normalised inside
        auto ce = [](double right, double wrong) {
            return -std::log(std::exp(right) / (std::exp(right) + std::exp(wrong)));
        };
        const double expected = (ce(1, 0) + ce(1, 0)) / 2 + (ce(2, 0) + ce(3, 0)) / 2;
        QVERIFY(std::abs(value(cmpcLoss(image, text, labels, classifier)) - expected) < 1e-9);
    }

    void csalMatchesHandComputation()
    {
        const torch::Tensor i2t = torch::tensor({ 0.9, 0.1, 0.2, 0.8 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor t2i = torch::tensor({ 0.7, 0.3, 0.4, 0.6 }, torch::kDouble).view({ 2, 2 });
        const torch::Tensor labels = torch::tensor({ 0, 1 }, torch::kLong);
        // Images: rows of 10 * i2t. Texts: columns of 10 * t2i (text 0 sees [7, 4], text 1 [3, 6]).
        const double images = (rowKl({ 9, 1 }, { 1, 0 }) + rowKl({ 2, 8 }, { 0, 1 })) / 2;
        const double texts = (rowKl({ 7, 4 }, { 1, 0 }) + rowKl({ 3, 6 }, { 0, 1 })) / 2;
        QVERIFY(std::abs(value(csalLoss(i2t, t2i, labels, 10.0)) - (images + texts)) < 1e-9);
    }

    void groundingMatchesHandComputation()
    {
        // One pair, 3 text items, 4 image items: [global, stripe top, stripe middle, stripe bottom].
        // Zone mask rows: 0 = every stripe, 1 = "upper" (top + middle), 2 = "lower" (middle + bottom).
        const torch::Tensor mask
            = torch::tensor({ 0., 1., 1., 1., 0., 1., 1., 0., 0., 0., 1., 1. }, torch::kDouble)
                  .view({ 3, 4 });
        const torch::Tensor attention = torch::tensor(
            { 0.4, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.7, 0.25, 0.25, 0.25, 0.25 }, torch::kDouble)
                                            .view({ 1, 3, 4 });
        // Item 0 names the upper zone: 0.5 of its 0.6 stripe attention there. Item 1 the lower
        // zone: 0.8 of 0.9. Item 2 names nothing and does not count.
        const torch::Tensor zones = torch::tensor({ 1, 2, 0 }, torch::kLong).view({ 1, 3 });
        const double expected = (-std::log(0.5 / 0.6) - std::log(0.8 / 0.9)) / 2;
        QVERIFY(std::abs(value(groundingLoss(attention, zones, mask, 0.0)) - expected) < 1e-9);
        // No token names a zone: zero, not NaN.
        QCOMPARE(value(groundingLoss(attention, torch::zeros({ 1, 3 }, torch::kLong), mask)), 0.0);
    }

    void bodyZonesFollowTheLexiconAndTheStripes()
    {
        QVERIFY(bodyZoneOfWord(QStringLiteral("Jacket")) == BodyZone::Upper);
        QVERIFY(bodyZoneOfWord(QStringLiteral("jeans")) == BodyZone::Lower);
        QVERIFY(bodyZoneOfWord(QStringLiteral("sneakers")) == BodyZone::Feet);
        QVERIFY(bodyZoneOfWord(QStringLiteral("hair")) == BodyZone::Head);
        QVERIFY(bodyZoneOfWord(QStringLiteral("red")) == BodyZone::None);
        QVERIFY(bodyZoneOfWord(QStringLiteral("backpack")) == BodyZone::None);
        // 3 regions (centres 1/6, 1/2, 5/6) and 6 patches (centres 1/12 .. 11/12).
        const std::vector<float> m = bodyZoneMask(3, 6);
        auto row = [&](BodyZone z) {
            return std::vector<float>(m.begin() + int(z) * 10, m.begin() + int(z) * 10 + 10);
        };
        QCOMPARE(row(BodyZone::None), (std::vector<float> { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }));
        QCOMPARE(row(BodyZone::Head), (std::vector<float> { 0, 1, 0, 0, 1, 0, 0, 0, 0, 0 }));
        QCOMPARE(row(BodyZone::Upper), (std::vector<float> { 0, 1, 1, 0, 0, 1, 1, 0, 0, 0 }));
        QCOMPARE(row(BodyZone::Lower), (std::vector<float> { 0, 0, 1, 1, 0, 0, 0, 1, 1, 1 }));
        QCOMPARE(row(BodyZone::Feet), (std::vector<float> { 0, 0, 0, 1, 0, 0, 0, 0, 1, 1 }));
    }

    void tinyModelLearnsAFixedBatch()
    {
        // End to end: a few Adam steps on one batch lower the full NAFS objective, and every
        // parameter that should learn receives a finite gradient.
        torch::manual_seed(3);
        NafsArchitecture a = tinyArchitecture();
        NafsModel model(a, 20);
        torch::Tensor classifier = torch::randn({ a.embedding, 4 }, torch::requires_grad());
        std::vector<torch::Tensor> params = model->parameters();
        params.push_back(classifier);
        torch::optim::Adam optimizer(params, torch::optim::AdamOptions(3e-3));
        const torch::Tensor images = torch::randn({ 4, 3, a.imageHeight, a.imageWidth });
        const SmallSequence s;
        torch::Tensor ids = s.ids.repeat({ 4, 1 });
        for (int i = 0; i < 4; ++i)
            ids[i][2] = 10 + i;
        const torch::Tensor mask = s.mask.repeat({ 4, 1 }), span = s.span.repeat({ 4, 1 });
        const torch::Tensor labels = torch::tensor({ 0, 1, 2, 3 }, torch::kLong);
        auto objective = [&] {
            const ImageFeatures image = model->encodeImages(images);
            const TextFeatures text = model->encodeTexts(ids, mask, span);
            const AlignmentScores local
                = model->align(image.items, torch::ones({ 4, a.imageItems() }, torch::kBool), text);
            return cmpmLoss(image.global(), text.sentence(), labels)
                + cmpcLoss(image.global(), text.sentence(), labels, classifier)
                + 0.1 * csalLoss(local.imageToText, local.textToImage, labels, 10.0);
        };
        model->train();
        const double first = objective().item<double>();
        for (int step = 0; step < 30; ++step) {
            optimizer.zero_grad();
            torch::Tensor loss = objective();
            loss.backward();
            if (step == 0) {
                for (const auto &p : model->named_parameters()) {
                    QVERIFY2(p.value().grad().defined(), p.key().c_str());
                    QVERIFY2(torch::isfinite(p.value().grad()).all().item<bool>(), p.key().c_str());
                }
            }
            optimizer.step();
        }
        const double last = objective().item<double>();
        QVERIFY2(last < first * 0.7, qPrintable(QStringLiteral("loss %1 -> %2").arg(first).arg(last)));
    }
};

QTEST_GUILESS_MAIN(TestNafsNetwork)
#include "TestNafsNetwork.moc"
