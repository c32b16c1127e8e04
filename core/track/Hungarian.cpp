#include "Hungarian.h"

#include <algorithm>
#include <limits>

namespace descry {

namespace {

// Classic potentials formulation for n <= m (every row gets a column); returns for each
// row its column.
std::vector<int> assignRows(const std::vector<double> &a, int n, int m)
{
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(size_t(n) + 1, 0), v(size_t(m) + 1, 0), minv(size_t(m) + 1);
    std::vector<int> p(size_t(m) + 1, 0), way(size_t(m) + 1, 0);
    std::vector<char> used(size_t(m) + 1);
    for (int i = 1; i <= n; ++i) {
        p[0] = i;
        int j0 = 0;
        std::fill(minv.begin(), minv.end(), inf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[size_t(j0)] = 1;
            const int i0 = p[size_t(j0)];
            double delta = inf;
            int j1 = 0;
            for (int j = 1; j <= m; ++j) {
                if (used[size_t(j)])
                    continue;
                const double cur
                    = a[size_t(i0 - 1) * size_t(m) + size_t(j - 1)] - u[size_t(i0)] - v[size_t(j)];
                if (cur < minv[size_t(j)]) {
                    minv[size_t(j)] = cur;
                    way[size_t(j)] = j0;
                }
                if (minv[size_t(j)] < delta) {
                    delta = minv[size_t(j)];
                    j1 = j;
                }
            }
            for (int j = 0; j <= m; ++j) {
                if (used[size_t(j)]) {
                    u[size_t(p[size_t(j)])] += delta;
                    v[size_t(j)] -= delta;
                } else {
                    minv[size_t(j)] -= delta;
                }
            }
            j0 = j1;
        } while (p[size_t(j0)] != 0);
        do {
            const int j1 = way[size_t(j0)];
            p[size_t(j0)] = p[size_t(j1)];
            j0 = j1;
        } while (j0);
    }
    std::vector<int> rowToCol(size_t(n), -1);
    for (int j = 1; j <= m; ++j)
        if (p[size_t(j)] > 0)
            rowToCol[size_t(p[size_t(j)] - 1)] = j - 1;
    return rowToCol;
}

} // namespace

std::vector<std::pair<int, int>> Hungarian::solve(
    const std::vector<double> &cost, int rows, int cols, double infeasible)
{
    std::vector<std::pair<int, int>> pairs;
    if (rows <= 0 || cols <= 0)
        return pairs;
    // Infeasible entries are capped so the arithmetic stays finite.
    const bool transpose = rows > cols;
    const int n = transpose ? cols : rows, m = transpose ? rows : cols;
    std::vector<double> a(size_t(n) * size_t(m));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            const double c = transpose ? cost[size_t(j) * size_t(cols) + size_t(i)]
                                       : cost[size_t(i) * size_t(cols) + size_t(j)];
            a[size_t(i) * size_t(m) + size_t(j)] = std::min(c, infeasible);
        }
    const std::vector<int> assigned = assignRows(a, n, m);
    for (int i = 0; i < n; ++i) {
        const int j = assigned[size_t(i)];
        if (j < 0 || a[size_t(i) * size_t(m) + size_t(j)] >= infeasible)
            continue;
        pairs.emplace_back(transpose ? j : i, transpose ? i : j);
    }
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

} // namespace descry
