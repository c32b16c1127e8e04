#include "AttributeExtractor.h"
#include "PatternMeter.h"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <functional>

using namespace descry;

Q_DECLARE_METATYPE(cv::Mat)

namespace {

// A garment-sized zone (48 x 36, the upper body of a ~140 px crop) painted by `colourAt`.
cv::Mat paint(const std::function<cv::Vec3b(int x, int y)> &colourAt, cv::Size size = { 36, 48 })
{
    cv::Mat image(size, CV_8UC3);
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x)
            image.at<cv::Vec3b>(y, x) = colourAt(x, y);
    return image;
}

const cv::Vec3b kNavy(110, 40, 25), kBlack(25, 25, 25), kRed(40, 40, 190), kWhite(225, 225, 225);

cv::Vec3b shaded(cv::Vec3b c, double factor)
{
    return { cv::saturate_cast<uchar>(c[0] * factor), cv::saturate_cast<uchar>(c[1] * factor),
        cv::saturate_cast<uchar>(c[2] * factor) };
}

PatternScores measureAll(const cv::Mat &image, const cv::Mat &fg = {})
{
    return PatternMeter::measure(image, fg, cv::Rect(0, 0, image.cols, image.rows));
}

} // namespace

class TestPatternMeter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tellsStripesFromChecksAndPlainCloth_data();
    void tellsStripesFromChecksAndPlainCloth();
    void onlyThePersonsPixelsCount();
    void tooSmallIsNotMeasured();
    void extractorReportsTheUpperGarmentsPattern();
};

void TestPatternMeter::tellsStripesFromChecksAndPlainCloth_data()
{
    QTest::addColumn<cv::Mat>("image");
    QTest::addColumn<bool>("striped");
    QTest::addColumn<bool>("checked");
    // Navy and black stripes, 3 px each, under light from the left and a fold: a real jumper.
    QTest::newRow("navy and black stripes") << paint([](int x, int y) {
        const double light = 0.8 + 0.4 * x / 36.0 + 0.1 * std::sin(y / 7.0);
        return shaded((y / 3) % 2 ? kNavy : kBlack, light);
    }) << true << false;
    QTest::newRow("red and white checks") << paint([](int x, int y) {
        return ((x / 4) + (y / 4)) % 2 ? kRed : kWhite;
    }) << false << true;
    // Plaid: bands across and down, added.
    QTest::newRow("plaid") << paint([](int x, int y) {
        const double v = 0.55 + 0.25 * ((x / 3) % 2) + 0.25 * ((y / 3) % 2);
        return shaded(kRed, v * 1.3);
    }) << false << true;
    QTest::newRow("plain with folds and side light") << paint([](int x, int y) {
        return shaded(kNavy, 0.7 + 0.5 * x / 36.0 + 0.2 * std::sin(y / 5.0 + x / 9.0));
    }) << false << false;
    QTest::newRow("vertical stripes are not horizontal ones") << paint([](int x, int) {
        return (x / 3) % 2 ? kNavy : kWhite;
    }) << false << false;
    cv::Mat noise(48, 36, CV_8UC3);
    cv::RNG rng(7);
    rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(110), cv::Scalar::all(8));
    QTest::newRow("sensor noise") << noise << false << false;
}

void TestPatternMeter::tellsStripesFromChecksAndPlainCloth()
{
    QFETCH(cv::Mat, image);
    QFETCH(bool, striped);
    QFETCH(bool, checked);
    const PatternScores s = measureAll(image);
    QVERIFY(s.measured());
    const QByteArray scores = "striped " + QByteArray::number(s.striped) + ", checked " + QByteArray::number(s.checked);
    QVERIFY2(striped ? s.striped >= 0.5f : s.striped < 0.2f, scores.constData());
    QVERIFY2(checked ? s.checked >= 0.5f : s.checked < 0.2f, scores.constData());
}

void TestPatternMeter::onlyThePersonsPixelsCount()
{
    // Stripes on the person, a white wall on the right third that the mask leaves out: its edge
    // against the jumper is no pattern, and the stripes are still seen.
    const cv::Mat image = paint([](int x, int y) { return x >= 24 ? kWhite : (y / 3) % 2 ? kNavy : kBlack; });
    cv::Mat fg(image.size(), CV_8UC1, cv::Scalar(0));
    fg(cv::Rect(0, 0, 24, image.rows)).setTo(255);
    const PatternScores masked = measureAll(image, fg);
    QVERIFY2(masked.striped >= 0.5f, QByteArray::number(masked.striped).constData());
    // A plain jumper in front of a striped background (railings): only the jumper counts.
    const cv::Mat plain = paint([](int x, int y) { return x >= 24 ? ((y / 3) % 2 ? kWhite : kBlack) : kNavy; });
    const PatternScores plainMasked = measureAll(plain, fg);
    QVERIFY2(plainMasked.striped < 0.2f, QByteArray::number(plainMasked.striped).constData());
    QVERIFY(measureAll(plain).striped > plainMasked.striped); // without the mask the railings show
}

void TestPatternMeter::tooSmallIsNotMeasured()
{
    const cv::Mat tiny = paint([](int, int y) { return (y / 2) % 2 ? kNavy : kWhite; }, { 8, 10 });
    QVERIFY(!measureAll(tiny).measured());
    QVERIFY(!PatternMeter::measure(cv::Mat(), {}, cv::Rect(0, 0, 10, 10)).measured());
}

void TestPatternMeter::extractorReportsTheUpperGarmentsPattern()
{
    // A 50 x 150 person crop: head, a striped (or plain) top from 0.18 to 0.55 of the height,
    // plain trousers and shoes.
    const auto person = [](bool striped) {
        return paint(
            [striped](int, int y) {
                const double fy = y / 150.0;
                if (fy < 0.18)
                    return kBlack;
                if (fy < 0.55)
                    return striped && (y / 3) % 2 ? kWhite : kNavy;
                return fy < 0.9 ? kRed : kBlack;
            },
            { 50, 150 });
    };
    const auto upper = [](const AttributeSet &set, const char *name) {
        for (const AttributeValue &a : set)
            if (a.region == BodyRegion::Upper && a.name == QLatin1String(name))
                return a.value;
        return -1.f;
    };
    const AttributeExtractor extractor;
    const AttributeSet striped = extractor.extract(person(true), cv::Mat());
    const AttributeSet plain = extractor.extract(person(false), cv::Mat());
    QVERIFY2(upper(striped, "pattern:striped") >= 0.5f, QByteArray::number(upper(striped, "pattern:striped")));
    QVERIFY(upper(striped, "pattern:patterned") >= upper(striped, "pattern:striped"));
    QCOMPARE_GE(upper(plain, "pattern:striped"), 0.f); // measured,
    QVERIFY(upper(plain, "pattern:striped") < 0.2f); // and plain
    QVERIFY(upper(plain, "pattern:checked") < 0.2f);
}

QTEST_GUILESS_MAIN(TestPatternMeter)
#include "TestPatternMeter.moc"
