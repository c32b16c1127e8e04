#include "BackgroundPersonDetector.h"
#include "CocoDetections.h"
#include "DetectionMetrics.h"
#include "DetectorBenchmark.h"
#include "OnnxPersonDetector.h"
#include "PersonDetector.h"
#include "SceneRenderer.h"
#include "TestSupport.h"
#include "VideoDecoder.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace descry;

namespace {

using FrameSource = std::function<bool(int64_t index, Frame *frame)>;

// Frames of vtest.avi by index, decoded in order (tests only ever move forward, or restart).
class VtestFrames {
public:
    explicit VtestFrames(const QString &path)
        : m_path(path)
    { }
    bool get(int64_t index, Frame *frame)
    {
        if (!m_decoder || index < m_decoder->nextIndex()) {
            m_decoder = std::make_unique<VideoDecoder>();
            QString error;
            if (!m_decoder->open(m_path, &error))
                return false;
        }
        return m_decoder->skipTo(index) && m_decoder->read(frame) && frame->index == index;
    }

private:
    QString m_path;
    std::unique_ptr<VideoDecoder> m_decoder;
};

SceneOptions renderedScene(uint64_t seed, int frames, int people)
{
    SceneOptions options;
    options.seed = seed;
    options.frames = frames;
    options.people = people;
    return options;
}

FrameSource sceneSource(const SceneRenderer &renderer)
{
    return [&renderer](int64_t index, Frame *frame) {
        frame->image = renderer.renderFrame(index);
        frame->index = index;
        frame->time = double(index) / renderer.options().fps;
        return !frame->image.empty();
    };
}

// Runs `detector` like IngestJob does: every `stride`-th frame from `from` to `to` (exclusive);
// detections of frames before `keepFrom` are discarded (the resume replay).
std::vector<Detection> runDetector(PersonDetector &detector, const FrameSource &frames, int64_t from,
    int64_t to, int stride, int64_t keepFrom)
{
    std::vector<Detection> kept;
    for (int64_t i = from; i < to; i += stride) {
        Frame frame;
        if (!frames(i, &frame))
            break;
        std::vector<Detection> detections;
        QString error;
        if (!detector.detect(frame, &detections, &error))
            qFatal("detect failed: %s", qPrintable(error));
        if (i >= keepFrom)
            kept.insert(kept.end(), detections.begin(), detections.end());
    }
    return kept;
}

bool sameDetections(const std::vector<Detection> &a, const std::vector<Detection> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Detection &x, const Detection &y) {
        return x.frame == y.frame && x.time == y.time && x.box == y.box && x.score == y.score;
    });
}

std::vector<Box> truthBoxes(
    const SceneRenderer &renderer, int64_t frame, float minVisible, std::vector<bool> *ignore)
{
    std::vector<Box> boxes;
    ignore->clear();
    for (const TruthBox &t : renderer.truth().boxesInFrame(frame)) {
        boxes.push_back(t.box);
        ignore->push_back(t.visible < minVisible);
    }
    return boxes;
}

std::unique_ptr<OnnxPersonDetector> loadShared(const QString &model, float minScore)
{
    const QString path = test::sharedFile(QStringLiteral("models/") + model);
    if (path.isEmpty())
        return nullptr;
    QString error;
    auto detector = OnnxPersonDetector::load(path, minScore, &error);
    if (!detector)
        qFatal("cannot load %s: %s", qPrintable(path), qPrintable(error));
    return detector;
}

// `detector` against `reference` on every 40th frame of vtest.avi; reference boxes on `notPeople`
// (IoU >= 0.5) are not counted.
DetectionCounts agreementOnVtest(
    PersonDetector &detector, PersonDetector &reference, const QString &video, const std::vector<Box> &notPeople = {})
{
    VtestFrames frames(video);
    DetectionCounts counts;
    for (int64_t index = 0; index < 795; index += 40) {
        Frame frame;
        std::vector<Detection> truth, detections;
        QString error;
        if (!frames.get(index, &frame) || !reference.detect(frame, &truth, &error)
            || !detector.detect(frame, &detections, &error)) {
            qWarning("frame %lld: %s", qlonglong(index), qPrintable(error));
            return {};
        }
        std::vector<Box> people;
        for (const Box &b : boxesOf(truth))
            if (std::none_of(notPeople.begin(), notPeople.end(), [&](const Box &n) { return iou(b, n) >= 0.5f; }))
                people.push_back(b);
        counts += matchDetections(boxesOf(detections), people);
    }
    return counts;
}

} // namespace

