// Visual embeddings of tracklets: stored at ingest with the model that ran, filled in later by
// a reindex (resumable), and a model that cannot be used never stops an ingest. Uses tiny
// untrained models written by the test, never the shipped models/ files.
#include "ColourStripes.h"
#include "Gallery.h"
#include "IngestJob.h"
#include "RenderedFootageIngest.h"
#include "ReindexJob.h"
#include "SceneRenderer.h"
#include "TestSupport.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"
#include "TrackletEmbedder.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>

#include <cmath>

using namespace descry;

namespace {

double norm(const std::vector<float> &v)
{
    double sum = 0;
    for (float x : v)
        sum += double(x) * double(x);
    return std::sqrt(sum);
}

float maxDifference(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return INFINITY;
    float worst = 0;
    for (size_t k = 0; k < a.size(); ++k)
        worst = std::max(worst, std::abs(a[k] - b[k]));
    return worst;
}

QString modelIdOf(const QString &configPath)
{
    QString error;
    const auto model = TextPersonModel::load(configPath, &error);
    return model ? model->id() : QString();
}

} // namespace

class TestReindex : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_clip;
    QString m_modelA, m_modelB; // two tiny models: different ids
    QString m_idA, m_idB;
    QString m_ingestedWithA; // gallery ingested with model A, left untouched

    QString copyGallery(const QString &from, const QString &name)
    {
        const QString to = m_dir.filePath(name);
        QFile::remove(to);
        return QFile::copy(from, to) ? to : QString();
    }

    using Run = test::CliRun;

    static Run cli(const QStringList &args, const QProcessEnvironment &environment = {})
    {
        return test::runCli(args, environment);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SceneOptions scene;
        scene.seed = 3;
        scene.frames = 150;
        scene.people = 6;
        QString error;
        QVERIFY2(writeScene(scene, m_dir.filePath(QStringLiteral("scene")), false, nullptr, &error),
            qPrintable(error));
        m_clip = m_dir.filePath(QStringLiteral("scene/scene.avi"));
        m_modelA = test::writeTinyNafsModel(
            m_dir.filePath(QStringLiteral("models")), QStringLiteral("tiny-a"), 1, &error);
        QVERIFY2(!m_modelA.isEmpty(), qPrintable(error));
        m_modelB = test::writeTinyNafsModel(
            m_dir.filePath(QStringLiteral("models")), QStringLiteral("tiny-b"), 2, &error);
        QVERIFY2(!m_modelB.isEmpty(), qPrintable(error));
        m_idA = modelIdOf(m_modelA);
        m_idB = modelIdOf(m_modelB);
        QVERIFY(!m_idA.isEmpty() && !m_idB.isEmpty() && m_idA != m_idB);

        m_ingestedWithA = m_dir.filePath(QStringLiteral("with-a.sqlite"));
        IngestOptions options = test::renderedFootageIngest();
        options.modelPath = m_modelA;
        options.checkpointEvery = 30; // several checkpoints: several embedding batches
        IngestJob job(m_ingestedWithA, { m_clip }, options);
        const IngestSummary summary = job.run();
        QVERIFY2(summary.problems.isEmpty(), qPrintable(summary.problems.join(QLatin1Char('\n'))));
        QCOMPARE(summary.count(IngestOutcome::Ingested), 1);
        QCOMPARE(summary.modelId, m_idA);
        QVERIFY2(summary.sources[0].tracklets >= 3, qPrintable(summary.sources[0].message));
    }

    void ingestStoresEveryKindForEveryTracklet()
    {
        Gallery g;
        QVERIFY(g.open(m_ingestedWithA));
        const auto tracklets = g.tracklets();
        QVERIFY(!tracklets.empty());
        for (const QString &kind : { TrackletEmbedder::GlobalKind, TrackletEmbedder::ItemsKind, TrackletEmbedder::ColourKind })
            QVERIFY(g.trackletsWithoutEmbedding(m_idA, kind, 1000).empty());
        for (const TrackletRecord &t : tracklets) {
            const auto items = g.embedding(t.id, m_idA, TrackletEmbedder::ItemsKind);
            const auto global = g.embedding(t.id, m_idA, TrackletEmbedder::GlobalKind);
            const auto colour = g.embedding(t.id, m_idA, TrackletEmbedder::ColourKind);
            QCOMPARE(items.size(), size_t((1 + 3 + 3) * 8));
            QCOMPARE(global.size(), size_t(8));
            QVERIFY2(std::abs(norm(global) - 1.0) < 1e-4, qPrintable(QString::number(norm(global))));
            QCOMPARE(colour.size(), size_t(ColourStripes::kDim));
            QVERIFY2(std::abs(norm(colour) - 1.0) < 1e-4, qPrintable(QString::number(norm(colour))));
        }
        std::vector<int64_t> ids;
        std::vector<float> matrix;
        int dim = 0;
        QVERIFY(g.loadEmbeddings(m_idA, TrackletEmbedder::GlobalKind, &ids, &matrix, &dim));
        QCOMPARE(ids.size(), tracklets.size());
        QCOMPARE(dim, 8);
    }

    void storedVectorsPoolTheTrackletsCrops()
    {
        // Recompute one tracklet by hand from its crops: items = mean of the crops' items,
        // global = normalised mean of the normalised crop globals.
        Gallery g;
        QVERIFY(g.open(m_ingestedWithA));
        QString error;
        const auto model = TextPersonModel::load(m_modelA, &error);
        QVERIFY2(model, qPrintable(error));
        const TrackletRecord t = g.tracklets().front();
        std::vector<cv::Mat> crops;
        for (const CropRecord &c : g.crops(t.id)) {
            const QByteArray jpeg = g.cropImage(c.id);
            crops.push_back(
                cv::imdecode(cv::Mat(1, int(jpeg.size()), CV_8UC1, const_cast<char *>(jpeg.constData())),
                    cv::IMREAD_COLOR));
        }
        QVERIFY(crops.size() >= 2); // a mean of one would not test the pooling
        const std::vector<VisualEmbedding> features = model->encodeCrops(crops);
        const int items = features[0].items, dim = features[0].dim;
        std::vector<float> meanItems(size_t(items * dim), 0.f), global(size_t(dim), 0.f);
        for (const VisualEmbedding &e : features) {
            const std::vector<float> own(e.global(), e.global() + dim);
            const double n = norm(own);
            for (size_t k = 0; k < meanItems.size(); ++k)
                meanItems[k] += e.features[k] / float(features.size());
            for (int k = 0; k < dim; ++k)
                global[size_t(k)] += float(own[size_t(k)] / n);
        }
        const double n = norm(global);
        for (float &v : global)
            v = float(v / n);
        QVERIFY(maxDifference(g.embedding(t.id, m_idA, TrackletEmbedder::ItemsKind), meanItems) < 1e-4f);
        QVERIFY(maxDifference(g.embedding(t.id, m_idA, TrackletEmbedder::GlobalKind), global) < 1e-4f);
        // Pooled, not just the best crop's.
        QVERIFY(maxDifference(g.embedding(t.id, m_idA, TrackletEmbedder::ItemsKind), features[0].features)
            > 1e-4f);
    }

    void poolingGivesEveryViewTheSameVote()
    {
        // Two views whose global features differ in length (3 vs 1): each view one vote, so the
        // tracklet's global is the diagonal, not pulled towards the longer feature.
        VisualEmbedding first { 2, 2, { 3.f, 0.f, 1.f, 2.f } }, second { 2, 2, { 0.f, 1.f, 3.f, -2.f } };
        const auto records = TrackletEmbedder::pool({ first, second }, QStringLiteral("m@1"));
        QCOMPARE(records.size(), size_t(2));
        QCOMPARE(records[0].kind, TrackletEmbedder::ItemsKind);
        QCOMPARE(records[0].modelId, QStringLiteral("m@1"));
        QCOMPARE(records[0].vector, (std::vector<float> { 1.5f, 0.5f, 2.f, 0.f })); // plain mean of items
        QCOMPARE(records[1].kind, TrackletEmbedder::GlobalKind);
        const float diagonal = float(1 / std::sqrt(2.0));
        QVERIFY(maxDifference(records[1].vector, { diagonal, diagonal }) < 1e-6f);
        // One view: its own items, its global made unit length.
        const auto single = TrackletEmbedder::pool({ first }, QStringLiteral("m@1"));
        QCOMPARE(single[0].vector, first.features);
        QVERIFY(maxDifference(single[1].vector, { 1.f, 0.f }) < 1e-6f);
    }

    void embedBatchesTrackletsAndSkipsDamagedCrops()
    {
        QString error;
        const auto model = TextPersonModel::load(m_modelA, &error);
        QVERIFY2(model, qPrintable(error));
        const auto jpeg = [](const cv::Mat &image) {
            std::vector<uchar> bytes;
            cv::imencode(".jpg", image, bytes);
            return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
        };
        cv::Mat noise(96, 32, CV_8UC3);
        cv::RNG rng(7);
        rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
        const QByteArray a = jpeg(cv::Mat(96, 32, CV_8UC3, cv::Scalar(10, 10, 10)));
        const QByteArray b = jpeg(noise);
        const QByteArray garbage("not a jpeg");
        // Five tracklets in one call: their crops share one model batch.
        std::vector<std::vector<EmbeddingRecord>> out;
        TrackletEmbedder embedder(*model);
        QVERIFY2(embedder.embed({ { a, b }, { a }, { b }, { garbage }, { garbage, a } }, &out, &error),
            qPrintable(error));
        QCOMPARE(out.size(), size_t(5));
        QVERIFY(out[3].empty()); // nothing decodes: nothing to store
        for (size_t t : { 0, 1, 2, 4 }) {
            QCOMPARE(out[t].size(), size_t(3));
            QCOMPARE(out[t][0].vector.size(), size_t(7 * 8));
            QCOMPARE(out[t][1].vector.size(), size_t(8));
            QCOMPARE(out[t][2].kind, TrackletEmbedder::ColourKind);
            QCOMPARE(out[t][2].vector.size(), size_t(ColourStripes::kDim));
            QCOMPARE(out[t][0].modelId, m_idA);
            QCOMPARE(out[t][2].modelId, m_idA);
        }
        QVERIFY(maxDifference(out[4][0].vector, out[1][0].vector) < 1e-5f); // the damaged crop is skipped
        QVERIFY(maxDifference(out[4][2].vector, out[1][2].vector) < 1e-6f);
        // The grey crop and the noise differ in colour; the two-crop tracklet pools both.
        const auto decode = [](const QByteArray &bytes) {
            return cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData())), cv::IMREAD_COLOR);
        };
        const std::vector<float> colourA = ColourStripes::describe(decode(a)), colourB = ColourStripes::describe(decode(b));
        QVERIFY(maxDifference(out[1][2].vector, colourA) < 1e-6f);
        QVERIFY(maxDifference(out[0][2].vector, ColourStripes::pool({ colourA, colourB })) < 1e-6f);
        QVERIFY(maxDifference(colourA, colourB) > 0.1f);
        // Each tracklet pools only its own crops, whatever else shares the batch.
        const std::vector<VisualEmbedding> decodedA = model->encodeCrops({ cv::imdecode(
            cv::Mat(1, int(a.size()), CV_8UC1, const_cast<char *>(a.constData())), cv::IMREAD_COLOR) });
        QVERIFY(maxDifference(out[1][0].vector, decodedA[0].features) < 1e-5f);
        std::vector<float> meanItems(out[1][0].vector.size());
        for (size_t k = 0; k < meanItems.size(); ++k)
            meanItems[k] = (out[1][0].vector[k] + out[2][0].vector[k]) / 2;
        QVERIFY(maxDifference(out[0][0].vector, meanItems) < 1e-5f);
    }

    void reindexFillsAnotherModelsGapsAndKeepsTheOld()
    {
        const QString gallery = copyGallery(m_ingestedWithA, QStringLiteral("reindex-b.sqlite"));
        QVERIFY(!gallery.isEmpty());
        ReindexOptions options;
        options.modelPath = m_modelB;
        options.batchTracklets = 3;
        int64_t lastDone = -1;
        ReindexJob job(gallery, options);
        connect(&job, &ReindexJob::progress, &job, [&](const ReindexProgress &p) { lastDone = p.done; });
        const ReindexSummary s = job.run();
        QVERIFY2(s.ok, qPrintable(s.error));
        QCOMPARE(s.modelId, m_idB);
        QVERIFY(!s.cancelled);
        QCOMPARE(s.alreadyEmbedded, int64_t(0));
        QCOMPARE(s.embedded, s.tracklets);
        QCOMPARE(lastDone, s.tracklets);

        Gallery g;
        QVERIFY(g.open(gallery));
        QCOMPARE(g.embeddingCount(m_idB, TrackletEmbedder::GlobalKind), g.trackletCount());
        QCOMPARE(g.embeddingCount(m_idB, TrackletEmbedder::ItemsKind), g.trackletCount());
        // Model A's vectors stay: switching back costs nothing.
        QCOMPARE(g.embeddingCount(m_idA, TrackletEmbedder::GlobalKind), g.trackletCount());

        // Nothing left to do: a second run only counts.
        ReindexJob again(gallery, options);
        const ReindexSummary second = again.run();
        QVERIFY(second.ok);
        QCOMPARE(second.embedded, int64_t(0));
        QCOMPARE(second.alreadyEmbedded, second.tracklets);
    }

    void reindexRedoesTrackletsEmbeddedBeforeColourDescriptors()
    {
        // A gallery embedded by an older Descry: model B's global and item vectors, no colour.
        const QString gallery = copyGallery(m_ingestedWithA, QStringLiteral("no-colour.sqlite"));
        QVERIFY(!gallery.isEmpty());
        {
            Gallery g;
            QVERIFY(g.open(gallery));
            std::vector<EmbeddingRecord> old;
            for (const TrackletRecord &t : g.tracklets())
                for (EmbeddingRecord r : TrackletEmbedder::pool({ VisualEmbedding { 7, 8, std::vector<float>(56, 0.5f) } }, m_idB)) {
                    r.trackletId = t.id;
                    old.push_back(r);
                }
            QVERIFY(g.putEmbeddings(old));
            QCOMPARE(g.embeddingCount(m_idB, TrackletEmbedder::ColourKind), int64_t(0));
        }
        ReindexOptions options;
        options.modelPath = m_modelB;
        const ReindexSummary s = ReindexJob(gallery, options).run();
        QVERIFY2(s.ok, qPrintable(s.error));
        QCOMPARE(s.alreadyEmbedded, int64_t(0));
        QCOMPARE(s.embedded, s.tracklets);
        Gallery g;
        QVERIFY(g.open(gallery));
        QCOMPARE(g.embeddingCount(m_idB, TrackletEmbedder::ColourKind), g.trackletCount());
        for (const TrackletRecord &t : g.tracklets()) // the placeholder vectors were replaced
            QVERIFY(maxDifference(g.embedding(t.id, m_idB, TrackletEmbedder::ItemsKind), std::vector<float>(56, 0.5f)) > 1e-3f);
    }

    void stoppedReindexContinuesWhereItStopped()
    {
        // Reference: one uninterrupted reindex of a gallery ingested without a model.
        const QString plain = m_dir.filePath(QStringLiteral("plain.sqlite"));
        IngestJob ingest(plain, { m_clip }, test::renderedFootageIngest());
        QCOMPARE(ingest.run().count(IngestOutcome::Ingested), 1);
        const QString reference = copyGallery(plain, QStringLiteral("plain-reference.sqlite"));
        ReindexOptions options;
        options.modelPath = m_modelB;
        options.batchTracklets = 2;
        QVERIFY(ReindexJob(reference, options).run().ok);

        // Stopped as if killed while the third batch was being embedded: two batches stay.
        ReindexOptions stopping = options;
        stopping.stopAfterTracklets = 5;
        bool hookCalled = false;
        stopping.stopHook = [&hookCalled] { hookCalled = true; };
        const ReindexSummary stopped = ReindexJob(plain, stopping).run();
        QVERIFY(stopped.ok);
        QVERIFY(stopped.cancelled);
        QVERIFY(hookCalled);
        QCOMPARE(stopped.embedded, int64_t(4));
        {
            Gallery g;
            QVERIFY(g.open(plain));
            QCOMPARE(g.embeddingCount(m_idB, TrackletEmbedder::GlobalKind), int64_t(4));
            QCOMPARE(g.embeddingCount(m_idB, TrackletEmbedder::ItemsKind), int64_t(4));
        }
        const ReindexSummary resumed = ReindexJob(plain, options).run();
        QVERIFY(resumed.ok);
        QCOMPARE(resumed.alreadyEmbedded, int64_t(4));
        QCOMPARE(resumed.embedded, resumed.tracklets - 4);

        // Same vectors as the uninterrupted run (up to float noise of other batch shapes).
        Gallery a, b;
        QVERIFY(a.open(reference) && b.open(plain));
        const auto tracklets = a.tracklets();
        QCOMPARE(b.trackletCount(), int64_t(tracklets.size()));
        for (const QString &kind : { TrackletEmbedder::GlobalKind, TrackletEmbedder::ItemsKind })
            for (const TrackletRecord &t : tracklets)
                QVERIFY(
                    maxDifference(a.embedding(t.id, m_idB, kind), b.embedding(t.id, m_idB, kind)) < 1e-4f);
    }

    // A gallery ingested before an attribute existed: `reindex --attributes` measures every
    // tracklet again from its stored crops, masks and poses, to exactly what ingest stored, keeps
    // what the detector saw carried, and moves the generation so open searches reload.
    void reindexAttributesMeasuresAgainFromTheStoredCrops()
    {
        const QString gallery = copyGallery(m_ingestedWithA, QStringLiteral("attributes.sqlite"));
        std::vector<TrackletAttributes> ingested, emptied;
        int64_t generation = 0;
        {
            Gallery g;
            QVERIFY(g.open(gallery));
            ingested = g.allAttributes();
            QVERIFY(!ingested.empty());
            for (const TrackletAttributes &t : ingested)
                emptied.push_back({ t.trackletId, {} });
            QVERIFY2(g.replaceMeasuredAttributes(emptied), qPrintable(g.lastError()));
            for (const TrackletAttributes &t : g.allAttributes())
                for (const AttributeValue &a : t.attributes)
                    QVERIFY2(a.name.startsWith(QLatin1String("accessory:")), qPrintable(a.name));
            generation = g.generation();
        }
        const Run run = cli({ QStringLiteral("reindex"), QStringLiteral("--gallery"), gallery,
            QStringLiteral("--model"), m_modelA, QStringLiteral("--attributes"), QStringLiteral("--json") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(summary.value(QStringLiteral("attributes")).toObject().value(QStringLiteral("remeasured")).toInt(),
            int(ingested.size()));
        Gallery g;
        QVERIFY(g.open(gallery));
        QVERIFY(g.generation() > generation);
        const std::vector<TrackletAttributes> again = g.allAttributes();
        QCOMPARE(again.size(), ingested.size());
        bool sawPattern = false;
        for (size_t i = 0; i < again.size(); ++i) {
            QCOMPARE(again[i].trackletId, ingested[i].trackletId);
            QCOMPARE(again[i].attributes.size(), ingested[i].attributes.size());
            for (size_t k = 0; k < again[i].attributes.size(); ++k) {
                const AttributeValue &a = again[i].attributes[k], &b = ingested[i].attributes[k];
                QCOMPARE(a.name, b.name);
                QCOMPARE(a.region, b.region);
                QCOMPARE(a.value, b.value);
                sawPattern = sawPattern || a.name == QLatin1String("pattern:striped");
            }
        }
        QVERIFY(sawPattern);
    }

    void reindexCommandLine()
    {
        const QString gallery = copyGallery(m_ingestedWithA, QStringLiteral("cli.sqlite"));
        const QStringList base { QStringLiteral("reindex"), QStringLiteral("--gallery"), gallery,
            QStringLiteral("--model"), m_modelB, QStringLiteral("--batch"), QStringLiteral("2"),
            QStringLiteral("--json") };
        const Run stopped = cli(base + QStringList { QStringLiteral("--stop-after"), QStringLiteral("3") });
        QVERIFY2(stopped.exitCode == 3, stopped.err.constData());
        const QJsonObject first = QJsonDocument::fromJson(stopped.out).object();
        QVERIFY(first.value(QStringLiteral("stopped")).toBool());
        QCOMPARE(first.value(QStringLiteral("embedded")).toInt(), 2);
        QCOMPARE(first.value(QStringLiteral("model")).toString(), m_idB);

        const Run rest = cli(base);
        QVERIFY2(rest.exitCode == 0, rest.err.constData());
        const QJsonObject second = QJsonDocument::fromJson(rest.out).object();
        QVERIFY(!second.value(QStringLiteral("stopped")).toBool());
        QCOMPARE(second.value(QStringLiteral("already_embedded")).toInt(), 2);
        QCOMPARE(second.value(QStringLiteral("embedded")).toInt(),
            second.value(QStringLiteral("tracklets")).toInt() - 2);
        QVERIFY2(rest.err.contains("eta"), rest.err.constData());

        const Run badModel = cli({ QStringLiteral("reindex"), QStringLiteral("--gallery"), gallery,
            QStringLiteral("--model"), m_dir.filePath(QStringLiteral("missing.json")) });
        QCOMPARE(badModel.exitCode, 1);
        QVERIFY2(badModel.err.contains("missing.json"), badModel.err.constData());
    }

    void badModelIsOneProblemAndIngestGoesOn_data()
    {
        QTest::addColumn<QString>("modelPath");
        QTest::addColumn<QString>("expected"); // in the problem line

        QTest::newRow("missing config")
            << m_dir.filePath(QStringLiteral("no-such-model.json")) << QStringLiteral("no-such-model.json");
        // A config and vocabulary whose weights file is damaged.
        const QString damaged = m_dir.filePath(QStringLiteral("damaged"));
        QDir().mkpath(damaged);
        for (const QString &suffix : { QStringLiteral(".json"), QStringLiteral(".vocab") })
            QFile::copy(m_dir.filePath(QStringLiteral("models/tiny-a") + suffix),
                damaged + QStringLiteral("/tiny-a") + suffix);
        QFile weights(damaged + QStringLiteral("/tiny-a.pt"));
        if (weights.open(QIODevice::WriteOnly))
            weights.write(QByteArray(300, 'x'));
        weights.close();
        QTest::newRow("damaged weights")
            << damaged + QStringLiteral("/tiny-a.json") << QStringLiteral("tiny-a");
    }

    void badModelIsOneProblemAndIngestGoesOn()
    {
        QFETCH(QString, modelPath);
        QFETCH(QString, expected);
        const QString gallery
            = m_dir.filePath(QStringLiteral("bad-model-%1.sqlite").arg(QTest::currentDataTag()));
        IngestOptions options = test::renderedFootageIngest();
        options.modelPath = modelPath;
        IngestJob job(gallery, { m_clip }, options);
        QStringList emitted;
        connect(&job, &IngestJob::problem, &job, [&](const QString &p) { emitted.append(p); });
        const IngestSummary summary = job.run();
        QCOMPARE(summary.problems.size(), 1);
        QCOMPARE(emitted, summary.problems);
        QCOMPARE(summary.modelProblem, summary.problems.front());
        QVERIFY2(
            summary.modelProblem.contains(QStringLiteral("model")) && summary.modelProblem.contains(expected),
            qPrintable(summary.modelProblem));
        QVERIFY(summary.modelId.isEmpty());
        QCOMPARE(summary.count(IngestOutcome::Ingested), 1);
        QVERIFY(summary.sources[0].tracklets > 0);

        // Attribute search keeps working: tracklets and their attributes are all there.
        Gallery g;
        QVERIFY(g.open(gallery));
        const auto attributes = g.allAttributes();
        QCOMPARE(int64_t(attributes.size()), g.trackletCount());
        for (const TrackletAttributes &a : attributes)
            QVERIFY(!a.attributes.empty());
        QCOMPARE(
            g.trackletsWithoutEmbedding(m_idA, TrackletEmbedder::GlobalKind, 1000).size(), attributes.size());
    }

    void ingestCommandLineModelChoice()
    {
        // A default model that is missing is reported but is no failure; one named with
        // --model is; --no-model stores no embeddings and says nothing about models.
        QProcessEnvironment missingDefault = QProcessEnvironment::systemEnvironment();
        missingDefault.insert(QStringLiteral("DESCRY_MODEL"), m_dir.filePath(QStringLiteral("absent.json")));
        const Run byDefault = cli({ QStringLiteral("ingest"), QStringLiteral("--detector"), QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off"), m_clip, QStringLiteral("--gallery"),
                                      m_dir.filePath(QStringLiteral("cli-default.sqlite")) },
            missingDefault);
        QVERIFY2(byDefault.exitCode == 0, byDefault.err.constData());
        QVERIFY2(byDefault.err.contains("problem: text-to-person model not loaded")
                && byDefault.err.contains("absent.json"),
            byDefault.err.constData());
        QVERIFY(byDefault.out.contains("embeddings: none"));

        const Run named = cli({ QStringLiteral("ingest"), QStringLiteral("--detector"), QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off"), m_clip, QStringLiteral("--gallery"),
            m_dir.filePath(QStringLiteral("cli-named.sqlite")), QStringLiteral("--model"),
            m_dir.filePath(QStringLiteral("absent.json")) });
        QCOMPARE(named.exitCode, 1);

        const Run none
            = cli({ QStringLiteral("ingest"), QStringLiteral("--detector"), QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off"), m_clip, QStringLiteral("--gallery"),
                      m_dir.filePath(QStringLiteral("cli-none.sqlite")), QStringLiteral("--no-model") },
                missingDefault);
        QVERIFY2(none.exitCode == 0, none.err.constData());
        QVERIFY2(!none.err.contains("model"), none.err.constData());

        const Run withModel = cli({ QStringLiteral("ingest"), QStringLiteral("--detector"), QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off"), m_clip, QStringLiteral("--gallery"),
            m_dir.filePath(QStringLiteral("cli-a.sqlite")), QStringLiteral("--model"), m_modelA,
            QStringLiteral("--json") });
        QVERIFY2(withModel.exitCode == 0, withModel.err.constData());
        QCOMPARE(
            QJsonDocument::fromJson(withModel.out).object().value(QStringLiteral("model")).toString(), m_idA);
        QVERIFY2(withModel.err.contains(m_idA.toUtf8()), withModel.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestReindex)
#include "TestReindex.moc"
