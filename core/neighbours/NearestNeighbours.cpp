#include "NearestNeighbours.h"

#include <algorithm>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/VectorTransform.h>
#include <faiss/impl/DistanceComputer.h>

namespace descry {

namespace {

// Debian's FAISS is built for any x86-64 and scores pairs with a plain loop (four fifths of the
// graph's time went there); this one runs 8 floats a step where the processor has AVX2 and FMA
// (chosen at run time) and still works where it has not.
__attribute__((target_clones("arch=haswell", "default"))) float innerProduct(
    const float *a, const float *b, size_t dim)
{
    constexpr size_t kLanes = 16;
    float lanes[kLanes] = {};
    size_t k = 0;
    for (; k + kLanes <= dim; k += kLanes)
        for (size_t l = 0; l < kLanes; ++l)
            lanes[l] += a[k + l] * b[k + l];
    float sum = 0;
    for (size_t l = 0; l < kLanes; ++l)
        sum += lanes[l];
    for (; k < dim; ++k)
        sum += a[k] * b[k];
    return sum;
}

struct InnerProductComputer final : faiss::FlatCodesDistanceComputer {
    InnerProductComputer(const float *rows, size_t dim)
        : faiss::FlatCodesDistanceComputer(reinterpret_cast<const uint8_t *>(rows), dim * sizeof(float))
        , m_rows(rows)
        , m_dim(dim)
    { }
    void set_query(const float *x) override { m_query = x; }
    float distance_to_code(const uint8_t *code) override
    {
        return innerProduct(m_query, reinterpret_cast<const float *>(code), m_dim);
    }
    float symmetric_dis(idx_t i, idx_t j) override
    {
        return innerProduct(m_rows + size_t(i) * m_dim, m_rows + size_t(j) * m_dim, m_dim);
    }

private:
    const float *m_rows;
    size_t m_dim;
    const float *m_query = nullptr;
};

// FAISS's flat inner-product storage, scored by innerProduct.
struct FastInnerProductStorage final : faiss::IndexFlatIP {
    explicit FastInnerProductStorage(int dim)
        : faiss::IndexFlatIP(dim)
    { }
    faiss::FlatCodesDistanceComputer *get_FlatCodesDistanceComputer() const override
    {
        return new InnerProductComputer(get_xb(), size_t(d));
    }
};

// Searches every row in `index` for k + 1 and keeps the k that are not the row itself.
NeighbourLists searchAll(const faiss::Index &index, const float *rows, int n, int k)
{
    NeighbourLists out;
    out.rows = n;
    out.k = std::max(k, 0);
    out.index.assign(size_t(n) * size_t(out.k), -1);
    out.score.assign(size_t(n) * size_t(out.k), 0.f);
    if (n == 0 || out.k == 0)
        return out;
    const int wanted = std::min(out.k + 1, n);
    std::vector<float> scores(size_t(n) * size_t(wanted));
    std::vector<faiss::Index::idx_t> found(size_t(n) * size_t(wanted));
    index.search(n, rows, wanted, scores.data(), found.data());
    for (int i = 0; i < n; ++i) {
        int kept = 0;
        for (int r = 0; r < wanted && kept < out.k; ++r) {
            const faiss::Index::idx_t j = found[size_t(i) * size_t(wanted) + size_t(r)];
            if (j < 0 || j == i)
                continue;
            out.index[size_t(i) * size_t(out.k) + size_t(kept)] = int(j);
            out.score[size_t(i) * size_t(out.k) + size_t(kept)]
                = scores[size_t(i) * size_t(wanted) + size_t(r)];
            ++kept;
        }
    }
    return out;
}

// One step of neighbours' neighbours: each row's candidates are its own list and the first
// `fanOut` of the lists of its first `fanOut` neighbours, scored on the full rows; the best k stay.
// Where the graph found one of a close group, this finds the rest, and lists found in principal
// components get the full rows' order.
NeighbourLists refine(const NeighbourLists &lists, const float *rows, int dim, int fanOut)
{
    NeighbourLists out = lists;
    const int n = lists.rows, k = lists.k;
#pragma omp parallel for schedule(dynamic, 256)
    for (int i = 0; i < n; ++i) {
        std::vector<int> candidates;
        candidates.reserve(size_t(k) + size_t(fanOut) * size_t(fanOut));
        for (int r = 0; r < k; ++r)
            if (lists.neighbour(i, r) >= 0)
                candidates.push_back(lists.neighbour(i, r));
        for (int r = 0; r < std::min(fanOut, k); ++r) {
            const int j = lists.neighbour(i, r);
            if (j < 0)
                continue;
            for (int q = 0; q < std::min(fanOut, k); ++q) {
                const int c = lists.neighbour(j, q);
                if (c >= 0 && c != i)
                    candidates.push_back(c);
            }
        }
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        std::vector<std::pair<float, int>> scored;
        scored.reserve(candidates.size());
        const float *row = rows + size_t(i) * size_t(dim);
        for (int c : candidates)
            scored.emplace_back(innerProduct(row, rows + size_t(c) * size_t(dim), size_t(dim)), c);
        const size_t keep = std::min(scored.size(), size_t(k));
        std::partial_sort(
            scored.begin(), scored.begin() + long(keep), scored.end(), [](const auto &a, const auto &b) {
                return a.first > b.first || (a.first == b.first && a.second < b.second);
            });
        for (size_t r = 0; r < size_t(k); ++r) {
            out.index[size_t(i) * size_t(k) + r] = r < keep ? scored[r].second : -1;
            out.score[size_t(i) * size_t(k) + r] = r < keep ? scored[r].first : 0.f;
        }
    }
    return out;
}

} // namespace

NeighbourLists approximateNeighbours(
    const float *rows, int n, int dim, int k, const ApproximateNeighbourOptions &options)
{
    // The graph is searched in the rows' principal components (fewer floats to fetch and multiply
    // per pair: random reads of whole rows are what a graph search spends its time on).
    const float *fullRows = rows;
    const int fullDim = dim;
    std::vector<float> reduced;
    if (options.reducedDim > 0 && options.reducedDim < dim && n > options.reducedDim) {
        faiss::PCAMatrix pca(dim, options.reducedDim);
        pca.train(n, rows);
        reduced.resize(size_t(n) * size_t(options.reducedDim));
        pca.apply_noalloc(n, rows, reduced.data());
        rows = reduced.data();
        dim = options.reducedDim;
    }
    faiss::IndexHNSW index(new FastInnerProductStorage(dim), std::max(options.links, 2));
    index.own_fields = true;
    index.hnsw.efConstruction = std::max(options.buildBreadth, 1);
    index.hnsw.efSearch = std::max(options.searchBreadth, k + 1);
    index.add(n, rows);
    NeighbourLists lists = searchAll(index, rows, n, k);
    if (options.refineFanOut > 0 || rows != fullRows)
        lists = refine(lists, fullRows, fullDim, options.refineFanOut);
    return lists;
}

void rescoreNeighbours(NeighbourLists *lists, const float *rows, int dim)
{
    const int n = lists->rows, k = lists->k;
#pragma omp parallel for schedule(dynamic, 256)
    for (int i = 0; i < n; ++i) {
        std::vector<std::pair<float, int>> scored;
        for (int r = 0; r < k; ++r) {
            const int j = lists->neighbour(i, r);
            if (j >= 0)
                scored.emplace_back(innerProduct(rows + size_t(i) * size_t(dim), rows + size_t(j) * size_t(dim), size_t(dim)), j);
        }
        std::sort(scored.begin(), scored.end(),
            [](const auto &a, const auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        for (size_t r = 0; r < size_t(k); ++r) {
            lists->index[size_t(i) * size_t(k) + r] = r < scored.size() ? scored[r].second : -1;
            lists->score[size_t(i) * size_t(k) + r] = r < scored.size() ? scored[r].first : 0.f;
        }
    }
}

NeighbourLists exactNeighbours(const float *rows, int n, int dim, int k)
{
    faiss::IndexFlatIP index(dim);
    index.add(n, rows);
    return searchAll(index, rows, n, k);
}

} // namespace descry