class TestPersonDetector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void factoryMakesTheNamedKind();
    void factoryRejectsBadModels_data();
    void factoryRejectsBadModels();
    void backgroundNameNamesParameters();
    void backgroundRejectsBadFrames();
    void backgroundMaskAtFrameSize();
    void backgroundExactResume_data();
    void backgroundExactResume();
    void backgroundRecallOnRenderedScenes_data();
    void backgroundRecallOnRenderedScenes();
    void yoloxRecallOnRenderedScene();
    void yoloxFindsPeopleInVtest();
    void nanoDetAgreesWithYolox();
    void defaultDetectorAgreesWithYoloxOnVtest();
    void defaultDetectorFindsStandingPeople();
    void defaultDetectorWithoutPackageSaysHowToInstall();
    void carriedThingsGoToTheirPerson();
    void backgroundAgreesWithYoloxOnVtest();
    void backgroundExactResumeOnVtest();
};

void TestPersonDetector::factoryMakesTheNamedKind()
{
    QCOMPARE(DetectorOptions {}.kind, DetectorKind::NanoDet);
    QCOMPARE(DetectorOptions::fromArgument(QStringLiteral("background"))->kind, DetectorKind::Background);
    QCOMPARE(DetectorOptions::fromArgument(QStringLiteral("NanoDet"))->kind, DetectorKind::NanoDet);
    const auto onnx = DetectorOptions::fromArgument(QStringLiteral("/models/yolox.ONNX"));
    QVERIFY(onnx && onnx->kind == DetectorKind::Onnx && onnx->onnxPath == QStringLiteral("/models/yolox.ONNX"));
    QVERIFY(!DetectorOptions::fromArgument(QStringLiteral("onnx"))); // the kind needs a file
    QVERIFY(!DetectorOptions::fromArgument(QStringLiteral("yolo")));

    QString error;
    DetectorOptions options;
    options.kind = DetectorKind::Background;
    const auto detector = createPersonDetector(options, &error);
    QVERIFY2(detector, qPrintable(error));
    QVERIFY(detector->name().startsWith(QStringLiteral("bgs-median-v1-")));
    QVERIFY(detector->warmupFrames() > 0);
    QVERIFY(dynamic_cast<BackgroundPersonDetector *>(detector.get()));
}

void TestPersonDetector::factoryRejectsBadModels_data()
{
    QTest::addColumn<QByteArray>("content"); // null: no file at all
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << QByteArray() << "detector model not found: ";
    QTest::newRow("corrupt") << QByteArray("this is not a protobuf") << "cannot load detector model ";
    QTest::newRow("empty") << QByteArray("") << "cannot load detector model ";
}

void TestPersonDetector::factoryRejectsBadModels()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("model.onnx"));
    if (!content.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    DetectorOptions options;
    options.kind = DetectorKind::Onnx;
    options.onnxPath = path;
    QString error;
    QVERIFY(!createPersonDetector(options, &error));
    QVERIFY2(error.startsWith(expected + path), qPrintable(error));
}

void TestPersonDetector::backgroundNameNamesParameters()
{
    BackgroundDetectorParams params;
    const QString base = BackgroundPersonDetector(params).name();
    params.colourThreshold += 5;
    QVERIFY(BackgroundPersonDetector(params).name() != base);
    params = {};
    params.heightWindow += 10;
    QVERIFY(BackgroundPersonDetector(params).name() != base);
    QCOMPARE(BackgroundPersonDetector(BackgroundDetectorParams {}).name(), base);
}

void TestPersonDetector::backgroundRejectsBadFrames()
{
    BackgroundPersonDetector detector;
    std::vector<Detection> out;
    QString error;
    Frame empty;
    QVERIFY(!detector.detect(empty, &out, &error));
    QVERIFY(!error.isEmpty());
    Frame grey;
    grey.image = cv::Mat(48, 64, CV_8UC1, cv::Scalar(0));
    QVERIFY(!detector.detect(grey, &out, &error));
}

