#include "IndexKinds.h"

#include "VectorIndex.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <filesystem>
#include <iterator>
#include <memory>
#include <omp.h>
#include <random>

namespace descry {

namespace {

using idx_t = faiss::Index::idx_t;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Counts what FAISS would write instead of writing it: an index's size without a copy of it.
struct ByteCounter final : faiss::IOWriter {
    size_t bytes = 0;
    size_t operator()(const void *, size_t size, size_t items) override
    {
        bytes += size * items;
        return items;
    }
};

size_t serialisedBytes(const faiss::Index &index)
{
    ByteCounter counter;
    faiss::write_index(&index, &counter);
    return counter.bytes;
}

// This thread's OpenMP threads while it lives: the searches are timed on one, as Descry runs a
// query, and the builds get every thread back afterwards.
class ThreadLimit {
public:
    explicit ThreadLimit(int threads)
        : m_before(omp_get_max_threads())
    {
        omp_set_num_threads(threads);
    }
    ~ThreadLimit() { omp_set_num_threads(m_before); }
    ThreadLimit(const ThreadLimit &) = delete;
    ThreadLimit &operator=(const ThreadLimit &) = delete;

private:
    int m_before;
};

struct Candidate {
    double score;
    int64_t row;
};

// Higher score first; the lower row first between equal scores, so the reference is one order.
bool better(const Candidate &a, const Candidate &b)
{
    return a.score > b.score || (a.score == b.score && a.row < b.row);
}

double exactDot(const float *a, const float *b, int dim)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = 0;
    for (; c + 4 <= dim; c += 4) {
        s0 += double(a[c]) * b[c];
        s1 += double(a[c + 1]) * b[c + 1];
        s2 += double(a[c + 2]) * b[c + 2];
        s3 += double(a[c + 3]) * b[c + 3];
    }
    for (; c < dim; ++c)
        s0 += double(a[c]) * b[c];
    return (s0 + s1) + (s2 + s3);
}

// What Descry does with a candidate's stored vector: one inner product in float.
float dot(const float *a, const float *b, int dim)
{
    float sum = 0;
    for (int c = 0; c < dim; ++c)
        sum += a[c] * b[c];
    return sum;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::ceil(p * double(values.size())));
    return values[std::min(rank == 0 ? 0 : rank - 1, values.size() - 1)];
}

void addNote(IndexKindResult &r, const std::string &note)
{
    r.notes += (r.notes.empty() ? "" : "; ") + note;
}

// One query's answer: ids, best first.
using SearchOne = std::function<std::vector<int64_t>(const float *query)>;

// Times each query on one thread (after one untimed query, which warms caches) and keeps the
// answers; fills the latency and the recall against `exact` (ids, best first, per query).
void timeQueries(IndexKindResult &r, const SearchOne &search, const float *queries, size_t q, int dim,
    const std::vector<std::vector<int64_t>> &exact)
{
    ThreadLimit one(1);
    std::vector<double> ms;
    double recall = 0, sum = 0;
    if (q > 0)
        search(queries);
    for (size_t i = 0; i < q; ++i) {
        const auto start = Clock::now();
        std::vector<int64_t> found = search(queries + i * size_t(dim));
        ms.push_back(secondsSince(start) * 1000.0);
        sum += ms.back();
        std::vector<int64_t> want = exact[i];
        std::sort(want.begin(), want.end());
        std::sort(found.begin(), found.end());
        std::vector<int64_t> common;
        std::set_intersection(
            want.begin(), want.end(), found.begin(), found.end(), std::back_inserter(common));
        recall += want.empty() ? 1.0 : double(common.size()) / double(want.size());
    }
    r.p50Ms = percentile(ms, 0.50);
    r.p95Ms = percentile(ms, 0.95);
    r.meanMs = q > 0 ? sum / double(q) : 0;
    r.recall = q > 0 ? recall / double(q) : 0;
}

// The ids of a FAISS answer whose labels are rows.
std::vector<int64_t> idsOfRows(const std::vector<idx_t> &labels, const int64_t *ids)
{
    std::vector<int64_t> out;
    out.reserve(labels.size());
    for (idx_t label : labels)
        if (label >= 0)
            out.push_back(ids[label]);
    return out;
}

