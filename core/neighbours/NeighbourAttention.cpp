#include "NeighbourAttention.h"

#include <algorithm>
#include <cmath>

namespace descry {

std::vector<float> attendToNeighbours(
    const float *rows, int n, int dim, const NeighbourLists &lists, const NeighbourAttentionOptions &options)
{
    std::vector<float> out(rows, rows + size_t(n) * size_t(dim));
    const int k = std::min(options.reciprocalK, lists.k);
    if (k <= 0 || n <= 1)
        return out;
    const double temperature = std::max(options.temperature, 1e-6);
    auto inFirst = [&](int row, int other) {
        for (int r = 0; r < k; ++r)
            if (lists.neighbour(row, r) == other)
                return true;
        return false;
    };
#pragma omp parallel for schedule(dynamic, 256)
    for (int i = 0; i < n; ++i) {
        const float *self = rows + size_t(i) * size_t(dim);
        double selfSimilarity = 0;
        for (int d = 0; d < dim; ++d)
            selfSimilarity += double(self[d]) * self[d];
        // Logits relative to the row's own, so the softmax never overflows.
        std::vector<std::pair<int, double>> weights { { i, 1.0 } };
        for (int r = 0; r < k; ++r) {
            const int j = lists.neighbour(i, r);
            if (j >= 0 && j != i && inFirst(j, i))
                weights.emplace_back(
                    j, std::exp((double(lists.similarity(i, r)) - selfSimilarity) / temperature));
        }
        if (weights.size() == 1)
            continue;
        double total = 0;
        for (const auto &w : weights)
            total += w.second;
        float *target = out.data() + size_t(i) * size_t(dim);
        std::fill(target, target + dim, 0.f);
        for (const auto &[j, w] : weights) {
            const float *source = rows + size_t(j) * size_t(dim);
            const float share = float(w / total);
            for (int d = 0; d < dim; ++d)
                target[d] += share * source[d];
        }
        double norm = 0;
        for (int d = 0; d < dim; ++d)
            norm += double(target[d]) * target[d];
        const float scale = float(1.0 / std::sqrt(std::max(norm, 1e-20)));
        for (int d = 0; d < dim; ++d)
            target[d] *= scale;
    }
    return out;
}

} // namespace descry
