#include "ClusteringMetrics.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace descry {

BCubedScores bcubed(const std::vector<int> &group, const std::vector<int> &person, const std::vector<uint8_t> &counted)
{
    BCubedScores out;
    const size_t n = std::min(group.size(), person.size());
    std::map<int, int> groupSize, personSize;
    std::map<std::pair<int, int>, int> both;
    for (size_t i = 0; i < n; ++i) {
        ++groupSize[group[i]];
        ++personSize[person[i]];
        ++both[{ group[i], person[i] }];
    }
    std::set<int> groups, people;
    double precision = 0, recall = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!counted.empty() && (i >= counted.size() || !counted[i]))
            continue;
        const double shared = both[{ group[i], person[i] }];
        precision += shared / groupSize[group[i]];
        recall += shared / personSize[person[i]];
        groups.insert(group[i]);
        people.insert(person[i]);
        ++out.items;
    }
    if (out.items == 0)
        return out;
    out.precision = precision / out.items;
    out.recall = recall / out.items;
    out.f1 = out.precision + out.recall > 0 ? 2 * out.precision * out.recall / (out.precision + out.recall) : 0;
    out.groups = int(groups.size());
    out.people = int(people.size());
    return out;
}

} // namespace descry