std::vector<int64_t> searchRows(const faiss::Index &index, const float *query, int k, const int64_t *ids,
    const faiss::SearchParameters *params)
{
    const int wanted = int(std::min<idx_t>(k, index.ntotal));
    std::vector<float> scores(size_t(std::max(wanted, 0)));
    std::vector<idx_t> labels(size_t(std::max(wanted, 0)));
    if (wanted > 0)
        index.search(1, query, wanted, scores.data(), labels.data(), params);
    return idsOfRows(labels, ids);
}

struct EvenRows final : faiss::IDSelector {
    bool is_member(idx_t id) const override { return id % 2 == 0; }
};

// A search restricted to the even rows: supported when FAISS neither refuses the selector nor
// answers with rows outside it.
void probeFilter(
    IndexKindResult &r, const faiss::Index &index, faiss::SearchParameters &params, const float *query, int k)
{
    EvenRows even;
    params.sel = &even;
    try {
        const int wanted = int(std::min<idx_t>(k, index.ntotal / 2));
        std::vector<float> scores(static_cast<size_t>(wanted));
        std::vector<idx_t> labels(static_cast<size_t>(wanted), -1);
        index.search(1, query, wanted, scores.data(), labels.data(), &params);
        const bool answered = std::any_of(labels.begin(), labels.end(), [](idx_t l) { return l >= 0; });
        const bool inside
            = std::all_of(labels.begin(), labels.end(), [](idx_t l) { return l < 0 || l % 2 == 0; });
        r.canFilter = answered && inside;
        if (!inside)
            addNote(r, "filter: the id selector is ignored (answers outside the subset)");
        else if (!answered)
            addNote(r, "filter: no answer with an id selector");
    } catch (const faiss::FaissException &e) {
        addNote(r, std::string("filter: ") + e.what());
    }
    params.sel = nullptr;
}

// Adds one vector after the build and removes it again.
void probeAddRemove(IndexKindResult &r, faiss::Index &index, const float *vector)
{
    const idx_t before = index.ntotal;
    try {
        index.add(1, vector);
        r.canAdd = index.ntotal == before + 1;
    } catch (const faiss::FaissException &e) {
        addNote(r, std::string("add: ") + e.what());
    }
    try {
        const faiss::IDSelectorRange last(index.ntotal - 1, index.ntotal);
        r.canRemove = index.remove_ids(last) == 1;
    } catch (const faiss::FaissException &e) {
        addNote(r, std::string("remove: ") + e.what());
    }
}

void copyProbes(IndexKindResult &to, const IndexKindResult &from)
{
    to.canAdd = from.canAdd;
    to.canRemove = from.canRemove;
    to.canFilter = from.canFilter;
    to.notes = from.notes;
}

struct Inputs {
    const float *vectors;
    const int64_t *ids;
    size_t n;
    int dim;
    const float *queries;
    size_t q;
    int k;
    int lists;
    int probes;
    const IndexKindOptions &options;
    const std::vector<std::vector<int64_t>> &exact; // ids, best first, per query

    void progress(const std::string &line) const
    {
        if (options.progress)
            options.progress(line);
    }
};

IndexKindResult measureFlat(const Inputs &in)
{
    IndexKindResult r;
    r.kind = "flat";
    r.name = "Flat (FAISS brute force)";
    r.vectors = in.n;
    in.progress("flat: adding " + std::to_string(in.n) + " vectors");
    const auto start = Clock::now();
    faiss::IndexFlatIP index(in.dim);
    index.add(idx_t(in.n), in.vectors);
    r.buildSeconds = secondsSince(start);
    r.indexBytes = serialisedBytes(index);
    in.progress("flat: searching");
    timeQueries(
        r, [&](const float *query) { return searchRows(index, query, in.k, in.ids, nullptr); }, in.queries,
        in.q, in.dim, in.exact);
    faiss::SearchParameters params;
    probeFilter(r, index, params, in.queries, in.k);
    probeAddRemove(r, index, in.vectors);
    return r;
}

