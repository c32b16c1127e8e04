// The "Why this match" panel driven like a user: click a word, hover a stripe.
#include "HeatmapPanel.h"
#include "MatchExplanation.h"
#include "StripeView.h"
#include "WordPieceTokenizer.h"

#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

using namespace descry;

namespace {

// "red coat, blue jeans": [CLS] [SUB] red coat , [SUB] blue jeans [SEP]; each text item looks at
// one stripe: coat at patch 2 (index 5), jeans at patch 6 (index 9).
MatchExplanation explanation(qint64 trackletId)
{
    QueryEmbedding q;
    q.text = QStringLiteral("red coat, blue jeans");
    q.words = WordPieceTokenizer::basicTokenize(q.text);
    const TextScale w = TextScale::Word;
    q.scales = {TextScale::Sentence, TextScale::SubSentence, w, w, w, TextScale::SubSentence, w, w, w};
    q.wordOf = {-1, -1, 0, 1, 2, -1, 3, 4, -1};
    q.spanOf = {-1, 0, 0, 0, 0, 1, 1, 1, -1};
    q.items = int(q.scales.size());
    const std::vector<int> target = {0, 2, 5, 5, 0, 3, 9, 9, 0};
    AttentionMap m;
    m.imageItems = 10;
    m.textItems = q.items;
    m.textToImage.assign(size_t(q.items * 10), 0.f);
    for (int b = 0; b < q.items; ++b)
        m.textToImage[size_t(b * 10 + target[size_t(b)])] = 1.f;
    m.imageToText.assign(size_t(10 * q.items), 1.f / float(q.items));
    m.imageItemRelevance.assign(10, 0.2f);
    m.textItemRelevance.assign(size_t(q.items), 0.3f);
    MatchExplanation e = MatchExplanation::build(q, m, 3, 6);
    e.trackletId = trackletId;
    e.globalCosine = 0.4f;
    e.localSimilarity = 0.25f;
    e.score = 0.65f;
    return e;
}

QImage crop()
{
    QImage image(50, 150, QImage::Format_RGB32);
    image.fill(QColor(120, 120, 120));
    return image;
}

} // namespace

class TestUiHeatmapPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void clickingAWordLightsItsStripe();
    void hoveringAStripeShadesTheWordsThatLookedAtIt();
    void staleAnswersAreIgnored();
    void poseShowsTheSkeletonAndBodyZones();
};

void TestUiHeatmapPanel::clickingAWordLightsItsStripe()
{
    HeatmapPanel panel;
    panel.resize(420, 560);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showLoading(7);
    panel.setCrop(7, crop());
    QSignalSpy shown(&panel, &HeatmapPanel::explanationShown);
    panel.setExplanation(explanation(7));
    QCOMPARE(shown.count(), 1);
    QCOMPARE(panel.selectedUnit(), 0); // the sentence first
    QVERIFY(panel.scoreLabel()->text().contains(QStringLiteral("0.65")));
    QVERIFY(panel.unitsLabel()->text().contains(QStringLiteral("jeans")));

    // The user clicks "jeans": the link carries the unit's index.
    const int jeans = panel.explanation().findUnit(QStringLiteral("jeans"));
    QVERIFY(jeans > 0);
    Q_EMIT panel.unitsLabel()->linkActivated(QStringLiteral("u:%1").arg(jeans));
    QCOMPARE(panel.selectedUnit(), jeans);
    // The patch view now shows the bottom stripe hot and the top one cool.
    const QImage patches = panel.view(ImageScale::Patch)->rendered();
    QVERIFY(!patches.isNull());
    const QColor bottom = patches.pixelColor(patches.width() / 2, patches.height() - 4);
    const QColor top = patches.pixelColor(patches.width() / 2, patches.height() / 12);
    QVERIFY2(bottom.red() > top.red() + 40, qPrintable(QStringLiteral("%1 vs %2").arg(bottom.name(), top.name())));
}

