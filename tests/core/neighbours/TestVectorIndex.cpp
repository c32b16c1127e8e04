#include "ClusteredRows.h"
#include "VectorIndex.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

using namespace descry;

namespace {

using test::clustered;

// Ids that are not row numbers (gaps, as tracklet ids have after deletions).
std::vector<int64_t> sparseIds(int n)
{
    std::vector<int64_t> ids(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        ids[size_t(i)] = 1000 + 3 * int64_t(i);
    return ids;
}

// The k best by brute force among `allowed` rows (all when empty), best first.
std::vector<IndexHit> bruteForce(const std::vector<float> &rows, const std::vector<int64_t> &ids, int dim,
    const float *query, int k, const std::set<int64_t> &allowed = {})
{
    std::vector<IndexHit> all;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (!allowed.empty() && !allowed.count(ids[i]))
            continue;
        float dot = 0;
        for (int c = 0; c < dim; ++c)
            dot += rows[i * size_t(dim) + size_t(c)] * query[c];
        all.push_back({ ids[i], dot });
    }
    std::sort(all.begin(), all.end(), [](const IndexHit &a, const IndexHit &b) { return a.score > b.score; });
    all.resize(std::min(all.size(), size_t(k)));
    return all;
}

std::set<int64_t> idSet(const std::vector<IndexHit> &hits)
{
    std::set<int64_t> out;
    for (const IndexHit &h : hits)
        out.insert(h.id);
    return out;
}

double overlap(const std::vector<IndexHit> &exact, const std::vector<IndexHit> &found)
{
    const std::set<int64_t> want = idSet(exact);
    int common = 0;
    for (const IndexHit &h : found)
        common += int(want.count(h.id));
    return exact.empty() ? 1.0 : double(common) / double(exact.size());
}

constexpr int kDim = 32;

} // namespace

class TestVectorIndex : public QObject {
    Q_OBJECT

    std::vector<float> m_rows = clustered(6000, kDim, 60, 0.4f, 7);
    std::vector<int64_t> m_ids = sparseIds(6000);
    std::vector<float> m_queries = clustered(40, kDim, 60, 0.6f, 8);

    std::unique_ptr<VectorIndex> build(const VectorIndexOptions &options = {})
    {
        std::string error;
        auto index = VectorIndex::build(m_rows.data(), m_ids.data(), m_ids.size(), kDim, options, &error);
        if (!index)
            qWarning("%s", error.c_str());
        return index;
    }

private Q_SLOTS:
    // Scores are exact inner products; the exact search is brute force; the approximate one finds
    // most of the same 50 (the benchmark measures how many on real model vectors).
    void approximatesBruteForce()
    {
        const auto index = build();
        QVERIFY(index);
        QCOMPARE(index->size(), m_ids.size());
        QCOMPARE(index->lists(), VectorIndexOptions::defaultLists(6000)); // 77
        QCOMPARE(index->probes(), VectorIndexOptions::defaultProbes(index->lists()));
        double recall = 0;
        for (int q = 0; q < 40; ++q) {
            const float *query = m_queries.data() + size_t(q) * kDim;
            const std::vector<IndexHit> exact = bruteForce(m_rows, m_ids, kDim, query, 50);
            const std::vector<IndexHit> all = index->searchExact(query, 50);
            QCOMPARE(idSet(all), idSet(exact));
            const std::vector<IndexHit> found = index->search(query, 50);
            QCOMPARE(found.size(), size_t(50));
            for (size_t i = 0; i < found.size(); ++i) {
                if (i > 0)
                    QVERIFY(found[i].score <= found[i - 1].score);
                const auto it = std::find(m_ids.begin(), m_ids.end(), found[i].id);
                QVERIFY(it != m_ids.end());
                const size_t row = size_t(it - m_ids.begin());
                float dot = 0;
                for (int c = 0; c < kDim; ++c)
                    dot += m_rows[row * kDim + size_t(c)] * query[c];
                QVERIFY(std::abs(dot - found[i].score) < 1e-4f);
            }
            recall += overlap(exact, found);
        }
        QVERIFY2(recall / 40 > 0.9, qPrintable(QString::number(recall / 40)));
        // Every cell scanned: the exact answer.
        index->setProbes(index->lists());
        const float *query = m_queries.data();
        QCOMPARE(idSet(index->search(query, 50)), idSet(bruteForce(m_rows, m_ids, kDim, query, 50)));
    }

