#include "ClusteringMetrics.h"

#include <QTest>

#include <cmath>

using namespace descry;

class TestClusteringMetrics : public QObject {
    Q_OBJECT

    static bool near(double a, double b) { return std::abs(a - b) < 1e-9; }

private Q_SLOTS:
    void bcubedByHand()
    {
        // Person 0 is items 0-2, person 1 items 3-4; item 2 went to person 1's group.
        const std::vector<int> person { 0, 0, 0, 1, 1 };
        const BCubedScores s = bcubed({ 0, 0, 1, 1, 1 }, person);
        QVERIFY(near(s.precision, (1 + 1 + 1.0 / 3 + 2.0 / 3 + 2.0 / 3) / 5));
        QVERIFY(near(s.recall, (2.0 / 3 + 2.0 / 3 + 1.0 / 3 + 1 + 1) / 5));
        QVERIFY(near(s.f1, 2 * s.precision * s.recall / (s.precision + s.recall)));
        QCOMPARE(s.items, 5);
        QCOMPARE(s.groups, 2);
        QCOMPARE(s.people, 2);
        // Counting person 1 only: its group still holds a stranger.
        const BCubedScores one = bcubed({ 0, 0, 1, 1, 1 }, person, { 0, 0, 0, 1, 1 });
        QVERIFY(near(one.precision, 2.0 / 3));
        QVERIFY(near(one.recall, 1));
        QCOMPARE(one.items, 2);
    }

    void extremes()
    {
        const std::vector<int> person { 0, 0, 0, 1, 1 };
        const BCubedScores alone = bcubed({ 0, 1, 2, 3, 4 }, person);
        QVERIFY(near(alone.precision, 1));
        QVERIFY(near(alone.recall, (3 * (1.0 / 3) + 2 * 0.5) / 5));
        const BCubedScores together = bcubed({ 7, 7, 7, 7, 7 }, person);
        QVERIFY(near(together.recall, 1));
        QVERIFY(near(together.precision, (3 * 0.6 + 2 * 0.4) / 5));
        const BCubedScores perfect = bcubed({ 4, 4, 4, 9, 9 }, person);
        QVERIFY(near(perfect.f1, 1));
        QCOMPARE(bcubed({}, {}).items, 0);
    }
};

QTEST_GUILESS_MAIN(TestClusteringMetrics)
#include "TestClusteringMetrics.moc"
