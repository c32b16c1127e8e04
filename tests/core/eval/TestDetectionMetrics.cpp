#include "DetectionMetrics.h"

#include <QTest>

using namespace descry;

class TestDetectionMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void counts_data();
    void counts();
    void matchingIsOneToOne();
    void ignoresTinyAndOccluded();
    void ignoredMatchIsNotFalsePositive();
    void stationaryReferences();
    void emptyInputs();
};

void TestDetectionMetrics::counts_data()
{
    QTest::addColumn<float>("shift"); // detection moved right by this many pixels (box 10 wide)
    QTest::addColumn<float>("minIou");
    QTest::addColumn<int>("tp");
    QTest::addColumn<int>("fp");
    QTest::addColumn<int>("fn");
    // Shift 3 of a 10x20 box: IoU = 140 / 260 = 0.538.
    QTest::newRow("exact") << 0.f << 0.5f << 1 << 0 << 0;
    QTest::newRow("just above") << 3.f << 0.5f << 1 << 0 << 0;
    QTest::newRow("just below") << 3.f << 0.55f << 0 << 1 << 1;
    QTest::newRow("disjoint") << 20.f << 0.1f << 0 << 1 << 1;
}

void TestDetectionMetrics::counts()
{
    QFETCH(float, shift);
    QFETCH(float, minIou);
    QFETCH(int, tp);
    QFETCH(int, fp);
    QFETCH(int, fn);
    MatchOptions options;
    options.minIou = minIou;
    const DetectionCounts c
        = matchDetections({ Box { 100 + shift, 50, 10, 20 } }, { Box { 100, 50, 10, 20 } }, options);
    QCOMPARE(c.truePositives, tp);
    QCOMPARE(c.falsePositives, fp);
    QCOMPARE(c.falseNegatives, fn);
}

void TestDetectionMetrics::matchingIsOneToOne()
{
    // Two detections on one person: one matches, the duplicate is a false positive; the best
    // overlap wins the reference.
    const std::vector<Box> references { { 0, 0, 10, 20 }, { 100, 0, 10, 20 } };
    const std::vector<Box> detections { { 1, 0, 10, 20 }, { 0, 0, 10, 20 }, { 300, 0, 10, 20 } };
    DetectionCounts c = matchDetections(detections, references);
    QCOMPARE(c.truePositives, 1);
    QCOMPARE(c.falsePositives, 2);
    QCOMPARE(c.falseNegatives, 1);
    QCOMPARE(c.precision(), 1.0 / 3);
    QCOMPARE(c.recall(), 0.5);
    QCOMPARE(c.f1(), 2 * (1.0 / 3) * 0.5 / (1.0 / 3 + 0.5));
    c += c;
    QCOMPARE(c.truePositives, 2);
    QCOMPARE(c.falseNegatives, 2);
}

void TestDetectionMetrics::ignoresTinyAndOccluded()
{
    const std::vector<Box> references {
        { 0, 0, 20, 60 }, // far person, mostly behind the next one
        { 2, 10, 20, 60 }, // nearer (lower bottom edge): covers 18/20 x 50/60 of the first
        { 200, 0, 5, 12 }, // tiny
        { 300, 0, 20, 60 }, // alone
    };
    MatchOptions options;
    options.minReferenceHeight = 20;
    options.maxOccludedFraction = 0.6f;
    const std::vector<bool> ignored = ignoredReferences(references, options);
    QCOMPARE(ignored, (std::vector<bool> { true, false, true, false }));
    options.maxOccludedFraction = 0.9f; // 75% hidden is acceptable now
    QCOMPARE(ignoredReferences(references, options), (std::vector<bool> { false, false, true, false }));

    const DetectionCounts c = matchDetections({ { 300, 0, 20, 60 } }, references, { 0.5f, 20, 0.6f });
    QCOMPARE(c.truePositives, 1);
    QCOMPARE(c.falseNegatives, 1); // the nearer person
    QCOMPARE(c.ignored, 2);
}

void TestDetectionMetrics::ignoredMatchIsNotFalsePositive()
{
    const std::vector<Box> references { { 0, 0, 20, 60 }, { 100, 0, 20, 60 } };
    const std::vector<bool> alsoIgnore { true, false };
    const DetectionCounts c = matchDetections({ { 0, 0, 20, 60 } }, references, {}, &alsoIgnore);
    QCOMPARE(c.truePositives, 0);
    QCOMPARE(c.falsePositives, 0);
    QCOMPARE(c.falseNegatives, 1);
    QCOMPARE(c.ignored, 1);
}

void TestDetectionMetrics::stationaryReferences()
{
    // A box that stays put in every frame and one that walks 10 px per frame.
    std::vector<std::vector<Box>> frames;
    for (int i = 0; i < 30; ++i)
        frames.push_back({ Box { 5, 5, 10, 30 }, Box { 10.f * float(i), 100, 10, 30 } });
    frames[15].pop_back(); // a missed frame changes nothing
    const auto stationary = descry::stationaryReferences(frames, 5, 0.8f, 0.7f);
    QCOMPARE(int(stationary.size()), 30);
    for (int i = 0; i < 30; ++i) {
        QVERIFY(stationary[size_t(i)][0]);
        if (i != 15)
            QVERIFY(!stationary[size_t(i)][1]);
    }
}

void TestDetectionMetrics::emptyInputs()
{
    const DetectionCounts none = matchDetections({}, {});
    QCOMPARE(none.precision(), 1.0);
    QCOMPARE(none.recall(), 1.0);
    const DetectionCounts missed = matchDetections({}, { Box { 0, 0, 10, 10 } });
    QCOMPARE(missed.recall(), 0.0);
    QCOMPARE(missed.f1(), 0.0);
    QCOMPARE(boxesOf({ Detection { 0, 0, Box { 1, 2, 3, 4 }, 0.2f },
                         Detection { 0, 0, Box { 5, 6, 7, 8 }, 0.8f } },
                 0.5f),
        (std::vector<Box> { Box { 5, 6, 7, 8 } }));
}

QTEST_GUILESS_MAIN(TestDetectionMetrics)
#include "TestDetectionMetrics.moc"
