#include "DetectionPipeline.h"
#include "PersonDetector.h"
#include "VideoDecoder.h"

#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

using namespace descry;

namespace {

constexpr int kFrames = 40;
constexpr int kBits = 8; // frame i shows i in binary as 8 black/white columns

// Writes `count` 64x48 frames that encode their index (survives MJPEG).
bool writeVideo(const QString &path, int count)
{
    cv::VideoWriter writer(path.toStdString(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
        10, cv::Size(64, 48));
    if (!writer.isOpened())
        return false;
    for (int i = 0; i < count; ++i) {
        cv::Mat frame(48, 64, CV_8UC3, cv::Scalar::all(0));
        for (int bit = 0; bit < kBits; ++bit)
            if (i & (1 << bit))
                frame.colRange(bit * 8, bit * 8 + 8).setTo(cv::Scalar::all(255));
        writer.write(frame);
    }
    return true;
}

// A frame-independent stand-in for the CNN: one "person" whose box says which frame it read
// from the pixels (not from Frame::index), with a frame-dependent amount of work so that workers
// finish out of order. Fails on `failAt`.
class PixelDetector : public PersonDetector {
public:
    explicit PixelDetector(int64_t failAt = -1)
        : m_failAt(failAt)
    { }
    QString name() const override { return QStringLiteral("pixels"); }
    void reset() override { }
    bool framesIndependent() const override { return true; }
    bool detect(const Frame &frame, std::vector<Detection> *out, QString *error) override
    {
        out->clear();
        if (frame.index == m_failAt) {
            *error = QStringLiteral("cannot read frame %1").arg(frame.index);
            return false;
        }
        int shown = 0;
        for (int bit = 0; bit < kBits; ++bit)
            if (cv::mean(frame.image.colRange(bit * 8 + 2, bit * 8 + 6))[0] > 128)
                shown |= 1 << bit;
        cv::Mat work = frame.image.clone();
        for (int i = 0; i < (shown % 4) * 20; ++i)
            cv::GaussianBlur(work, work, cv::Size(5, 5), 0);
        Detection d;
        d.frame = frame.index;
        d.time = frame.time;
        d.box = Box { float(shown), 0.f, 10.f, 20.f };
        d.score = float(cv::mean(work)[0] / 255.0);
        out->push_back(d);
        return true;
    }

private:
    int64_t m_failAt;
};

struct Seen {
    int64_t index, next;
    double boxX;
    float score;
    bool operator==(const Seen &o) const
    {
        return index == o.index && next == o.next && boxX == o.boxX && score == o.score;
    }
};

std::vector<Seen> runPipeline(const QString &path, int stride, int workers, DetectionPipeline::Step *last)
{
    VideoDecoder decoder;
    QString error;
    if (!decoder.open(path, &error))
        return {};
    decoder.setStride(stride);
    PixelDetector main;
    std::vector<std::unique_ptr<PixelDetector>> copies;
    std::vector<PersonDetector *> pointers;
    for (int i = 0; i < workers; ++i) {
        copies.push_back(std::make_unique<PixelDetector>());
        pointers.push_back(copies.back().get());
    }
    DetectionPipeline pipeline(decoder, main, pointers);
    std::vector<Seen> seen;
    DetectedFrame f;
    while ((*last = pipeline.next(&f, &error)) == DetectionPipeline::Step::Frame)
        seen.push_back({ f.frame.index, f.nextIndex, f.detections.at(0).box.x, f.detections.at(0).score });
    return seen;
}

} // namespace

class TestDetectionPipeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_video = m_dir.filePath(QStringLiteral("index.avi"));
        QVERIFY(writeVideo(m_video, kFrames));
    }

    void workersGiveWhatOneDetectorGives_data()
    {
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("workers");
        QTest::newRow("every frame, 2 workers") << 1 << 2;
        QTest::newRow("every 3rd frame, 3 workers") << 3 << 3;
        QTest::newRow("every 2nd frame, 1 worker") << 2 << 1;
    }

    // Frames come back in order, each with the detections of its own pixels and the resume point
    // after it, exactly as the detector gives them on the calling thread.
    void workersGiveWhatOneDetectorGives()
    {
        QFETCH(int, stride);
        QFETCH(int, workers);
        DetectionPipeline::Step last {};
        const std::vector<Seen> inOrder = runPipeline(m_video, stride, 0, &last);
        QCOMPARE(last, DetectionPipeline::Step::End);
        QCOMPARE(int(inOrder.size()), (kFrames + stride - 1) / stride);
        for (size_t i = 0; i < inOrder.size(); ++i) {
            QCOMPARE(inOrder[i].index, int64_t(i) * stride);
            QCOMPARE(inOrder[i].boxX, double(inOrder[i].index)); // the pixels of its own frame
            QVERIFY(inOrder[i].next > inOrder[i].index && inOrder[i].next <= inOrder[i].index + stride);
        }
        const std::vector<Seen> parallel = runPipeline(m_video, stride, workers, &last);
        QCOMPARE(last, DetectionPipeline::Step::End);
        QVERIFY(parallel == inOrder);
    }

    // A failing frame stops the stream there and says where, with the detector's reason; frames
    // before it come out first.
    void failureNamesItsFrame()
    {
        VideoDecoder decoder;
        QString error;
        QVERIFY2(decoder.open(m_video, &error), qPrintable(error));
        PixelDetector main;
        PixelDetector a(7), b(7);
        DetectionPipeline pipeline(decoder, main, { &a, &b });
        DetectedFrame f;
        int64_t frames = 0;
        DetectionPipeline::Step step;
        while ((step = pipeline.next(&f, &error)) == DetectionPipeline::Step::Frame)
            QCOMPARE(f.frame.index, frames++);
        QCOMPARE(step, DetectionPipeline::Step::Failed);
        QCOMPARE(frames, int64_t(7));
        QCOMPARE(f.frame.index, int64_t(7));
        QCOMPARE(error, QStringLiteral("cannot read frame 7"));
    }

    // Leaving early (a cancel, a failed checkpoint) with frames in flight stops the workers.
    void stopsWithFramesInFlight()
    {
        VideoDecoder decoder;
        QString error;
        QVERIFY2(decoder.open(m_video, &error), qPrintable(error));
        PixelDetector main, a, b;
        {
            DetectionPipeline pipeline(decoder, main, { &a, &b });
            DetectedFrame f;
            QCOMPARE(pipeline.next(&f, &error), DetectionPipeline::Step::Frame);
            QCOMPARE(f.frame.index, int64_t(0));
        }
        QVERIFY(decoder.nextIndex() < kFrames); // it read ahead a little, not to the end
    }

private:
    QTemporaryDir m_dir;
    QString m_video;
};

QTEST_GUILESS_MAIN(TestDetectionPipeline)
#include "TestDetectionPipeline.moc"