// IVF-Flat as Descry builds and searches it: through VectorIndex itself.
IndexKindResult measureIvfFlat(const Inputs &in)
{
    IndexKindResult r;
    r.kind = "ivf-flat";
    r.name
        = "IVF-Flat (VectorIndex) lists=" + std::to_string(in.lists) + " probes=" + std::to_string(in.probes);
    r.parameters = { { "lists", in.lists }, { "probes", in.probes } };
    r.vectors = in.n;
    VectorIndexOptions options;
    options.lists = in.lists;
    options.probes = in.probes;
    in.progress("ivf-flat: training " + std::to_string(in.lists) + " cells and adding");
    std::string error;
    const auto start = Clock::now();
    std::unique_ptr<VectorIndex> index
        = VectorIndex::build(in.vectors, in.ids, in.n, in.dim, options, &error);
    r.buildSeconds = secondsSince(start);
    if (!index) {
        r.notes = "build failed: " + error;
        return r;
    }
    // VectorIndex keeps its FAISS index to itself: its size is that of the file it saves.
    const std::filesystem::path file = std::filesystem::temp_directory_path()
        / ("descry-index-kinds-" + std::to_string(std::random_device {}()) + ".faiss");
    if (index->save(file.string(), &error))
        r.indexBytes = size_t(std::filesystem::file_size(file));
    else
        addNote(r, "size unknown: " + error);
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    in.progress("ivf-flat: searching");
    timeQueries(
        r,
        [&](const float *query) {
            std::vector<int64_t> out;
            for (const IndexHit &hit : index->search(query, in.k))
                out.push_back(hit.id);
            return out;
        },
        in.queries, in.q, in.dim, in.exact);

    std::vector<int64_t> sorted(in.ids, in.ids + in.n);
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> allowed;
    for (size_t i = 0; i < sorted.size(); i += 2)
        allowed.push_back(sorted[i]);
    const std::vector<IndexHit> filtered = index->search(in.queries, in.k, &allowed);
    r.canFilter = !filtered.empty() && std::all_of(filtered.begin(), filtered.end(), [&](const IndexHit &h) {
        return std::binary_search(allowed.begin(), allowed.end(), h.id);
    });
    const int64_t added = sorted.back() + 1;
    r.canAdd = index->add(in.vectors, &added, 1, &error) && index->size() == in.n + 1;
    if (!r.canAdd)
        addNote(r, "add: " + error);
    r.canRemove = index->remove({ added }) == 1;
    return r;
}

// One IVF-PQ index of m-byte codes, searched as it is and with its top rescoreFactor x k scored
// again from the raw vectors: two rows.
std::vector<IndexKindResult> measureIvfPq(const Inputs &in, int m)
{
    IndexKindResult r;
    r.kind = "ivf-pq";
    r.name = "IVF-PQ m=" + std::to_string(m) + "x8 lists=" + std::to_string(in.lists)
        + " probes=" + std::to_string(in.probes);
    r.parameters = { { "lists", in.lists }, { "probes", in.probes }, { "m", m }, { "bits", 8 } };
    r.vectors = in.n;
    if (m <= 0 || in.dim % m != 0) {
        r.notes = "m must divide the dimension";
        return { r };
    }
    in.progress("ivf-pq m=" + std::to_string(m) + ": training and adding");
    std::unique_ptr<faiss::IndexIVFPQ> index;
    try {
        const auto start = Clock::now();
        auto *quantizer = new faiss::IndexFlatIP(in.dim);
        index = std::make_unique<faiss::IndexIVFPQ>(
            quantizer, size_t(in.dim), size_t(in.lists), size_t(m), 8, faiss::METRIC_INNER_PRODUCT);
        index->own_fields = true;
        // The cells fitted as VectorIndex fits them (its seed and sample per cell).
        const VectorIndexOptions cells;
        index->cp.seed = int(cells.seed & 0x7fffffff);
        index->cp.max_points_per_centroid = cells.trainingPerList;
        index->cp.min_points_per_centroid = 1;
        index->pq.cp.seed = int(cells.seed & 0x7fffffff);
        index->pq.cp.min_points_per_centroid = 1; // small samples without a warning on stderr
        index->nprobe = size_t(in.probes);
        index->train(idx_t(in.n), in.vectors);
        index->add(idx_t(in.n), in.vectors);
        r.buildSeconds = secondsSince(start);
    } catch (const faiss::FaissException &e) {
        r.notes = std::string("build failed: ") + e.what();
        return { r };
    }
    r.indexBytes = serialisedBytes(*index);

    in.progress("ivf-pq m=" + std::to_string(m) + ": searching");
    timeQueries(
        r, [&](const float *query) { return searchRows(*index, query, in.k, in.ids, nullptr); }, in.queries,
        in.q, in.dim, in.exact);

    IndexKindResult rescored = r;
    const int pool = std::max(in.k, in.options.rescoreFactor * in.k);
    rescored.name += " + exact re-score of top " + std::to_string(pool);
    rescored.parameters.push_back({ "rescored", pool });
    rescored.rawVectorBytes = in.n * size_t(in.dim) * sizeof(float);
    in.progress("ivf-pq m=" + std::to_string(m) + ": searching, re-scoring the top " + std::to_string(pool));
    timeQueries(
        rescored,
        [&](const float *query) {
            const int wanted = int(std::min<idx_t>(pool, index->ntotal));
            std::vector<float> scores(static_cast<size_t>(wanted));
            std::vector<idx_t> labels(static_cast<size_t>(wanted));
            index->search(1, query, wanted, scores.data(), labels.data());
            std::vector<Candidate> candidates;
            candidates.reserve(labels.size());
            for (idx_t row : labels)
                if (row >= 0)
                    candidates.push_back(
                        { dot(in.vectors + size_t(row) * size_t(in.dim), query, in.dim), row });
            const size_t keep = std::min(candidates.size(), size_t(in.k));
            std::partial_sort(candidates.begin(), candidates.begin() + long(keep), candidates.end(), better);
            std::vector<int64_t> out;
            for (size_t i = 0; i < keep; ++i)
                out.push_back(in.ids[candidates[i].row]);
            return out;
        },
        in.queries, in.q, in.dim, in.exact);

    faiss::SearchParametersIVF params;
    params.nprobe = size_t(in.probes);
    probeFilter(r, *index, params, in.queries, in.k);
    probeAddRemove(r, *index, in.vectors);
    copyProbes(rescored, r);
    addNote(rescored, "the raw vectors are kept beside the index to re-score (raw_vectors)");
    return { r, rescored };
}

