#pragma once

#include <cstddef>
#include <vector>

namespace descry {

// Every row's nearest other rows, k per row, row-major: neighbour(i, r) is row i's r-th nearest
// (the highest inner product first), -1 where fewer than k were found.
struct NeighbourLists {
    int rows = 0;
    int k = 0;
    std::vector<int> index;
    std::vector<float> score; // the inner products

    int neighbour(int row, int rank) const
    {
        return index[std::size_t(row) * std::size_t(k) + std::size_t(rank)];
    }
    float similarity(int row, int rank) const
    {
        return score[std::size_t(row) * std::size_t(k) + std::size_t(rank)];
    }
};

// A hierarchical navigable small-world graph (HNSW) over the rows: each row links to about `links`
// others per layer; `buildBreadth` and `searchBreadth` are how many candidates the insertion and the
// search keep (higher: better neighbours, slower). With `reducedDim` > 0 the graph holds the rows'
// first reducedDim principal components instead of the rows (PCA fitted on them): a graph search
// spends its time reading whole rows at random, so fewer floats a row is most of its speed. The
// defaults were measured on identity grouping's vectors (models/README.md, "Identities").
struct ApproximateNeighbourOptions {
    int links = 16;
    int buildBreadth = 40;
    int searchBreadth = 64;
    int reducedDim = 64;
    // Then one step of neighbours' neighbours on the full rows: each row's list and the first
    // refineFanOut of its first refineFanOut neighbours' lists, scored exactly, the best k kept
    // (0: only the rows' own lists scored again on the full rows, when reducedDim projected them).
    int refineFanOut = 8;
};

// Every one of the n rows' k nearest other rows (dim floats each, row-major; unit length when the
// inner product should be a cosine), approximately: one graph built over all rows (or their
// principal components), each row searched in it, then the lists refined and ordered on the full
// rows (scores are the full rows' inner products). O(n log n) where the exact answer is O(n^2);
// how many of the exact neighbours it finds depends on the data (descry-cli bench identities
// --cost and --grouping-cost measure it). FAISS threads the graph's building and search (OpenMP),
// so which of two near-equal rows makes a list can vary between runs.
NeighbourLists approximateNeighbours(
    const float *rows, int n, int dim, int k, const ApproximateNeighbourOptions &options = {});

// The lists' scores replaced by the inner products of `rows` (n x dim, the same rows in the same
// order, e.g. after NeighbourAttention), each list ordered again by them.
void rescoreNeighbours(NeighbourLists *lists, const float *rows, int dim);

// The same, exactly, by brute force (for measuring the approximation).
NeighbourLists exactNeighbours(const float *rows, int n, int dim, int k);

} // namespace descry
