// The colour-stripe descriptor of find similar: unit length, vertical order kept, stable under
// resizing, pooled per tracklet.
#include "ColourStripes.h"

#include <QtTest>

#include <opencv2/imgproc.hpp>

#include <cmath>

using namespace descry;

namespace {

float dot(const std::vector<float> &a, const std::vector<float> &b)
{
    float sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += a[i] * b[i];
    return sum;
}

cv::Mat person(const cv::Scalar &top, const cv::Scalar &bottom, int height = 120)
{
    cv::Mat m(height, height / 3, CV_8UC3, cv::Scalar(128, 128, 128)); // grey head stripe
    m(cv::Rect(0, height / 3, m.cols, height / 3)).setTo(top);
    m(cv::Rect(0, 2 * height / 3, m.cols, height - 2 * height / 3)).setTo(bottom);
    return m;
}

} // namespace

class TestColourStripes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unitLengthAndSize()
    {
        const std::vector<float> d = ColourStripes::describe(person({ 30, 30, 210 }, { 160, 60, 20 }));
        QCOMPARE(int(d.size()), ColourStripes::kDim);
        QVERIFY(std::abs(dot(d, d) - 1.0f) < 1e-5f);
        for (float x : d)
            QVERIFY(x >= 0);
        QCOMPARE(int(ColourStripes::describe(person({ 0, 0, 255 }, { 0, 0, 0 }), 6).size()),
            6 * ColourStripes::kBinsPerStripe);
        QVERIFY(ColourStripes::describe(cv::Mat()).empty());
        QVERIFY(ColourStripes::describe(cv::Mat(10, 10, CV_8UC1, cv::Scalar(3))).empty());
    }

    void verticalOrderCounts()
    {
        const auto redOverBlue = ColourStripes::describe(person({ 30, 30, 210 }, { 160, 60, 20 }));
        const auto blueOverRed = ColourStripes::describe(person({ 160, 60, 20 }, { 30, 30, 210 }));
        const auto redOverBlueSmall = ColourStripes::describe(person({ 30, 30, 210 }, { 160, 60, 20 }, 60));
        // Same colours in the other order share only the grey head stripe: 1/3.
        QVERIFY2(std::abs(dot(redOverBlue, blueOverRed) - 1.0f / 3) < 1e-4f,
            qPrintable(QString::number(dot(redOverBlue, blueOverRed))));
        // The same person at half the size is the same descriptor.
        QVERIFY(dot(redOverBlue, redOverBlueSmall) > 0.999f);
    }

    void poolIsTheNormalisedMean()
    {
        const auto a = ColourStripes::describe(person({ 30, 30, 210 }, { 160, 60, 20 }));
        const auto b = ColourStripes::describe(person({ 40, 200, 40 }, { 20, 20, 20 }));
        const auto pooled = ColourStripes::pool({ a, b, {} }); // an empty one is skipped
        QCOMPARE(pooled.size(), a.size());
        QVERIFY(std::abs(dot(pooled, pooled) - 1.0f) < 1e-5f);
        QVERIFY(std::abs(dot(pooled, a) - dot(pooled, b)) < 1e-5f); // each crop one vote
        QVERIFY(dot(ColourStripes::pool({ a }), a) > 1.0f - 1e-6f);
        QVERIFY(ColourStripes::pool({}).empty());
    }
};

QTEST_GUILESS_MAIN(TestColourStripes)
#include "TestColourStripes.moc"