// One HNSW graph, searched at each efSearch: a row each.
std::vector<IndexKindResult> measureHnsw(const Inputs &in)
{
    const IndexKindOptions &o = in.options;
    const size_t nh = o.hnswMaxVectors > 0 ? std::min(in.n, o.hnswMaxVectors) : in.n;
    std::vector<std::vector<int64_t>> subsetExact;
    if (nh < in.n) {
        in.progress("hnsw: exact answers over the first " + std::to_string(nh) + " vectors");
        subsetExact = exactBestRows(in.vectors, nh, in.dim, in.queries, in.q, in.k);
        for (auto &rows : subsetExact)
            for (int64_t &row : rows)
                row = in.ids[row];
    }
    const std::vector<std::vector<int64_t>> &exact = nh < in.n ? subsetExact : in.exact;

    IndexKindResult base;
    base.kind = "hnsw";
    base.vectors = nh;
    faiss::IndexHNSWFlat index(in.dim, o.hnswM, faiss::METRIC_INNER_PRODUCT);
    index.hnsw.efConstruction = o.hnswEfConstruction;
    const auto start = Clock::now();
    // In steps, to tell progress: as a graph grown by later adds would be.
    const size_t step = std::max<size_t>(nh / 10, 10000);
    for (size_t from = 0; from < nh; from += step) {
        in.progress("hnsw: adding " + std::to_string(from) + "/" + std::to_string(nh));
        const size_t count = std::min(step, nh - from);
        index.add(idx_t(count), in.vectors + from * size_t(in.dim));
    }
    base.buildSeconds = secondsSince(start);
    base.indexBytes = serialisedBytes(index);
    if (nh < in.n)
        addNote(base,
            "built over the first " + std::to_string(nh) + " of " + std::to_string(in.n)
                + " vectors; recall against the exact answer over those");

    std::vector<IndexKindResult> out;
    for (int ef : o.hnswEfSearch) {
        IndexKindResult r = base;
        r.name = "HNSW-Flat M=" + std::to_string(o.hnswM)
            + " efConstruction=" + std::to_string(o.hnswEfConstruction) + " efSearch=" + std::to_string(ef);
        r.parameters = { { "M", o.hnswM }, { "efConstruction", o.hnswEfConstruction }, { "efSearch", ef } };
        faiss::SearchParametersHNSW params;
        params.efSearch = ef;
        // Debian's FAISS 1.7.3 reads efSearch from the index, not from the parameters (measured).
        index.hnsw.efSearch = ef;
        in.progress("hnsw: searching, efSearch " + std::to_string(ef));
        timeQueries(
            r, [&](const float *query) { return searchRows(index, query, in.k, in.ids, &params); },
            in.queries, in.q, in.dim, exact);
        out.push_back(r);
    }
    IndexKindResult probes = base;
    faiss::SearchParametersHNSW params;
    params.efSearch = o.hnswEfSearch.empty() ? 64 : o.hnswEfSearch.front();
    probeFilter(probes, index, params, in.queries, in.k);
    probeAddRemove(probes, index, in.vectors);
    for (IndexKindResult &r : out)
        copyProbes(r, probes);
    return out;
}

} // namespace

