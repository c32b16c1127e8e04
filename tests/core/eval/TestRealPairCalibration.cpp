// Score calibration on real labelled pairs (RealPairCalibration, descry-cli calibrate): pairs from
// a query file (relevant spans; every other tracklet a non-match) and from review decisions (the
// latest per query and tracklet; skips ignored), scored exactly as search scores them; the fit
// written and loaded back; a calibration checked on other pairs; the errors. An untrained tiny
// model with hand-placed global vectors, so which tracklet scores above which is known.
#include "Gallery.h"
#include "RealPairCalibration.h"
#include "SearchEngine.h"
#include "SearchFixture.h"
#include "TestSupport.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

#include <map>
#include <set>

using namespace descry;

namespace {

const QString kFileQuery = QStringLiteral("a man in a red coat and blue jeans");
const QString kReviewQuery = QStringLiteral("a woman in a red coat with a black bag");
// Global cosine of each tracklet with kFileQuery's feature; NaN: no embeddings of the model.
const std::vector<float> kCosines { 0.9f, 0.8f, 0.7f, 0.3f, 0.1f, 0.0f, -0.2f, -0.4f, NAN };

double startOf(size_t i)
{
    return 10.0 * double(i) + 0.5;
}
double endOf(size_t i)
{
    return 10.0 * double(i) + 5.0;
}

QJsonArray span(size_t i)
{
    return QJsonArray { startOf(i), endOf(i) };
}

} // namespace

