#include "PoseBenchmark.h"

#include "Gallery.h"
#include "PoseEstimator.h"

#include <QElapsedTimer>

#include <cmath>

namespace descry {

std::vector<PoseCrop> galleryCrops(Gallery &gallery, int limit)
{
    std::vector<PoseCrop> out;
    for (const TrackletRecord &t : gallery.tracklets())
        for (const CropRecord &c : gallery.crops(t.id)) {
            if (limit > 0 && int(out.size()) >= limit)
                return out;
            out.push_back({ gallery.cropImage(c.id), c.person });
        }
    return out;
}

PoseModelScore scorePoseModel(
    PoseEstimator &estimator, const std::vector<PoseCrop> &crops, std::vector<Pose> *poses)
{
    PoseModelScore score;
    score.model = estimator.name();
    poses->assign(crops.size(), Pose {});
    double ms = 0;
    for (size_t i = 0; i < crops.size(); ++i) {
        QElapsedTimer clock;
        clock.start();
        QString error;
        const bool ok = estimator.estimate(crops[i].jpeg, &(*poses)[i], &error);
        ms += double(clock.nsecsElapsed()) / 1e6;
        if (!ok)
            continue;
        ++score.crops;
        const BodyLayout layout = BodyLayout::fromPose((*poses)[i], crops[i].person);
        for (size_t b = 0; b < 3; ++b)
            score.placedShare[b] += layout.placed[b] ? 1 : 0;
        score.meanFactor += poseQualityFactor((*poses)[i], crops[i].person);
        score.wholeShare += bodyLevelsSeen((*poses)[i], crops[i].person) == 4 ? 1 : 0;
    }
    if (score.crops > 0) {
        for (double &v : score.placedShare)
            v /= score.crops;
        score.wholeShare /= score.crops;
        score.meanFactor /= score.crops;
    }
    score.msPerCrop = crops.empty() ? 0 : ms / double(crops.size());
    return score;
}

PoseAgreement poseAgreement(
    const std::vector<PoseCrop> &crops, const std::vector<Pose> &a, const std::vector<Pose> &b)
{
    PoseAgreement out;
    int close = 0;
    double bounds = 0;
    for (size_t i = 0; i < crops.size() && i < a.size() && i < b.size(); ++i) {
        const float h = std::max(1.f, crops[i].person.h);
        for (int k = 0; k < kKeypoints; ++k) {
            const KeypointEstimate &p = a[i].keypoints[size_t(k)], &q = b[i].keypoints[size_t(k)];
            if (!p.confident() || !q.confident())
                continue;
            ++out.keypointPairs;
            close += std::hypot(p.x - q.x, p.y - q.y) <= 0.1f * h ? 1 : 0;
        }
        const BodyLayout la = BodyLayout::fromPose(a[i], crops[i].person);
        const BodyLayout lb = BodyLayout::fromPose(b[i], crops[i].person);
        for (size_t z = 0; z < 3; ++z)
            if (la.placed[z] && lb.placed[z]) {
                ++out.boundPairs;
                bounds += std::abs(la.bounds[z + 1] - lb.bounds[z + 1]);
            }
    }
    out.pck = out.keypointPairs > 0 ? double(close) / out.keypointPairs : 0;
    out.meanBoundDistance = out.boundPairs > 0 ? bounds / out.boundPairs : 0;
    return out;
}

} // namespace descry
