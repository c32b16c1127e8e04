// Find similar: tracklets ranked by the cosine of their stored global feature with a probe
// tracklet's or with a person image's (encoded by the model) plus the colour-stripe agreement,
// across sources, with the search filters and optional RVN. Hand-placed vectors and an untrained tiny model: the expected order
// is computed from the vectors themselves.
#include "ColourStripes.h"
#include "Gallery.h"
#include "SearchEngine.h"
#include "SearchFixture.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"
#include "TrackletEmbedder.h"

#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

using namespace descry;

namespace {

enum Name { Probe, S1, S2, S3, S4, Bare, Image, Count };

float dot(const std::vector<float> &a, const std::vector<float> &b)
{
    float sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += a[i] * b[i];
    return sum;
}

} // namespace

class TestFindSimilar : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<TextPersonModel> m_model;
    Gallery m_gallery;
    std::vector<test::PlacedTracklet> m_placed;
    std::vector<int64_t> m_ids; // by Name
    std::vector<int64_t> m_sources;
    QByteArray m_png; // the person image whose pooled feature tracklet Image stores

    // The expected ranking for a probe vector: every embedded tracklet but `skip`, by cosine.
    std::vector<int64_t> expectedOrder(
        const std::vector<float> &probe, int skip, const std::vector<int> &sources = { 0, 1 }) const
    {
        std::vector<std::pair<float, int64_t>> scored;
        for (int n = 0; n < Count; ++n)
            if (n != skip && !m_placed[size_t(n)].global.empty()
                && std::find(sources.begin(), sources.end(), m_placed[size_t(n)].source) != sources.end())
                scored.push_back({ dot(probe, m_placed[size_t(n)].global), m_ids[size_t(n)] });
        std::stable_sort(
            scored.begin(), scored.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        std::vector<int64_t> out;
        for (const auto &s : scored)
            out.push_back(s.second);
        return out;
    }

    static std::vector<int64_t> order(const SearchResponse &r)
    {
        std::vector<int64_t> out;
        for (const SearchResult &s : r.results)
            out.push_back(s.tracklet.id);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        const QString config = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny"), 3, &error);
        QVERIFY2(!config.isEmpty(), qPrintable(error));
        m_model = TextPersonModel::load(config, &error);
        QVERIFY2(m_model, qPrintable(error));
        QVERIFY(m_gallery.open(m_dir.filePath(QStringLiteral("g.sqlite"))));

        // A person-like picture: dark head, red top, blue trousers. PNG, so decoding gives back
        // exactly these pixels.
        cv::Mat person(96, 40, CV_8UC3, cv::Scalar(200, 200, 200));
        cv::rectangle(person, cv::Rect(14, 2, 12, 14), cv::Scalar(40, 40, 40), cv::FILLED);
        cv::rectangle(person, cv::Rect(8, 16, 24, 36), cv::Scalar(30, 30, 210), cv::FILLED);
        cv::rectangle(person, cv::Rect(10, 52, 20, 40), cv::Scalar(160, 60, 20), cv::FILLED);
        std::vector<uchar> png;
        QVERIFY(cv::imencode(".png", person, png));
        m_png = QByteArray(reinterpret_cast<const char *>(png.data()), qsizetype(png.size()));
        const cv::Mat decoded = cv::imdecode(png, cv::IMREAD_COLOR);
        std::vector<float> imageGlobal;
        for (const EmbeddingRecord &e :
            TrackletEmbedder::pool(m_model->encodeCrops({ decoded }), m_model->id()))
            if (e.kind == TrackletEmbedder::GlobalKind)
                imageGlobal = e.vector;
        QCOMPARE(int(imageGlobal.size()), m_model->embeddingSize());

        std::vector<float> p(size_t(m_model->embeddingSize()));
        float norm = 0;
        for (size_t i = 0; i < p.size(); ++i) {
            p[i] = float(i % 3) - 0.7f;
            norm += p[i] * p[i];
        }
        for (float &x : p)
            x /= std::sqrt(norm);
        const std::vector<float> items = m_model->encodeCrops({ decoded }).front().features;
        m_placed.resize(Count);
        m_placed[Probe] = { 0, 0, 5, p };
        m_placed[S1] = { 1, 0, 3, test::vectorAt(p, 0.9f, 1) };
        m_placed[S2] = { 0, 10, 12, test::vectorAt(p, 0.6f, 2) };
        m_placed[S3] = { 1, 20, 30, test::vectorAt(p, 0.95f, 3) };
        m_placed[S4] = { 0, 40, 41, test::vectorAt(p, -0.3f, 4) };
        m_placed[Bare] = { 1, 50, 51 };
        m_placed[Image] = { 1, 60, 70, imageGlobal };
        QVERIFY2(test::addPlacedTracklets(m_gallery, { QStringLiteral("cam-a"), QStringLiteral("cam-b") },
                     m_placed, m_model->id(), items, &m_ids, &m_sources),
            qPrintable(m_gallery.lastError()));
    }

    void byTrackletAcrossSources()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.trackletId = m_ids[Probe];
        SearchResponse r;
        QString error;
        QVERIFY2(engine.similar(request, &r, &error), qPrintable(error));
        // Every other embedded tracklet of both sources, by cosine; the probe itself left out.
        QCOMPARE(order(r), expectedOrder(m_placed[Probe].global, Probe));
        QCOMPARE(r.results.front().tracklet.id, m_ids[S3]);
        for (const SearchResult &s : r.results) {
            const auto n = size_t(std::find(m_ids.begin(), m_ids.end(), s.tracklet.id) - m_ids.begin());
            QVERIFY(std::abs(s.globalScore - dot(m_placed[Probe].global, m_placed[n].global)) < 1e-5f);
            QCOMPARE(s.score, s.globalScore);
            QCOMPARE(s.confidence, -1.0f);
        }
        QVERIFY2(r.ranking.startsWith(QStringLiteral("similar: model tiny@")), qPrintable(r.ranking));
        QCOMPARE(r.text, QStringLiteral("similar to tracklet %1").arg(m_ids[Probe]));
        // The tracklet without embeddings cannot be compared, and the response says so.
        QVERIFY2(r.notes.join(QLatin1Char('\n')).contains(QStringLiteral("reindex")),
            qPrintable(r.notes.join(QLatin1Char('\n'))));
    }

    void filtersTopKAndTimeOrder()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.trackletId = m_ids[Probe];
        request.sourceIds = { m_sources[1] };
        SearchResponse r;
        QString error;
        QVERIFY2(engine.similar(request, &r, &error), qPrintable(error));
        QCOMPARE(order(r), expectedOrder(m_placed[Probe].global, Probe, { 1 }));

        request.sourceIds.clear();
        request.fromTime = 8;
        request.toTime = 35;
        QVERIFY(engine.similar(request, &r, &error));
        QCOMPARE(order(r), (std::vector<int64_t> { m_ids[S3], m_ids[S2] }));

        request.fromTime = request.toTime = -1;
        request.topK = 2;
        QVERIFY(engine.similar(request, &r, &error));
        QCOMPARE(order(r), (std::vector<int64_t> { m_ids[S3], m_ids[S1] }));
        request.sortOrder = SortOrder::Time;
        QVERIFY(engine.similar(request, &r, &error));
        QCOMPARE(order(r), (std::vector<int64_t> { m_ids[S1], m_ids[S3] })); // both source 1, by start time
    }

    void neighbourRerankingKeepsTheCandidates()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.trackletId = m_ids[Probe];
        SearchResponse plain, rvn;
        QString error;
        QVERIFY(engine.similar(request, &plain, &error));
        request.rerankNeighbours = true;
        QVERIFY(engine.similar(request, &rvn, &error));
        QVERIFY(rvn.ranking.endsWith(QStringLiteral("+ RVN")));
        std::vector<int64_t> a = order(plain), b = order(rvn);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        QCOMPARE(a, b);
        for (const SearchResult &s : rvn.results)
            QVERIFY(s.score >= 0 && s.score <= 1); // RVN's scores, the cosine kept beside
    }

    void attentionOverTheCandidates()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request; // the product's defaults: neighbour attention on
        QVERIFY(request.attentionNeighbours > 0);
        request.trackletId = m_ids[Probe];
        SearchResponse attended, plain;
        QString error;
        QVERIFY2(engine.similar(request, &attended, &error), qPrintable(error));
        QVERIFY2(attended.ranking.contains(QStringLiteral("neighbour attention %1:%2")
                                               .arg(request.attentionNeighbours)
                                               .arg(request.attentionTemperature)),
            qPrintable(attended.ranking));
        request.attentionNeighbours = 0;
        QVERIFY(engine.similar(request, &plain, &error));
        QVERIFY(!plain.ranking.contains(QStringLiteral("attention")));
        // The same candidates (all of them fit in the attended best 100), re-scored on the product
        // score's scale and ranked by it; the parts of the plain score stay beside.
        std::vector<int64_t> a = order(plain), b = order(attended);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        QCOMPARE(a, b);
        for (size_t i = 0; i < attended.results.size(); ++i) {
            const SearchResult &s = attended.results[i];
            QVERIFY(s.score <= float(1 + request.colourWeight) + 1e-4f);
            if (i > 0)
                QVERIFY(s.score <= attended.results[i - 1].score);
            const auto n = size_t(std::find(m_ids.begin(), m_ids.end(), s.tracklet.id) - m_ids.begin());
            QVERIFY(std::abs(s.globalScore - dot(m_placed[Probe].global, m_placed[n].global)) < 1e-5f);
        }
    }

    void byImage()
    {
        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.imageData = m_png;
        SearchResponse r;
        QString error;
        QVERIFY2(engine.similar(request, &r, &error), qPrintable(error));
        // The tracklet that stores this very image's feature comes first, at cosine 1; no probe
        // tracklet is left out.
        QCOMPARE(r.results.front().tracklet.id, m_ids[Image]);
        QVERIFY(r.results.front().globalScore > 0.9999f);
        QCOMPARE(order(r), expectedOrder(m_placed[Image].global, -1));
        QCOMPARE(r.text, QStringLiteral("similar to an image"));
    }

    void errorsSayWhatToDo_data()
    {
        QTest::addColumn<qint64>("tracklet");
        QTest::addColumn<QByteArray>("image");
        QTest::addColumn<QString>("message");
        QTest::newRow("no probe") << qint64(0) << QByteArray() << "needs a probe";
        QTest::newRow("unknown tracklet") << qint64(999999) << QByteArray() << "no tracklet 999999";
        QTest::newRow("not an image") << qint64(0) << QByteArray("not a picture") << "does not decode";
    }

    void errorsSayWhatToDo()
    {
        QFETCH(qint64, tracklet);
        QFETCH(QByteArray, image);
        QFETCH(QString, message);
        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.trackletId = tracklet;
        request.imageData = image;
        SearchResponse r;
        QString error;
        QVERIFY(!engine.similar(request, &r, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void probeWithoutEmbeddingsOrModel()
    {
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.trackletId = m_ids[Bare];
        SearchResponse r;
        QString error;
        SearchEngine engine(m_gallery, m_model.get());
        QVERIFY(!engine.similar(request, &r, &error));
        QVERIFY2(error.contains(QStringLiteral("reindex")), qPrintable(error));
        SearchEngine plain(m_gallery);
        request.trackletId = m_ids[Probe];
        QVERIFY(!plain.similar(request, &r, &error));
        QVERIFY2(error.contains(QStringLiteral("no text-to-person model")), qPrintable(error));
    }

    // Last: it adds colour descriptors to the shared gallery.
    void colourAgreementJoinsTheModelsCosine()
    {
        const auto picture = [](const cv::Scalar &top, const cv::Scalar &bottom) {
            cv::Mat m(96, 40, CV_8UC3, top);
            m(cv::Rect(0, 48, 40, 48)).setTo(bottom);
            return ColourStripes::describe(m);
        };
        const std::vector<float> redBlue = picture({ 30, 30, 210 }, { 160, 60, 20 });
        const std::vector<float> green = picture({ 40, 200, 40 }, { 40, 200, 40 });
        QVERIFY(dot(redBlue, green) < 0.05f);
        // S2 (cosine 0.6) dressed as the probe; S1 (0.9), S3 (0.95) and Image in green; S4 has none.
        std::vector<EmbeddingRecord> colours;
        for (const auto &[name, colour] : std::vector<std::pair<Name, std::vector<float>>> {
                 { Probe, redBlue }, { S1, green }, { S2, redBlue }, { S3, green }, { Image, green } })
            colours.push_back({ m_ids[size_t(name)], m_model->id(), TrackletEmbedder::ColourKind, colour });
        QVERIFY(m_gallery.putEmbeddings(colours));

        SearchEngine engine(m_gallery, m_model.get());
        SimilarRequest request;
        request.attentionNeighbours = 0; // the plain score (attention: attentionOverTheCandidates)
        request.trackletId = m_ids[Probe];
        SearchResponse r;
        QString error;
        QVERIFY2(engine.similar(request, &r, &error), qPrintable(error));
        QCOMPARE(r.results.front().tracklet.id, m_ids[S2]); // 0.6 + 1 beats 0.95 + 0
        float present = 0;
        int counted = 0;
        for (const SearchResult &s : r.results) {
            const auto n = size_t(std::find(m_ids.begin(), m_ids.end(), s.tracklet.id) - m_ids.begin());
            QVERIFY(std::abs(s.score - (s.globalScore + float(request.colourWeight) * s.colourScore)) < 1e-5f);
            if (n != S4) {
                QVERIFY(std::abs(s.colourScore - dot(redBlue, n == S2 ? redBlue : green)) < 1e-5f);
                present += s.colourScore;
                ++counted;
            }
        }
        for (size_t i = 1; i < r.results.size(); ++i)
            QVERIFY(r.results[i - 1].score >= r.results[i].score);
        // S4 has no descriptor: it gets the others' mean (neutral), and the response says so.
        const auto s4 = std::find_if(r.results.begin(), r.results.end(), [&](const SearchResult &s) { return s.tracklet.id == m_ids[S4]; });
        QVERIFY(s4 != r.results.end());
        QVERIFY(std::abs(s4->colourScore - present / float(counted)) < 1e-5f);
        QVERIFY2(r.notes.join(QLatin1Char('\n')).contains(QStringLiteral("no colour descriptor")), qPrintable(r.notes.join(QLatin1Char('\n'))));
        QVERIFY2(r.ranking.contains(QStringLiteral("colour stripes")), qPrintable(r.ranking));

        // Weight 0: the model's cosine alone, as before.
        request.colourWeight = 0;
        QVERIFY(engine.similar(request, &r, &error));
        QCOMPARE(order(r), expectedOrder(m_placed[Probe].global, Probe));
        QCOMPARE(r.results.front().colourScore, -1.0f);
        QVERIFY(!r.ranking.contains(QStringLiteral("colour")));

        // An image probe is described on the spot: the red/blue picture's tracklets gain.
        request = SimilarRequest();
        request.imageData = m_png;
        QVERIFY(engine.similar(request, &r, &error));
        for (const SearchResult &s : r.results)
            QVERIFY(s.colourScore >= 0);
    }
};

QTEST_GUILESS_MAIN(TestFindSimilar)
#include "TestFindSimilar.moc"
