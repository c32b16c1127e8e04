#include "Rng.h"
#include "RvnReranker.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

using namespace descry;

namespace {

// Row-major features of 2D unit vectors at the given angles (degrees).
std::vector<float> atAngles(const std::vector<double> &degrees)
{
    std::vector<float> out;
    for (double d : degrees) {
        const double r = d * std::numbers::pi / 180;
        out.push_back(float(std::cos(r)));
        out.push_back(float(std::sin(r)));
    }
    return out;
}

// Appends `v` L2-normalised to `rows`.
void addUnit(std::vector<float> *rows, std::vector<double> v)
{
    double norm = 0;
    for (double x : v)
        norm += x * x;
    for (double x : v)
        rows->push_back(float(x / std::sqrt(norm)));
}

// Gallery indices by score, best first, ties by index (how RetrievalMetrics ranks).
std::vector<int> ranking(const std::vector<float> &scores)
{
    std::vector<int> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(
        order.begin(), order.end(), [&](int a, int b) { return scores[size_t(a)] > scores[size_t(b)]; });
    return order;
}

void compareScores(const std::vector<float> &actual, const std::vector<double> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(std::abs(double(actual[i]) - expected[i]) < 1e-5,
            qPrintable(QStringLiteral("item %1: %2, expected %3").arg(i).arg(actual[i]).arg(expected[i])));
}

} // namespace

class TestRvnReranker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handWorked();
    void tiesGoToLowerGalleryIndex();
    void fixesWrongTopOne();
    void itemsOutsideCandidatesKeepOrderBelow();
    void fewerItemsThanCandidatesAndNeighbours();
    void weightZeroKeepsOrder();
    void edgeCases();
};

void TestRvnReranker::handWorked()
{
    // Six items on the unit circle; K = 5, l = 2, weight 0.5. Item 5 is outside the candidates.
    //   item   score  angle
    //     0     0.9     0°
    //     1     0.8    20°
    //     2     0.7    90°   (a high-scored outlier, visually unlike the query's best)
    //     3     0.6    10°
    //     4     0.5    80°
    //     5     0.1     0°   (rank 6 > K)
    // C = {0, 1, 2, 3, 4}, N(T) = the 2 best-scored = {0, 1}.
    // N(I) = I and its nearest other candidate:
    //   N(0) = {0, 3} (10° away)          |∩| = 1, |∪| = 3, 1 - d = 1/3
    //   N(1) = {1, 3} (10°; 0 is 20°)      1/3
    //   N(2) = {2, 4} (10°)                0
    //   N(3) = {3, 0 or 1} (both 10°)      1/3 either way
    //   N(4) = {4, 2} (10°)                0
    // s_norm = (s - 0.5) / 0.4: 1, 0.75, 0.5, 0.25, 0.
    // New = 0.5 s_norm + 0.5 (1 - d):
    //   0: 0.5 + 1/6 = 0.666667   1: 0.375 + 1/6 = 0.541667   2: 0.25
    //   3: 0.125 + 1/6 = 0.291667   4: 0
    //   5: -1 (the first item below the candidates)
    // Item 3, close to the query's neighbours, overtakes the outlier 2.
    const std::vector<float> scores { 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.1f };
    const std::vector<float> visual = atAngles({ 0, 20, 90, 10, 80, 0 });
    const RvnReranker rvn({ .neighbours = 2, .candidates = 5, .weight = 0.5 });
    const std::vector<float> out = rvn.rerank(scores, visual.data(), 2);
    compareScores(out, { 2.0 / 3, 0.375 + 1.0 / 6, 0.25, 0.125 + 1.0 / 6, 0, -1 });
    QCOMPARE(ranking(out), (std::vector<int> { 0, 1, 3, 2, 4, 5 }));
}