void TestUiHeatmapPanel::hoveringAStripeShadesTheWordsThatLookedAtIt()
{
    HeatmapPanel panel;
    panel.resize(420, 560);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showLoading(3);
    panel.setCrop(3, crop());
    panel.setExplanation(explanation(3));
    StripeView *patches = panel.view(ImageScale::Patch);
    QVERIFY(patches->height() > 60);
    // Move the mouse over the second of six patch stripes: "coat" looked there, "jeans" did not.
    const QPoint second(patches->width() / 2, int(patches->height() * 1.5 / 6));
    QCOMPARE(patches->stripeAt(second), 5);
    QTest::mouseMove(patches, second);
    QTRY_COMPARE(panel.hoveredStripe(), 5);
    const int coat = panel.explanation().findUnit(QStringLiteral("coat"));
    const int jeans = panel.explanation().findUnit(QStringLiteral("jeans"));
    QCOMPARE(panel.unitShade(coat), 1.f);
    QCOMPARE(panel.unitShade(jeans), 0.f);
    QVERIFY(panel.unitsLabel()->text().contains(QStringLiteral("patch 2/6")));
    panel.hoverStripe(-1);
    QCOMPARE(panel.unitShade(coat), 0.f);
}

void TestUiHeatmapPanel::staleAnswersAreIgnored()
{
    HeatmapPanel panel;
    panel.showLoading(5);
    panel.setExplanation(explanation(4)); // an answer for the previous selection
    QCOMPARE(panel.explanation().unitCount(), 0);
    panel.showProblem(5, QStringLiteral("tracklet 5 has no embeddings"));
    QCOMPARE(panel.explanation().unitCount(), 0);
}

// With the crop's pose, the views draw the skeleton and the selected word's attention is told by
// the body zones of that pose: "coat" looked at patch 2, which lies on the upper body.
void TestUiHeatmapPanel::poseShowsTheSkeletonAndBodyZones()
{
    HeatmapPanel panel;
    panel.resize(420, 560);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showLoading(5);
    panel.setCrop(5, crop());
    panel.setExplanation(explanation(5));
    const int coat = panel.explanation().findUnit(QStringLiteral("coat"));
    panel.selectUnit(coat);
    const QImage plain = panel.view(ImageScale::Patch)->rendered();
    QVERIFY(!panel.showsBody());
    QVERIFY(!panel.unitsLabel()->text().contains(QStringLiteral("looked at the")));

    CropBody body;
    body.person = Box { 5, 7, 40, 136 };
    for (const auto &[k, x, y] : { std::tuple { Keypoint::Nose, 25.f, 16.f }, std::tuple { Keypoint::LeftShoulder, 33.f, 30.f },
             std::tuple { Keypoint::RightShoulder, 17.f, 30.f }, std::tuple { Keypoint::LeftHip, 30.f, 75.f },
             std::tuple { Keypoint::RightHip, 20.f, 75.f }, std::tuple { Keypoint::LeftKnee, 30.f, 105.f },
             std::tuple { Keypoint::RightKnee, 20.f, 105.f }, std::tuple { Keypoint::LeftAnkle, 30.f, 135.f },
             std::tuple { Keypoint::RightAnkle, 20.f, 135.f } })
        body.pose[k] = { x, y, 0.9f };
    panel.setCrop(5, crop(), body);
    QVERIFY(panel.showsBody());
    const QImage posed = panel.view(ImageScale::Patch)->rendered();
    QCOMPARE(posed.size(), plain.size());
    QVERIFY(posed != plain);
    // The bone from the left hip to the left knee is drawn (green) at its middle.
    const int boneX = int(30.f / 50 * float(posed.width())), boneY = int(90.f / 150 * float(posed.height()));
    int greenest = -255;
    for (int dx = -2; dx <= 2; ++dx) {
        const QColor c = posed.pixelColor(boneX + dx, boneY);
        greenest = std::max(greenest, c.green() - c.red());
    }
    QVERIFY2(greenest > 60, qPrintable(QString::number(greenest)));
    const QString text = panel.unitsLabel()->text();
    QVERIFY2(text.contains(QStringLiteral("looked at the upper body")), qPrintable(text));
    // Another tracklet's crop clears the body.
    panel.showLoading(6);
    QVERIFY(!panel.showsBody());
}

QTEST_MAIN(TestUiHeatmapPanel)
#include "TestUiHeatmapPanel.moc"