void TestPersonDetector::backgroundMaskAtFrameSize()
{
    const SceneRenderer renderer(renderedScene(5, 60, 8));
    BackgroundPersonDetector detector;
    QVERIFY(detector.lastForegroundMask().empty());
    runDetector(detector, sceneSource(renderer), 0, 60, 1, 60);
    const cv::Mat mask = detector.lastForegroundMask();
    QCOMPARE(mask.size(), cv::Size(renderer.options().width, renderer.options().height));
    QCOMPARE(mask.type(), CV_8U);
    QVERIFY(cv::countNonZero(mask) > 0);
    detector.reset();
    QVERIFY(detector.lastForegroundMask().empty());
}

void TestPersonDetector::backgroundExactResume_data()
{
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("resumeAt");
    QTest::addColumn<int>("end");
    QTest::newRow("stride 1") << 1 << 300 << 400;
    QTest::newRow("stride 3") << 3 << 780 << 900;
}

// The promise IngestJob relies on: replaying warmupFrames() frames before a checkpoint gives
// the detections an uninterrupted run gives from the checkpoint on, bit for bit.
void TestPersonDetector::backgroundExactResume()
{
    QFETCH(int, stride);
    QFETCH(int, resumeAt);
    QFETCH(int, end);
    const SceneRenderer renderer(renderedScene(21, end, 24));
    const FrameSource frames = sceneSource(renderer);
    BackgroundPersonDetector detector;
    const int64_t replayFrom = resumeAt - int64_t(detector.warmupFrames()) * stride;
    QVERIFY(replayFrom > 0); // otherwise the test proves nothing

    const std::vector<Detection> uninterrupted = runDetector(detector, frames, 0, end, stride, resumeAt);
    BackgroundPersonDetector resumed;
    const std::vector<Detection> afterResume
        = runDetector(resumed, frames, replayFrom, end, stride, resumeAt);
    QVERIFY(uninterrupted.size() > size_t((end - resumeAt) / stride)); // people were found
    QCOMPARE(afterResume.size(), uninterrupted.size());
    QVERIFY(sameDetections(afterResume, uninterrupted));

    // A replay one sample window too short does differ: the property is not vacuous.
    BackgroundPersonDetector tooShort;
    const int64_t lateStart = resumeAt - int64_t(tooShort.params().sampleStep) * 4 * stride;
    const std::vector<Detection> partial = runDetector(tooShort, frames, lateStart, end, stride, resumeAt);
    QVERIFY(!sameDetections(partial, uninterrupted));
}

void TestPersonDetector::backgroundRecallOnRenderedScenes_data()
{
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<int>("people");
    QTest::addColumn<bool>("effects"); // noise, blur and a passing cloud
    QTest::addColumn<double>("minPrecision");
    QTest::addColumn<double>("minRecall");
    // Measured: seed 7: P 0.987 R 0.960; seed 3: P 0.926 R 0.878; seed 11 with effects: P 0.978 R 0.927.
    QTest::newRow("seed 7, 8 people") << quint64(7) << 8 << false << 0.96 << 0.93;
    QTest::newRow("seed 3, 12 people") << quint64(3) << 12 << false << 0.90 << 0.85;
    QTest::newRow("seed 11, 10 people, effects") << quint64(11) << 10 << true << 0.95 << 0.90;
}

// Against the renderer's truth: every person at least 60% visible must be found (boxes of
// people mostly hidden are ignored, found or not). The first 30 frames are the detector's
// bootstrap and are not scored.
void TestPersonDetector::backgroundRecallOnRenderedScenes()
{
    QFETCH(quint64, seed);
    QFETCH(int, people);
    QFETCH(bool, effects);
    QFETCH(double, minPrecision);
    QFETCH(double, minRecall);
    SceneOptions options = renderedScene(seed, 250, people);
    options.noise = options.blur = options.lightingChange = effects;
    const SceneRenderer renderer(options);
    BackgroundPersonDetector detector;
    const DetectionCounts counts = scoreOnScene(detector, renderer, 0.6f, 30).counts;
    qInfo("seed %llu: precision %.3f recall %.3f (tp %d fp %d fn %d, %d ignored)", qulonglong(seed),
        counts.precision(), counts.recall(), counts.truePositives, counts.falsePositives,
        counts.falseNegatives, counts.ignored);
    QVERIFY(counts.precision() >= minPrecision);
    QVERIFY(counts.recall() >= minRecall);
}