void TestRvnReranker::tiesGoToLowerGalleryIndex()
{
    // Scores rise with the index, so gallery order and score order disagree; l = 2.
    //   item  score  feature
    //     0    0.6   (1, 0)
    //     1    0.7   (1, 0)
    //     2    0.8   (1, 0)
    //     3    0.9   (0, 1)
    // N(T) = {3, 2}. Exact ties (all similarities are 0 or 1):
    //   N(3): 0, 1, 2 all at similarity 0 -> gallery index 0 (not rank-best 2): {3, 0}, 1/3
    //   N(2): 0 and 1 at 1 -> 0: {2, 0}, 1/3
    //   N(1): 0 and 2 at 1 -> 0: {1, 0}, 0
    //   N(0): 1 and 2 at 1 -> 1: {0, 1}, 0
    // s_norm = (s - 0.6) / 0.3: 0, 1/3, 2/3, 1. New = 0.5 s_norm + 0.5 (1 - d):
    //   0: 0   1: 1/6   2: 1/3 + 1/6 = 0.5   3: 0.5 + 1/6 = 2/3
    const std::vector<float> scores { 0.6f, 0.7f, 0.8f, 0.9f };
    const std::vector<float> visual { 1, 0, 1, 0, 1, 0, 0, 1 };
    const RvnReranker rvn({ .neighbours = 2, .candidates = 10, .weight = 0.5 });
    compareScores(rvn.rerank(scores, visual.data(), 2), { 0, 1.0 / 6, 0.5, 2.0 / 3 });
}

void TestRvnReranker::fixesWrongTopOne()
{
    // A query for person A. A's three images sit together near x, B's near y. The cross-modal
    // score puts B's first image on top, A's images 2nd, 3rd and 4th. l = 3:
    //   N(T) = {b0, a0, a1}
    //   N(b0) = {b0, b1, b2}: |∩| = 1 -> 1/5       N(a0) = {a0, a1, a2}: |∩| = 2 -> 2/4
    // s_norm over [0.2, 0.9]: b0 = 1, a0 = 0.68 / 0.7 = 0.971
    //   b0: 0.5 + 0.1 = 0.6        a0: 0.486 + 0.25 = 0.736       a1: 0.464 + 0.25 = 0.714
    // so A's images move to ranks 1 and 2.
    enum { b0, a0, a1, a2, b1, b2, c0 };
    const std::vector<float> scores { 0.90f, 0.88f, 0.85f, 0.50f, 0.40f, 0.30f, 0.20f };
    std::vector<float> visual;
    addUnit(&visual, { 0.05, 1, 0 }); // b0
    addUnit(&visual, { 1, 0.05, 0 }); // a0
    addUnit(&visual, { 1, 0, 0.1 }); // a1
    addUnit(&visual, { 1, 0.1, 0.1 }); // a2
    addUnit(&visual, { 0, 1, 0.1 }); // b1
    addUnit(&visual, { 0.1, 1, 0.1 }); // b2
    addUnit(&visual, { 0, 0, 1 }); // c0, someone else
    QCOMPARE(ranking(scores).front(), int(b0));
    const RvnReranker rvn({ .neighbours = 3, .candidates = 100, .weight = 0.5 });
    const std::vector<float> out = rvn.rerank(scores, visual.data(), 3);
    const std::vector<int> order = ranking(out);
    QCOMPARE(order.at(0), int(a0));
    QCOMPARE(order.at(1), int(a1));
    QCOMPARE(order.at(2), int(b0));
    QVERIFY(std::abs(out[a0] - (0.5 * 0.68 / 0.7 + 0.25)) < 1e-5);
    QVERIFY(std::abs(out[b0] - 0.6) < 1e-5);
}

void TestRvnReranker::itemsOutsideCandidatesKeepOrderBelow()
{
    // 60 items with random scores (some tied) and random 16-d features; K = 12.
    Rng rng(7);
    const int n = 60, dim = 16, k = 12;
    std::vector<float> scores(n), visual;
    for (float &s : scores)
        s = float(rng.uniformInt(0, 30)) / 30.f; // 31 levels for 60 items: ties are certain
    for (int i = 0; i < n; ++i) {
        std::vector<double> v(dim);
        for (double &x : v)
            x = rng.uniformReal(-1, 1);
        addUnit(&visual, v);
    }
    const RvnReranker rvn({ .neighbours = 4, .candidates = k, .weight = 0.7 });
    const std::vector<float> out = rvn.rerank(scores, visual.data(), dim);
    const std::vector<int> before = ranking(scores), after = ranking(out);
    // The candidates are the first K either way (possibly reordered), all in [0, 1].
    std::vector<int> topBefore(before.begin(), before.begin() + k),
        topAfter(after.begin(), after.begin() + k);
    std::sort(topBefore.begin(), topBefore.end());
    std::sort(topAfter.begin(), topAfter.end());
    QCOMPARE(topAfter, topBefore);
    for (int i : topAfter)
        QVERIFY(out[size_t(i)] >= 0 && out[size_t(i)] <= 1);
    // The rest: the original order (ties by index), scored -1, -2, ...
    for (int r = k; r < n; ++r) {
        QCOMPARE(after[size_t(r)], before[size_t(r)]);
        QCOMPARE(out[size_t(after[size_t(r)])], -float(r - k + 1));
    }
    // Deterministic.
    QCOMPARE(rvn.rerank(scores, visual.data(), dim), out);
}

