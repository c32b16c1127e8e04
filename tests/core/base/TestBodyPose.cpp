#include "BodyPose.h"

#include <QTest>

using namespace descry;

namespace {

// A person box 50 x 200 at (10, 20) and a pose with the given levels (fractions of the box
// height; < 0: not seen), every seen keypoint at score 0.8.
Pose poseAt(float shoulders, float hips, float knees, float ankles, bool face = true, bool facing = true)
{
    const Box box { 10, 20, 50, 200 };
    Pose pose;
    const auto put = [&](Keypoint k, float fx, float fy) {
        if (fy >= 0)
            pose[k] = { box.x + fx * box.w, box.y + fy * box.h, 0.8f };
    };
    if (face) {
        put(Keypoint::Nose, 0.5f, 0.06f);
        put(Keypoint::LeftEye, 0.55f, 0.05f);
        put(Keypoint::RightEye, 0.45f, 0.05f);
    }
    // Facing the camera, the person's left is on the image's right.
    const float left = facing ? 0.7f : 0.3f, right = facing ? 0.3f : 0.7f;
    for (const auto &[l, r, y] : { std::tuple { Keypoint::LeftShoulder, Keypoint::RightShoulder, shoulders },
             std::tuple { Keypoint::LeftHip, Keypoint::RightHip, hips },
             std::tuple { Keypoint::LeftKnee, Keypoint::RightKnee, knees },
             std::tuple { Keypoint::LeftAnkle, Keypoint::RightAnkle, ankles } }) {
        put(l, left, y);
        put(r, right, y);
    }
    return pose;
}

const Box kBox { 10, 20, 50, 200 };

} // namespace

