// Search filters (sources, cameras, time range, attribute chips, sort by time), the calibrated
// confidence with its relevance cut-off, and the refusal of a degenerate model. A gallery of
// hand-placed tracklets and an untrained tiny model, so every expected set is known exactly and
// nothing depends on a trained model.
#include "Gallery.h"
#include "Rng.h"
#include "ScoreCalibration.h"
#include "SearchEngine.h"
#include "SearchFixture.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

#include <cmath>

using namespace descry;
using test::attr;

Q_DECLARE_METATYPE(descry::SearchRequest)

namespace {

const QString kQuery = QStringLiteral("a man in a red coat and blue jeans");

enum Name { A1, A2, A3, A4, B1, B2, B3, Count };

double sigmoid(double z)
{
    return 1.0 / (1.0 + std::exp(-z));
}

} // namespace

class TestSearchFilters : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_config;
    std::unique_ptr<TextPersonModel> m_model;
    Gallery m_gallery;
    std::vector<int64_t> m_ids; // by Name
    std::vector<int64_t> m_sources; // camera "North Gate", camera "south"

    QSet<int64_t> idsOf(std::initializer_list<Name> names) const
    {
        return test::idsOf(m_ids, names);
    }

    static QSet<int64_t> idsIn(const SearchResponse &r)
    {
        QSet<int64_t> out;
        for (const SearchResult &s : r.results)
            out.insert(s.tracklet.id);
        return out;
    }

    SearchResponse run(SearchRequest request, bool useModel = true)
    {
        request.text = kQuery;
        request.useModel = useModel;
        SearchEngine engine(m_gallery, m_model.get());
        return engine.search(request);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        m_config = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny"), 5, &error);
        QVERIFY2(!m_config.isEmpty(), qPrintable(error));
        m_model = TextPersonModel::load(m_config, &error);
        QVERIFY2(m_model, qPrintable(error));
        QVERIFY(m_gallery.open(m_dir.filePath(QStringLiteral("g.sqlite"))));
        const std::vector<float> q = m_model->encodeQuery(kQuery).global;
        const VisualEmbedding items
            = m_model->encodeCrops({ cv::Mat(96, 40, CV_8UC3, cv::Scalar(30, 30, 200)) }).front();
        using R = BodyRegion;
        std::vector<test::PlacedTracklet> placed(Count);
        placed[A1] = { 0, 0, 5, test::vectorAt(q, 0.9f, 1),
            { attr(R::Upper, "colour:red", 0.6f), attr(R::Lower, "colour:black", 0.5f) } };
        placed[A2] = { 0, 10, 20, test::vectorAt(q, 0.5f, 2),
            { attr(R::Upper, "colour:blue", 0.4f), attr(R::Lower, "colour:blue", 0.7f) } };
        placed[A3] = { 0, 30, 40, test::vectorAt(q, 0.7f, 3),
            { attr(R::Upper, "colour:red", 0.1f), attr(R::Lower, "colour:black", 0.8f) } };
        placed[A4]
            = { 0, 50, 60, {}, { attr(R::Upper, "colour:red", 0.5f), attr(R::Lower, "colour:black", 0.6f) } };
        placed[B1] = { 1, 2, 8, test::vectorAt(q, 0.8f, 4),
            { attr(R::Upper, "colour:blue", 0.5f), attr(R::Lower, "colour:black", 0.3f),
                attr(R::Head, "hair:blonde", 0.7f) } };
        placed[B2] = { 1, 12, 18, test::vectorAt(q, 0.95f, 5),
            { attr(R::Upper, "colour:green", 0.6f), attr(R::Lower, "garment:shorts", 0.8f) } };
        placed[B3] = { 1, 25, 26, test::vectorAt(q, -0.2f, 6),
            { attr(R::Upper, "colour:red", 0.3f), attr(R::Lower, "colour:grey", 0.5f) } };
        QVERIFY2(
            test::addPlacedTracklets(m_gallery, { QStringLiteral("North Gate"), QStringLiteral("south") },
                placed, m_model->id(), items.features, &m_ids, &m_sources),
            qPrintable(m_gallery.lastError()));
        QCOMPARE(m_gallery.trackletCount(), int64_t(Count));
    }

    void noFilterReturnsEverything()
    {
        const SearchResponse r = run({});
        QVERIFY2(r.ranking.startsWith(QStringLiteral("model tiny@")), qPrintable(r.ranking));
        QCOMPARE(idsIn(r), idsOf({ A1, A2, A3, A4, B1, B2, B3 }));
        QCOMPARE(r.hiddenBelowCutoff, 0);
        QCOMPARE(r.cutoff, -1.0f);
        for (const SearchResult &s : r.results)
            QCOMPARE(s.confidence, -1.0f); // no calibration for the tiny model
    }

    void filtersAloneAndCombined_data()
    {
        QTest::addColumn<SearchRequest>("request");
        QTest::addColumn<QSet<int64_t>>("expected");
        auto request = [](auto &&set) {
            SearchRequest r;
            set(r);
            return r;
        };
        auto chips = [](const QStringList &texts) {
            std::vector<AttributeChip> out;
            for (const QString &t : texts) {
                AttributeChip c;
                QString error;
                if (!AttributeChip::parse(t, &c, &error))
                    qFatal("%s", qPrintable(error));
                out.push_back(c);
            }
            return out;
        };
        const int64_t a = m_sources[0], b = m_sources[1];
        QTest::newRow("one source") << request([&](SearchRequest &r) { r.sourceIds = { b }; })
                                    << idsOf({ B1, B2, B3 });
        QTest::newRow("deprecated sourceId")
            << request([&](SearchRequest &r) { r.sourceId = a; }) << idsOf({ A1, A2, A3, A4 });
        QTest::newRow("two sources") << request([&](SearchRequest &r) {
            r.sourceIds = { a, b };
        }) << idsOf({ A1, A2, A3, A4, B1, B2, B3 });
        QTest::newRow("camera, any case")
            << request([](SearchRequest &r) { r.cameras = { QStringLiteral("SOUTH") }; })
            << idsOf({ B1, B2, B3 });
        QTest::newRow("two cameras") << request([](SearchRequest &r) {
            r.cameras = { QStringLiteral("north gate"), QStringLiteral("south") };
        }) << idsOf({ A1, A2, A3, A4, B1, B2, B3 });
        QTest::newRow("time range overlaps") << request([](SearchRequest &r) {
            r.fromTime = 9;
            r.toTime = 21;
        }) << idsOf({ A2, B2 });
        QTest::newRow("partly inside counts") << request([](SearchRequest &r) {
            r.fromTime = 4;
            r.toTime = 6;
        }) << idsOf({ A1, B1 });
        QTest::newRow("from only") << request([](SearchRequest &r) { r.fromTime = 25; })
                                   << idsOf({ A3, A4, B3 });
        QTest::newRow("to only") << request([](SearchRequest &r) { r.toTime = 5; }) << idsOf({ A1, B1 });
        QTest::newRow("colour chip") << request([&](SearchRequest &r) {
            r.attributes = chips({ QStringLiteral("upper:red") });
        }) << idsOf({ A1, A4, B3 });
        QTest::newRow("same region and kind: OR") << request([&](SearchRequest &r) {
            r.attributes = chips({ QStringLiteral("upper:red"), QStringLiteral("upper:blue") });
        }) << idsOf({ A1, A2, A4, B1, B3 });
        QTest::newRow("different regions: AND") << request([&](SearchRequest &r) {
            r.attributes = chips({ QStringLiteral("upper:red"), QStringLiteral("lower:black") });
        }) << idsOf({ A1, A4 });
        QTest::newRow("garment chip")
            << request([&](SearchRequest &r) { r.attributes = chips({ QStringLiteral("lower:shorts") }); })
            << idsOf({ B2 });
        QTest::newRow("hair chip") << request([&](SearchRequest &r) {
            r.attributes = chips({ QStringLiteral("hair:blonde") });
        }) << idsOf({ B1 });
        QTest::newRow("own threshold") << request([&](SearchRequest &r) {
            r.attributes = chips({ QStringLiteral("upper:red") });
            r.attributes[0].minValue = 0.05f;
        }) << idsOf({ A1, A3, A4, B3 });
        QTest::newRow("source + time + chip") << request([&](SearchRequest &r) {
            r.sourceIds = { a };
            r.fromTime = 0;
            r.toTime = 45;
            r.attributes = chips({ QStringLiteral("lower:black") });
        }) << idsOf({ A1, A3 });
        QTest::newRow("camera + chip") << request([&](SearchRequest &r) {
            r.cameras = { QStringLiteral("south") };
            r.attributes = chips({ QStringLiteral("upper:blue"), QStringLiteral("upper:green") });
        }) << idsOf({ B1, B2 });
    }

    void filtersAloneAndCombined()
    {
        QFETCH(SearchRequest, request);
        QFETCH(QSet<int64_t>, expected);
        // The model's ranking (A4, without embeddings, through the attribute fallback) ...
        const SearchResponse model = run(request);
        QVERIFY(model.ranking.startsWith(QStringLiteral("model")));
        QCOMPARE(idsIn(model), expected);
        // ... and the attribute ranking apply the same filters.
        QCOMPARE(idsIn(run(request, false)), expected);
        SearchEngine plain(m_gallery);
        request.text = kQuery;
        QCOMPARE(idsIn(plain.search(request)), expected);
    }

    void filterThatMatchesNothingSaysWhy()
    {
        SearchRequest request;
        request.cameras = { QStringLiteral("nowhere") };
        SearchResponse r = run(request);
        QVERIFY(r.results.empty());
        QVERIFY2(r.notes.join(QLatin1Char('\n')).contains(QStringLiteral("'nowhere'")),
            qPrintable(r.notes.join(QLatin1Char('\n'))));
        request = {};
        AttributeChip bag;
        QString error;
        QVERIFY2(AttributeChip::parse(QStringLiteral("backpack"), &bag, &error), qPrintable(error));
        request.attributes = { bag };
        r = run(request);
        QVERIFY(r.results.empty());
        QVERIFY2(r.notes.join(QLatin1Char('\n')).contains(QStringLiteral("accessory:backpack")),
            qPrintable(r.notes.join(QLatin1Char('\n'))));
    }

    void sortByTime()
    {
        SearchRequest request;
        request.sortOrder = SortOrder::Time;
        const SearchResponse r = run(request);
        std::vector<int64_t> order;
        for (const SearchResult &s : r.results)
            order.push_back(s.tracklet.id);
        const std::vector<int64_t> expected { m_ids[A1], m_ids[A2], m_ids[A3], m_ids[A4], m_ids[B1],
            m_ids[B2], m_ids[B3] };
        QCOMPARE(order, expected);
        // The same set as by relevance, only reordered; with topK the relevance top K is kept.
        request.topK = 3;
        const SearchResponse top = run(request);
        SearchRequest byRelevance;
        byRelevance.topK = 3;
        QCOMPARE(idsIn(top), idsIn(run(byRelevance)));
        for (size_t i = 1; i < top.results.size(); ++i) {
            const TrackletRecord &x = top.results[i - 1].tracklet, &y = top.results[i].tracklet;
            QVERIFY(x.sourceId < y.sourceId || (x.sourceId == y.sourceId && x.startTime <= y.startTime));
        }
    }

    void chipParsing_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("attribute");
        QTest::addColumn<bool>("colourShare");
        QTest::newRow("basic colour") << "upper:red"
                                      << "upper"
                                      << "colour:red" << true;
        QTest::newRow("lexicon shade") << "Upper: navy"
                                       << "upper"
                                       << "colour:blue" << true;
        QTest::newRow("mixed shade") << "lower:teal"
                                     << "lower"
                                     << "colour:blue|green" << true;
        QTest::newRow("bare colour: whole body") << "red"
                                                 << "whole"
                                                 << "colour:red" << true;
        QTest::newRow("garment") << "lower:shorts"
                                 << "lower"
                                 << "garment:shorts" << false;
        QTest::newRow("sleeves") << "upper:short sleeves"
                                 << "upper"
                                 << "garment:short-sleeves" << false;
        QTest::newRow("hair colour") << "hair:black"
                                     << "head"
                                     << "hair:black" << true;
        QTest::newRow("blonde") << "hair:blonde"
                                << "head"
                                << "hair:blonde" << false;
        QTest::newRow("bag") << "backpack"
                             << "whole"
                             << "accessory:backpack" << false;
        QTest::newRow("raw") << "feet:colour:white"
                             << "feet"
                             << "colour:white" << true;
    }

    void chipParsing()
    {
        QFETCH(QString, text);
        QFETCH(QString, region);
        QFETCH(QString, attribute);
        QFETCH(bool, colourShare);
        AttributeChip chip;
        QString error;
        QVERIFY2(AttributeChip::parse(text, &chip, &error), qPrintable(error));
        QCOMPARE(regionKey(chip.region), region);
        QCOMPARE(chip.attribute, attribute);
        QCOMPARE(chip.isColourShare(), colourShare);
        QCOMPARE(chip.threshold(), colourShare ? 0.15f : 0.5f);
    }

    void badChips_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown region") << "middle:red"
                                        << "not a body region";
        QTest::newRow("two attributes") << "upper:red coat"
                                        << "one attribute per chip";
        QTest::newRow("nothing") << "upper:"
                                 << "names no attribute";
        QTest::newRow("unknown word") << "upper:xyzzy"
                                      << "does not know";
        QTest::newRow("not hair") << "hair:shorts"
                                  << "not a hair attribute";
    }

    void badChips()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        AttributeChip chip;
        QString error;
        QVERIFY(!AttributeChip::parse(text, &chip, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void calibrationRecoversKnownCoefficients()
    {
        // Pairs drawn from a known logistic model: the fit must find it again.
        Rng rng(42);
        std::vector<float> scores;
        std::vector<uint8_t> matches;
        std::vector<int> queries;
        for (int i = 0; i < 20000; ++i) {
            const float s = float(-1 + 4 * rng.uniform());
            scores.push_back(s);
            matches.push_back(rng.uniform() < sigmoid(4.0 * s - 6.0) ? 1 : 0);
            queries.push_back(i / 100);
        }
        ScoreCalibration c;
        QString error;
        QVERIFY2(c.fit(scores, matches, &error), qPrintable(error));
        QVERIFY2(std::abs(c.slope - 4.0) < 0.3 && std::abs(c.intercept + 6.0) < 0.5,
            qPrintable(QStringLiteral("slope %1 intercept %2").arg(c.slope).arg(c.intercept)));
        QVERIFY(c.confidence(0) < c.confidence(1) && c.confidence(1) < c.confidence(2));
        QVERIFY(std::abs(c.confidence(1.5f) - 0.5f) < 0.05f);
        c.measure(scores, matches, queries);
        QCOMPARE(c.reliability.size(), size_t(10));
        int64_t pairs = 0;
        for (const ReliabilityBin &b : c.reliability)
            pairs += b.pairs;
        QCOMPARE(pairs, int64_t(scores.size()));
        QVERIFY2(c.expectedCalibrationError < 0.03, qPrintable(QString::number(c.expectedCalibrationError)));
        QCOMPARE(c.cutoffs.size(), size_t(9));
        // A higher cut-off shows fewer, more precise results.
        for (size_t i = 1; i < c.cutoffs.size(); ++i)
            QVERIFY(c.cutoffs[i].recall <= c.cutoffs[i - 1].recall);
        QVERIFY(c.figuresAt(0.8).precision > c.figuresAt(0.2).precision);

        // What cannot be calibrated is refused with a reason.
        const std::vector<float> flipped { 0.f, 1.f, 2.f, 3.f };
        QVERIFY(!c.fit(flipped, { 1, 1, 0, 0 }, &error));
        QVERIFY2(error.contains(QStringLiteral("do not mean more matches")), qPrintable(error));
        QVERIFY(!c.fit(flipped, { 1, 1, 1, 1 }, &error));
        QVERIFY2(error.contains(QStringLiteral("non-matching")), qPrintable(error));
    }

    void calibrationFileRoundTrip()
    {
        ScoreCalibration c;
        c.modelId = m_model->id();
        c.slope = 3;
        c.intercept = -2;
        c.cutoff = 0.6;
        c.reliability = { { 0, 0.5, 10, 2, 0.2 }, { 0.5, 1, 5, 4, 0.8 } };
        const QString path = m_dir.filePath(QStringLiteral("round.calibration.json"));
        QString error;
        QVERIFY2(c.save(path, &error), qPrintable(error));
        ScoreCalibration back;
        QVERIFY2(ScoreCalibration::load(path, &back, &error), qPrintable(error));
        QCOMPARE(back.modelId, c.modelId);
        QCOMPARE(back.slope, 3.0);
        QCOMPARE(back.intercept, -2.0);
        QCOMPARE(back.cutoff, 0.6);
        QCOMPARE(back.reliability.size(), size_t(2));
        QCOMPARE(back.reliability[1].matches, int64_t(4));
        QCOMPARE(ScoreCalibration::pathForModel(QStringLiteral("/m/descry-nafs-s.json")),
            QStringLiteral("/m/descry-nafs-s.calibration.json"));
        QFile bad(m_dir.filePath(QStringLiteral("bad.calibration.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"format\": \"something else\"}");
        bad.close();
        QVERIFY(!ScoreCalibration::load(bad.fileName(), &back, &error));
        QVERIFY2(error.contains(QStringLiteral("not a Descry score calibration")), qPrintable(error));
    }

    void attributeWeightFollowsTheCalibration()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        QCOMPARE(engine.attributeWeightFor(request), SearchRequest::kDefaultAttributeWeight);
        const SearchResponse plain = engine.search(request);
        QVERIFY2(plain.ranking.endsWith(QStringLiteral(" + 0.5 × attributes")), qPrintable(plain.ranking));

        // The calibration was fitted with weight 2 (chosen on real captions): an unset weight takes it.
        ScoreCalibration c;
        c.modelId = m_model->id();
        c.slope = 1;
        c.attributeWeight = 2;
        engine.setCalibration(c);
        QCOMPARE(engine.attributeWeightFor(request), 2.0f);
        const SearchResponse calibrated = engine.search(request);
        QVERIFY2(calibrated.ranking.endsWith(QStringLiteral(" + 2 × attributes")), qPrintable(calibrated.ranking));
        QVERIFY(!calibrated.results.empty());
        bool someAttribute = false;
        for (const SearchResult &r : calibrated.results) {
            if (r.confidence < 0)
                continue; // no embeddings: ranked by attributes after the model's results
            someAttribute = someAttribute || r.attributeScore > 0;
            QVERIFY(std::abs(r.score - (r.globalScore + r.localScore + 2 * r.attributeScore)) < 1e-4f);
        }
        QVERIFY(someAttribute);

        // A weight of the user's own wins, and then the calibration does not apply.
        request.attributeWeight = 0.5f;
        QCOMPARE(engine.attributeWeightFor(request), 0.5f);
        const SearchResponse own = engine.search(request);
        QCOMPARE(own.results.front().confidence, -1.0f);
        QVERIFY(own.notes.join(QLatin1Char('\n')).contains(QStringLiteral("calibrated for attribute weight 2")));
    }

    void cutoffHidesLowConfidenceResults()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        // The raw scores, to place the calibration's 0.5 between the 3rd and 4th model result.
        const SearchResponse raw = engine.search(request);
        QVERIFY(raw.results.size() == 7);
        const float s3 = raw.results[2].score, s4 = raw.results[3].score;
        QVERIFY(s3 > s4);
        ScoreCalibration c;
        c.modelId = m_model->id();
        c.slope = 20;
        c.intercept = -20 * (s3 + s4) / 2;
        c.cutoff = 0.5;
        engine.setCalibration(c);
        QVERIFY(engine.calibration());

        const SearchResponse shown = engine.search(request);
        QCOMPARE(shown.cutoff, 0.5f);
        QCOMPARE(shown.hiddenBelowCutoff, 3); // the 4th-6th model results
        QCOMPARE(shown.results.size(), size_t(4)); // 3 confident + A4 (attributes, never cut)
        for (size_t i = 0; i < 3; ++i) {
            const SearchResult &s = shown.results[i];
            QCOMPARE(s.tracklet.id, raw.results[i].tracklet.id);
            QVERIFY(std::abs(s.confidence - float(sigmoid(c.slope * s.score + c.intercept))) < 1e-5f);
            QVERIFY(s.confidence >= 0.5f);
        }
        QCOMPARE(shown.results[3].tracklet.id, m_ids[A4]);
        QCOMPARE(shown.results[3].confidence, -1.0f);

        // minConfidence 0 shows all; its own threshold overrides the calibration's.
        request.minConfidence = 0;
        const SearchResponse all = engine.search(request);
        QCOMPARE(all.hiddenBelowCutoff, 0);
        QCOMPARE(idsIn(all), idsIn(raw));
        request.minConfidence = 0.999f;
        const SearchResponse strict = engine.search(request);
        QVERIFY(strict.hiddenBelowCutoff > 3);
        QCOMPARE(int(strict.results.size()) + strict.hiddenBelowCutoff, 7);

        // Hidden results keep their place in the top K: with K = 4, 3 shown + 1 hidden, no more.
        request.minConfidence = -1;
        request.topK = 4;
        const SearchResponse top = engine.search(request);
        QCOMPARE(top.results.size(), size_t(3));
        QCOMPARE(top.hiddenBelowCutoff, 1);

        // Scores made another way (another attribute weight, attribute ranking) are not calibrated.
        request.topK = 200;
        request.attributeWeight = 0.25f;
        const SearchResponse other = engine.search(request);
        QCOMPARE(other.hiddenBelowCutoff, 0);
        QCOMPARE(other.results.front().confidence, -1.0f);
        QVERIFY(other.notes.join(QLatin1Char('\n')).contains(QStringLiteral("attribute weight")));
        request.attributeWeight = 0.5f;
        request.useModel = false;
        const SearchResponse attributes = engine.search(request);
        QCOMPARE(attributes.cutoff, -1.0f);
        QCOMPARE(attributes.hiddenBelowCutoff, 0);
    }

    void calibrationFileBesideTheModelIsLoaded()
    {
        const QString path = ScoreCalibration::pathForModel(m_config);
        ScoreCalibration c;
        c.modelId = m_model->id();
        c.slope = 1;
        c.intercept = -100; // everything below any cut-off
        QString error;
        QVERIFY2(c.save(path, &error), qPrintable(error));
        {
            SearchEngine engine(m_gallery, m_model.get());
            QVERIFY(engine.calibration());
            SearchRequest request;
            request.text = kQuery;
            const SearchResponse r = engine.search(request);
            QCOMPARE(r.hiddenBelowCutoff, 6);
            QCOMPARE(r.results.size(), size_t(1)); // A4, ranked by attributes
        }
        // A calibration of another model (a retrained one) is not used, and search says so.
        c.modelId = QStringLiteral("tiny@000000000000");
        QVERIFY2(c.save(path, &error), qPrintable(error));
        {
            SearchEngine engine(m_gallery, m_model.get());
            QVERIFY(!engine.calibration());
            SearchRequest request;
            request.text = kQuery;
            const SearchResponse r = engine.search(request);
            QCOMPARE(r.hiddenBelowCutoff, 0);
            QVERIFY2(r.notes.join(QLatin1Char('\n'))
                         .contains(QStringLiteral("fitted for model tiny@000000000000")),
                qPrintable(r.notes.join(QLatin1Char('\n'))));
        }
        QVERIFY(QFile::remove(path));
    }

    void embeddingSpread()
    {
        Rng rng(7);
        const int dim = 16;
        std::vector<float> random(size_t(30 * dim)), same(size_t(30 * dim)), zeros(size_t(30 * dim), 0.0f);
        for (size_t i = 0; i < random.size(); ++i) {
            random[i] = float(rng.normal());
            same[i] = float(1 + (i % size_t(dim))) * (1 + 1e-4f * float(rng.uniform()));
        }
        const EmbeddingSpread r = EmbeddingSpread::measure(random.data(), 30, dim);
        QVERIFY2(std::abs(r.meanCosine) < 0.1 && !r.degenerate, qPrintable(QString::number(r.meanCosine)));
        const EmbeddingSpread s = EmbeddingSpread::measure(same.data(), 30, dim);
        QVERIFY2(s.meanCosine > 0.999 && s.degenerate, qPrintable(QString::number(s.meanCosine)));
        QVERIFY(EmbeddingSpread::measure(zeros.data(), 30, dim).degenerate);
        // Too few tracklets to judge: a few tracklets of one person may look alike.
        QVERIFY(!EmbeddingSpread::measure(same.data(), EmbeddingSpread::kMinVectors - 1, dim).degenerate);
        // The hand-placed gallery is fine.
        SearchEngine engine(m_gallery, m_model.get());
        QVERIFY(!engine.embeddingSpread().degenerate);
    }

    void degenerateModelIsRefused()
    {
        // Every tracklet nearly the same vector, as an untrained model gives them.
        Gallery gallery;
        QVERIFY(gallery.open(m_dir.filePath(QStringLiteral("degenerate.sqlite"))));
        const std::vector<float> q = m_model->encodeQuery(kQuery).global;
        const VisualEmbedding items
            = m_model->encodeCrops({ cv::Mat(96, 40, CV_8UC3, cv::Scalar(30, 30, 200)) }).front();
        std::vector<test::PlacedTracklet> placed;
        for (int i = 0; i < 25; ++i)
            placed.push_back({ 0, double(i), double(i) + 1, test::vectorAt(q, 0.999f - 0.0001f * float(i), i),
                { attr(BodyRegion::Upper, "colour:red", 0.02f * float(i)) } });
        std::vector<int64_t> ids, sources;
        QVERIFY(test::addPlacedTracklets(
            gallery, { QStringLiteral("cam") }, placed, m_model->id(), items.features, &ids, &sources));
        SearchEngine engine(gallery, m_model.get());
        QVERIFY(engine.embeddingSpread().degenerate);
        QVERIFY(engine.embeddingSpread().meanCosine > 0.98);
        SearchRequest request;
        request.text = kQuery;
        const SearchResponse r = engine.search(request);
        QCOMPARE(r.ranking, QStringLiteral("attributes"));
        QCOMPARE(r.results.size(), size_t(25));
        QCOMPARE(r.results.front().tracklet.id, ids.back()); // the reddest
        const QString notes = r.notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(QStringLiteral("nearly identical embeddings"))
                && notes.contains(QStringLiteral("untrained or broken")) && notes.contains(m_model->id()),
            qPrintable(notes));
        SimilarRequest similar;
        similar.trackletId = ids.front();
        SearchResponse found;
        QString error;
        QVERIFY(!engine.similar(similar, &found, &error));
        QVERIFY2(error.contains(QStringLiteral("nearly identical")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSearchFilters)
#include "TestSearchFilters.moc"
