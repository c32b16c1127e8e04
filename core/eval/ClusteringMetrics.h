#pragma once

#include <cstdint>
#include <vector>

namespace descry {

// BCubed precision and recall (Bagga & Baldwin; Amigó et al. 2009) of a grouping against the truth:
// for each item, precision is the share of its group that is its person, recall the share of its
// person that is in its group; both averaged over the counted items. One person split into two
// groups costs recall, two people in one group cost precision.
struct BCubedScores {
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    int items = 0; // counted
    int groups = 0; // distinct groups among the counted items
    int people = 0; // distinct people among the counted items
};

// `group` and `person`: one label per item. Group sizes count every item; `counted` (empty:
// all) says which items' scores are averaged, so one split's people can be scored inside a
// grouping of everyone (a dev person grouped with a test person still costs precision).
BCubedScores bcubed(const std::vector<int> &group, const std::vector<int> &person, const std::vector<uint8_t> &counted = {});

} // namespace descry
