#include "FootageVariant.h"

#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

using namespace descry;

namespace {

constexpr int kWidth = 96, kHeight = 72, kFrames = 40;
constexpr int kBits = 6; // frame i shows i in binary as 6 black/white columns, 16 px each

// Frames that say which they are (their index in the top half, as bit columns) and where each
// pixel is (the bottom half: blue grows to the right, green downwards).
cv::Mat sourceFrame(int index)
{
    cv::Mat frame(kHeight, kWidth, CV_8UC3);
    for (int y = 0; y < kHeight; ++y)
        for (int x = 0; x < kWidth; ++x) {
            const bool bit = (index >> (x / 16)) & 1;
            frame.at<cv::Vec3b>(y, x) = y < kHeight / 2 ? cv::Vec3b::all(bit ? 255 : 0)
                                                        : cv::Vec3b(uchar(x * 2), uchar(y * 2), 128);
        }
    return frame;
}

int shownIndex(const cv::Mat &tile)
{
    int index = 0;
    for (int bit = 0; bit < kBits; ++bit)
        if (cv::mean(tile(cv::Rect(bit * 16 + 4, 4, 8, kHeight / 2 - 8)))[0] > 128)
            index |= 1 << bit;
    return index;
}

std::vector<cv::Mat> readAll(const QString &path)
{
    std::vector<cv::Mat> frames;
    cv::VideoCapture capture(path.toStdString());
    cv::Mat f;
    while (capture.read(f))
        frames.push_back(f.clone());
    return frames;
}

} // namespace

class TestFootageVariant : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_clip;

    std::vector<cv::Mat> variant(const FootageVariantOptions &options, const QString &name)
    {
        const QString out = m_dir.filePath(name);
        QString error;
        if (!writeFootageVariant(m_clip, out, options, {}, &error))
            qWarning("%s", qPrintable(error));
        return readAll(out);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_clip = m_dir.filePath(QStringLiteral("source.avi"));
        cv::VideoWriter writer(
            m_clip.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(kWidth, kHeight));
        QVERIFY(writer.isOpened());
        for (int i = 0; i < kFrames; ++i)
            writer.write(sourceFrame(i));
    }

    // Copy k of a 2 x 2 mosaic shows the clip from k/4 of the way in, wrapping at the end.
    void mosaicShiftsItsCopies()
    {
        FootageVariantOptions options;
        options.kind = FootageVariantOptions::Kind::Mosaic;
        const std::vector<cv::Mat> frames = variant(options, QStringLiteral("mosaic.avi"));
        QCOMPARE(int(frames.size()), kFrames);
        QCOMPARE(frames[0].size(), cv::Size(2 * kWidth, 2 * kHeight));
        for (const int i : { 0, 17, 39 })
            for (int k = 0; k < 4; ++k) {
                const cv::Rect tile((k % 2) * kWidth, (k / 2) * kHeight, kWidth, kHeight);
                QCOMPARE(shownIndex(frames[size_t(i)](tile)), (i + k * kFrames / 4) % kFrames);
            }
    }

    // The pan's window starts at the top left, reaches the bottom right half way, and comes back.
    void panSweepsAndReturns()
    {
        FootageVariantOptions options; // a pan over 2/3 of the frame
        const std::vector<cv::Mat> frames = variant(options, QStringLiteral("pan.avi"));
        QCOMPARE(int(frames.size()), kFrames);
        QCOMPARE(frames[0].size(), cv::Size(64, 48));
        const auto bottomRightPixel
            = [](const cv::Mat &f) { return f.at<cv::Vec3b>(f.rows - 2, f.cols - 2); };
        const cv::Vec3b start = bottomRightPixel(frames.front()), middle = bottomRightPixel(frames[20]),
                        end = bottomRightPixel(frames.back());
        // Blue is twice the source column, green twice the source row.
        QVERIFY2(
            std::abs(start[0] - 2 * 62) <= 6 && std::abs(start[1] - 2 * 46) <= 6, "window at the top left");
        QVERIFY2(std::abs(middle[0] - 2 * 94) <= 8 && std::abs(middle[1] - 2 * 70) <= 8,
            "window at the bottom right");
        QVERIFY2(std::abs(end[0] - start[0]) <= 6 && std::abs(end[1] - start[1]) <= 6,
            "window back at the top left");
    }

    void scaleResizes()
    {
        FootageVariantOptions options;
        options.kind = FootageVariantOptions::Kind::Scale;
        options.scale = 2.5;
        const std::vector<cv::Mat> frames = variant(options, QStringLiteral("scaled.avi"));
        QCOMPARE(int(frames.size()), kFrames);
        QCOMPARE(frames[0].size(), cv::Size(240, 180));
    }

    void refusesWhatItCannotDo()
    {
        FootageVariantOptions options;
        options.kind = FootageVariantOptions::Kind::Mosaic;
        options.mosaic = 7;
        QString error;
        QVERIFY(!writeFootageVariant(m_clip, m_dir.filePath(QStringLiteral("x.avi")), options, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("2 to 4")), qPrintable(error));
        options.mosaic = 2;
        QVERIFY(!writeFootageVariant(m_dir.filePath(QStringLiteral("missing.avi")),
            m_dir.filePath(QStringLiteral("x.avi")), options, {}, &error));
        QVERIFY2(error.contains(QStringLiteral("missing.avi")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestFootageVariant)
#include "TestFootageVariant.moc"
