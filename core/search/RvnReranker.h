#pragma once

#include <vector>

namespace descry {

struct RvnOptions {
    int neighbours = 10; // l: size of the query's and of every candidate's neighbour set
    int candidates = 100; // K: how many of the best-scored items are re-ranked
    double weight = 0.5; // share of the neighbour agreement in the new score, in [0, 1]
};

// Re-ranking by visual neighbours (NAFS, Gao et al. 2021, section 3.4). A text query's best
// matches are usually right about the person but ranked by a noisy cross-modal score; images
// of the same person are close to each other in the visual space. So every candidate is
// re-scored by how well its own visual neighbourhood agrees with the query's neighbourhood:
//  - C: the top-K items by query score; N(T): the l best-scored of them (the query's neighbours);
//  - N(I): the l candidates nearest to candidate I by visual cosine similarity, I itself included;
//  - d(I) = 1 - |N(T) ∩ N(I)| / |N(T) ∪ N(I)| (Jaccard distance);
//  - new score = (1 - weight) * s_norm(I) + weight * (1 - d(I)), s_norm = the query score
//    min-max normalised over C.
// Only global features are used (as in the paper, to keep it fast): with K = 100 it costs a
// 100 x 100 similarity matrix per query. Deterministic: every tie is broken by gallery index.
class RvnReranker {
public:
    explicit RvnReranker(RvnOptions options = {});

    const RvnOptions &options() const { return m_options; }

    // queryScores: the query's score for each of the n gallery items (finite values). visual:
    // n x dim row-major, L2-normalised global visual features of the same items. Returns the
    // new scores (size n): the candidates get their re-ranked score in [0, 1]; every other item
    // gets a negative score that keeps its original position below all candidates: -1 for the
    // best of them, -2 for the next, ... (original order, ties by index). With fewer than K items
    // all of them are candidates, with fewer than l candidates l shrinks to their number.
    std::vector<float> rerank(const std::vector<float> &queryScores, const float *visual, int dim) const;

private:
    RvnOptions m_options;
};

} // namespace descry