std::vector<std::vector<int64_t>> exactBestRows(
    const float *vectors, size_t n, int dim, const float *queries, size_t q, int k)
{
    const size_t keep = std::min(n, size_t(std::max(k, 0)));
    std::vector<std::vector<Candidate>> merged(q);
    // Each thread passes once over its share of the rows with every query (the queries stay in
    // cache, the rows are read once) and keeps each query's best in a heap whose top is the worst.
#pragma omp parallel
    {
        std::vector<std::vector<Candidate>> heaps(q);
#pragma omp for schedule(static)
        for (long row = 0; row < long(n); ++row) {
            const float *v = vectors + size_t(row) * size_t(dim);
            for (size_t i = 0; i < q; ++i) {
                const Candidate c { exactDot(v, queries + i * size_t(dim), dim), int64_t(row) };
                std::vector<Candidate> &heap = heaps[i];
                if (heap.size() < keep) {
                    heap.push_back(c);
                    std::push_heap(heap.begin(), heap.end(), better);
                } else if (keep > 0 && better(c, heap.front())) {
                    std::pop_heap(heap.begin(), heap.end(), better);
                    heap.back() = c;
                    std::push_heap(heap.begin(), heap.end(), better);
                }
            }
        }
#pragma omp critical
        for (size_t i = 0; i < q; ++i)
            merged[i].insert(merged[i].end(), heaps[i].begin(), heaps[i].end());
    }
    std::vector<std::vector<int64_t>> out(q);
    for (size_t i = 0; i < q; ++i) {
        std::sort(merged[i].begin(), merged[i].end(), better);
        for (size_t j = 0; j < std::min(keep, merged[i].size()); ++j)
            out[i].push_back(merged[i][j].row);
    }
    return out;
}

std::vector<IndexKindResult> compareIndexKinds(const float *vectors, const int64_t *ids, size_t n, int dim,
    const float *queries, size_t q, int k, const IndexKindOptions &options)
{
    if (n == 0 || dim <= 0 || k <= 0)
        return {};
    const int lists = options.lists > 0 ? options.lists : VectorIndexOptions::defaultLists(n);
    const int probes
        = std::min(lists, options.probes > 0 ? options.probes : VectorIndexOptions::defaultProbes(lists));
    if (options.progress)
        options.progress(
            "exact answers of " + std::to_string(q) + " queries over " + std::to_string(n) + " vectors");
    std::vector<std::vector<int64_t>> exact = exactBestRows(vectors, n, dim, queries, q, k);
    for (auto &rows : exact)
        for (int64_t &row : rows)
            row = ids[row];
    const Inputs in { vectors, ids, n, dim, queries, q, k, lists, probes, options, exact };

    std::vector<IndexKindResult> out;
    if (options.flat)
        out.push_back(measureFlat(in));
    if (options.ivfFlat)
        out.push_back(measureIvfFlat(in));
    if (options.ivfPq) {
        std::vector<int> ms = options.pqSubquantizers;
        if (ms.empty())
            ms = { std::max(dim / 8, 1), std::max(dim / 4, 1) };
        for (int m : ms)
            for (IndexKindResult &r : measureIvfPq(in, m))
                out.push_back(std::move(r));
    }
    if (options.hnsw)
        for (IndexKindResult &r : measureHnsw(in))
            out.push_back(std::move(r));
    return out;
}

std::string faissVersion()
{
    return std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) + "."
        + std::to_string(FAISS_VERSION_PATCH);
}

} // namespace descry
