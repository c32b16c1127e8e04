#pragma once

#include "NearestNeighbours.h"

#include <vector>

namespace descry {

// NFormer's reciprocal neighbour softmax (seed 001), without learned projections: each row is
// replaced by the softmax-weighted mean of itself and its reciprocal neighbours (j attends to i
// only where each is among the other's first `reciprocalK`), weights exp(similarity / temperature),
// then made unit length. Outlying views of a person move toward the rest of that person, while a
// row with no reciprocal neighbour stays as it was. The neighbour lists stand in for NFormer's
// landmark agent attention: like the landmarks, they spare the n x n affinity matrix, and the
// similarities on them are exact.
struct NeighbourAttentionOptions {
    int reciprocalK = 5;
    double temperature = 0.1;
};

// `lists` are the rows' nearest (exactNeighbours or approximateNeighbours, k >= reciprocalK, their
// scores the rows' inner products). Returns n x dim floats, row-major.
std::vector<float> attendToNeighbours(const float *rows, int n, int dim, const NeighbourLists &lists,
    const NeighbourAttentionOptions &options = {});

} // namespace descry