void TestRvnReranker::fewerItemsThanCandidatesAndNeighbours()
{
    // n = 3 < K and l = 10 > |C|: l becomes 3, every N(I) = C = N(T), 1 - d = 1 for all:
    // new = 0.5 s_norm + 0.5, s_norm = (s - 0.2) / 0.6.
    const std::vector<float> scores { 0.2f, 0.8f, 0.5f };
    const std::vector<float> visual = atAngles({ 0, 90, 180 });
    const RvnReranker rvn({ .neighbours = 10, .candidates = 100, .weight = 0.5 });
    compareScores(rvn.rerank(scores, visual.data(), 2), { 0.5, 1.0, 0.75 });
}

void TestRvnReranker::weightZeroKeepsOrder()
{
    const std::vector<float> scores { 0.3f, 0.9f, 0.1f, 0.5f, 0.5f };
    const std::vector<float> visual = atAngles({ 0, 30, 60, 90, 120 });
    const RvnReranker rvn({ .neighbours = 2, .candidates = 4, .weight = 0 });
    const std::vector<float> out = rvn.rerank(scores, visual.data(), 2);
    // s_norm over C = {1, 3, 4, 0}: (s - 0.3) / 0.6; item 2 is the first below.
    compareScores(out, { 0, 1, -1, 1.0 / 3, 1.0 / 3 });
    QCOMPARE(ranking(out), ranking(scores));
}

void TestRvnReranker::edgeCases()
{
    const RvnReranker rvn;
    QVERIFY(rvn.rerank({}, nullptr, 0).empty());

    // One item: it is its own neighbourhood and the best score: 1.
    const std::vector<float> one { 1, 0 };
    compareScores(rvn.rerank({ -3.f }, one.data(), 2), { 1 });

    // All scores equal: s_norm is 1 for every candidate (no spread to normalise), so only the
    // neighbours decide. l = 2: N(T) = {0, 1} (ties by index); N(0) = {0, 1} -> 1,
    // N(1) = {1, 0} -> 1, N(2) = {2, 3} -> 0, N(3) = {3, 2} -> 0.
    const std::vector<float> equal(4, 0.4f);
    const std::vector<float> pairs = atAngles({ 0, 5, 90, 95 });
    const RvnReranker two({ .neighbours = 2, .candidates = 10, .weight = 0.5 });
    compareScores(two.rerank(equal, pairs.data(), 2), { 1, 1, 0.5, 0.5 });

    // K = 0: nothing is re-ranked, everything keeps its order below (-1, -2, ...).
    const RvnReranker none({ .neighbours = 2, .candidates = 0, .weight = 0.5 });
    compareScores(none.rerank({ 0.1f, 0.3f, 0.2f }, atAngles({ 0, 1, 2 }).data(), 2), { -3, -1, -2 });

    // l = 1: N(T) is the best candidate, N(I) = {I}: only it agrees (new = 0.5 s_norm + 0.5).
    const RvnReranker self({ .neighbours = 1, .candidates = 10, .weight = 0.5 });
    compareScores(self.rerank({ 0.0f, 1.0f, 0.5f }, atAngles({ 0, 1, 2 }).data(), 2), { 0, 1, 0.25 });
}

QTEST_GUILESS_MAIN(TestRvnReranker)
#include "TestRvnReranker.moc"
