#include "RetrievalMetrics.h"

#include "RvnReranker.h"

#include <algorithm>
#include <numeric>

namespace descry {

namespace {

// Sums over queries -> means (nothing to divide when no query counted).
RetrievalMetrics averaged(RetrievalMetrics sum)
{
    if (sum.queries > 0) {
        sum.r1 /= sum.queries;
        sum.r5 /= sum.queries;
        sum.r10 /= sum.queries;
        sum.mAP /= sum.queries;
    }
    return sum;
}

} // namespace

QJsonObject RetrievalMetrics::toJson() const
{
    QJsonObject json;
    json[QStringLiteral("name")] = name;
    json[QStringLiteral("queries")] = queries;
    json[QStringLiteral("gallery")] = gallery;
    json[QStringLiteral("r1")] = r1;
    json[QStringLiteral("r5")] = r5;
    json[QStringLiteral("r10")] = r10;
    json[QStringLiteral("mAP")] = mAP;
    return json;
}

RetrievalMetrics retrievalMetrics(const std::vector<float> &scores, const std::vector<int> &queryLabels,
    const std::vector<int> &galleryLabels, const QString &name)
{
    RetrievalMetrics m;
    m.name = name;
    const size_t g = galleryLabels.size();
    m.gallery = int(g);
    std::vector<int> order(g);
    for (size_t q = 0; q < queryLabels.size(); ++q) {
        const float *row = scores.data() + q * g;
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [row](int a, int b) { return row[a] > row[b]; });
        int relevantSeen = 0;
        double precisionSum = 0;
        int firstHit = -1;
        for (size_t rank = 0; rank < g; ++rank) {
            if (galleryLabels[size_t(order[rank])] != queryLabels[q])
                continue;
            ++relevantSeen;
            precisionSum += double(relevantSeen) / double(rank + 1);
            if (firstHit < 0)
                firstHit = int(rank);
        }
        if (relevantSeen == 0)
            continue;
        ++m.queries;
        m.r1 += firstHit < 1;
        m.r5 += firstHit < 5;
        m.r10 += firstHit < 10;
        m.mAP += precisionSum / relevantSeen;
    }
    return averaged(m);
}

RetrievalMetrics imageToImageMetrics(const std::vector<float> &visual, const std::vector<int> &labels, int dim, const RvnReranker *rvn,
    const QString &name)
{
    const int n = int(labels.size());
    RetrievalMetrics sum;
    sum.name = name;
    sum.gallery = n - 1;
    std::vector<float> others;
    std::vector<int> otherLabels;
    for (int probe = 0; probe < n; ++probe) {
        std::vector<float> row;
        others.clear();
        otherLabels.clear();
        for (int j = 0; j < n; ++j) {
            if (j == probe)
                continue;
            double dot = 0;
            for (int c = 0; c < dim; ++c)
                dot += double(visual[size_t(probe) * size_t(dim) + size_t(c)]) * visual[size_t(j) * size_t(dim) + size_t(c)];
            row.push_back(float(dot));
            otherLabels.push_back(labels[size_t(j)]);
            if (rvn)
                others.insert(others.end(), visual.begin() + long(j) * dim, visual.begin() + long(j + 1) * dim);
        }
        if (rvn)
            row = rvn->rerank(row, others.data(), dim);
        const RetrievalMetrics one = retrievalMetrics(row, {labels[size_t(probe)]}, otherLabels);
        if (one.queries == 0)
            continue;
        ++sum.queries;
        sum.r1 += one.r1;
        sum.r5 += one.r5;
        sum.r10 += one.r10;
        sum.mAP += one.mAP;
    }
    return averaged(sum);
}

} // namespace descry
