#include "VideoDecoder.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

using namespace descry;

namespace {

constexpr double kFps = 10.0;
constexpr int kBits = 8; // frame i shows i in binary as 8 black/white columns: frames identify themselves

cv::Mat indexFrame(int index)
{
    cv::Mat frame(48, 64, CV_8UC3, cv::Scalar::all(0));
    for (int bit = 0; bit < kBits; ++bit) {
        if (index & (1 << bit))
            frame.colRange(bit * 8, bit * 8 + 8).setTo(cv::Scalar::all(255));
    }
    return frame;
}

// Writes `count` 64x48 frames that encode their index (survives lossy codecs).
bool writeVideo(const QString &path, const char fourcc[4], int count)
{
    cv::VideoWriter writer(path.toStdString(), cv::CAP_FFMPEG,
        cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]), kFps, cv::Size(64, 48));
    if (!writer.isOpened())
        return false;
    for (int i = 0; i < count; ++i) {
        writer.write(indexFrame(i));
    }
    return true;
}

int decodedIndex(const cv::Mat &image)
{
    int index = 0;
    for (int bit = 0; bit < kBits; ++bit) {
        if (cv::mean(image.colRange(bit * 8 + 2, bit * 8 + 6))[0] > 128)
            index |= 1 << bit;
    }
    return index;
}

void touch(const QString &path, const QByteArray &content = "hello")
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

} // namespace

class TestVideoDecoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsFrames_data();
    void readsFrames();
    void skipToUsesSourceIndices();
    void errors_data();
    void errors();
    void truncatedFileEndsEarly();
    void videoFileNames();
    void listFootageWalksTree();
    void photoIsOneFrame();
    void damagedPhotoIsRefused();

private:
    QTemporaryDir m_dir;
};

void TestVideoDecoder::readsFrames_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("fourcc");
    QTest::addColumn<int>("stride");
    for (int stride : { 1, 3, 7 }) {
        QTest::addRow("avi-mjpg-stride%d", stride) << "clip.avi"
                                                   << "MJPG" << stride;
        QTest::addRow("mp4-mp4v-stride%d", stride) << "clip.mp4"
                                                   << "mp4v" << stride;
    }
}

void TestVideoDecoder::readsFrames()
{
    QFETCH(QString, fileName);
    QFETCH(QString, fourcc);
    QFETCH(int, stride);
    const int count = 30;
    const QString path = m_dir.filePath(fileName);
    QVERIFY(writeVideo(path, fourcc.toLatin1().constData(), count));

    VideoDecoder decoder;
    QString error;
    QVERIFY2(decoder.open(path, &error), qPrintable(error));
    QCOMPARE(decoder.info().width, 64);
    QCOMPARE(decoder.info().height, 48);
    QCOMPARE(decoder.info().fps, kFps);
    QVERIFY(!decoder.info().fpsAssumed);
    decoder.setStride(stride);

    Frame frame;
    int kept = 0;
    while (decoder.read(&frame)) {
        QCOMPARE(frame.index, int64_t(kept) * stride);
        QCOMPARE(frame.time, double(frame.index) / kFps);
        QCOMPARE(decodedIndex(frame.image), int(frame.index));
        ++kept;
    }
    QCOMPARE(kept, (count + stride - 1) / stride);
    QVERIFY(!decoder.read(&frame)); // stays at the end
}

void TestVideoDecoder::skipToUsesSourceIndices()
{
    const QString path = m_dir.filePath("skip.avi");
    QVERIFY(writeVideo(path, "MJPG", 30));
    VideoDecoder decoder;
    QString error;
    QVERIFY2(decoder.open(path, &error), qPrintable(error));
    QVERIFY(decoder.skipTo(10));
    QCOMPARE(decoder.nextIndex(), int64_t(10));
    Frame frame;
    QVERIFY(decoder.read(&frame));
    QCOMPARE(frame.index, int64_t(10));
    QCOMPARE(decodedIndex(frame.image), 10);
    QVERIFY(!decoder.skipTo(5)); // forward only

    // With a stride, a resumed decoder keeps the same frames an uninterrupted one keeps.
    decoder.setStride(4);
    QVERIFY(decoder.skipTo(13));
    QVERIFY(decoder.read(&frame));
    QCOMPARE(frame.index, int64_t(16));
    QCOMPARE(decodedIndex(frame.image), 16);
    QVERIFY(!decoder.skipTo(1000)); // past the end
}

void TestVideoDecoder::photoIsOneFrame()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("photo.png"));
    cv::Mat image(120, 90, CV_8UC3, cv::Scalar(10, 200, 30));
    QVERIFY(cv::imwrite(path.toStdString(), image));
    VideoDecoder decoder;
    QString error;
    QVERIFY2(decoder.open(path, &error), qPrintable(error));
    QVERIFY(decoder.info().still);
    QCOMPARE(decoder.info().frameCount, int64_t(1));
    QCOMPARE(decoder.info().width, 90);
    QCOMPARE(decoder.info().height, 120);
    decoder.setStride(3);
    Frame frame;
    QVERIFY(decoder.read(&frame));
    QCOMPARE(frame.index, int64_t(0));
    QCOMPARE(frame.time, 0.0);
    QCOMPARE(frame.image.at<cv::Vec3b>(60, 45), cv::Vec3b(10, 200, 30));
    QVERIFY(!decoder.read(&frame)); // one frame only
}

