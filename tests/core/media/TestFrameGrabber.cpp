#include "ClipReader.h"
#include "FrameGrabber.h"

#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

using namespace descry;

namespace {

// Frame i is one flat colour whose channels spell i in base 20 (steps of 12 grey levels, far
// above JPEG's error), so the grabbed frame's number can be read back from its pixels.
cv::Scalar colourOf(int i)
{
    return cv::Scalar(i % 20 * 12, i / 20 % 20 * 12, i / 400 * 12);
}

int frameOf(const QColor &c)
{
    const auto digit = [](int v) { return (v + 6) / 12; };
    return digit(c.blue()) + 20 * digit(c.green()) + 400 * digit(c.red());
}

QString writeNumberedClip(const QTemporaryDir &dir, int frames)
{
    const QString path = dir.filePath(QStringLiteral("numbered-%1.avi").arg(frames));
    cv::VideoWriter writer(
        path.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(64, 48));
    for (int i = 0; i < frames; ++i)
        writer.write(cv::Mat(48, 64, CV_8UC3, colourOf(i)));
    return writer.isOpened() ? path : QString();
}

} // namespace

class TestFrameGrabber : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void drawsTheBoxOutlineOnly()
    {
        QImage black(200, 100, QImage::Format_RGB32);
        black.fill(Qt::black);
        const QImage out = FrameGrabber::drawBox(black, Box { 40, 20, 60, 50 });
        QCOMPARE(out.size(), black.size());
        const QColor edge = out.pixelColor(40, 45);
        QVERIFY2(edge.red() > 200 && edge.green() > 150 && edge.blue() < 80, qPrintable(edge.name()));
        QCOMPARE(out.pixelColor(70, 45), QColor(Qt::black)); // inside stays untouched
        QCOMPARE(out.pixelColor(5, 5), QColor(Qt::black)); // and so does the rest
        QCOMPARE(black.pixelColor(40, 45), QColor(Qt::black)); // the input is not changed
    }

    void grabsTheRequestedFrame_data()
    {
        QTest::addColumn<int>("frame");
        QTest::newRow("first") << 0;
        QTest::newRow("middle") << 7;
        QTest::newRow("last") << 19;
        QTest::newRow("past the seek limit") << 1650;
        QTest::newRow("end of a long clip") << 1799;
    }

    void grabsTheRequestedFrame()
    {
        QFETCH(int, frame);
        QTemporaryDir dir;
        const QString clip = writeNumberedClip(dir, frame < 20 ? 20 : 1800);
        QVERIFY(!clip.isEmpty());
        QString error;
        const QImage image = FrameGrabber::grab(clip, frame, Box { 4, 4, 10, 10 }, &error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        QCOMPARE(image.size(), QSize(64, 48));
        QCOMPARE(frameOf(image.pixelColor(48, 36)), frame);
    }

    void reportsFramesPastTheEndAndMissingFiles()
    {
        QTemporaryDir dir;
        const QString clip = writeNumberedClip(dir, 5);
        QString error;
        QVERIFY(FrameGrabber::grab(clip, 50, Box {}, &error).isNull());
        QVERIFY(error.contains(QStringLiteral("frame 50")));
        error.clear();
        QVERIFY(FrameGrabber::grab(dir.filePath(QStringLiteral("gone.avi")), 0, Box {}, &error).isNull());
        QVERIFY(!error.isEmpty());
    }

    void clipPlaysAroundTheTrackletWithInterpolatedBoxes()
    {
        QTemporaryDir dir;
        const QString clip = writeNumberedClip(dir, 60); // 10 fps, 6 s
        // Detected on frames 20 and 30 (every 10th frame analysed); 1 s of margin = 10 frames.
        std::vector<Detection> detections(2);
        detections[0].frame = 30;
        detections[0].box = Box { 10, 10, 10, 20 };
        detections[1].frame = 20;
        detections[1].box = Box { 0, 10, 10, 20 };
        ClipReader reader;
        QString error;
        QVERIFY2(reader.open(clip, detections, 1.0, &error), qPrintable(error));
        QCOMPARE(reader.firstFrame(), int64_t(10));
        QCOMPARE(reader.lastFrame(), int64_t(40));
        Box box;
        QVERIFY(!reader.boxAt(19, &box));
        QVERIFY(reader.boxAt(25, &box));
        QCOMPARE(box, (Box { 5, 10, 10, 20 })); // halfway between the two detections
        QVERIFY(reader.boxAt(30, &box) && box == detections[0].box);
        QVERIFY(!reader.boxAt(31, &box));
        // Forward, then backwards (the file is reopened), each frame the one asked for.
        for (int64_t f : { 10, 11, 25, 12, 40 }) {
            const QImage image = reader.frame(f, &error);
            QVERIFY2(!image.isNull(), qPrintable(error));
            QCOMPARE(frameOf(image.pixelColor(48, 36)), int(f));
        }
        // The box is drawn on frames inside the tracklet only: frame 25 has its outline at x = 5.
        const QImage inside = reader.frame(25, &error);
        const QImage outside = reader.frame(39, &error);
        QVERIFY(inside.pixelColor(5, 20) != inside.pixelColor(48, 36));
        QCOMPARE(outside.pixelColor(5, 20), outside.pixelColor(48, 36));
        QVERIFY(reader.frame(41 + 100, &error).isNull());
        QVERIFY(!error.isEmpty());
        QVERIFY(!ClipReader().open(clip, {}, 1.0, &error));
    }
};

QTEST_GUILESS_MAIN(TestFrameGrabber)
#include "TestFrameGrabber.moc"
