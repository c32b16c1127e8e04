// SearchEngine with a text-to-person model: coarse global cosine over every stored vector,
// non-local re-scoring of the top K, tracklets without embeddings after the model's results,
// source and attribute filters. Uses an untrained tiny model and hand-placed global vectors, so
// the coarse order is known exactly.
#include "Gallery.h"
#include "MatchExplanation.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"
#include "TrackletEmbedder.h"
#include "VectorIndex.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <limits>
#include <random>

using namespace descry;

namespace {

const QString kQuery = QStringLiteral("a man in a red coat and blue jeans");

} // namespace

class TestNeuralSearch : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<TextPersonModel> m_model;
    Gallery m_gallery;
    int64_t m_sources[2] = {0, 0};
    std::vector<int64_t> m_ids; // in insertion order
    std::vector<float> m_cosines; // the global cosine placed for each (NaN: no embedding)

    // A global vector at cosine c with the query's: c * q + sqrt(1 - c^2) * u, u orthogonal to q.
    std::vector<float> vectorAt(const std::vector<float> &q, float c)
    {
        std::vector<float> u(q.size(), 0.0f);
        u[0] = 1;
        float dot = 0;
        for (size_t i = 0; i < q.size(); ++i)
            dot += u[i] * q[i];
        float norm = 0;
        for (size_t i = 0; i < q.size(); ++i) {
            u[i] -= dot * q[i];
            norm += u[i] * u[i];
        }
        std::vector<float> v(q.size());
        for (size_t i = 0; i < q.size(); ++i)
            v[i] = c * q[i] + std::sqrt(1 - c * c) * u[i] / std::sqrt(norm);
        return v;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        const QString config = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny"), 5, &error);
        QVERIFY2(!config.isEmpty(), qPrintable(error));
        m_model = TextPersonModel::load(config, &error);
        QVERIFY2(m_model, qPrintable(error));
        QVERIFY(m_gallery.open(m_dir.filePath(QStringLiteral("g.sqlite"))));
        const std::vector<float> q = m_model->encodeQuery(kQuery).global;
        cv::Mat crop(96, 40, CV_8UC3, cv::Scalar(30, 30, 200));
        const VisualEmbedding items = m_model->encodeCrops({crop}).front();
        // Two sources; cosines placed far apart; the last tracklet of each source has no vectors.
        const std::vector<std::vector<float>> placed{{0.9f, -0.5f, 0.2f, NAN}, {0.7f, 0.95f, NAN}};
        for (int s = 0; s < 2; ++s) {
            SourceRecord source;
            source.path = QStringLiteral("cam%1.avi").arg(s);
            source.contentHash = QStringLiteral("hash%1").arg(s);
            source.pipelineKey = QStringLiteral("test");
            source.cameraLabel = QStringLiteral("cam%1").arg(s);
            QVERIFY2(m_gallery.addSource(&source), qPrintable(m_gallery.lastError()));
            m_sources[s] = source.id;
            std::vector<TrackletWithAttributes> tracklets;
            for (size_t i = 0; i < placed[size_t(s)].size(); ++i) {
                TrackletWithAttributes t;
                t.tracklet.localId = int(i) + 1;
                Detection d;
                d.frame = int64_t(i);
                d.box = Box{1, 1, 10, 30};
                t.tracklet.detections.push_back(d);
                const float c = placed[size_t(s)][i];
                if (!std::isnan(c)) {
                    t.embeddings.push_back({0, m_model->id(), TrackletEmbedder::GlobalKind, vectorAt(q, c)});
                    t.embeddings.push_back({0, m_model->id(), TrackletEmbedder::ItemsKind, items.features});
                }
                tracklets.push_back(t);
                m_cosines.push_back(c);
            }
            QVERIFY(m_gallery.commitProgress(source.id, IngestCheckpoint{}, tracklets, true));
        }
        for (const TrackletRecord &t : m_gallery.tracklets())
            m_ids.push_back(t.id);
        QCOMPARE(m_ids.size(), size_t(7));
    }

    void modelRanksEmbeddedTrackletsFirst()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        const SearchResponse r = engine.search(request);
        QVERIFY2(r.ranking.startsWith(QStringLiteral("model tiny@")), qPrintable(r.ranking));
        QCOMPARE(r.results.size(), size_t(7));
        // The five embedded tracklets first, by global cosine + local similarity...
        for (size_t i = 0; i < 5; ++i) {
            const SearchResult &s = r.results[i];
            const size_t index = size_t(std::find(m_ids.begin(), m_ids.end(), s.tracklet.id) - m_ids.begin());
            QVERIFY(!std::isnan(m_cosines[index]));
            QVERIFY(std::abs(s.globalScore - m_cosines[index]) < 1e-4f);
            const float attributes = s.attributeScore < 0 ? 0.0f : 0.5f * s.attributeScore;
            QVERIFY(std::abs(s.score - (s.globalScore + s.localScore + attributes)) < 1e-5f);
            QVERIFY(s.localScore >= -1.0f && s.localScore <= 1.0f);
            if (i > 0)
                QVERIFY(r.results[i - 1].score >= s.score);
        }
        // ... then the two without embeddings, with a note that says what to do.
        for (size_t i = 5; i < 7; ++i) {
            const size_t index = size_t(std::find(m_ids.begin(), m_ids.end(), r.results[i].tracklet.id) - m_ids.begin());
            QVERIFY(std::isnan(m_cosines[index]));
        }
        QCOMPARE(r.notes.size(), 1);
        QVERIFY(r.notes.first().contains(QStringLiteral("reindex")));
        QVERIFY(!r.stageMs.empty());
    }

    void coarseStageKeepsOnlyTheTopK()
    {
        // With K = 2 only the two best global cosines (0.95 and 0.9) are re-scored and returned
        // before the attribute-ranked rest.
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        request.topK = 2;
        request.rescoreTop = 2;
        const SearchResponse r = engine.search(request);
        QCOMPARE(r.results.size(), size_t(2));
        std::vector<float> globals{r.results[0].globalScore, r.results[1].globalScore};
        std::sort(globals.begin(), globals.end());
        QVERIFY(std::abs(globals[0] - 0.9f) < 1e-4f);
        QVERIFY(std::abs(globals[1] - 0.95f) < 1e-4f);
    }

    void sourceFilterAndAttributeFallback()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        request.sourceId = m_sources[1];
        const SearchResponse r = engine.search(request);
        QCOMPARE(r.results.size(), size_t(3));
        for (const SearchResult &s : r.results)
            QCOMPARE(s.tracklet.sourceId, m_sources[1]);
        // Without the model (or with useModel off) the attribute baseline ranks.
        request.useModel = false;
        QCOMPARE(engine.search(request).ranking, QStringLiteral("attributes"));
        SearchEngine plain(m_gallery);
        QCOMPARE(plain.search(request).ranking, QStringLiteral("attributes"));
    }

    void neighbourRerankingKeepsTheCandidates()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        request.topK = 5;
        const SearchResponse plain = engine.search(request);
        request.rerankNeighbours = true;
        const SearchResponse rvn = engine.search(request);
        QCOMPARE(rvn.results.size(), plain.results.size());
        QSet<int64_t> a, b;
        for (size_t i = 0; i < plain.results.size(); ++i) {
            a.insert(plain.results[i].tracklet.id);
            b.insert(rvn.results[i].tracklet.id);
        }
        QCOMPARE(a, b);
    }

    void explanationAddsUpToTheSearchScore()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        const SearchResponse r = engine.search(request);
        for (size_t i = 0; i < 5; ++i) {
            const SearchResult &s = r.results[i];
            MatchExplanation e;
            QString error;
            QVERIFY2(engine.explain(request, s.tracklet.id, &e, &error), qPrintable(error));
            QCOMPARE(e.trackletId, s.tracklet.id);
            QVERIFY(std::abs(e.score - s.score) < 1e-4f);
            QVERIFY(std::abs(e.globalCosine - s.globalScore) < 1e-4f);
            QVERIFY(std::abs(e.localSimilarity - s.localScore) < 1e-4f);
            QVERIFY(e.unitCount() > 0 && e.stripeCount() == m_model->imageItems());
            // The scale parts add up to the model's share of the score.
            QVERIFY(e.hasContributions());
            const float parts = e.scaleContribution(ImageScale::Global) + e.scaleContribution(ImageScale::Region)
                + e.scaleContribution(ImageScale::Patch);
            QVERIFY(std::abs(parts - (s.globalScore + s.localScore)) < 1e-4f);
        }
        // A tracklet without embeddings, and no model at all: errors that say what to do.
        const int64_t bare = m_ids[size_t(std::find_if(m_cosines.begin(), m_cosines.end(), [](float c) { return std::isnan(c); })
            - m_cosines.begin())];
        MatchExplanation e;
        QString error;
        QVERIFY(!engine.explain(request, bare, &e, &error));
        QVERIFY2(error.contains(QStringLiteral("reindex")), qPrintable(error));
        SearchEngine plain(m_gallery);
        QVERIFY(!plain.explain(request, m_ids.front(), &e, &error));
        QVERIFY2(error.contains(QStringLiteral("model")), qPrintable(error));
    }

    // A large gallery ranks coarsely through the index kept beside it: with every cell scanned it
    // gives exactly the scan's results; it follows tracklets added later (and is saved again);
    // filters hold; a gallery too small for one falls back to the scan with a note.
    void coarseIndexAnswersAsTheScanDoes()
    {
        QTemporaryDir dir;
        Gallery gallery;
        const QString path = dir.filePath(QStringLiteral("large.sqlite"));
        QVERIFY(gallery.open(path));
        const std::vector<float> q = m_model->encodeQuery(kQuery).global;
        cv::Mat crop(96, 40, CV_8UC3, cv::Scalar(30, 200, 30));
        const VisualEmbedding items = m_model->encodeCrops({ crop }).front();
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> cosine(-0.9f, 0.9f);
        const auto addSource = [&](int s, int count) {
            SourceRecord source;
            source.path = QStringLiteral("large%1.avi").arg(s);
            source.contentHash = QStringLiteral("large-hash%1").arg(s);
            source.pipelineKey = QStringLiteral("test");
            source.cameraLabel = QStringLiteral("cam%1").arg(s);
            if (!gallery.addSource(&source))
                return int64_t(0);
            std::vector<TrackletWithAttributes> tracklets;
            for (int i = 0; i < count; ++i) {
                TrackletWithAttributes t;
                t.tracklet.localId = i + 1;
                Detection d;
                d.frame = i;
                d.box = Box { 1, 1, 10, 30 };
                t.tracklet.detections.push_back(d);
                // Directions spread around the query's (vectorAt varies only the cosine, so
                // rotate the rest of the vector too).
                std::vector<float> v = vectorAt(q, cosine(rng));
                for (size_t c = 1; c < v.size(); c += 2)
                    std::swap(v[c], v[(c + size_t(i)) % v.size()]);
                float norm = 0;
                for (float x : v)
                    norm += x * x;
                for (float &x : v)
                    x /= std::sqrt(norm);
                t.embeddings.push_back({ 0, m_model->id(), TrackletEmbedder::GlobalKind, v });
                t.embeddings.push_back({ 0, m_model->id(), TrackletEmbedder::ItemsKind, items.features });
                // Some wear what the query names, so the attribute agreement counts in the score.
                if (i % 3 == 0)
                    t.attributes = { { BodyRegion::Upper, QStringLiteral("colour:red"), 0.2f + 0.001f * float(i % 500) },
                        { BodyRegion::Lower, QStringLiteral("colour:blue"), 0.6f } };
                tracklets.push_back(t);
            }
            return gallery.commitProgress(source.id, IngestCheckpoint {}, tracklets, true) ? source.id : int64_t(0);
        };
        const int64_t first = addSource(0, 500);
        QVERIFY(first > 0);

        SearchRequest request;
        request.text = kQuery;
        request.topK = 30;
        request.rescoreTop = 60;
        SearchEngine scan(gallery, m_model.get());
        scan.setIndexThreshold(std::numeric_limits<size_t>::max());
        SearchEngine indexed(gallery, m_model.get());
        indexed.setIndexThreshold(0);
        indexed.setIndexProbes(1000); // every cell: exact
        const auto same = [&](const SearchRequest &r) {
            const SearchResponse a = scan.search(r), b = indexed.search(r);
            if (a.results.size() != b.results.size())
                return false;
            for (size_t i = 0; i < a.results.size(); ++i)
                if (a.results[i].tracklet.id != b.results[i].tracklet.id
                    || a.results[i].tracklet.bestCropId != b.results[i].tracklet.bestCropId
                    || std::abs(a.results[i].score - b.results[i].score) > 1e-5f)
                    return false;
            return !a.results.empty();
        };
        QVERIFY(same(request));
        QVERIFY(indexed.coarseIndex().index());
        QVERIFY2(!scan.coarseIndex().index(), "below the threshold: no index");
        const QString file = CoarseIndex::pathFor(path, m_model->id(), false);
        QCOMPARE(file, QFileInfo(path).absoluteFilePath() + QStringLiteral(".index/") + m_model->id() + QStringLiteral(".global.ivf"));
        QVERIFY(QFileInfo::exists(file));
        QVERIFY2(indexed.coarseIndex().lastSync().contains(QStringLiteral("built")), qPrintable(indexed.coarseIndex().lastSync()));

        // Another process opens it: the saved index is loaded, not fitted again, and as it was
        // recorded in line with the gallery's generation, the gallery's vectors are not read at
        // all: the index's stand for them (RVN's too), and find similar reads them when it runs.
        SearchEngine another(gallery, m_model.get());
        another.setIndexThreshold(0);
        another.setIndexProbes(1000);
        QVERIFY(another.coarseIndex().index());
        QVERIFY2(another.coarseIndex().lastSync().startsWith(QStringLiteral("loaded, in line with the gallery")),
            qPrintable(another.coarseIndex().lastSync()));
        SearchRequest rvn = request;
        rvn.rerankNeighbours = true;
        for (const SearchRequest &r : { request, rvn }) {
            const SearchResponse a = scan.search(r), b = another.search(r);
            QCOMPARE(b.results.size(), a.results.size());
            for (size_t i = 0; i < a.results.size(); ++i) {
                QCOMPARE(b.results[i].tracklet.id, a.results[i].tracklet.id);
                QCOMPARE(b.results[i].tracklet.bestCropId, a.results[i].tracklet.bestCropId);
                QVERIFY(std::abs(b.results[i].score - a.results[i].score) < 1e-5f);
            }
        }
        SimilarRequest like;
        like.trackletId = scan.search(request).results.front().tracklet.id;
        like.topK = 10;
        SearchResponse likeScan, likeAnother;
        QString likeError;
        QVERIFY2(scan.similar(like, &likeScan, &likeError) && another.similar(like, &likeAnother, &likeError),
            qPrintable(likeError));
        QCOMPARE(likeAnother.results.size(), likeScan.results.size());
        for (size_t i = 0; i < likeScan.results.size(); ++i)
            QCOMPARE(likeAnother.results[i].tracklet.id, likeScan.results[i].tracklet.id);

        // Footage added later: the next search adds its vectors to the index and saves it.
        const int64_t second = addSource(1, 40);
        QVERIFY(second > 0);
        QVERIFY(same(request));
        QVERIFY2(indexed.coarseIndex().lastSync().contains(QStringLiteral("updated (+40 -0)")),
            qPrintable(indexed.coarseIndex().lastSync()));
        QCOMPARE(indexed.coarseIndex().index()->size(), size_t(540));
        // The record moved with it: a new reader adopts the updated index. One left behind (the
        // gallery moved on without this index being synced) is not trusted.
        SearchEngine third(gallery, m_model.get());
        third.setIndexThreshold(0);
        QVERIFY2(third.coarseIndex().lastSync().startsWith(QStringLiteral("loaded, in line")),
            qPrintable(third.coarseIndex().lastSync()));
        QCOMPARE(third.coarseIndex().index()->size(), size_t(540));
        QVERIFY(gallery.putEmbedding(third.search(request).results.front().tracklet.id, QStringLiteral("other-model"),
            TrackletEmbedder::GlobalKind, { 1.f, 0.f }));
        SearchEngine fourth(gallery, m_model.get());
        fourth.setIndexThreshold(0);
        QVERIFY2(fourth.coarseIndex().lastSync() == QStringLiteral("loaded"), qPrintable(fourth.coarseIndex().lastSync()));

        // A large gallery reads attributes as searches need them (the candidates'), and gives the
        // same attribute agreement as the scan that read them all at once.
        bool agreement = false;
        for (const SearchResult &r : indexed.search(request).results)
            agreement = agreement || r.attributeScore > 0;
        QVERIFY(agreement);
        // An attribute chip compares every row: all are read, and the answers still agree.
        SearchRequest chips = request;
        AttributeChip red;
        QString chipError;
        QVERIFY2(AttributeChip::parse(QStringLiteral("upper:red"), &red, &chipError), qPrintable(chipError));
        chips.attributes = { red };
        QVERIFY(same(chips));
        QCOMPARE(indexed.search(chips).results.size(), size_t(30));

        // A filter: only the second source's tracklets, as the scan finds them.
        SearchRequest filtered = request;
        filtered.sourceIds = { second };
        QVERIFY(same(filtered));
        for (const SearchResult &r : indexed.search(filtered).results)
            QCOMPARE(r.tracklet.sourceId, second);
        // The default probes (a sixteenth of the cells): the same candidates' scores, most of the
        // same results.
        indexed.setIndexProbes(0);
        const SearchResponse approximate = indexed.search(request), exact = scan.search(request);
        QCOMPARE(approximate.results.size(), exact.results.size());
        int common = 0;
        for (const SearchResult &a : approximate.results)
            for (const SearchResult &b : exact.results)
                common += a.tracklet.id == b.tracklet.id ? 1 : 0;
        QVERIFY2(common >= 15, qPrintable(QString::number(common)));

        // Too few vectors for an index: the scan, and a note that says so.
        SearchEngine small(m_gallery, m_model.get());
        small.setIndexThreshold(0);
        const SearchResponse r = small.search(request);
        QVERIFY(!r.results.empty());
        QVERIFY2(r.notes.join(QLatin1Char(' ')).contains(QStringLiteral("no coarse index")), qPrintable(r.notes.join(QLatin1Char(' '))));
    }

    // One per person: where the gallery holds more candidates than the fine pass re-scores, at
    // most two tracklets of one person go into it, so other people still get their place.
    void onePersonDoesNotFillTheFinePass()
    {
        std::map<int64_t, int64_t> people;
        for (size_t i = 0; i < m_ids.size(); ++i)
            people[m_ids[i]] = m_cosines[i] == -0.5f ? 2 : 1; // person 1: 0.95, 0.9, 0.7, 0.2
        IdentityGroupingRecord grouping { 0, QStringLiteral("by hand"), 0.7, int64_t(people.size()), 2, 0, {}, {} };
        QVERIFY(m_gallery.replaceIdentities(&grouping, people));
        SearchEngine engine(m_gallery, m_model.get());
        SearchRequest request;
        request.text = kQuery;
        request.topK = 2; // lists 8 tracklets before folding, re-scores 4 of the 5 with vectors
        request.rescoreTop = 1;
        request.groupByIdentity = true;
        const SearchResponse r = engine.search(request);
        QCOMPARE(r.results.size(), size_t(2));
        QCOMPARE(r.results[0].tracklet.identityId, int64_t(1));
        QCOMPARE(r.results[1].tracklet.identityId, int64_t(2)); // the four best cosines are all person 1
        QVERIFY(r.results[1].localScore != 0.0f); // re-scored, not ranked by attributes after the model
        QVERIFY(std::abs(r.results[1].globalScore + 0.5f) < 1e-4f);
    }
};

QTEST_GUILESS_MAIN(TestNeuralSearch)
#include "TestNeuralSearch.moc"
