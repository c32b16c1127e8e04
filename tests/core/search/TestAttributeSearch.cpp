#include "AttributeSearch.h"
#include "QueryParser.h"

#include <QElapsedTimer>
#include <QtTest>

#include <random>

using namespace descry;

namespace {

AttributeValue colour(BodyRegion r, const char *name, float v)
{
    return { r, QStringLiteral("colour:") + QLatin1String(name), v };
}

constexpr auto U = BodyRegion::Upper;
constexpr auto L = BodyRegion::Lower;
constexpr auto W = BodyRegion::Whole;
constexpr auto H = BodyRegion::Head;

// A small gallery whose right answers are obvious to a person reading it.
std::vector<TrackletAttributes> gallery()
{
    return {
        { 1,
            { colour(U, "red", 0.62f), colour(U, "black", 0.2f), colour(L, "black", 0.7f),
                colour(L, "blue", 0.1f), colour(W, "red", 0.33f), colour(W, "black", 0.44f) } },
        { 2,
            { colour(U, "blue", 0.7f), colour(U, "white", 0.1f), colour(L, "blue", 0.8f),
                colour(W, "blue", 0.75f) } },
        { 3,
            { colour(U, "white", 0.8f), colour(U, "red", 0.1f), colour(L, "black", 0.6f),
                colour(L, "grey", 0.3f), colour(W, "white", 0.42f), colour(W, "black", 0.3f),
                { U, QStringLiteral("garment:short-sleeves"), 0.f } } },
        { 4,
            { colour(U, "black", 0.85f), colour(L, "black", 0.8f), colour(W, "black", 0.82f),
                { L, QStringLiteral("garment:shorts"), 0.0f },
                { U, QStringLiteral("garment:short-sleeves"), 0.1f } } },
        { 5,
            { colour(U, "white", 0.5f), colour(U, "yellow", 0.3f), colour(L, "grey", 0.5f),
                colour(W, "white", 0.3f), { L, QStringLiteral("garment:shorts"), 0.9f },
                { U, QStringLiteral("garment:short-sleeves"), 0.8f },
                { H, QStringLiteral("hair:blonde"), 0.7f }, { H, QStringLiteral("hair:brown"), 0.6f } } },
        { 6, {} },
        { 8,
            { colour(U, "green", 0.5f), colour(U, "blue", 0.3f), colour(L, "blue", 0.6f),
                colour(W, "green", 0.3f), { H, QStringLiteral("hair:black"), 0.9f },
                { H, QStringLiteral("hair:blonde"), 0.0f } } },
        { 7,
            { colour(U, "green", 0.5f), colour(U, "blue", 0.3f), colour(L, "blue", 0.6f),
                colour(W, "green", 0.3f), { H, QStringLiteral("hair:black"), 0.9f },
                { H, QStringLiteral("hair:blonde"), 0.0f } } },
    };
}

QList<int64_t> ids(const std::vector<AttributeMatch> &matches)
{
    QList<int64_t> out;
    for (const AttributeMatch &m : matches)
        out << m.trackletId;
    return out;
}

} // namespace

class TestAttributeSearch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ranksHandMadeGallery_data();
    void ranksHandMadeGallery();
    void colourShareSaturates();
    void unmeasuredTermsDoNotCount();
    void negatedTermPrefersAbsence();
    void tiesAreBrokenById();
    void otherHairAttributesAreNamed();
    void matchedStringsAreReadable();
    void topKLimits();
    void ranks100kTopKLikeFullRanking();
};

