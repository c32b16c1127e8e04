#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace descry::test {

// n unit rows of `dim` floats around `clusters` centres (row i belongs to centre i % clusters), as
// people's features gather around each person's: the neighbour tests' data.
inline std::vector<float> clustered(int n, int dim, int clusters, float spread, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.f, 1.f);
    std::vector<float> centres(static_cast<size_t>(clusters) * static_cast<size_t>(dim));
    for (float &x : centres)
        x = gauss(rng);
    std::vector<float> rows(static_cast<size_t>(n) * static_cast<size_t>(dim));
    for (int i = 0; i < n; ++i) {
        double norm = 0;
        for (int d = 0; d < dim; ++d) {
            float &x = rows[size_t(i) * size_t(dim) + size_t(d)];
            x = centres[size_t(i % clusters) * size_t(dim) + size_t(d)] + spread * gauss(rng);
            norm += double(x) * x;
        }
        for (int d = 0; d < dim; ++d)
            rows[size_t(i) * size_t(dim) + size_t(d)] /= float(std::sqrt(norm));
    }
    return rows;
}

} // namespace descry::test