void TestPersonDetector::yoloxRecallOnRenderedScene()
{
    auto yolox = loadShared(QStringLiteral("yolox_nano.onnx"), 0.5f);
    if (!yolox)
        QSKIP("models/yolox_nano.onnx not present");
    const SceneRenderer renderer(renderedScene(7, 200, 8));
    const FrameSource frames = sceneSource(renderer);
    DetectionCounts counts;
    for (int64_t i = 30; i < 200; i += 5) {
        Frame frame;
        QVERIFY(frames(i, &frame));
        std::vector<Detection> detections;
        QString error;
        QVERIFY2(yolox->detect(frame, &detections, &error), qPrintable(error));
        std::vector<bool> ignore;
        const std::vector<Box> truth = truthBoxes(renderer, i, 0.6f, &ignore);
        counts += matchDetections(boxesOf(detections), truth, {}, &ignore);
    }
    // Measured: precision 0.989, recall 0.777 (YOLOX misses some painted walkers).
    qInfo("YOLOX on a rendered scene: precision %.3f recall %.3f", counts.precision(), counts.recall());
    QVERIFY(counts.precision() >= 0.95);
    QVERIFY(counts.recall() >= 0.74);
}

void TestPersonDetector::yoloxFindsPeopleInVtest()
{
    const QString video = test::sharedFile(QStringLiteral("footage/vtest.avi"));
    auto yolox = loadShared(QStringLiteral("yolox_nano.onnx"), 0.5f);
    if (video.isEmpty() || !yolox)
        QSKIP("footage/vtest.avi or models/yolox_nano.onnx not present");
    QCOMPARE(yolox->name(), QStringLiteral("onnx:yolox_nano"));
    QCOMPARE(yolox->warmupFrames(), 0);
    VtestFrames frames(video);
    for (int64_t index : { 100, 200, 300, 500, 600, 700 }) {
        Frame frame;
        QVERIFY(frames.get(index, &frame));
        std::vector<Detection> detections;
        QString error;
        QVERIFY2(yolox->detect(frame, &detections, &error), qPrintable(error));
        QVERIFY2(detections.size() >= 4 && detections.size() <= 9,
            qPrintable(QStringLiteral("frame %1: %2 people").arg(index).arg(detections.size())));
        for (const Detection &d : detections) {
            QCOMPARE(d.frame, index);
            QVERIFY(d.score >= 0.5f && d.score <= 1.f);
            QVERIFY(d.box.x >= 0 && d.box.y >= 0 && d.box.right() <= 768 && d.box.bottom() <= 576);
            QVERIFY(d.box.h > d.box.w); // standing people
        }
    }
}

void TestPersonDetector::nanoDetAgreesWithYolox()
{
    const QString video = test::sharedFile(QStringLiteral("footage/vtest.avi"));
    auto yolox = loadShared(QStringLiteral("yolox_nano.onnx"), 0.5f);
    auto nanoDet = loadShared(QStringLiteral("nanodet_m_416.onnx"), 0.4f);
    if (video.isEmpty() || !yolox || !nanoDet)
        QSKIP("vtest.avi, yolox_nano.onnx or nanodet_m_416.onnx not present");
    QCOMPARE(nanoDet->name(), QStringLiteral("onnx:nanodet_m_416"));
    const DetectionCounts counts = agreementOnVtest(*nanoDet, *yolox, video);
    // Measured on these 20 frames: precision 0.896, recall 0.960 (all 795: 0.939, 0.944).
    qInfo("NanoDet vs YOLOX: precision %.3f recall %.3f", counts.precision(), counts.recall());
    QVERIFY(counts.precision() >= 0.86);
    QVERIFY(counts.recall() >= 0.92);
}