void TestAttributeSearch::ranksHandMadeGallery_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<int64_t>>("expectedTop");
    QTest::newRow("red top, black trousers") << "red coat and black trousers" << QList<int64_t> { 1, 3 };
    QTest::newRow("blue jeans") << "blue jeans" << QList<int64_t> { 2 };
    QTest::newRow("all black") << "dressed all in black" << QList<int64_t> { 4, 1 };
    QTest::newRow("shorts via bare legs") << "a man in shorts" << QList<int64_t> { 5 };
    QTest::newRow("skirt via bare legs") << "woman in a skirt" << QList<int64_t> { 5 };
    QTest::newRow("blonde hair") << "blonde hair" << QList<int64_t> { 5 };
    QTest::newRow("teal is blue or green") << "teal shirt" << QList<int64_t> { 7, 8, 2 };
    QTest::newRow("white t-shirt with short sleeves") << "white t-shirt" << QList<int64_t> { 5, 3 };
}

void TestAttributeSearch::ranksHandMadeGallery()
{
    QFETCH(QString, query);
    QFETCH(QList<int64_t>, expectedTop);
    const auto ranked = AttributeSearch().rank(QueryParser().parse(query), gallery(), 0);
    QCOMPARE(ranked.size(), gallery().size());
    QCOMPARE(ids(ranked).mid(0, expectedTop.size()), expectedTop);
    for (size_t i = 1; i < ranked.size(); ++i)
        QVERIFY(ranked[i - 1].score >= ranked[i].score);
    for (const AttributeMatch &m : ranked)
        QVERIFY(m.score >= 0.f && m.score <= 1.f);
}

void TestAttributeSearch::colourShareSaturates()
{
    const ParsedQuery q = QueryParser().parse(QStringLiteral("red shirt"));
    const auto scoreFor
        = [&](float share) { return AttributeSearch().score(q, { colour(U, "red", share) }, nullptr); };
    // The garment type is not measured, so the score is the colour agreement alone.
    QVERIFY(scoreFor(0.4f) > 0.9f);
    QVERIFY(scoreFor(0.1f) > 0.35f && scoreFor(0.1f) < 0.6f);
    QVERIFY(scoreFor(0.02f) < 0.01f);
    QVERIFY(scoreFor(1.0f) <= 1.f);
    // A measured region without the colour is a measured 0, not "unknown".
    QCOMPARE(AttributeSearch().score(q, { colour(U, "blue", 0.9f) }, nullptr), 0.f);
}

void TestAttributeSearch::unmeasuredTermsDoNotCount()
{
    const AttributeSet person { colour(U, "red", 0.5f) };
    const float plain
        = AttributeSearch().score(QueryParser().parse(QStringLiteral("red shirt")), person, nullptr);
    QStringList matched;
    const float withBag = AttributeSearch().score(
        QueryParser().parse(QStringLiteral("red shirt, carrying a backpack, a woman")), person, &matched);
    QCOMPARE(withBag, plain);
    QVERIFY(matched.contains(QStringLiteral("backpack: not measured")));
    QVERIFY(matched.contains(QStringLiteral("woman: not measured")));
    // Only unmeasured terms: everyone scores 0 and the order is by id.
    const auto ranked = AttributeSearch().rank(QueryParser().parse(QStringLiteral("backpack")), gallery(), 0);
    QCOMPARE(ids(ranked), (QList<int64_t> { 1, 2, 3, 4, 5, 6, 7, 8 }));
    QCOMPARE(ranked.front().score, 0.f);
}

void TestAttributeSearch::negatedTermPrefersAbsence()
{
    const auto ranked
        = AttributeSearch().rank(QueryParser().parse(QStringLiteral("not wearing black")), gallery(), 0);
    // Tracklet 6 measured nothing and scores 0; among measured ones the all-black person is last.
    QCOMPARE(ranked.back().trackletId, int64_t(6));
    QCOMPARE(ranked[ranked.size() - 2].trackletId, int64_t(4));
    QCOMPARE(ranked.front().score, 1.f);
}

