#include "RvnReranker.h"

#include <algorithm>

namespace descry {

namespace {

// Gallery indices ordered by query score, best first; equal scores by index. Sorts (score, index)
// pairs rather than indices into the scores: fewer cache misses on large galleries.
std::vector<int> rankByScore(const std::vector<float> &scores)
{
    struct Entry {
        float score;
        int index;
    };
    std::vector<Entry> entries(scores.size());
    for (size_t i = 0; i < scores.size(); ++i)
        entries[i] = { scores[i], int(i) };
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.score != b.score ? a.score > b.score : a.index < b.index;
    });
    std::vector<int> order(entries.size());
    for (size_t i = 0; i < entries.size(); ++i)
        order[i] = entries[i].index;
    return order;
}

// Eight independent partial sums: without -ffast-math the compiler keeps one scalar chain for a
// plain loop (the sum order is fixed); eight chains vectorise and run about five times faster.
float dot(const float *a, const float *b, size_t d)
{
    float acc[8] = {};
    size_t c = 0;
    for (; c + 8 <= d; c += 8)
        for (size_t u = 0; u < 8; ++u)
            acc[u] += a[c + u] * b[c + u];
    for (; c < d; ++c)
        acc[0] += a[c] * b[c];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// Cosine similarities of the candidates (features are L2-normalised, so dot products), k x k.
// The rows are copied together first: the gallery rows of a query's candidates are scattered.
std::vector<float> candidateSimilarities(const std::vector<int> &candidates, const float *visual, int dim)
{
    const size_t k = candidates.size(), d = size_t(dim);
    std::vector<float> rows(k * d);
    for (size_t i = 0; i < k; ++i)
        std::copy_n(visual + size_t(candidates[i]) * d, d, rows.data() + i * d);
    std::vector<float> sim(k * k);
    for (size_t i = 0; i < k; ++i) {
        const float *a = rows.data() + i * d;
        for (size_t j = i; j < k; ++j) {
            const float s = dot(a, rows.data() + j * d, d);
            sim[i * k + j] = s;
            sim[j * k + i] = s;
        }
    }
    return sim;
}

} // namespace

RvnReranker::RvnReranker(RvnOptions options)
    : m_options(options)
{ }

std::vector<float> RvnReranker::rerank(
    const std::vector<float> &queryScores, const float *visual, int dim) const
{
    const size_t n = queryScores.size();
    const std::vector<int> order = rankByScore(queryScores);
    const size_t k = std::min(n, size_t(std::max(0, m_options.candidates)));
    std::vector<float> out(n);
    // Items below the candidates keep their order under every candidate (whose scores are >= 0).
    for (size_t r = k; r < n; ++r)
        out[size_t(order[r])] = -float(r - k + 1);
    if (k == 0)
        return out;

    // Candidates are addressed by their rank p (0 = best); N(T) is then simply p < l.
    const std::vector<int> candidates(order.begin(), order.begin() + std::ptrdiff_t(k));
    const size_t l = std::clamp(size_t(std::max(1, m_options.neighbours)), size_t(1), k);
    const double weight = std::clamp(m_options.weight, 0.0, 1.0);
    const std::vector<float> sim
        = dim > 0 && visual ? candidateSimilarities(candidates, visual, dim) : std::vector<float>(k * k, 0.f);

    // The query score and the Jaccard similarity must share a scale for their weighted mean to
    // mean anything: cross-modal scores may be cosines in [-1, 1], logits or attribute scores,
    // the Jaccard similarity is in [0, 1]. So the score is min-max normalised over C to [0, 1].
    const float best = queryScores[size_t(candidates.front())];
    const float worst = queryScores[size_t(candidates.back())];
    const double range = double(best) - double(worst);

    std::vector<int> others;
    others.reserve(k);
    for (size_t p = 0; p < k; ++p) {
        // N(I): I itself (even when a duplicate image is as similar) plus its l - 1 most
        // similar other candidates; equal similarities go to the lower gallery index.
        const float *row = sim.data() + p * k;
        others.clear();
        for (size_t q = 0; q < k; ++q)
            if (q != p)
                others.push_back(int(q));
        const size_t more = l - 1;
        if (more > 0 && more < others.size()) {
            std::nth_element(
                others.begin(), others.begin() + std::ptrdiff_t(more - 1), others.end(), [&](int a, int b) {
                    const float sa = row[a], sb = row[b];
                    return sa != sb ? sa > sb : candidates[size_t(a)] < candidates[size_t(b)];
                });
        }
        size_t shared = p < l ? 1 : 0;
        for (size_t m = 0; m < more; ++m)
            shared += size_t(others[m]) < l ? 1 : 0;
        // Both sets have l members: |union| = 2l - |intersection|.
        const double jaccardSimilarity = double(shared) / double(2 * l - shared);
        const double normalised
            = range > 0 ? (double(queryScores[size_t(candidates[p])]) - worst) / range : 1.0;
        out[size_t(candidates[p])] = float((1 - weight) * normalised + weight * jaccardSimilarity);
    }
    return out;
}

} // namespace descry