// The default detector (NanoDet of the perception package, run by the TensorFlow.js interpreter)
// against YOLOX on real footage, every person counted, moving or not. YOLOX's one persistent
// false positive, a sign post at the left edge (seen on the frames), is not a person to find.
void TestPersonDetector::defaultDetectorAgreesWithYoloxOnVtest()
{
    const QString video = test::sharedFile(QStringLiteral("footage/vtest.avi"));
    auto yolox = loadShared(QStringLiteral("yolox_nano.onnx"), 0.5f);
    QString error;
    auto detector = createPersonDetector({}, &error);
    if (video.isEmpty() || !yolox || !detector)
        QSKIP("needs vtest.avi, yolox_nano.onnx and scripts/fetch-perception-models.sh");
    QVERIFY(detector->name().startsWith(QStringLiteral("nanodet-3.0.4")));
    constexpr Box kSignPost { 31, 110, 17, 32 };
    QCOMPARE(detector->warmupFrames(), 0);
    const DetectionCounts counts = agreementOnVtest(*detector, *yolox, video, { kSignPost });
    qInfo("default (NanoDet, TF.js) vs YOLOX: precision %.3f recall %.3f", counts.precision(), counts.recall());
    QVERIFY(counts.precision() >= 0.85);
    QVERIFY(counts.recall() >= 0.9);
}

// The indoor clip of people standing still, which the background detector cannot see at all:
// the default detector finds people in every sampled frame where YOLOX does.
void TestPersonDetector::defaultDetectorFindsStandingPeople()
{
    const QString video = test::sharedFile(QStringLiteral("footage/one-by-one-person-detection.mp4"));
    auto yolox = loadShared(QStringLiteral("yolox_nano.onnx"), 0.5f);
    QString error;
    auto detector = createPersonDetector({}, &error);
    if (video.isEmpty() || !yolox || !detector)
        QSKIP("needs one-by-one-person-detection.mp4, yolox_nano.onnx and the perception package");
    VideoDecoder decoder;
    QVERIFY2(decoder.open(video, &error), qPrintable(error));
    decoder.setStride(int(decoder.info().fps * 4)); // a frame every 4 s
    DetectionCounts counts;
    Frame frame;
    int frames = 0;
    while (decoder.read(&frame)) {
        std::vector<Detection> reference, detections;
        QVERIFY2(yolox->detect(frame, &reference, &error), qPrintable(error));
        QVERIFY2(detector->detect(frame, &detections, &error), qPrintable(error));
        counts += matchDetections(boxesOf(detections), boxesOf(reference));
        ++frames;
    }
    qInfo("standing people, %d frames: precision %.3f recall %.3f (%d of %d YOLOX people)", frames,
        counts.precision(), counts.recall(), counts.truePositives, counts.truePositives + counts.falseNegatives);
    QVERIFY(counts.truePositives + counts.falseNegatives >= 20); // the clip does show people (26 measured)
    QVERIFY(counts.recall() >= 0.8);
    QVERIFY(counts.precision() >= 0.8);
}

void TestPersonDetector::defaultDetectorWithoutPackageSaysHowToInstall()
{
    QTemporaryDir empty;
    const QByteArray saved = qgetenv("DESCRY_HUMAN_MODELS");
    qputenv("DESCRY_HUMAN_MODELS", empty.path().toUtf8());
    QString error;
    const auto detector = createPersonDetector({}, &error);
    if (saved.isNull())
        qunsetenv("DESCRY_HUMAN_MODELS");
    else
        qputenv("DESCRY_HUMAN_MODELS", saved);
    QVERIFY(!detector);
    QVERIFY2(error.contains(QStringLiteral("not installed")) && error.contains(empty.path())
            && error.contains(QStringLiteral("scripts/fetch-perception-models.sh")),
        qPrintable(error));
}