void TestAttributeSearch::otherHairAttributesAreNamed()
{
    // A future model may report hair length next to the colour shares; "hair:long" must be
    // read as its own attribute, not as a hair colour.
    const AttributeSet person { { H, QStringLiteral("hair:black"), 0.9f },
        { H, QStringLiteral("hair:long"), 0.8f } };
    QStringList matched;
    AttributeSearch().score(QueryParser().parse(QStringLiteral("long black hair")), person, &matched);
    QCOMPARE(matched, (QStringList { "black hair: hair black 90%", "long hair: hair:long 80%" }));
}

void TestAttributeSearch::tiesAreBrokenById()
{
    // 7 and 8 are identical; 8 comes first in the gallery but 7 must rank first.
    const auto ranked
        = AttributeSearch().rank(QueryParser().parse(QStringLiteral("green top")), gallery(), 2);
    QCOMPARE(ids(ranked), (QList<int64_t> { 7, 8 }));
    QCOMPARE(ranked[0].score, ranked[1].score);
}

void TestAttributeSearch::matchedStringsAreReadable()
{
    const auto ranked = AttributeSearch().rank(
        QueryParser().parse(QStringLiteral("red coat, black trousers")), gallery(), 1);
    QCOMPARE(ranked.size(), size_t(1));
    QCOMPARE(ranked[0].matched,
        (QStringList { "red coat: upper red 62%", "coat: not measured", "black trousers: lower black 70%",
            "trousers: not measured" }));
}

void TestAttributeSearch::topKLimits()
{
    const ParsedQuery q = QueryParser().parse(QStringLiteral("blue"));
    const auto all = AttributeSearch().rank(q, gallery(), 0);
    const auto top3 = AttributeSearch().rank(q, gallery(), 3);
    QCOMPARE(top3.size(), size_t(3));
    QCOMPARE(ids(top3), ids(all).mid(0, 3));
    QCOMPARE(AttributeSearch().rank(q, {}, 10).size(), size_t(0));
}

void TestAttributeSearch::ranks100kTopKLikeFullRanking()
{
    std::mt19937 rng(2024);
    std::uniform_real_distribution<float> share(0.f, 1.f);
    std::vector<TrackletAttributes> big(100000);
    for (size_t i = 0; i < big.size(); ++i) {
        big[i].trackletId = int64_t(i);
        for (const BodyRegion r : { H, U, L, BodyRegion::Feet, W })
            for (int c = 0; c < 5; ++c)
                big[i].attributes.push_back({ r,
                    QStringLiteral("colour:") + basicColourNames().at(int(rng() % 11)), share(rng) * 0.5f });
        big[i].attributes.push_back({ U, QStringLiteral("garment:short-sleeves"), share(rng) });
        big[i].attributes.push_back({ L, QStringLiteral("garment:shorts"), share(rng) });
    }
    const ParsedQuery q = QueryParser().parse(
        QStringLiteral("a woman in a dark grey coat, blue jeans and white trainers, carrying a backpack"));
    // Best of three: the first pass also pays for faulting the gallery into the cache.
    qint64 ms = 1 << 30;
    std::vector<AttributeMatch> ranked;
    for (int run = 0; run < 3; ++run) {
        QElapsedTimer timer;
        timer.start();
        ranked = AttributeSearch().rank(q, big, 50);
        ms = std::min(ms, timer.elapsed());
    }
    // Timing is reported, not asserted (speed targets live in benchmarks): 80-110 ms here.
    qInfo("rank() over %zu tracklets, %zu terms: %lld ms", big.size(), q.terms.size(), ms);
    QCOMPARE(ranked.size(), size_t(50));
    // The top-K shortcut must give exactly the head of the full, stably sorted ranking.
    const std::vector<AttributeMatch> full = AttributeSearch().rank(q, big, 0);
    QCOMPARE(full.size(), big.size());
    for (size_t i = 0; i < ranked.size(); ++i) {
        QCOMPARE(ranked[i].trackletId, full[i].trackletId);
        QCOMPARE(ranked[i].score, full[i].score);
    }
}

QTEST_GUILESS_MAIN(TestAttributeSearch)
#include "TestAttributeSearch.moc"
