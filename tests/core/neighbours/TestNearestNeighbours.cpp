#include "ClusteredRows.h"
#include "NearestNeighbours.h"
#include "NeighbourAttention.h"

#include <QTest>

#include <cmath>
#include <random>
#include <set>

using namespace descry;

namespace {

using test::clustered;

// The share of the exact lists' neighbours that `found` has too.
double recall(const NeighbourLists &exact, const NeighbourLists &found)
{
    int64_t hits = 0, total = 0;
    for (int i = 0; i < exact.rows; ++i) {
        std::set<int> want;
        for (int r = 0; r < exact.k; ++r)
            want.insert(exact.neighbour(i, r));
        for (int r = 0; r < found.k; ++r)
            hits += want.count(found.neighbour(i, r));
        total += exact.k;
    }
    return double(hits) / double(total);
}

} // namespace

class TestNearestNeighbours : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exactListsAreOrderedWithoutTheRowItself()
    {
        // Four rows on a line of angles: each one's nearest are its angular neighbours.
        std::vector<float> rows;
        for (double angle : { 0.0, 0.3, 0.7, 1.5 }) {
            rows.push_back(float(std::cos(angle)));
            rows.push_back(float(std::sin(angle)));
        }
        const NeighbourLists lists = exactNeighbours(rows.data(), 4, 2, 2);
        QCOMPARE(lists.rows, 4);
        QCOMPARE(lists.k, 2);
        QCOMPARE(lists.neighbour(0, 0), 1);
        QCOMPARE(lists.neighbour(0, 1), 2);
        QCOMPARE(lists.neighbour(2, 0), 1);
        QCOMPARE(lists.neighbour(3, 0), 2);
        QVERIFY(std::abs(lists.similarity(0, 0) - float(std::cos(0.3))) < 1e-5f);
        QVERIFY(lists.similarity(0, 0) >= lists.similarity(0, 1));
        // Asking for more than there are: the rest is -1.
        const NeighbourLists all = approximateNeighbours(rows.data(), 4, 2, 5);
        for (int i = 0; i < 4; ++i) {
            std::set<int> seen;
            for (int r = 0; r < 3; ++r)
                seen.insert(all.neighbour(i, r));
            QCOMPARE(seen.size(), size_t(3));
            QVERIFY(!seen.count(i));
            QCOMPARE(all.neighbour(i, 3), -1);
            QCOMPARE(all.neighbour(i, 4), -1);
        }
        QCOMPARE(approximateNeighbours(rows.data(), 0, 2, 3).index.size(), size_t(0));
    }

    void graphFindsTheExactNeighbours()
    {
        const int n = 3000, dim = 48, k = 10;
        const std::vector<float> rows = clustered(n, dim, 300, 0.6f, 7);
        const NeighbourLists exact = exactNeighbours(rows.data(), n, dim, k);
        ApproximateNeighbourOptions full;
        full.reducedDim = 0;
        const double graph = recall(exact, approximateNeighbours(rows.data(), n, dim, k, full));
        QVERIFY2(graph > 0.95, qPrintable(QString::number(graph)));
        // In fewer principal components the lists are those of the projection: still mostly the
        // same rows where the data has fewer directions than floats (300 centres in 48 floats).
        ApproximateNeighbourOptions reduced;
        reduced.reducedDim = 24;
        const NeighbourLists fromProjection = approximateNeighbours(rows.data(), n, dim, k, reduced);
        const double projected = recall(exact, fromProjection);
        // Found in the projection, scored and ordered on the full rows.
        for (int i = 0; i < n; i += 97)
            for (int r = 0; r < k; ++r) {
                const int j = fromProjection.neighbour(i, r);
                double dot = 0;
                for (int d = 0; d < dim; ++d)
                    dot += double(rows[size_t(i) * dim + size_t(d)]) * rows[size_t(j) * dim + size_t(d)];
                QVERIFY(std::abs(fromProjection.similarity(i, r) - dot) < 1e-4);
                if (r > 0)
                    QVERIFY(fromProjection.similarity(i, r) <= fromProjection.similarity(i, r - 1));
            }
        qInfo("recall of the exact 10 nearest: graph %.3f, graph in 24 principal components %.3f", graph,
            projected);
        QVERIFY2(projected > 0.6, qPrintable(QString::number(projected)));
        QVERIFY(projected <= graph + 0.02);
    }

    void projectionKeepsClustersApart()
    {
        // 128 floats, 50 well separated clusters of 20: every row's 19 nearest in 16 principal
        // components are its own cluster.
        const int n = 1000, dim = 128, clusters = 50, k = 19;
        const std::vector<float> rows = clustered(n, dim, clusters, 0.3f, 3);
        ApproximateNeighbourOptions options;
        options.reducedDim = 16;
        const NeighbourLists lists = approximateNeighbours(rows.data(), n, dim, k, options);
        int wrong = 0;
        for (int i = 0; i < n; ++i)
            for (int r = 0; r < k; ++r)
                wrong += lists.neighbour(i, r) % clusters != i % clusters;
        qInfo("neighbours from another cluster: %d of %d", wrong, n * k);
        QVERIFY2(wrong < n * k / 100, qPrintable(QString::number(wrong)));
    }

    void attentionPullsAViewTowardItsReciprocalNeighbours()
    {
        // Rows 0-2: one person (row 2 turned away); row 3 somebody else, nearest to row 1 but
        // not among row 1's first 2; row 4 far from everyone.
        const std::vector<std::vector<float>> raw { { 1, 0, 0, 0 }, { 0.95f, 0.31f, 0, 0 },
            { 0.75f, 0, 0.66f, 0 }, { 0.3f, 0.5f, 0, 0.81f }, { 0, -1, 0, 0 } };
        std::vector<float> rows;
        for (const auto &r : raw) {
            double norm = 0;
            for (float x : r)
                norm += double(x) * x;
            for (float x : r)
                rows.push_back(float(x / std::sqrt(norm)));
        }
        const int n = 5, dim = 4;
        const NeighbourLists lists = exactNeighbours(rows.data(), n, dim, 4);
        const std::vector<float> out = attendToNeighbours(rows.data(), n, dim, lists, { 2, 0.2 });
        auto similarity = [&](const std::vector<float> &v, int a, int b) {
            double s = 0;
            for (int d = 0; d < dim; ++d)
                s += double(v[size_t(a) * dim + size_t(d)]) * v[size_t(b) * dim + size_t(d)];
            return s;
        };
        for (int i = 0; i < n; ++i)
            QVERIFY(std::abs(similarity(out, i, i) - 1) < 1e-5); // unit length
        // The turned-away view moves toward its person...
        QVERIFY(similarity(out, 2, 0) > similarity(rows, 2, 0) + 0.02);
        QVERIFY(similarity(out, 2, 1) > similarity(rows, 2, 1) + 0.02);
        // ...and a row whose nearest do not have it among theirs stays as it was.
        for (int d = 0; d < dim; ++d)
            QCOMPARE(out[size_t(4) * dim + size_t(d)], rows[size_t(4) * dim + size_t(d)]);
        // Off: nothing changes.
        QCOMPARE(attendToNeighbours(rows.data(), n, dim, lists, { 0, 0.2 }), rows);
    }
};

QTEST_GUILESS_MAIN(TestNearestNeighbours)
#include "TestNearestNeighbours.moc"