class TestRealPairCalibration : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_modelPath;
    std::unique_ptr<TextPersonModel> m_model;
    Gallery m_gallery;
    std::vector<int64_t> m_ids; // in the order of kCosines
    QDateTime m_clock = QDateTime(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);

    QString writeFile(const QString &name, const QJsonObject &json)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(json).toJson());
        return path;
    }

    // kFileQuery: tracklets 0, 1 and 3 relevant, 8 too (it has no embeddings: left out), and a
    // span that names no tracklet.
    QString queryFile()
    {
        const QJsonArray relevant { span(0), span(1), span(3), span(8), QJsonArray { 99.0, 100.0 } };
        return writeFile(QStringLiteral("queries.json"),
            { { QStringLiteral("queries"),
                QJsonArray { QJsonObject {
                    { QStringLiteral("text"), kFileQuery }, { QStringLiteral("relevant"), relevant } } } } });
    }

    void review(Gallery &gallery, size_t index, const QString &query, ReviewVerdict verdict)
    {
        ReviewRecord r;
        r.trackletId = m_ids[index];
        r.queryText = query;
        r.verdict = verdict;
        r.author = QStringLiteral("tester");
        m_clock = m_clock.addSecs(1); // the order they were made in, whatever the clock says
        r.createdAt = m_clock;
        QVERIFY2(gallery.addReview(&r), qPrintable(gallery.lastError()));
    }

    std::map<int64_t, float> searchScores(const QString &text)
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = text;
        request.topK = 0;
        request.minConfidence = 0;
        std::map<int64_t, float> scores;
        for (const SearchResult &r : engine.search(request).results)
            scores[r.tracklet.id] = r.score;
        return scores;
    }

    // The pairs of one query as tracklet index -> match.
    std::map<size_t, bool> labelsOf(const LabelledPairs &pairs, const QString &text)
    {
        std::map<size_t, bool> labels;
        const int q = int(pairs.queryTexts.indexOf(text));
        for (size_t i = 0; i < pairs.scores.size(); ++i)
            if (pairs.queryOf[i] == q)
                labels[size_t(std::find(m_ids.begin(), m_ids.end(), pairs.trackletIds[i]) - m_ids.begin())]
                    = pairs.matches[i];
        return labels;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        m_modelPath = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny"), 5, &error);
        QVERIFY2(!m_modelPath.isEmpty(), qPrintable(error));
        m_model = TextPersonModel::load(m_modelPath, &error);
        QVERIFY2(m_model, qPrintable(error));
        QVERIFY(m_gallery.open(m_dir.filePath(QStringLiteral("g.sqlite"))));
        const std::vector<float> q = m_model->encodeQuery(kFileQuery).global;
        // One item set for all: the local score is the same for every tracklet, so the order is
        // the placed cosines'.
        const std::vector<float> items
            = m_model->encodeCrops({ cv::Mat(96, 40, CV_8UC3, cv::Scalar(30, 30, 200)) }).front().features;
        std::vector<test::PlacedTracklet> placed;
        for (size_t i = 0; i < kCosines.size(); ++i)
            placed.push_back({ 0, startOf(i), endOf(i),
                std::isnan(kCosines[i]) ? std::vector<float> {}
                                        : test::vectorAt(q, kCosines[i], int(i) + 1) });
        std::vector<int64_t> sources;
        QVERIFY2(test::addPlacedTracklets(
                     m_gallery, { QStringLiteral("cam") }, placed, m_model->id(), items, &m_ids, &sources),
            qPrintable(m_gallery.lastError()));
        QCOMPARE(m_ids.size(), kCosines.size());
    }

    void pairsFromAQueryFile()
    {
        std::vector<LabelledQuery> queries;
        QString error;
        QVERIFY2(loadLabelledQueryFile(queryFile(), &queries, &error), qPrintable(error));
        QCOMPARE(queries.size(), size_t(1));
        LabelledPairs pairs;
        QVERIFY2(RealPairCalibration::collect(m_gallery, *m_model, queries, {}, &pairs, &error),
            qPrintable(error));
        // Every embedded tracklet is labelled: the listed ones match, the rest do not.
        const std::map<size_t, bool> expected { { 0, true }, { 1, true }, { 2, false }, { 3, true },
            { 4, false }, { 5, false }, { 6, false }, { 7, false } };
        QVERIFY(labelsOf(pairs, kFileQuery) == expected);
        QCOMPARE(pairs.matchCount(), int64_t(3));
        QCOMPARE(pairs.rescored, 8);
        // Scored as search scores them.
        const std::map<int64_t, float> scores = searchScores(kFileQuery);
        for (size_t i = 0; i < pairs.scores.size(); ++i)
            QCOMPARE(pairs.scores[i], scores.at(pairs.trackletIds[i]));
        // What was left out is said.
        QCOMPARE(pairs.notes.size(), 2);
        QVERIFY2(pairs.notes.filter(QStringLiteral("[99, 100] s matches no tracklet")).size() == 1,
            qPrintable(pairs.notes.join('\n')));
        QVERIFY2(pairs.notes
                     .filter(QStringLiteral("1 labelled pairs left out: their tracklets have no embeddings"))
                     .size()
                == 1,
            qPrintable(pairs.notes.join('\n')));
    }

    // A caption set (models/queries/real-people.json's layout): each caption of a person of the
    // split is a query; its person's spans count in its own footage only.
    void pairsFromACaptionSet()
    {
        const QJsonObject people { { QStringLiteral("people"),
            QJsonArray {
                QJsonObject { { QStringLiteral("id"), QStringLiteral("A") }, { QStringLiteral("footage"), QStringLiteral("cam0.avi") },
                    { QStringLiteral("split"), QStringLiteral("dev") }, { QStringLiteral("tracklets"), QJsonArray { span(0), span(3) } },
                    { QStringLiteral("captions"), QJsonArray { kFileQuery, QStringLiteral("man, red coat, jeans") } } },
                // Same times, another clip: names no tracklet of this gallery.
                QJsonObject { { QStringLiteral("id"), QStringLiteral("B") }, { QStringLiteral("footage"), QStringLiteral("other.mp4") },
                    { QStringLiteral("split"), QStringLiteral("test") }, { QStringLiteral("tracklets"), QJsonArray { span(1) } },
                    { QStringLiteral("captions"), QJsonArray { kReviewQuery } } } } } };
        const QString file = writeFile(QStringLiteral("people.json"), people);
        std::vector<LabelledQuery> dev;
        QString error;
        QVERIFY2(loadLabelledQueryFile(file, &dev, &error, QStringLiteral("dev")), qPrintable(error));
        QCOMPARE(dev.size(), size_t(2));
        QCOMPARE(dev[0].footage, QStringLiteral("cam0.avi"));
        LabelledPairs pairs;
        QVERIFY2(RealPairCalibration::collect(m_gallery, *m_model, dev, {}, &pairs, &error), qPrintable(error));
        const std::map<size_t, bool> expected { { 0, true }, { 1, false }, { 2, false }, { 3, true }, { 4, false },
            { 5, false }, { 6, false }, { 7, false } };
        QVERIFY(labelsOf(pairs, kFileQuery) == expected);
        QVERIFY(labelsOf(pairs, QStringLiteral("man, red coat, jeans")) == expected);
        QVERIFY2(pairs.notes.filter(QStringLiteral("matches no tracklet")).isEmpty(), qPrintable(pairs.notes.join('\n')));

        std::vector<LabelledQuery> all;
        QVERIFY2(loadLabelledQueryFile(file, &all, &error), qPrintable(error));
        QCOMPARE(all.size(), size_t(3));
        QVERIFY(RealPairCalibration::collect(m_gallery, *m_model, all, {}, &pairs, &error));
        // Person B's span has the times of tracklet 1, but in other.mp4: no match here, and said.
        for (const auto &[index, match] : labelsOf(pairs, kReviewQuery))
            QVERIFY(!match);
        QVERIFY2(pairs.notes.filter(QStringLiteral("matches no tracklet of other.mp4")).size() == 1,
            qPrintable(pairs.notes.join('\n')));

        std::vector<LabelledQuery> none;
        QVERIFY(!loadLabelledQueryFile(file, &none, &error, QStringLiteral("val")));
        QVERIFY2(error.contains(QStringLiteral("no captions in split \"val\"")), qPrintable(error));
    }

    // Where two tracklets share the times, a span's third number names one by its first box's
    // left edge (every tracklet here starts with a box at x = 1).
    void spanWithABoxEdgeNamesOnlyThatTracklet()
    {
        const QJsonObject people { { QStringLiteral("people"),
            QJsonArray { QJsonObject { { QStringLiteral("id"), QStringLiteral("A") },
                { QStringLiteral("footage"), QStringLiteral("cam0.avi") }, { QStringLiteral("split"), QStringLiteral("dev") },
                { QStringLiteral("tracklets"),
                    QJsonArray { QJsonArray { startOf(0), endOf(0), 12.0 }, QJsonArray { startOf(3), endOf(3), 300.0 } } },
                { QStringLiteral("captions"), QJsonArray { kFileQuery } } } } } };
        std::vector<LabelledQuery> queries;
        QString error;
        QVERIFY2(loadLabelledQueryFile(writeFile(QStringLiteral("boxes.json"), people), &queries, &error), qPrintable(error));
        QCOMPARE(queries.front().relevantSpans.back().firstBoxX, 300.0);
        LabelledPairs pairs;
        QVERIFY2(RealPairCalibration::collect(m_gallery, *m_model, queries, {}, &pairs, &error), qPrintable(error));
        const std::map<size_t, bool> labels = labelsOf(pairs, kFileQuery);
        QVERIFY(labels.at(0)); // x 1 is within 20 px of 12
        QVERIFY(!labels.at(3)); // 300 px away: another tracklet of the same times
        QVERIFY2(pairs.notes.filter(QStringLiteral("matches no tracklet of cam0.avi")).size() == 1,
            qPrintable(pairs.notes.join('\n')));

        const QJsonObject bad { { QStringLiteral("people"),
            QJsonArray { QJsonObject { { QStringLiteral("id"), QStringLiteral("A") },
                { QStringLiteral("footage"), QStringLiteral("cam0.avi") },
                { QStringLiteral("tracklets"), QJsonArray { QJsonArray { 1.0, 2.0, 3.0, 4.0 } } },
                { QStringLiteral("captions"), QJsonArray { kFileQuery } } } } } };
        std::vector<LabelledQuery> none;
        QVERIFY(!loadLabelledQueryFile(writeFile(QStringLiteral("bad-span.json"), bad), &none, &error));
        QVERIFY2(error.contains(QStringLiteral("left edge of the first box")), qPrintable(error));
    }

    void pairsFromReviews()
    {
        Gallery gallery;
        QVERIFY(gallery.open(m_gallery.path()));
        review(gallery, 0, kReviewQuery, ReviewVerdict::Rejected);
        review(gallery, 0, kReviewQuery, ReviewVerdict::Confirmed); // the latest wins: match
        review(gallery, 1, kReviewQuery, ReviewVerdict::Confirmed);
        review(gallery, 1, kReviewQuery, ReviewVerdict::Rejected); // non-match
        review(gallery, 2, kReviewQuery, ReviewVerdict::Skipped); // ignored
        review(gallery, 3, QStringLiteral("  a woman in a red coat  with a black bag"),
            ReviewVerdict::Confirmed);
        review(gallery, 4, kReviewQuery, ReviewVerdict::Confirmed);
        review(gallery, 4, kReviewQuery, ReviewVerdict::Skipped); // the latest is a skip: no pair
        std::vector<LabelledQuery> queries;
        QCOMPARE(addReviewedQueries(gallery, &queries), 3);
        QCOMPARE(queries.size(), size_t(1));
        LabelledPairs pairs;
        QString error;
        QVERIFY2(
            RealPairCalibration::collect(gallery, *m_model, queries, {}, &pairs, &error), qPrintable(error));
        const std::map<size_t, bool> expected { { 0, true }, { 1, false }, { 3, true } };
        QVERIFY(labelsOf(pairs, kReviewQuery) == expected);
        const std::map<int64_t, float> scores = searchScores(kReviewQuery);
        for (size_t i = 0; i < pairs.scores.size(); ++i)
            QCOMPARE(pairs.scores[i], scores.at(pairs.trackletIds[i]));
        QVERIFY(pairs.notes.isEmpty());

        // With a query file for the same text as a review, the reviewed tracklet's decision wins.
        review(gallery, 2, kFileQuery, ReviewVerdict::Confirmed);
        queries.clear();
        QVERIFY2(loadLabelledQueryFile(queryFile(), &queries, &error), qPrintable(error));
        addReviewedQueries(gallery, &queries);
        QCOMPARE(queries.size(), size_t(2));
        QVERIFY2(
            RealPairCalibration::collect(gallery, *m_model, queries, {}, &pairs, &error), qPrintable(error));
        QVERIFY(labelsOf(pairs, kFileQuery).at(2));
        QCOMPARE(pairs.matchCount(), int64_t(4 + 2));
        QCOMPARE(pairs.queryTexts.size(), 2);
        QVERIFY(queries[0].origin.contains(QStringLiteral("reviews in")));
    }

    void fitIsWrittenAndLoads()
    {
        std::vector<LabelledQuery> queries;
        QString error;
        QVERIFY(loadLabelledQueryFile(queryFile(), &queries, &error));
        LabelledPairs pairs;
        QVERIFY2(RealPairCalibration::collect(m_gallery, *m_model, queries, {}, &pairs, &error),
            qPrintable(error));
        ScoreCalibration fitted;
        QVERIFY2(RealPairCalibration::fit(pairs, m_model->id(), 0.5f, &fitted, &error), qPrintable(error));
        QVERIFY(fitted.slope > 0); // higher cosine, more matches
        QCOMPARE(fitted.modelId, m_model->id());
        QCOMPARE(fitted.pairs, int64_t(8));
        QCOMPARE(fitted.matches, int64_t(3));
        QCOMPARE(fitted.queries, 1);
        QCOMPARE(fitted.rescoreTop, 8);
        QCOMPARE(fitted.cutoffs.size(), size_t(9));
        // The best-scored pair gets the highest confidence.
        QVERIFY(fitted.confidence(pairs.scores[0]) > fitted.confidence(pairs.scores[7]));
        const QString path = m_dir.filePath(QStringLiteral("fit.calibration.json"));
        QVERIFY2(fitted.save(path, &error), qPrintable(error));
        ScoreCalibration loaded;
        QVERIFY2(ScoreCalibration::load(path, &loaded, &error), qPrintable(error));
        QCOMPARE(loaded.slope, fitted.slope);
        QCOMPARE(loaded.intercept, fitted.intercept);
        QCOMPARE(loaded.modelId, fitted.modelId);
    }

    // --check: the figures of a calibration on other pairs, recomputed here from the confidences.
    void checkMeasuresOnOtherPairs()
    {
        std::vector<LabelledQuery> fileQueries, reviewed;
        QString error;
        QVERIFY(loadLabelledQueryFile(queryFile(), &fileQueries, &error));
        LabelledPairs fitPairs, heldOut;
        QVERIFY(RealPairCalibration::collect(m_gallery, *m_model, fileQueries, {}, &fitPairs, &error));
        ScoreCalibration fitted;
        QVERIFY(RealPairCalibration::fit(fitPairs, m_model->id(), 0.5f, &fitted, &error));
        // Held out: the reviews of kReviewQuery only (pairsFromReviews stored them).
        addReviewedQueries(m_gallery, &reviewed);
        reviewed.erase(std::remove_if(reviewed.begin(), reviewed.end(),
                           [](const LabelledQuery &q) { return q.text != kReviewQuery; }),
            reviewed.end());
        QCOMPARE(reviewed.size(), size_t(1));
        QVERIFY(RealPairCalibration::collect(m_gallery, *m_model, reviewed, {}, &heldOut, &error));
        ScoreCalibration checked;
        QVERIFY2(
            RealPairCalibration::check(fitted, m_model->id(), heldOut, &checked, &error), qPrintable(error));
        QCOMPARE(checked.slope, fitted.slope); // measured, not refitted
        QCOMPARE(checked.pairs, int64_t(3));
        QCOMPARE(checked.matches, int64_t(2));
        QCOMPARE(checked.queries, 1);
        QCOMPARE(checked.cutoffs.size(), size_t(9));
        int64_t binned = 0;
        for (const ReliabilityBin &b : checked.reliability)
            binned += b.pairs;
        QCOMPARE(binned, int64_t(3));
        for (const CutoffFigures &f : checked.cutoffs) {
            int shown = 0, shownMatches = 0;
            for (size_t i = 0; i < heldOut.scores.size(); ++i)
                if (fitted.confidence(heldOut.scores[i]) >= f.cutoff) {
                    ++shown;
                    shownMatches += heldOut.matches[i];
                }
            QCOMPARE(f.precision, shown > 0 ? double(shownMatches) / shown : 0.0);
            QCOMPARE(f.recall, double(shownMatches) / 2.0);
            QCOMPARE(f.queriesWithMatchShown, shownMatches > 0 ? 1.0 : 0.0);
        }
        // Another model's calibration is refused.
        ScoreCalibration other = fitted;
        other.modelId = QStringLiteral("other@123");
        QVERIFY(!RealPairCalibration::check(other, m_model->id(), heldOut, &checked, &error));
        QVERIFY2(error.contains(QStringLiteral("fitted for model other@123")), qPrintable(error));
    }

    void errors()
    {
        QString error;
        LabelledPairs pairs;
        ScoreCalibration fitted;
        // Nothing labelled.
        QVERIFY(!RealPairCalibration::collect(m_gallery, *m_model, {}, {}, &pairs, &error));
        QVERIFY2(error.contains(QStringLiteral("no labelled queries")), qPrintable(error));
        // Labelled, but only a tracklet without embeddings.
        std::vector<LabelledQuery> onlyUnembedded { { QStringLiteral("a dog"), {}, false,
            { { m_ids[8], true } }, {} } };
        QVERIFY(!RealPairCalibration::collect(m_gallery, *m_model, onlyUnembedded, {}, &pairs, &error));
        QVERIFY2(error.contains(QStringLiteral("no labelled pairs")), qPrintable(error));
        // No matches: the file's only span names no tracklet.
        std::vector<LabelledQuery> noMatch { { kFileQuery, { { 99.0, 100.0 } }, true, {}, {} } };
        QVERIFY(RealPairCalibration::collect(m_gallery, *m_model, noMatch, {}, &pairs, &error));
        QVERIFY(!RealPairCalibration::fit(pairs, m_model->id(), 0.5f, &fitted, &error));
        QVERIFY2(
            error.contains(QStringLiteral("none of the 8 labelled pairs is a match")), qPrintable(error));
        // No non-matches: confirmations only.
        std::vector<LabelledQuery> onlyMatches { { kFileQuery, {}, false,
            { { m_ids[0], true }, { m_ids[5], true } }, {} } };
        QVERIFY(RealPairCalibration::collect(m_gallery, *m_model, onlyMatches, {}, &pairs, &error));
        QVERIFY(!RealPairCalibration::fit(pairs, m_model->id(), 0.5f, &fitted, &error));
        QVERIFY2(error.contains(QStringLiteral("also needs non-matches")), qPrintable(error));
        // A model without embeddings in the gallery.
        const QString otherPath = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny2"), 6, &error);
        QVERIFY2(!otherPath.isEmpty(), qPrintable(error));
        const std::unique_ptr<TextPersonModel> other = TextPersonModel::load(otherPath, &error);
        QVERIFY2(other, qPrintable(error));
        QVERIFY(!RealPairCalibration::collect(m_gallery, *other, onlyMatches, {}, &pairs, &error));
        QVERIFY2(error.contains(QStringLiteral("no embeddings of model tiny2"))
                && error.contains(QStringLiteral("reindex")),
            qPrintable(error));
        // A file that is not a query file.
        std::vector<LabelledQuery> queries;
        QVERIFY(!loadLabelledQueryFile(
            writeFile(QStringLiteral("bad.json"), { { QStringLiteral("x"), 1 } }), &queries, &error));
        QVERIFY2(error.contains(QStringLiteral("is not a query file")), qPrintable(error));
    }

    // descry-cli calibrate: fits and writes, --check reads and writes nothing, errors exit non-zero.
    void cli()
    {
        const QString out = m_dir.filePath(QStringLiteral("cli.calibration.json"));
        const QString gallery = m_gallery.path();
        test::CliRun fit = test::runCli({ QStringLiteral("calibrate"), QStringLiteral("--gallery"), gallery,
            QStringLiteral("--model"), m_modelPath, QStringLiteral("--queries"), queryFile(),
            QStringLiteral("--out"), out, QStringLiteral("--cutoff"), QStringLiteral("0.3") });
        QVERIFY2(fit.exitCode == 0, fit.err.constData());
        QVERIFY2(fit.out.contains("fitted on 8 pairs (3 matching) of 1 queries"), fit.out.constData());
        QVERIFY(fit.out.contains("<- default cut-off"));
        QVERIFY(fit.err.contains("matches no tracklet")); // the notes
        ScoreCalibration written;
        QString error;
        QVERIFY2(ScoreCalibration::load(out, &written, &error), qPrintable(error));
        QCOMPARE(written.cutoff, 0.3);
        QVERIFY(written.data.endsWith(QStringLiteral("queries.json")));
        QVERIFY(written.command.startsWith(QStringLiteral("descry-cli calibrate --gallery")));

        const QByteArray before = [&] {
            QFile f(out);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        test::CliRun check = test::runCli({ QStringLiteral("calibrate"), QStringLiteral("--check"), out,
            QStringLiteral("--gallery"), gallery, QStringLiteral("--model"), m_modelPath,
            QStringLiteral("--from-reviews"), QStringLiteral("--json") });
        QVERIFY2(check.exitCode == 0, check.err.constData());
        const QJsonObject json = check.json();
        const QJsonObject measured = json.value(QStringLiteral("calibration")).toObject();
        QCOMPARE(measured.value(QStringLiteral("slope")).toDouble(), written.slope);
        QCOMPARE(measured.value(QStringLiteral("cutoffs")).toArray().size(), 9);
        QCOMPARE(qint64(measured.value(QStringLiteral("pairs")).toInteger()),
            qint64(json.value(QStringLiteral("pairs")).toArray().size()));
        QVERIFY(
            json.value(QStringLiteral("measured_on")).toString().startsWith(QStringLiteral("reviews in")));
        QFile after(out);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before); // --check writes nothing

        test::CliRun noLabels = test::runCli({ QStringLiteral("calibrate"), QStringLiteral("--gallery"),
            gallery, QStringLiteral("--model"), m_modelPath });
        QCOMPARE(noLabels.exitCode, 2);
        QVERIFY(noLabels.err.contains("--queries FILE.json"));
        written.modelId = QStringLiteral("other@123");
        const QString otherModel = m_dir.filePath(QStringLiteral("other.calibration.json"));
        QVERIFY(written.save(otherModel, &error));
        test::CliRun mismatch = test::runCli(
            { QStringLiteral("calibrate"), QStringLiteral("--check"), otherModel, QStringLiteral("--gallery"),
                gallery, QStringLiteral("--model"), m_modelPath, QStringLiteral("--from-reviews") });
        QCOMPARE(mismatch.exitCode, 1);
        QVERIFY2(mismatch.err.contains("fitted for model other@123"), mismatch.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestRealPairCalibration)
#include "TestRealPairCalibration.moc"
