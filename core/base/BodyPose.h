#pragma once

#include "Box.h"

#include <QByteArray>

#include <array>
#include <optional>
#include <utility>
#include <vector>

namespace descry {

// The 17 COCO keypoints, in MoveNet's order.
enum class Keypoint {
    Nose,
    LeftEye,
    RightEye,
    LeftEar,
    RightEar,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle
};
constexpr int kKeypoints = 17;
const char *keypointName(Keypoint k); // "nose", "left_shoulder", ...

// A keypoint counts as seen from this score on (MoveNet's own demos draw from 0.3).
constexpr float kConfidentKeypoint = 0.3f;

struct KeypointEstimate {
    float x = 0, y = 0; // pixels of the image the pose was estimated on (a crop)
    float score = 0; // the network's confidence in [0, 1]
    bool confident() const { return score >= kConfidentKeypoint; }
};

// One person's body pose. Plain, so it crosses into the gallery and the GUI without OpenCV.
struct Pose {
    std::array<KeypointEstimate, kKeypoints> keypoints {};
    const KeypointEstimate &operator[](Keypoint k) const { return keypoints[size_t(k)]; }
    KeypointEstimate &operator[](Keypoint k) { return keypoints[size_t(k)]; }
    int confidentCount() const; // keypoints scoring at least kConfidentKeypoint

    // Stored form (the gallery's crops.pose): 17 x (x, y, score) as float32, little-endian.
    QByteArray toBytes() const;
    // Nullopt for bytes of any other length.
    static std::optional<Pose> fromBytes(const QByteArray &bytes);
};

// The limbs drawn between keypoints for a skeleton (COCO's 16 bones plus the shoulder and
// hip lines).
const std::vector<std::pair<Keypoint, Keypoint>> &skeletonBones();

// Where the four body zones of a person lie, as fractions of the person's box height (0 = top
// of the box): head, upper body, lower body, feet. Without a pose (or where its keypoints are
// not confident) the zones are the fixed fractions of a standing person's box; with one, the
// boundaries sit at the shoulders, the hips and the ankles, so a person who bends, sits, is
// cut by the frame or whose box holds a bag still has the colour of the trousers measured on
// the trousers. A zone the pose shows to be hidden (no knee or ankle seen on an otherwise
// clearly seen body: a counter, a car, the frame edge) is marked not visible.
struct BodyLayout {
    enum Zone { Head, Upper, Lower, Feet, ZoneCount };
    // The fixed zones of a standing person: head 0-0.18, upper 0.18-0.55, lower 0.55-0.90, feet.
    static constexpr std::array<float, ZoneCount + 1> kStandard { 0.f, 0.18f, 0.55f, 0.90f, 1.f };

    std::array<float, ZoneCount + 1> bounds = kStandard; // zone z spans [bounds[z], bounds[z + 1])
    std::array<bool, ZoneCount - 1> placed {}; // which inner boundary (neck, waist, ankles) keypoints placed
    std::array<bool, ZoneCount> visible { true, true, true, true };

    static BodyLayout fromPose(const Pose &pose, const Box &person);
    bool posed() const { return placed[0] || placed[1] || placed[2]; }
    int zoneAt(float fy) const; // Head..Feet
    // Maps a height fraction of this person onto the standard layout (piecewise linear between
    // the zone bounds): code written for the fixed fractions (a face box, a sleeve band) then
    // follows the body.
    float toStandard(float fy) const;
};
const char *bodyZoneName(BodyLayout::Zone zone); // "head", "upper body", "lower body", "feet"

// The body a pose model saw on a crop (the gallery's CropRecord::body()): what "Why this match"
// draws as a skeleton with its body zones and what grounds query words in those zones.
struct CropBody {
    Pose pose; // keypoints in the crop's pixels
    Box person; // the person's box in the crop's pixels
    BodyLayout layout() const { return BodyLayout::fromPose(pose, person); }
};

// How many of the body's levels (shoulders, hips, knees, ankles) the pose places confidently
// inside `person` (the person's box in the pose's pixels): 4 is the whole body.
int bodyLevelsSeen(const Pose &pose, const Box &person);

// How well a crop shows the person, from its pose, as a factor in [0.5, 1] on the crop's
// quality: the whole body seen (shoulders, hips, knees, ankles each confidently placed: 0.1
// each) counts most, so a whole person seen from behind (0.9) beats a frontal half (0.8); then a
// frontal view (face seen, the person's left shoulder on the image's right: 0.1).
// `person` is the person's box in the pose's pixels.
float poseQualityFactor(const Pose &pose, const Box &person);

} // namespace descry
