#pragma once

#include <QJsonObject>
#include <QString>

#include <vector>

namespace descry {

class RvnReranker;

// Text-to-image retrieval quality as the text-based person search papers report it: for every
// query, the gallery ranked by score; R@K is the share of queries with a relevant item (same
// identity) among the first K, mAP the mean average precision over all relevant items.
struct RetrievalMetrics {
    QString name; // what was measured, e.g. "NAFS (all scales, non-local, RVN)"
    int queries = 0;
    int gallery = 0;
    double r1 = 0, r5 = 0, r10 = 0, mAP = 0;
    QJsonObject toJson() const;
};

// scores: queries x gallery, row-major; higher ranks first, ties broken by gallery index.
// Queries without any relevant gallery item are skipped (not counted).
RetrievalMetrics retrievalMetrics(const std::vector<float> &scores, const std::vector<int> &queryLabels,
    const std::vector<int> &galleryLabels, const QString &name = {});

// Image -> image retrieval (find similar): every image probes the other n - 1 by the dot product
// of its row of `visual` (n x dim, row-major; L2-normalised rows give the cosine), optionally
// re-ranked by RVN; the probe itself is left out of its own gallery. Metrics are the mean over
// probes that have another image of their identity.
RetrievalMetrics imageToImageMetrics(const std::vector<float> &visual, const std::vector<int> &labels, int dim,
    const RvnReranker *rvn = nullptr, const QString &name = {});

} // namespace descry