void TestVideoDecoder::damagedPhotoIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cut.jpg"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("\xff\xd8\xff\xe0 not really a jpeg");
    file.close();
    VideoDecoder decoder;
    QString error;
    QVERIFY(!decoder.open(path, &error));
    QVERIFY2(error.startsWith(QStringLiteral("not an image Descry can read, or a damaged one: ")), qPrintable(error));
}

void TestVideoDecoder::errors_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content"); // empty: do not create the file
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << "missing.mp4" << QByteArray() << "file not found: ";
    QTest::newRow("text file") << "notes.txt" << QByteArray("just text")
                               << "not a video or image file, or an unsupported codec: ";
    QTest::newRow("text named mp4") << "fake.mp4" << QByteArray("just text, not a container")
                                    << "not a video or image file, or an unsupported codec: ";
    QTest::newRow("empty avi") << "empty.avi" << QByteArray("") << "not a video or image file, or an unsupported codec: ";
}

void TestVideoDecoder::errors()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = m_dir.filePath(fileName);
    if (!content.isNull())
        touch(path, content);
    VideoDecoder decoder;
    QString error;
    QVERIFY(!decoder.open(path, &error));
    QCOMPARE(error, expected + path);
    Frame frame;
    QVERIFY(!decoder.read(&frame));
    QVERIFY(!decoder.skipTo(3));
}

void TestVideoDecoder::truncatedFileEndsEarly()
{
    const QString full = m_dir.filePath("full.avi");
    const int count = 60;
    QVERIFY(writeVideo(full, "MJPG", count));
    QFile in(full);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    const QString cut = m_dir.filePath("cut.avi");
    touch(cut, bytes.left(bytes.size() / 2));

    VideoDecoder decoder;
    QString error;
    QVERIFY2(decoder.open(cut, &error), qPrintable(error));
    Frame frame;
    int read = 0;
    while (decoder.read(&frame)) {
        QCOMPARE(frame.index, int64_t(read));
        ++read;
    }
    QVERIFY2(read > 0 && read < count, qPrintable(QString::number(read)));
}

void TestVideoDecoder::videoFileNames()
{
    QVERIFY(VideoDecoder::isVideoFileName("a/b/CLIP.MP4"));
    QVERIFY(VideoDecoder::isVideoFileName("x.webm"));
    QVERIFY(VideoDecoder::isVideoFileName("x.Mkv"));
    QVERIFY(VideoDecoder::isVideoFileName("x.mpeg"));
    QVERIFY(!VideoDecoder::isVideoFileName("x.mp4.txt"));
    QVERIFY(!VideoDecoder::isVideoFileName("mp4"));
    QVERIFY(!VideoDecoder::isVideoFileName("x.jpg"));
}

void TestVideoDecoder::listFootageWalksTree()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QDir dir(root.path());
    QVERIFY(dir.mkpath("cam2/day1"));
    QVERIFY(dir.mkpath("cam1"));
    QVERIFY(dir.mkpath("locked"));
    touch(dir.filePath("cam2/day1/b.MP4"));
    touch(dir.filePath("cam2/a.avi"));
    touch(dir.filePath("cam1/z.mkv"));
    touch(dir.filePath("cam1/readme.txt"));
    touch(dir.filePath("top.mov"));
    touch(dir.filePath("photo.JPG"));
    touch(dir.filePath("cam1/still.png"));
    touch(dir.filePath("locked/hidden.mp4"));

    QStringList problems;
    const QStringList expectedOpen { dir.filePath("cam1/still.png"), dir.filePath("cam1/z.mkv"),
        dir.filePath("cam2/a.avi"), dir.filePath("cam2/day1/b.MP4"), dir.filePath("locked/hidden.mp4"),
        dir.filePath("photo.JPG"), dir.filePath("top.mov") };
    QCOMPARE(VideoDecoder::listFootage(root.path(), &problems), expectedOpen);
    QVERIFY(problems.isEmpty());

    QStringList missingProblems;
    QVERIFY(VideoDecoder::listFootage(dir.filePath("nope"), &missingProblems).isEmpty());
    QCOMPARE(missingProblems.size(), 1);

    const QString locked = dir.filePath("locked");
    QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
    // Root reads through mode 000; only check the report where the lock really holds.
    const bool lockHolds = QDir(locked).entryList(QDir::Files).isEmpty();
    QStringList lockedProblems;
    const QStringList found = VideoDecoder::listFootage(root.path(), &lockedProblems);
    QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (!lockHolds)
        QSKIP("running with permissions that read a mode-000 folder (root): unreadable-folder case not "
              "testable");
    QStringList expectedLocked = expectedOpen;
    expectedLocked.removeAll(dir.filePath("locked/hidden.mp4"));
    QCOMPARE(found, expectedLocked);
    QCOMPARE(lockedProblems.size(), 1);
    QVERIFY(lockedProblems.first().contains(locked));
}

QTEST_GUILESS_MAIN(TestVideoDecoder)
#include "TestVideoDecoder.moc"
