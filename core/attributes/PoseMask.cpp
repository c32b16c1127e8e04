#include "PoseMask.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

// Widths as fractions of the person's height, from a standing adult in everyday clothes
// (shoulders ~0.25 h wide, an upper arm in a sleeve ~0.07 h, a trouser leg ~0.09 h).
constexpr float kArm = 0.08f, kLeg = 0.10f, kHeadRadius = 0.065f, kGrow = 0.01f;
constexpr int kMinConfident = 8;

cv::Point point(const KeypointEstimate &k)
{
    return { int(std::lround(k.x)), int(std::lround(k.y)) };
}

} // namespace

cv::Mat poseMask(const Pose &pose, const Box &person, cv::Size size)
{
    using K = Keypoint;
    const auto seen = [&](K k) { return pose[k].confident(); };
    const bool shoulder = seen(K::LeftShoulder) || seen(K::RightShoulder);
    const bool hip = seen(K::LeftHip) || seen(K::RightHip);
    if (!shoulder || !hip || pose.confidentCount() < kMinConfident || person.h <= 0)
        return {};
    const float h = person.h;
    cv::Mat mask(size, CV_8U, cv::Scalar(0));
    // The torso: the polygon of the seen shoulders and hips, its edges and the limbs as strokes.
    std::vector<cv::Point> torso;
    for (K k : { K::LeftShoulder, K::RightShoulder, K::RightHip, K::LeftHip })
        if (seen(k))
            torso.push_back(point(pose[k]));
    std::vector<cv::Point> hull;
    cv::convexHull(torso, hull);
    if (hull.size() >= 3)
        cv::fillConvexPoly(mask, hull, cv::Scalar(255));
    struct Limb {
        K a, b;
        float width;
    };
    constexpr Limb kLimbs[] { { K::LeftShoulder, K::LeftHip, kArm }, { K::RightShoulder, K::RightHip, kArm },
        { K::LeftShoulder, K::RightShoulder, kArm }, { K::LeftHip, K::RightHip, kLeg },
        { K::LeftShoulder, K::LeftElbow, kArm }, { K::LeftElbow, K::LeftWrist, kArm },
        { K::RightShoulder, K::RightElbow, kArm }, { K::RightElbow, K::RightWrist, kArm },
        { K::LeftHip, K::LeftKnee, kLeg }, { K::LeftKnee, K::LeftAnkle, kLeg },
        { K::RightHip, K::RightKnee, kLeg }, { K::RightKnee, K::RightAnkle, kLeg } };
    for (const Limb &limb : kLimbs)
        if (seen(limb.a) && seen(limb.b))
            cv::line(mask, point(pose[limb.a]), point(pose[limb.b]), cv::Scalar(255),
                std::max(1, int(limb.width * h)));
    for (K ankle : { K::LeftAnkle, K::RightAnkle }) // the shoe below the ankle
        if (seen(ankle))
            cv::circle(mask, point(pose[ankle]) + cv::Point(0, int(0.02f * h)), int(0.04f * h),
                cv::Scalar(255), cv::FILLED);

    // The head: around the face keypoints seen, else above the shoulders.
    float hx = 0, hy = 0;
    int n = 0;
    for (K k : { K::Nose, K::LeftEye, K::RightEye, K::LeftEar, K::RightEar })
        if (seen(k)) {
            hx += pose[k].x;
            hy += pose[k].y;
            ++n;
        }
    if (n == 0) {
        for (K k : { K::LeftShoulder, K::RightShoulder })
            if (seen(k)) {
                hx += pose[k].x;
                hy += pose[k].y - 0.10f * h;
                ++n;
            }
    }
    const cv::Point head(int(std::lround(hx / float(n))), int(std::lround(hy / float(n))));
    cv::circle(mask, head, int(kHeadRadius * h), cv::Scalar(255), cv::FILLED);
    // Hair and a hat sit above the face keypoints; the neck joins head and shoulders.
    cv::circle(mask, head - cv::Point(0, int(0.04f * h)), int(kHeadRadius * h), cv::Scalar(255), cv::FILLED);
    for (K k : { K::LeftShoulder, K::RightShoulder })
        if (seen(k))
            cv::line(mask, head, point(pose[k]), cv::Scalar(255), std::max(1, int(kArm * h)));

    const int grow = std::max(1, int(std::lround(kGrow * h)));
    cv::dilate(
        mask, mask, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow + 1, 2 * grow + 1)));
    return mask;
}

} // namespace descry
