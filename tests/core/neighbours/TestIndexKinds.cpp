#include "ClusteredRows.h"
#include "IndexKinds.h"

#include <QTest>

#include <algorithm>

using namespace descry;

namespace {

constexpr int kDim = 32;
constexpr int kRows = 5000;
constexpr int kQueries = 40;
constexpr int kK = 10;

const IndexKindResult *find(const std::vector<IndexKindResult> &results, const std::string &name)
{
    const auto it = std::find_if(
        results.begin(), results.end(), [&](const IndexKindResult &r) { return r.name == name; });
    return it == results.end() ? nullptr : &*it;
}

} // namespace

class TestIndexKinds : public QObject {
    Q_OBJECT

    // The queries are held-out rows of the same clusters (the rows of one draw share its centres).
    std::vector<float> m_all = test::clustered(kRows + kQueries, kDim, 50, 0.4f, 7);
    std::vector<int64_t> m_ids;

public:
    TestIndexKinds()
    {
        for (int i = 0; i < kRows; ++i)
            m_ids.push_back(1000 + 3 * int64_t(i)); // ids that are not row numbers
    }

private Q_SLOTS:
    // Every kind answers; brute force is the reference's answer exactly; IVF-Flat and HNSW find
    // most of it on clustered data; re-scoring PQ's candidates exactly never loses what PQ found;
    // the probes tell what each kind can do (FAISS's HNSW cannot remove).
    void measuresEveryKind()
    {
        IndexKindOptions options;
        options.hnswMaxVectors = 0;
        const std::vector<IndexKindResult> results = compareIndexKinds(m_all.data(), m_ids.data(), kRows,
            kDim, m_all.data() + size_t(kRows) * kDim, kQueries, kK, options);
        QCOMPARE(results.size(), size_t(1 + 1 + 2 * 2 + 2)); // flat, IVF-Flat, 2 PQ x 2, HNSW x 2
        for (const IndexKindResult &r : results) {
            QVERIFY2(r.recall > 0.1, r.name.c_str());
            QVERIFY2(r.indexBytes > 0 && r.vectors == size_t(kRows), r.name.c_str());
            QVERIFY2(r.p50Ms > 0 && r.p95Ms >= r.p50Ms, r.name.c_str());
            QVERIFY2(r.canAdd, r.name.c_str());
        }
        const IndexKindResult *flat = find(results, "Flat (FAISS brute force)");
        QVERIFY(flat);
        QCOMPARE(flat->recall, 1.0);
        QVERIFY(flat->canRemove && flat->canFilter);

        for (const IndexKindResult &r : results) {
            if (r.kind == "ivf-flat" || r.kind == "hnsw")
                QVERIFY2(r.recall > 0.9, (r.name + ": " + std::to_string(r.recall)).c_str());
            if (r.kind == "ivf-flat" || r.kind == "ivf-pq")
                QVERIFY2(r.canRemove && r.canFilter, (r.name + ": " + r.notes).c_str());
            if (r.kind == "hnsw")
                QVERIFY2(!r.canRemove, r.name.c_str());
        }
        for (int m : { kDim / 8, kDim / 4 }) {
            const std::string plainName = "IVF-PQ m=" + std::to_string(m) + "x8 lists=71 probes=8";
            const IndexKindResult *plain = find(results, plainName);
            const IndexKindResult *rescored
                = find(results, plainName + " + exact re-score of top " + std::to_string(4 * kK));
            QVERIFY2(plain && rescored, plainName.c_str());
            QVERIFY(rescored->recall >= plain->recall - 1e-9);
            QCOMPARE(plain->rawVectorBytes, size_t(0));
            QCOMPARE(rescored->rawVectorBytes, size_t(kRows) * kDim * sizeof(float));
        }
    }

    // The reference on a case worked by hand: the best rows by inner product, best first.
    void exactReference()
    {
        const std::vector<float> rows { 1, 0, 0, 1, 0.6f, 0.8f, -1, 0 };
        const std::vector<float> query { 0.8f, 0.6f };
        const std::vector<std::vector<int64_t>> best = exactBestRows(rows.data(), 4, 2, query.data(), 1, 3);
        QCOMPARE(best.size(), size_t(1));
        QCOMPARE(best[0], (std::vector<int64_t> { 2, 0, 1 })); // 0.96, 0.8, 0.6
    }
};

QTEST_GUILESS_MAIN(TestIndexKinds)
#include "TestIndexKinds.moc"