// A bag goes to the person whose box holds most of it; a thing outside everyone is nobody's.
void TestPersonDetector::carriedThingsGoToTheirPerson()
{
    std::vector<Detection> people(2);
    people[0].box = { 100, 100, 40, 120 };
    people[1].box = { 150, 100, 40, 120 };
    const std::vector<ObjectCandidate> things {
        { cv::Rect2d(120, 140, 24, 30), 0.7f, coco::kBackpack }, // 20 of 24 px wide inside person 0
        { cv::Rect2d(180, 170, 16, 20), 0.5f, coco::kHandbag }, // half inside person 1
        { cv::Rect2d(300, 300, 10, 10), 0.9f, coco::kSuitcase }, // nobody's
        { cv::Rect2d(100, 100, 40, 120), 0.9f, coco::kPerson }, // not a carried thing
    };
    attachCarriedObjects(things, &people);
    QCOMPARE(people[0].carried[size_t(Carried::Backpack)], 0.7f);
    QCOMPARE(people[1].carried[size_t(Carried::Backpack)], 0.f);
    QCOMPARE(people[1].carried[size_t(Carried::Handbag)], 0.5f);
    QCOMPARE(people[0].carried[size_t(Carried::Suitcase)], 0.f);
    QCOMPARE(people[1].carried[size_t(Carried::Suitcase)], 0.f);
    QCOMPARE(Detection {}.carried[size_t(Carried::Phone)], -1.f); // detectors that do not look
}

// YOLOX is the reference. Boxes YOLOX keeps in one place for most of +-5 s are left out: a
// motion detector cannot see them (in vtest.avi: YOLOX's false positive on a sign post, and
// a man standing still).
void TestPersonDetector::backgroundAgreesWithYoloxOnVtest()
{
    const QString video = test::sharedFile(QStringLiteral("footage/vtest.avi"));
    auto yolox = loadShared(QStringLiteral("yolox_nano.onnx"), 0.5f);
    if (video.isEmpty() || !yolox)
        QSKIP("footage/vtest.avi or models/yolox_nano.onnx not present");
    constexpr int kFirstScored = 100, kEnd = 300, kStep = 2;
    VtestFrames frames(video);
    BackgroundPersonDetector detector;
    std::vector<std::vector<Box>> references, found;
    for (int64_t i = 0; i < kEnd; ++i) {
        Frame frame;
        QVERIFY(frames.get(i, &frame));
        std::vector<Detection> detections;
        QString error;
        QVERIFY2(detector.detect(frame, &detections, &error), qPrintable(error));
        if (i < kFirstScored || i % kStep != 0)
            continue;
        std::vector<Detection> reference;
        QVERIFY2(yolox->detect(frame, &reference, &error), qPrintable(error));
        references.push_back(boxesOf(reference));
        found.push_back(boxesOf(detections));
    }
    const auto stationary = stationaryReferences(references, 50 / kStep, 0.5f);
    DetectionCounts counts;
    for (size_t k = 0; k < references.size(); ++k)
        counts += matchDetections(found[k], references[k], {}, &stationary[k]);
    qInfo("background vs YOLOX, frames %d-%d: precision %.3f recall %.3f (tp %d fp %d fn %d, %d stationary)",
        kFirstScored, kEnd - 1, counts.precision(), counts.recall(), counts.truePositives,
        counts.falsePositives, counts.falseNegatives, counts.ignored);
    // Measured: precision 0.953, recall 0.948 (all 795 frames: 0.925, 0.931).
    QVERIFY(counts.precision() >= 0.92);
    QVERIFY(counts.recall() >= 0.92);
}

void TestPersonDetector::backgroundExactResumeOnVtest()
{
    const QString video = test::sharedFile(QStringLiteral("footage/vtest.avi"));
    if (video.isEmpty())
        QSKIP("footage/vtest.avi not present");
    VtestFrames frames(video);
    const FrameSource source = [&frames](int64_t index, Frame *frame) { return frames.get(index, frame); };
    BackgroundPersonDetector detector;
    const int64_t resumeAt = 260, end = 300;
    const std::vector<Detection> uninterrupted = runDetector(detector, source, 0, end, 1, resumeAt);
    BackgroundPersonDetector resumed;
    const std::vector<Detection> afterResume
        = runDetector(resumed, source, resumeAt - resumed.warmupFrames(), end, 1, resumeAt);
    QVERIFY(resumeAt - resumed.warmupFrames() > 0);
    QVERIFY(uninterrupted.size() > 100);
    QVERIFY(sameDetections(afterResume, uninterrupted));
}

QTEST_GUILESS_MAIN(TestPersonDetector)
#include "TestPersonDetector.moc"
