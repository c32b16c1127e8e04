#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace descry {

// How the index is cut: k-means cells over the vectors (an inverted file), of which a query
// scans the `probes` nearest. Defaults measured on the query benchmark's vectors
// (README.md, "Measured figures": the million-tracklet rows).
struct VectorIndexOptions {
    int lists = 0; // cells; 0: about sqrt(n), within [16, 4096]
    int probes = 0; // cells scanned per query; 0: the default for `lists` (defaultProbes)
    int trainingPerList = 64; // k-means fits on at most this many vectors per cell (a sample)
    uint64_t seed = 1234; // which sample, so the same vectors give the same index

    static int defaultLists(size_t vectors);
    static int defaultProbes(int lists);
};

struct IndexHit {
    int64_t id = 0;
    float score = 0; // the inner product with the query (exact: the cells hold the vectors)
};

// An approximate nearest-neighbour index over vectors keyed by int64 ids, for inner products
// (cosines when the vectors are unit length): FAISS's IVF-Flat (Debian's libfaiss-dev). A query is
// compared with the cells' centres and then exactly with every vector of its `probes` nearest
// cells, so the scores it returns are exact and only which vectors it looks at is approximate.
// Vectors can be added after training (a cell is a list) and removed; the whole index is saved
// to one file and loaded again. One thread may modify it; searches are const and may run
// concurrently with each other.
class VectorIndex {
public:
    ~VectorIndex();
    VectorIndex(const VectorIndex &) = delete;
    VectorIndex &operator=(const VectorIndex &) = delete;

    // Fits the cells on a sample of `n` vectors (row-major, `dim` floats each) and adds them all
    // with their ids (distinct). Null with a reason when n is too small to fit `lists` cells.
    static std::unique_ptr<VectorIndex> build(const float *vectors, const int64_t *ids, size_t n, int dim,
        const VectorIndexOptions &options, std::string *error);
    // A file written by save(); null with a reason (missing, damaged, not an index of this kind).
    static std::unique_ptr<VectorIndex> load(const std::string &path, std::string *error);
    // Writes the index to `path` through a temporary file renamed over it, so a crash leaves the
    // old file or the new one, never a torn one. Each save gets a new save id (saveId()).
    bool save(const std::string &path, std::string *error) const;
    // A random number written with each save: which save a file on disk is, read from its last
    // bytes only (0: no index there, or one saved before save ids). A caller that records facts
    // about a saved index keys them by it, so a file another process saved since is not mistaken
    // for the one the facts are about.
    static uint64_t savedId(const std::string &path);
    // The save id of the file this index was loaded from or last saved to; 0 when neither.
    uint64_t saveId() const;

    // Adds vectors to the cells fitted at build (ids not already present); false with a reason.
    bool add(const float *vectors, const int64_t *ids, size_t n, std::string *error = nullptr);
    // Removes these ids where present (a few: each stored id is looked up in the list); returns
    // how many were.
    size_t remove(const std::vector<int64_t> &ids);

    size_t size() const;
    int dim() const;
    int lists() const;
    int probes() const;
    void setProbes(int probes);

    // The `k` best by inner product, best first. `allowed` (ascending ids), when given, restricts
    // the answer to those ids; where they are few (a narrow filter), they are all scored exactly
    // instead of scanning cells that hold hardly any of them.
    std::vector<IndexHit> search(
        const float *query, int k, const std::vector<int64_t> *allowed = nullptr) const;
    // The same over every stored vector (every cell scanned): what search() approximates.
    std::vector<IndexHit> searchExact(
        const float *query, int k, const std::vector<int64_t> *allowed = nullptr) const;
    // The stored vector of `id` into out (dim floats); false when the id is not in the index.
    bool vector(int64_t id, float *out) const;
    // Every stored id, ascending.
    std::vector<int64_t> ids() const;

private:
    struct Impl;
    explicit VectorIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace descry
