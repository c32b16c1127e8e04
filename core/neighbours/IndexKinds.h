#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace descry {

// Which approximate index kinds compareIndexKinds measures and how each is cut. The defaults are
// the issue's: IVF cells and probes as VectorIndex chooses them, PQ of dim/8 and dim/4 bytes,
// HNSW with M = 32, efConstruction = 40, searched at efSearch 64 and 128.
struct IndexKindOptions {
    int lists = 0; // IVF cells (IVF-Flat and IVF-PQ); 0: VectorIndexOptions::defaultLists(n)
    int probes = 0; // cells scanned per query; 0: VectorIndexOptions::defaultProbes(lists)
    std::vector<int> pqSubquantizers; // PQ codes of m bytes (8 bits each); empty: dim/8 and dim/4
    // Each PQ index is also measured with the top rescoreFactor x k of its answer scored again
    // exactly from the raw vectors (what Descry needs: its fine pass takes exact coarse scores).
    int rescoreFactor = 4;
    int hnswM = 32;
    int hnswEfConstruction = 40;
    std::vector<int> hnswEfSearch { 64, 128 };
    // HNSW over the first this many vectors only (0: all), where a graph over all of them would
    // take too long to build here; its recall is then against the exact answer over those.
    size_t hnswMaxVectors = 0;
    bool flat = true, ivfFlat = true, ivfPq = true, hnsw = true;
    // A line of what is being done (building an index, searching), for a benchmark's progress.
    std::function<void(const std::string &)> progress;
};

// One kind's figures. Builds use every OpenMP thread; searches run one query at a time on one
// thread (Descry's query path), after one untimed query.
struct IndexKindResult {
    std::string kind; // "flat", "ivf-flat", "ivf-pq", "hnsw"
    std::string name; // with its parameters, e.g. "IVF-PQ m=32x8 + exact re-score of top 200"
    std::vector<std::pair<std::string, int>> parameters; // lists, probes, m, efSearch...
    size_t vectors = 0; // indexed (fewer than n for HNSW past hnswMaxVectors)
    double buildSeconds = 0; // training and adding
    size_t indexBytes = 0; // the index serialised by FAISS (ids and what it stores for them)
    size_t rawVectorBytes = 0; // the float vectors kept beside the index to re-score; 0 when none
    double p50Ms = 0, p95Ms = 0, meanMs = 0; // per query
    double recall = 0; // recall@k against the exact best k by inner product over the same vectors
    // What Descry's coarse index needs, tried on the built index (not assumed from documentation):
    // adding vectors after the build, removing them, and a search restricted to a subset of ids.
    bool canAdd = false, canRemove = false, canFilter = false;
    std::string notes; // why a probe failed, what the row stands for
};

// Builds each kind over `n` vectors (row-major, `dim` floats, keyed by distinct `ids`) and
// searches it with each of `q` queries for its `k` best by inner product. The reference is a
// plain loop in double precision (no FAISS), which the "flat" row (FAISS's brute force) is
// measured against too.
std::vector<IndexKindResult> compareIndexKinds(const float *vectors, const int64_t *ids, size_t n, int dim,
    const float *queries, size_t q, int k, const IndexKindOptions &options);

// Each query's k best rows (positions in `vectors`) by exact inner product, best first: a plain
// loop in double precision, on every OpenMP thread.
std::vector<std::vector<int64_t>> exactBestRows(
    const float *vectors, size_t n, int dim, const float *queries, size_t q, int k);

// The FAISS this build links, "major.minor.patch".
std::string faissVersion();

} // namespace descry