class TestBodyPose : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void storedFormRoundTrips()
    {
        Pose pose = poseAt(0.2f, 0.5f, 0.75f, 0.95f);
        pose[Keypoint::LeftWrist] = { -3.25f, 1e6f, 0.01f };
        const QByteArray bytes = pose.toBytes();
        QCOMPARE(bytes.size(), 17 * 3 * 4);
        const std::optional<Pose> back = Pose::fromBytes(bytes);
        QVERIFY(back.has_value());
        for (int k = 0; k < kKeypoints; ++k) {
            QCOMPARE(back->keypoints[size_t(k)].x, pose.keypoints[size_t(k)].x);
            QCOMPARE(back->keypoints[size_t(k)].y, pose.keypoints[size_t(k)].y);
            QCOMPARE(back->keypoints[size_t(k)].score, pose.keypoints[size_t(k)].score);
        }
        QVERIFY(!Pose::fromBytes(bytes.left(200)).has_value());
        QVERIFY(!Pose::fromBytes(QByteArray()).has_value());
    }

    void withoutAPoseTheZonesAreTheStandardFractions()
    {
        const BodyLayout standard;
        QCOMPARE(standard.bounds, BodyLayout::kStandard);
        QVERIFY(!standard.posed());
        for (float f : { 0.f, 0.1f, 0.3f, 0.6f, 0.95f })
            QCOMPARE(standard.toStandard(f), f);
        // Faint keypoints (MoveNet unsure) place nothing.
        Pose faint = poseAt(0.3f, 0.7f, 0.85f, 0.95f);
        for (KeypointEstimate &k : faint.keypoints)
            k.score = 0.1f;
        const BodyLayout layout = BodyLayout::fromPose(faint, kBox);
        QCOMPARE(layout.bounds, BodyLayout::kStandard);
        QVERIFY(!layout.posed());
        QCOMPARE(layout.visible, (std::array<bool, 4> { true, true, true, true }));
    }

    // A person whose box is not a standing adult's (a long top, or a box that holds a bag under
    // the feet): the zones sit at the shoulders, hips and ankles.
    void zonesFollowTheKeypoints()
    {
        const BodyLayout layout = BodyLayout::fromPose(poseAt(0.3f, 0.7f, 0.8f, 0.9f), kBox);
        QVERIFY(layout.posed());
        QCOMPARE(layout.placed, (std::array<bool, 3> { true, true, true }));
        QVERIFY(qAbs(layout.bounds[1] - 0.29f) < 1e-4f);
        QVERIFY(qAbs(layout.bounds[2] - 0.73f) < 1e-4f);
        QVERIFY(qAbs(layout.bounds[3] - 0.86f) < 1e-4f);
        QCOMPARE(layout.zoneAt(0.25f), int(BodyLayout::Head));
        QCOMPARE(layout.zoneAt(0.6f), int(BodyLayout::Upper)); // the standard layout calls this lower body
        QCOMPARE(layout.zoneAt(0.8f), int(BodyLayout::Lower));
        QCOMPARE(layout.zoneAt(0.95f), int(BodyLayout::Feet));
        // Mapped onto the standard layout.
        QVERIFY(qAbs(layout.toStandard(layout.bounds[2]) - BodyLayout::kStandard[2]) < 1e-5f);
    }

    // A bound the pose does not place is interpolated between those it does, as the standard
    // layout spaces them.
    void unplacedBoundsAreInterpolated()
    {
        const BodyLayout layout = BodyLayout::fromPose(poseAt(-1, 0.7f, -1, -1, false), kBox);
        QCOMPARE(layout.placed, (std::array<bool, 3> { false, true, false }));
        QVERIFY(qAbs(layout.bounds[1] - 0.18f / 0.55f * 0.73f) < 1e-4f);
        QVERIFY(qAbs(layout.bounds[3] - (0.73f + 0.35f / 0.45f * 0.27f)) < 1e-4f);
    }

    // Shoulders below the hips: one of them is on the wrong body part; the one furthest from
    // where a standing person has it is dropped.
    void aMisplacedKeypointIsDropped()
    {
        const BodyLayout layout = BodyLayout::fromPose(poseAt(0.6f, 0.5f, 0.75f, 0.94f), kBox);
        QCOMPARE(layout.placed, (std::array<bool, 3> { false, true, true }));
        for (size_t z = 0; z < 4; ++z)
            QVERIFY(layout.bounds[z + 1] > layout.bounds[z] + 0.05f);
    }

    // A body seen clearly down to the hips with no knee or ankle: the legs are hidden (a counter,
    // a car, the frame edge), so the feet are not measured; without hips, the trousers neither.
    void hiddenPartsAreMarked()
    {
        BodyLayout layout = BodyLayout::fromPose(poseAt(0.2f, 0.55f, -1, -1), kBox);
        QCOMPARE(layout.visible, (std::array<bool, 4> { true, true, true, false }));
        layout = BodyLayout::fromPose(poseAt(0.2f, -1, -1, -1), kBox);
        QCOMPARE(layout.visible, (std::array<bool, 4> { true, true, false, false }));
        // Knees seen, ankles not (small feet are often faint): the feet stay measured.
        layout = BodyLayout::fromPose(poseAt(0.2f, 0.55f, 0.75f, -1), kBox);
        QCOMPARE(layout.visible, (std::array<bool, 4> { true, true, true, true }));
        // Keypoints far outside the person's box belong to someone else.
        Pose other = poseAt(0.2f, 0.55f, 0.75f, 0.93f);
        for (KeypointEstimate &k : other.keypoints)
            k.x += 200;
        QVERIFY(!BodyLayout::fromPose(other, kBox).posed());
    }

    void wholeFrontalViewsScoreHighest()
    {
        const float wholeFrontal = poseQualityFactor(poseAt(0.2f, 0.5f, 0.75f, 0.94f), kBox);
        const float wholeBack = poseQualityFactor(poseAt(0.2f, 0.5f, 0.75f, 0.94f, false, false), kBox);
        const float frontalFaceButBackTurned
            = poseQualityFactor(poseAt(0.2f, 0.5f, 0.75f, 0.94f, true, false), kBox);
        const float halfFrontal = poseQualityFactor(poseAt(0.2f, 0.5f, -1, -1), kBox);
        QVERIFY(qAbs(wholeFrontal - 1.f) < 1e-6f);
        QVERIFY(qAbs(wholeBack - 0.9f) < 1e-6f);
        // A face "seen" on a back (MoveNet guesses one) does not make the view frontal.
        QVERIFY(qAbs(frontalFaceButBackTurned - wholeBack) < 1e-6f);
        // The whole person from behind beats a frontal half: the garments are what is searched.
        QVERIFY(qAbs(halfFrontal - 0.8f) < 1e-6f);
        QVERIFY(qAbs(poseQualityFactor(Pose {}, kBox) - 0.5f) < 1e-6f);
    }
};

QTEST_APPLESS_MAIN(TestBodyPose)
#include "TestBodyPose.moc"
