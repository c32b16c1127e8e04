#pragma once

#include <utility>
#include <vector>

namespace descry {

// Minimum-cost assignment (Kuhn-Munkres with potentials, O(n^2 m)) for a rows x cols cost
// matrix given row-major. Pairs whose cost is >= `infeasible` are never returned, so gated
// pairs can be marked with a large cost. Deterministic: ties resolve by index.
class Hungarian {
public:
    static std::vector<std::pair<int, int>> solve(
        const std::vector<double> &cost, int rows, int cols, double infeasible);
};

} // namespace descry