    // A filter: a narrow one is answered exactly; a wide one only ever returns allowed ids.
    void filteredSearch()
    {
        const auto index = build();
        QVERIFY(index);
        const float *query = m_queries.data() + 3 * kDim;
        std::vector<int64_t> narrow;
        for (size_t i = 0; i < m_ids.size(); i += 97)
            narrow.push_back(m_ids[i]);
        narrow.push_back(5); // not in the index: ignored
        std::sort(narrow.begin(), narrow.end());
        const std::set<int64_t> narrowSet(narrow.begin(), narrow.end());
        const std::vector<IndexHit> got = index->search(query, 20, &narrow);
        QCOMPARE(idSet(got), idSet(bruteForce(m_rows, m_ids, kDim, query, 20, narrowSet)));

        std::vector<int64_t> wide;
        for (size_t i = 0; i < m_ids.size(); i += 2)
            wide.push_back(m_ids[i]);
        const std::vector<IndexHit> half = index->search(query, 50, &wide);
        QCOMPARE(half.size(), size_t(50));
        for (const IndexHit &h : half)
            QVERIFY(std::binary_search(wide.begin(), wide.end(), h.id));
        const std::vector<int64_t> none;
        QVERIFY(index->search(query, 10, &none).empty());
    }

    void addRemoveAndStoredVectors()
    {
        const auto index = build();
        QVERIFY(index);
        std::vector<float> extra = clustered(10, kDim, 3, 0.1f, 99);
        std::vector<int64_t> extraIds;
        for (int i = 0; i < 10; ++i)
            extraIds.push_back(900000 + i);
        index->add(extra.data(), extraIds.data(), extraIds.size());
        QCOMPARE(index->size(), m_ids.size() + 10);
        std::vector<float> v(kDim);
        QVERIFY(index->vector(900004, v.data()));
        QVERIFY(std::equal(v.begin(), v.end(), extra.begin() + 4 * kDim));
        // A new vector is its own nearest.
        QCOMPARE(index->search(extra.data() + 4 * kDim, 1).front().id, int64_t(900004));
        QCOMPARE(index->remove({ 900004, 900005, 42 }), size_t(2));
        QVERIFY(!index->vector(900004, v.data()));
        QVERIFY(index->search(extra.data() + 4 * kDim, 1).front().id != int64_t(900004));
        const std::vector<int64_t> ids = index->ids();
        QCOMPARE(ids.size(), m_ids.size() + 8);
        QVERIFY(std::is_sorted(ids.begin(), ids.end()));
        QVERIFY(!std::binary_search(ids.begin(), ids.end(), int64_t(900005)));
    }

    // Saved and loaded: the same answers; a damaged or foreign file is refused with a reason, and
    // a failed save leaves the previous file.
    void saveAndLoad()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("global.ivf")).toStdString();
        const auto index = build();
        QVERIFY(index);
        std::string error;
        QVERIFY2(index->save(path, &error), error.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".partial")));
        const auto loaded = VectorIndex::load(path, &error);
        QVERIFY2(loaded, error.c_str());
        QCOMPARE(loaded->size(), index->size());
        QCOMPARE(loaded->probes(), index->probes());
        const float *query = m_queries.data() + 5 * kDim;
        const std::vector<IndexHit> a = index->search(query, 30), b = loaded->search(query, 30);
        QCOMPARE(idSet(a), idSet(b));
        std::vector<float> v(kDim);
        QVERIFY(loaded->vector(m_ids[17], v.data()));
        QVERIFY(std::equal(v.begin(), v.end(), m_rows.begin() + 17 * kDim));
        // Each save is told apart by its id, read from the file's last bytes alone.
        QVERIFY(index->saveId() != 0);
        QCOMPARE(loaded->saveId(), index->saveId());
        QCOMPARE(VectorIndex::savedId(path), index->saveId());
        const uint64_t first = index->saveId();
        QVERIFY2(loaded->save(path, &error), error.c_str());
        QVERIFY(loaded->saveId() != first);
        QCOMPARE(VectorIndex::savedId(path), loaded->saveId());
        QCOMPARE(VectorIndex::savedId(dir.filePath(QStringLiteral("absent.ivf")).toStdString()), uint64_t(0));

        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.resize(file.size() / 3);
        file.close();
        QVERIFY(!VectorIndex::load(path, &error));
        QVERIFY2(error.find(path) != std::string::npos, error.c_str());
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("not an index at all");
        file.close();
        QVERIFY(!VectorIndex::load(path, &error));
        QVERIFY(!VectorIndex::load(dir.filePath(QStringLiteral("absent.ivf")).toStdString(), &error));
        QVERIFY(!index->save(dir.filePath(QStringLiteral("no/such/folder/x.ivf")).toStdString(), &error));
        QVERIFY2(error.find("cannot write") != std::string::npos, error.c_str());
    }

    void refusesTooFewVectors()
    {
        std::string error;
        VectorIndexOptions options;
        options.lists = 100;
        QVERIFY(!VectorIndex::build(m_rows.data(), m_ids.data(), 50, kDim, options, &error));
        QVERIFY2(error.find("100 cells") != std::string::npos, error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestVectorIndex)
#include "TestVectorIndex.moc"
