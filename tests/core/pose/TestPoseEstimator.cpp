#include "PersonDetector.h"
#include "PoseEstimator.h"
#include "TestSupport.h"
#include "VideoDecoder.h"

#include <QElapsedTimer>
#include <QTest>

#include <opencv2/imgproc.hpp>

using namespace descry;

namespace {

// Mean y of the keypoints of `group` scoring at least `minScore`; -1 when none does.
float meanY(const Pose &pose, std::initializer_list<Keypoint> group, float minScore)
{
    float sum = 0;
    int n = 0;
    for (Keypoint k : group)
        if (pose[k].score >= minScore) {
            sum += pose[k].y;
            ++n;
        }
    return n > 0 ? sum / float(n) : -1;
}

// Head above shoulders above hips above knees above ankles, over the levels that were seen.
bool bodyInOrder(const Pose &pose, float minScore)
{
    const float levels[] = {
        meanY(pose,
            { Keypoint::Nose, Keypoint::LeftEye, Keypoint::RightEye, Keypoint::LeftEar, Keypoint::RightEar },
            minScore),
        meanY(pose, { Keypoint::LeftShoulder, Keypoint::RightShoulder }, minScore),
        meanY(pose, { Keypoint::LeftHip, Keypoint::RightHip }, minScore),
        meanY(pose, { Keypoint::LeftKnee, Keypoint::RightKnee }, minScore),
        meanY(pose, { Keypoint::LeftAnkle, Keypoint::RightAnkle }, minScore),
    };
    float last = -1;
    int seen = 0;
    for (float y : levels) {
        if (y < 0)
            continue;
        if (y <= last)
            return false;
        last = y;
        ++seen;
    }
    return seen >= 3;
}

struct PoseScore {
    int people = 0, inOrder = 0;
    double ms = 0;
};

// The people NanoDet finds on `frames` of `video`, each crop (box + 10 % margin) given to `estimator`.
PoseScore scorePoses(PoseEstimator &estimator, PersonDetector &detector, const QString &video,
    std::initializer_list<int64_t> frames)
{
    PoseScore score;
    VideoDecoder decoder;
    QString error;
    if (!decoder.open(video, &error))
        return score;
    for (int64_t index : frames) {
        Frame frame;
        std::vector<Detection> people;
        if (!decoder.skipTo(index) || !decoder.read(&frame) || !detector.detect(frame, &people, &error))
            break;
        for (const Detection &d : people) {
            const cv::Rect box(int(d.box.x - 0.1f * d.box.w), int(d.box.y - 0.1f * d.box.h),
                int(d.box.w * 1.2f), int(d.box.h * 1.2f));
            const cv::Mat crop = frame.image(box & cv::Rect(0, 0, frame.image.cols, frame.image.rows));
            Pose pose;
            QElapsedTimer clock;
            clock.start();
            if (!estimator.estimate(crop, &pose, &error))
                return score;
            score.ms += double(clock.nsecsElapsed()) / 1e6;
            ++score.people;
            score.inOrder += bodyInOrder(pose, 0.3f) ? 1 : 0;
        }
    }
    if (score.people > 0)
        score.ms /= score.people;
    return score;
}

} // namespace

class TestPoseEstimator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void refusesWhatIsNoCrop()
    {
        QString error;
        auto estimator = PoseEstimator::load(PoseEstimator::Variant::Lightning, &error);
        if (!estimator)
            QSKIP("needs the perception package (scripts/fetch-perception-models.sh)");
        Pose pose;
        QVERIFY(!estimator->estimate(cv::Mat(), &pose, &error));
        QVERIFY2(error.contains(QStringLiteral("BGR")), qPrintable(error));
        QCOMPARE(QString::fromLatin1(keypointName(Keypoint::LeftShoulder)), QStringLiteral("left_shoulder"));
    }

    // Real people, small (vtest.avi: 60-150 px tall) and large (the indoor clip, 300-400 px):
    // head, shoulders, hips, knees and ankles come out top to bottom for most of them.
    void keypointsFollowTheBodyOnRealPeople_data()
    {
        QTest::addColumn<int>("variant");
        QTest::newRow("lightning") << int(PoseEstimator::Variant::Lightning);
        QTest::newRow("thunder") << int(PoseEstimator::Variant::Thunder);
    }

    void keypointsFollowTheBodyOnRealPeople()
    {
        QFETCH(int, variant);
        const QString vtest = test::sharedFile(QStringLiteral("footage/vtest.avi"));
        const QString indoor = test::sharedFile(QStringLiteral("footage/one-by-one-person-detection.mp4"));
        QString error;
        auto estimator = PoseEstimator::load(PoseEstimator::Variant(variant), &error);
        auto detector = createPersonDetector({}, &error);
        if (vtest.isEmpty() || indoor.isEmpty() || !estimator || !detector)
            QSKIP("needs ../shared/footage and the perception package");
        const PoseScore small = scorePoses(*estimator, *detector, vtest, { 100, 300, 500, 700 });
        const PoseScore large = scorePoses(*estimator, *detector, indoor, { 200, 400, 600, 800, 1000 });
        qInfo("%s: vtest.avi %d of %d people in order (%.1f ms a crop); indoor clip %d of %d (%.1f ms)",
            qPrintable(estimator->name()), small.inOrder, small.people, small.ms, large.inOrder, large.people,
            large.ms);
        QVERIFY(small.people >= 20);
        QVERIFY(large.people >= 3);
        QVERIFY(small.inOrder >= int(0.7 * small.people));
        QVERIFY(large.inOrder >= int(0.7 * large.people));
    }
};

QTEST_GUILESS_MAIN(TestPoseEstimator)
#include "TestPoseEstimator.moc"
