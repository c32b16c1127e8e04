#include "SceneEvaluation.h"

#include "Gallery.h"
#include "SearchEngine.h"

#include <algorithm>
#include <map>
#include <set>

namespace descry {

std::vector<TrackletIdentity> assignTrackletIdentities(
    Gallery &gallery, int64_t sourceId, const SceneTruth &truth, float minIou)
{
    std::vector<TrackletIdentity> out;
    for (const TrackletRecord &t : gallery.tracklets(sourceId)) {
        std::map<int, int> votes;
        const std::vector<DetectionRecord> detections = gallery.detections(t.id);
        for (const DetectionRecord &d : detections) {
            int best = 0;
            float bestIou = minIou;
            for (const TruthBox &b : truth.boxesInFrame(d.frame)) {
                const float overlap = iou(d.box, b.box);
                if (overlap >= bestIou) {
                    bestIou = overlap;
                    best = b.identity;
                }
            }
            if (best > 0)
                ++votes[best];
        }
        TrackletIdentity assignment { t.id, 0, 0 };
        for (const auto &[identity, count] : votes) {
            const float share = detections.empty() ? 0.f : float(count) / float(detections.size());
            if (share > assignment.purity)
                assignment = { t.id, identity, share };
        }
        out.push_back(assignment);
    }
    return out;
}

RetrievalScores evaluateTextRetrieval(SearchEngine &engine, const std::vector<TrackletIdentity> &assignments,
    const SceneTruth &truth, int captionIndex)
{
    std::map<int64_t, int> identityOf;
    std::set<int> present;
    for (const TrackletIdentity &a : assignments) {
        identityOf[a.trackletId] = a.identity;
        if (a.identity > 0)
            present.insert(a.identity);
    }
    RetrievalScores scores;
    std::vector<std::pair<int, QString>> firstHits; // rank of first relevant result, query
    for (const IdentityTruth &identity : truth.identities) {
        if (!present.count(identity.id) || identity.captions.isEmpty())
            continue;
        const QString caption = identity.captions.value(captionIndex % identity.captions.size());
        SearchRequest request;
        request.text = caption;
        request.topK = 0;
        const SearchResponse response = engine.search(request);
        int firstHit = int(assignments.size()) + 1;
        int relevantSeen = 0;
        double precisionSum = 0;
        int relevantTotal = 0;
        for (const auto &a : assignments)
            relevantTotal += a.identity == identity.id ? 1 : 0;
        for (size_t rank = 0; rank < response.results.size(); ++rank) {
            if (identityOf[response.results[rank].tracklet.id] != identity.id)
                continue;
            firstHit = std::min(firstHit, int(rank) + 1);
            ++relevantSeen;
            precisionSum += double(relevantSeen) / double(rank + 1);
        }
        ++scores.queries;
        scores.r1 += firstHit <= 1 ? 1 : 0;
        scores.r5 += firstHit <= 5 ? 1 : 0;
        scores.r10 += firstHit <= 10 ? 1 : 0;
        scores.mAP += relevantTotal > 0 ? precisionSum / relevantTotal : 0;
        firstHits.push_back({ firstHit, caption });
    }
    if (scores.queries > 0) {
        scores.r1 /= scores.queries;
        scores.r5 /= scores.queries;
        scores.r10 /= scores.queries;
        scores.mAP /= scores.queries;
    }
    std::stable_sort(
        firstHits.begin(), firstHits.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (size_t i = 0; i < std::min<size_t>(3, firstHits.size()); ++i)
        scores.worst.append(QStringLiteral("rank %1: %2").arg(firstHits[i].first).arg(firstHits[i].second));
    return scores;
}

} // namespace descry
