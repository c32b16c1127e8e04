#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace descry {

// One tracklet as identity grouping sees it: where and when it was seen.
struct IdentityItem {
    int64_t trackletId = 0;
    int64_t sourceId = 0;
    double start = 0; // seconds in its source
    double end = 0;
    int camera = -1; // index of its camera (IdentityTransit); -1: none
    // `start` on the wall clock (seconds since the epoch): its source's recording time + start;
    // NaN when the source's recording time is unknown.
    double wallStart = std::numeric_limits<double>::quiet_NaN();
};

// The least time a person needs between two cameras (indices as in IdentityItem::camera).
struct IdentityTransit {
    int cameraA = 0;
    int cameraB = 0;
    double minSeconds = 0;
};

// The appearance of every item, row by row in the items' order: the model's global vector
// (unit length) and the colour-stripe descriptor (unit length; hasColour 0 where the tracklet has
// none, e.g. ingested before colour descriptors existed).
struct IdentityFeatures {
    int visualDim = 0;
    std::vector<float> visual;
    int colourDim = 0;
    std::vector<float> colour;
    std::vector<uint8_t> hasColour;
};

// What an annotator said of two tracklets (indices into the items): the same person or not.
struct IdentityLink {
    int a = 0;
    int b = 0;
    bool same = true;
};

struct IdentityClusteringOptions {
    // Two groups merge while the mean affinity of their tracklet pairs is at least this. Chosen
    // on the dev people of the real caption set: the middle of the best BCubed F1 plateau at colour
    // weight 2 with neighbour attention 5:0.2 (0.78-0.82; without attention 0.70, on 0.70-0.72;
    // models/README.md, "Identities").
    double threshold = 0.80;
    // Affinity = (visual cosine + w x colour agreement) / (1 + w): find similar's score, scaled to
    // at most 1. The colour stripes re-identify real people better than the model alone.
    double colourWeight = 2.0;
    // Each tracklet keeps its nearest `neighbours` as edges; a pair that is no edge counts as
    // `absentAffinity` in the mean (exact when a gallery has at most neighbours + 1 tracklets).
    int neighbours = 48;
    double absentAffinity = 0.0;
    // Up to this many tracklets the neighbours are exact (all pairs, a block of matrix products at a
    // time: 2.2 s for 10 000); past it they come from an approximate neighbour graph (HNSW) and are
    // then scored exactly. Measured with descry-cli bench identities --cost (models/README.md).
    int exactNeighboursUpTo = 20000;
    // NFormer's reciprocal neighbour softmax on the affinity vectors before grouping (0: off): each
    // tracklet's vector becomes the softmax-weighted mean of itself and those of its first
    // `attentionNeighbours` that have it among theirs (NeighbourAttention), and the affinities are
    // those of the new vectors.
    // Chosen on the real caption set's dev people (models/README.md, "Identities": dev BCubed F1
    // 0.869 vs 0.827 without; the held-out test people 0.817 vs 0.758).
    int attentionNeighbours = 5;
    double attentionTemperature = 0.2;
    // Two tracklets of one source that overlap in time by more than this are two people.
    double simultaneousSeconds = 0.2;
    // Two tracklets of two cameras whose wall-clock times leave less than the cameras' transit
    // time between them are two people (only where both sources' recording times are known).
    std::vector<IdentityTransit> transits;
};

// Groups tracklets into people: average-linkage agglomerative clustering on appearance affinity,
// where two tracklets seen at the same time in one video can never end in one group, and an
// annotator's links win (same: grouped before anything else; different: never grouped).
class IdentityClustering {
public:
    // One label per item, 0..groups-1, numbered in the order of each group's first item.
    static std::vector<int> cluster(const std::vector<IdentityItem> &items, const IdentityFeatures &features,
        const std::vector<IdentityLink> &links, const IdentityClusteringOptions &options);

    // The affinity of items i and j (see IdentityClusteringOptions::colourWeight).
    static double affinity(const IdentityFeatures &features, int i, int j, double colourWeight);
    // One vector per item (row-major, *dim floats each) whose inner products are the affinities:
    // [visual, sqrt(w) colour] / sqrt(1 + w); the visual vector alone, zero-padded, for an item
    // without colour (then only close to its affinities). What the approximate neighbour graph holds.
    static std::vector<float> affinityVectors(const IdentityFeatures &features, int n, double colourWeight, int *dim);
    // Whether a and b were seen at the same time in one source (so cannot be one person).
    static bool simultaneous(const IdentityItem &a, const IdentityItem &b, double toleranceSeconds);
    // Whether a and b were seen by two cameras too close in time for one person to get from one
    // to the other; *gap and *needed (optional) say the seconds between them and the transit's.
    static bool tooSoon(const IdentityItem &a, const IdentityItem &b, const std::vector<IdentityTransit> &transits,
        double *gap = nullptr, double *needed = nullptr);
};

} // namespace descry
