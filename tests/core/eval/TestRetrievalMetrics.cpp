#include "RetrievalMetrics.h"

#include <QTest>

#include <cmath>

using namespace descry;

namespace {

void compareMetrics(const RetrievalMetrics &m, int queries, double r1, double r5, double r10, double mAP)
{
    QCOMPARE(m.queries, queries);
    const auto near = [](double a, double b) { return std::abs(a - b) < 1e-9; };
    QVERIFY2(near(m.r1, r1), qPrintable(QStringLiteral("R@1 %1, expected %2").arg(m.r1).arg(r1)));
    QVERIFY2(near(m.r5, r5), qPrintable(QStringLiteral("R@5 %1, expected %2").arg(m.r5).arg(r5)));
    QVERIFY2(near(m.r10, r10), qPrintable(QStringLiteral("R@10 %1, expected %2").arg(m.r10).arg(r10)));
    QVERIFY2(near(m.mAP, mAP), qPrintable(QStringLiteral("mAP %1, expected %2").arg(m.mAP).arg(mAP)));
}

} // namespace

class TestRetrievalMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void twoQueries();
    void recallCutoffs();
    void tiesByGalleryIndex();
    void queryWithoutRelevantItemsIsSkipped();
    void empty();
    void json();
};

void TestRetrievalMetrics::twoQueries()
{
    // Gallery labels 1 2 1 3.
    // Query 0 (label 1): scores .2 .9 .5 .1 -> ranking 1 2 0 3; its items 2 and 0 at ranks 2 and 3:
    //   first hit at rank 2, AP = (1/2 + 2/3) / 2 = 7/12.
    // Query 1 (label 2): scores .3 .8 .1 .2 -> item 1 first: AP = 1.
    // R@1 = 1/2, R@5 = R@10 = 1, mAP = (7/12 + 1) / 2 = 19/24.
    const std::vector<float> scores { 0.2f, 0.9f, 0.5f, 0.1f, 0.3f, 0.8f, 0.1f, 0.2f };
    const RetrievalMetrics m = retrievalMetrics(scores, { 1, 2 }, { 1, 2, 1, 3 });
    compareMetrics(m, 2, 0.5, 1, 1, 19.0 / 24);
    QCOMPARE(m.gallery, 4);
}

void TestRetrievalMetrics::recallCutoffs()
{
    // Twelve gallery items with labels 0..11, every query scoring them 12, 11, ..., 1 (item i at
    // rank i + 1). Query label 6: rank 7 (in R@10, not R@5), AP = 1/7. Label 10: rank 11 (in
    // none), AP = 1/11. Label 0: rank 1, AP = 1. Label 4: rank 5 (R@5, not R@1), AP = 1/5.
    std::vector<int> gallery(12);
    std::vector<float> row(12);
    for (int i = 0; i < 12; ++i) {
        gallery[size_t(i)] = i;
        row[size_t(i)] = float(12 - i);
    }
    const std::vector<int> queries { 6, 10, 0, 4 };
    std::vector<float> scores;
    for (size_t q = 0; q < queries.size(); ++q)
        scores.insert(scores.end(), row.begin(), row.end());
    compareMetrics(retrievalMetrics(scores, queries, gallery), 4, 1.0 / 4, 2.0 / 4, 3.0 / 4,
        (1.0 / 7 + 1.0 / 11 + 1 + 1.0 / 5) / 4);
}

void TestRetrievalMetrics::tiesByGalleryIndex()
{
    // Gallery labels 5 7 7 5.
    // Query 0 (label 7), all scores equal -> ranking 0 1 2 3: its items at ranks 2 and 3,
    //   AP = (1/2 + 2/3) / 2 = 7/12, not in R@1.
    // Query 1 (label 5), scores .9 .9 .9 .1 -> ranking 0 1 2 3 (the tie by index puts item 0,
    //   a 5, first): ranks 1 and 4, AP = (1 + 2/4) / 2 = 3/4, in R@1.
    // R@1 = 1/2, R@5 = R@10 = 1, mAP = (7/12 + 3/4) / 2 = 2/3.
    const std::vector<float> scores { 0.5f, 0.5f, 0.5f, 0.5f, 0.9f, 0.9f, 0.9f, 0.1f };
    compareMetrics(retrievalMetrics(scores, { 7, 5 }, { 5, 7, 7, 5 }), 2, 0.5, 1, 1, 2.0 / 3);
}

void TestRetrievalMetrics::queryWithoutRelevantItemsIsSkipped()
{
    // Gallery labels 1 2. Query 0 (label 1): scores .1 .2 -> its item at rank 2: R@1 = 0,
    // AP = 1/2. Query 1 (label 9) has nothing to find: not counted, so the means are over 1
    // query (a skipped query counted as a miss would halve R@5).
    const std::vector<float> scores { 0.1f, 0.2f, 0.7f, 0.3f };
    compareMetrics(retrievalMetrics(scores, { 1, 9 }, { 1, 2 }), 1, 0, 1, 1, 0.5);
    // No query with a relevant item at all: zeros, not NaN.
    compareMetrics(retrievalMetrics(scores, { 8, 9 }, { 1, 2 }), 0, 0, 0, 0, 0);
}

void TestRetrievalMetrics::empty()
{
    const RetrievalMetrics m = retrievalMetrics({}, {}, {});
    compareMetrics(m, 0, 0, 0, 0, 0);
    QCOMPARE(m.gallery, 0);
    // Queries against an empty gallery find nothing and are skipped.
    compareMetrics(retrievalMetrics({}, { 1, 2 }, {}), 0, 0, 0, 0, 0);
}

void TestRetrievalMetrics::json()
{
    const std::vector<float> scores { 0.2f, 0.9f, 0.5f, 0.1f, 0.3f, 0.8f, 0.1f, 0.2f };
    const QJsonObject json
        = retrievalMetrics(scores, { 1, 2 }, { 1, 2, 1, 3 }, QStringLiteral("baseline")).toJson();
    QCOMPARE(json.value(QStringLiteral("name")).toString(), QStringLiteral("baseline"));
    QCOMPARE(json.value(QStringLiteral("queries")).toInt(), 2);
    QCOMPARE(json.value(QStringLiteral("gallery")).toInt(), 4);
    QCOMPARE(json.value(QStringLiteral("r1")).toDouble(), 0.5);
    QCOMPARE(json.value(QStringLiteral("r5")).toDouble(), 1.0);
    QCOMPARE(json.value(QStringLiteral("r10")).toDouble(), 1.0);
    QVERIFY(std::abs(json.value(QStringLiteral("mAP")).toDouble() - 19.0 / 24) < 1e-9);
}

QTEST_GUILESS_MAIN(TestRetrievalMetrics)
#include "TestRetrievalMetrics.moc"
