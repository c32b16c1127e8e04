#include "BodyPose.h"

#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>

namespace descry {

namespace {

// Where the zone bounds sit relative to the joints MoveNet places: the shoulder keypoint is the
// joint, a little below the top of the shoulder; the hip keypoint is the joint, and tops reach
// a little below it; the ankle keypoint is above the shoe.
constexpr float kNeckAboveShoulders = 0.01f;
constexpr float kWaistBelowHips = 0.03f;
constexpr float kShoeAboveAnkles = 0.04f;
constexpr float kMinZone = 0.06f; // a zone thinner than this is a misplaced keypoint
constexpr float kBoxMargin = 0.15f; // keypoints this far outside the person box belong to someone else

// Mean y of the confident keypoints of `group` inside the (widened) person box.
std::optional<float> level(const Pose &pose, const Box &person, std::initializer_list<Keypoint> group)
{
    float sum = 0;
    int n = 0;
    for (Keypoint k : group) {
        const KeypointEstimate &e = pose[k];
        const bool inside = e.x >= person.x - kBoxMargin * person.w
            && e.x <= person.right() + kBoxMargin * person.w && e.y >= person.y - kBoxMargin * person.h
            && e.y <= person.bottom() + kBoxMargin * person.h;
        if (e.confident() && inside) {
            sum += e.y;
            ++n;
        }
    }
    return n > 0 ? std::optional<float>(sum / float(n)) : std::nullopt;
}

// Fills the bounds from the proposals (nullopt: not placed by the pose), interpolating each
// unplaced inner bound between its placed neighbours as the standard layout would; false when
// a zone comes out thinner than kMinZone.
bool fill(const std::array<std::optional<float>, 3> &proposed, std::array<float, 5> *bounds)
{
    const auto &standard = BodyLayout::kStandard;
    for (size_t i = 1; i <= 3; ++i) {
        if (proposed[i - 1]) {
            (*bounds)[i] = *proposed[i - 1];
            continue;
        }
        size_t lo = i - 1, hi = i + 1;
        while (hi < 4 && !proposed[hi - 1])
            ++hi;
        const float loValue = lo == 0 ? 0.f : (*bounds)[lo];
        const float hiValue = hi == 4 ? 1.f : *proposed[hi - 1];
        const float t = (standard[i] - standard[lo]) / (standard[hi] - standard[lo]);
        (*bounds)[i] = loValue + t * (hiValue - loValue);
    }
    for (size_t i = 0; i < 4; ++i)
        if ((*bounds)[i + 1] - (*bounds)[i] < kMinZone)
            return false;
    return true;
}

} // namespace

const char *keypointName(Keypoint k)
{
    static constexpr std::array<const char *, kKeypoints> names { "nose", "left_eye", "right_eye", "left_ear",
        "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
        "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle" };
    return names[size_t(k)];
}

int Pose::confidentCount() const
{
    return int(std::count_if(
        keypoints.begin(), keypoints.end(), [](const KeypointEstimate &k) { return k.confident(); }));
}

QByteArray Pose::toBytes() const
{
    QByteArray bytes(kKeypoints * 3 * 4, Qt::Uninitialized);
    char *out = bytes.data();
    for (const KeypointEstimate &k : keypoints)
        for (float v : { k.x, k.y, k.score }) {
            qToLittleEndian(v, out);
            out += 4;
        }
    return bytes;
}

std::optional<Pose> Pose::fromBytes(const QByteArray &bytes)
{
    if (bytes.size() != kKeypoints * 3 * 4)
        return std::nullopt;
    Pose pose;
    const char *in = bytes.constData();
    for (KeypointEstimate &k : pose.keypoints)
        for (float *v : { &k.x, &k.y, &k.score }) {
            *v = qFromLittleEndian<float>(in);
            in += 4;
        }
    return pose;
}

const std::vector<std::pair<Keypoint, Keypoint>> &skeletonBones()
{
    using K = Keypoint;
    static const std::vector<std::pair<K, K>> bones { { K::Nose, K::LeftEye }, { K::Nose, K::RightEye },
        { K::LeftEye, K::LeftEar }, { K::RightEye, K::RightEar }, { K::LeftShoulder, K::RightShoulder },
        { K::LeftShoulder, K::LeftElbow }, { K::LeftElbow, K::LeftWrist },
        { K::RightShoulder, K::RightElbow }, { K::RightElbow, K::RightWrist },
        { K::LeftShoulder, K::LeftHip }, { K::RightShoulder, K::RightHip }, { K::LeftHip, K::RightHip },
        { K::LeftHip, K::LeftKnee }, { K::LeftKnee, K::LeftAnkle }, { K::RightHip, K::RightKnee },
        { K::RightKnee, K::RightAnkle } };
    return bones;
}

BodyLayout BodyLayout::fromPose(const Pose &pose, const Box &person)
{
    BodyLayout layout;
    if (person.h <= 1 || person.w <= 1)
        return layout;
    using K = Keypoint;
    const auto fraction = [&](std::optional<float> y, float offset) -> std::optional<float> {
        if (!y)
            return std::nullopt;
        const float f = (*y - person.y) / person.h + offset;
        return f > kMinZone && f < 1.f - kMinZone ? std::optional<float>(f) : std::nullopt;
    };
    const auto shoulders = level(pose, person, { K::LeftShoulder, K::RightShoulder });
    const auto hips = level(pose, person, { K::LeftHip, K::RightHip });
    const auto knees = level(pose, person, { K::LeftKnee, K::RightKnee });
    const auto ankles = level(pose, person, { K::LeftAnkle, K::RightAnkle });
    std::array<std::optional<float>, 3> proposed { fraction(shoulders, -kNeckAboveShoulders),
        fraction(hips, kWaistBelowHips), fraction(ankles, -kShoeAboveAnkles) };
    // A keypoint on the wrong body part makes a zone too thin or reverses two: drop the placed
    // bound that moved furthest from the standard one until the zones make sense again.
    while (!fill(proposed, &layout.bounds)) {
        int worst = -1;
        float furthest = -1;
        for (int i = 0; i < 3; ++i)
            if (proposed[size_t(i)] && std::abs(*proposed[size_t(i)] - kStandard[size_t(i) + 1]) > furthest) {
                furthest = std::abs(*proposed[size_t(i)] - kStandard[size_t(i) + 1]);
                worst = i;
            }
        if (worst < 0) {
            layout.bounds = kStandard;
            break;
        }
        proposed[size_t(worst)].reset();
    }
    for (size_t i = 0; i < 3; ++i)
        layout.placed[i] = proposed[i].has_value();
    // Hidden parts: only a body seen clearly above can say that what is below is not there.
    const bool upperSeen
        = shoulders && (hips || (pose[K::LeftShoulder].confident() && pose[K::RightShoulder].confident()));
    if (upperSeen && !knees && !ankles) {
        layout.visible[Feet] = false;
        layout.visible[Lower] = hips.has_value(); // cut at the waist: no trousers to see
    }
    return layout;
}

int BodyLayout::zoneAt(float fy) const
{
    for (int z = 0; z < ZoneCount - 1; ++z)
        if (fy < bounds[size_t(z) + 1])
            return z;
    return Feet;
}

float BodyLayout::toStandard(float fy) const
{
    const auto z = size_t(zoneAt(fy));
    const float t = std::clamp((fy - bounds[z]) / (bounds[z + 1] - bounds[z]), 0.f, 1.f);
    return kStandard[z] + t * (kStandard[z + 1] - kStandard[z]);
}

const char *bodyZoneName(BodyLayout::Zone zone)
{
    static constexpr std::array<const char *, BodyLayout::ZoneCount> names { "head", "upper body",
        "lower body", "feet" };
    return names[size_t(zone)];
}

int bodyLevelsSeen(const Pose &pose, const Box &person)
{
    using K = Keypoint;
    int seen = 0;
    for (const auto group : { std::initializer_list<K> { K::LeftShoulder, K::RightShoulder },
             { K::LeftHip, K::RightHip }, { K::LeftKnee, K::RightKnee }, { K::LeftAnkle, K::RightAnkle } })
        seen += level(pose, person, group) ? 1 : 0;
    return seen;
}

float poseQualityFactor(const Pose &pose, const Box &person)
{
    using K = Keypoint;
    const int seen = bodyLevelsSeen(pose, person); // the head counts through the face, below
    const bool face
        = pose[K::Nose].confident() && (pose[K::LeftEye].confident() || pose[K::RightEye].confident());
    // Facing the camera, the person's left shoulder is on the right of the image.
    const bool backTurned = pose[K::LeftShoulder].confident() && pose[K::RightShoulder].confident()
        && pose[K::LeftShoulder].x < pose[K::RightShoulder].x;
    const float frontal = face && !backTurned ? 1.f : 0.f;
    return 0.5f + 0.4f * float(seen) / 4.f + 0.1f * frontal;
}

} // namespace descry
