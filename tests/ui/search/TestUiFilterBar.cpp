// The filter bar and the timeline strip, driven through the window's widgets on the offscreen
// platform: attribute chips typed in, videos ticked, a time range typed, time order chosen,
// filters that exclude everyone (and clearing them from the empty page), find-similar under
// filters, the timeline's marks selecting results, and results hidden below the relevance
// cut-off counted and shown on request. A gallery of hand-placed tracklets and an untrained
// tiny model, so every expected set is known exactly. Waits on signals, never sleeps.
#include "EmptyStateWidget.h"
#include "FilterBar.h"
#include "Gallery.h"
#include "IdentityEditor.h"
#include "MainWindow.h"
#include "ResultsModel.h"
#include "ResultsView.h"
#include "ScoreCalibration.h"
#include "SearchBar.h"
#include "SearchController.h"
#include "SearchFixture.h"
#include "TextPersonModel.h"
#include "TimelineStrip.h"
#include "TinyNafsModel.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <opencv2/core.hpp>

using namespace descry;
using test::attr;

namespace {

constexpr int kWaitMs = 20000;
const QString kQuery = QStringLiteral("a man in a red coat and black trousers");

enum Name { A1, A2, A3, B1, B2, B3, Count };

} // namespace

class TestUiFilterBar : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_config;
    QString m_galleryPath;
    std::vector<int64_t> m_ids; // by Name
    std::vector<int64_t> m_sources; // camera "North Gate", camera "south"
    QString m_modelId;

    QSet<int64_t> idsOf(std::initializer_list<Name> names) const
    {
        return test::idsOf(m_ids, names);
    }

    static QSet<int64_t> shownIds(MainWindow &window)
    {
        QSet<int64_t> out;
        for (int row = 0; row < window.resultsModel()->totalCount(); ++row)
            out.insert(window.resultsModel()->result(row).tracklet.id);
        return out;
    }

    static void typeInto(QLineEdit *edit, const QString &text)
    {
        edit->setFocus();
        edit->clear();
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QString error;
        m_config = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny"), 5, &error);
        QVERIFY2(!m_config.isEmpty(), qPrintable(error));
        const std::unique_ptr<TextPersonModel> model = TextPersonModel::load(m_config, &error);
        QVERIFY2(model, qPrintable(error));
        m_modelId = model->id();
        m_galleryPath = m_dir.filePath(QStringLiteral("g.sqlite"));
        Gallery gallery;
        QVERIFY(gallery.open(m_galleryPath));
        const std::vector<float> q = model->encodeQuery(kQuery).global;
        const VisualEmbedding items
            = model->encodeCrops({ cv::Mat(96, 40, CV_8UC3, cv::Scalar(30, 30, 200)) }).front();
        using R = BodyRegion;
        std::vector<test::PlacedTracklet> placed(Count);
        placed[A1] = { 0, 0, 5, test::vectorAt(q, 0.9f, 1), { attr(R::Upper, "colour:red", 0.6f), attr(R::Lower, "colour:black", 0.5f) } };
        placed[A2] = { 0, 10, 20, test::vectorAt(q, 0.5f, 2), { attr(R::Upper, "colour:blue", 0.4f), attr(R::Lower, "colour:blue", 0.7f) } };
        placed[A3] = { 0, 30, 40, test::vectorAt(q, 0.7f, 3), { attr(R::Upper, "colour:red", 0.1f), attr(R::Lower, "colour:black", 0.8f) } };
        placed[B1] = { 1, 2, 8, test::vectorAt(q, 0.8f, 4), { attr(R::Upper, "colour:blue", 0.5f), attr(R::Lower, "colour:black", 0.3f) } };
        placed[B2] = { 1, 12, 18, test::vectorAt(q, 0.95f, 5), { attr(R::Upper, "colour:green", 0.6f), attr(R::Lower, "garment:shorts", 0.8f) } };
        placed[B3] = { 1, 25, 26, test::vectorAt(q, -0.2f, 6), { attr(R::Upper, "colour:red", 0.3f), attr(R::Lower, "colour:grey", 0.5f) } };
        QVERIFY2(test::addPlacedTracklets(gallery, { QStringLiteral("North Gate"), QStringLiteral("south") }, placed,
                     model->id(), items.features, &m_ids, &m_sources),
            qPrintable(gallery.lastError()));
        qputenv("DESCRY_MODEL", m_config.toUtf8());
    }

    void cleanupTestCase()
    {
        qunsetenv("DESCRY_MODEL");
    }

    void timesAreRead_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<double>("seconds");
        QTest::newRow("empty is open") << QString() << true << -1.0;
        QTest::newRow("seconds") << QStringLiteral("90") << true << 90.0;
        QTest::newRow("decimals") << QStringLiteral(" 12.5 ") << true << 12.5;
        QTest::newRow("m:ss") << QStringLiteral("1:30") << true << 90.0;
        QTest::newRow("h:mm:ss.s") << QStringLiteral("1:02:03.5") << true << 3723.5;
        QTest::newRow("seconds past 59") << QStringLiteral("1:75") << false << 0.0;
        QTest::newRow("decimals before a colon") << QStringLiteral("1.5:00") << false << 0.0;
        QTest::newRow("negative") << QStringLiteral("-3") << false << 0.0;
        QTest::newRow("words") << QStringLiteral("noon") << false << 0.0;
        QTest::newRow("four fields") << QStringLiteral("1:0:0:0") << false << 0.0;
    }

    void timesAreRead()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(double, seconds);
        double out = 0;
        QCOMPARE(FilterBar::parseTime(text, &out), ok);
        if (ok)
            QCOMPARE(out, seconds);
    }

    void everySuggestedChipIsAFilter()
    {
        FilterBar bar;
        const QAbstractItemModel *model = bar.findChild<QLineEdit *>(QStringLiteral("chipEdit"))->completer()->model();
        QVERIFY(model->rowCount() > 20);
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString text = model->index(row, 0).data().toString();
            AttributeChip chip;
            QString error;
            QVERIFY2(AttributeChip::parse(text, &chip, &error), qPrintable(text + QStringLiteral(": ") + error));
        }
    }

    void chipsAreTypedAndRemoved()
    {
        FilterBar bar;
        bar.show();
        QSignalSpy changed(&bar, &FilterBar::changed);
        auto *edit = bar.findChild<QLineEdit *>(QStringLiteral("chipEdit"));
        typeInto(edit, QStringLiteral("upper:red"));
        QCOMPARE(bar.chipLabels(), QStringList { QStringLiteral("upper red") });
        QCOMPARE(bar.filters().attributes.size(), size_t(1));
        QCOMPARE(changed.size(), 1);
        QVERIFY(edit->text().isEmpty());
        QVERIFY(bar.isNarrowing());
        // The same chip again changes nothing; two attributes in one chip are refused, said why.
        typeInto(edit, QStringLiteral("upper:red"));
        QCOMPARE(changed.size(), 1);
        typeInto(edit, QStringLiteral("upper:red coat"));
        QCOMPARE(changed.size(), 1);
        auto *message = bar.findChild<QLabel *>(QStringLiteral("filterMessage"));
        QVERIFY(message->isVisible());
        QVERIFY2(message->text().contains(QStringLiteral("one attribute per chip")), qPrintable(message->text()));
        QCOMPARE(edit->text(), QStringLiteral("upper:red coat")); // kept to correct
        typeInto(edit, QStringLiteral("backpack"));
        QCOMPARE(bar.chipLabels(), (QStringList { QStringLiteral("upper red"), QStringLiteral("backpack") }));
        QVERIFY(!message->isVisible());
        QCOMPARE(bar.summary(), QStringLiteral("upper red · backpack"));
        // Clicking a chip removes it.
        const QList<QToolButton *> chips = bar.findChildren<QToolButton *>(QStringLiteral("attributeChip"));
        QCOMPARE(chips.size(), 2);
        QTest::mouseClick(chips.at(0), Qt::LeftButton);
        QCOMPARE(bar.chipLabels(), QStringList { QStringLiteral("backpack") });
        QCOMPARE(changed.size(), 3);
        // A time range typed backwards is refused with a message; the filters stay as they were.
        typeInto(bar.findChild<QLineEdit *>(QStringLiteral("fromTimeFilter")), QStringLiteral("1:00"));
        QCOMPARE(bar.filters().fromTime, 60.0);
        typeInto(bar.findChild<QLineEdit *>(QStringLiteral("toTimeFilter")), QStringLiteral("30"));
        QCOMPARE(bar.filters().toTime, -1.0);
        QVERIFY(message->text().contains(QStringLiteral("before it starts")));
        bar.clear();
        QVERIFY(!bar.isNarrowing());
        QCOMPARE(bar.filters().fromTime, -1.0);
        QVERIFY(bar.chipLabels().isEmpty());
    }

    void filtersNarrowTheWindowsResults()
    {
        MainWindow window(m_galleryPath);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        // Enter on an empty description asks for one instead of listing everyone at score 0.
        QSignalSpy started(window.searchController(), &SearchController::searchStarted);
        typeInto(window.searchBar()->lineEdit(), QStringLiteral("   "));
        QCOMPARE(started.count(), 0);
        QVERIFY2(window.searchBar()->understoodText().contains(QStringLiteral("Type a description")),
            qPrintable(window.searchBar()->understoodText()));
        window.runQuery(kQuery);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ A1, A2, A3, B1, B2, B3 }));
        QCOMPARE(window.timelineStrip()->rowCount(), 2); // both cameras have matches
        // The gallery's overview arrives: both cameras are offered (after "All cameras" and a line).
        QTRY_COMPARE_WITH_TIMEOUT(
            window.filterBar()->findChild<QToolButton *>(QStringLiteral("camerasFilter"))->menu()->actions().size(), 4, kWaitMs);

        // An attribute chip typed into the bar asks again: black trousers only.
        FilterBar *bar = window.filterBar();
        typeInto(bar->findChild<QLineEdit *>(QStringLiteral("chipEdit")), QStringLiteral("lower:black"));
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ A1, A3, B1 }));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text().contains(QStringLiteral("lower black")));

        // One video ticked in the menu (the second camera's).
        QMenu *sources = bar->findChild<QToolButton *>(QStringLiteral("sourcesFilter"))->menu();
        QAction *south = nullptr;
        for (QAction *a : sources->actions())
            if (a->data().toLongLong() == m_sources[1])
                south = a;
        QVERIFY(south);
        south->trigger();
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ B1 }));
        QCOMPARE(window.timelineStrip()->rowCount(), 1);

        // Clear, then a time range typed in: people seen between 0:09 and 0:20.
        QTest::mouseClick(bar->findChild<QToolButton *>(QStringLiteral("clearFilters")), Qt::LeftButton);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ A1, A2, A3, B1, B2, B3 }));
        typeInto(bar->findChild<QLineEdit *>(QStringLiteral("fromTimeFilter")), QStringLiteral("0:09"));
        QVERIFY(shown.wait(kWaitMs));
        typeInto(bar->findChild<QLineEdit *>(QStringLiteral("toTimeFilter")), QStringLiteral("20"));
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ A2, B2 }));

        // Time order: by video, then start time.
        typeInto(bar->findChild<QLineEdit *>(QStringLiteral("fromTimeFilter")), QString());
        QVERIFY(shown.wait(kWaitMs));
        typeInto(bar->findChild<QLineEdit *>(QStringLiteral("toTimeFilter")), QString());
        QVERIFY(shown.wait(kWaitMs));
        bar->findChild<QComboBox *>(QStringLiteral("sortOrder"))->setCurrentIndex(1);
        QVERIFY(shown.wait(kWaitMs));
        const std::vector<Name> inTime { A1, A2, A3, B1, B2, B3 };
        QCOMPARE(window.resultsModel()->totalCount(), int(inTime.size()));
        for (size_t row = 0; row < inTime.size(); ++row)
            QCOMPARE(window.resultsModel()->result(int(row)).tracklet.id, m_ids[inTime[row]]);
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text().contains(QStringLiteral("in time order")));

        // The timeline: clicking the mark of the fifth result selects it in the grid.
        TimelineStrip *timeline = window.timelineStrip();
        const QRect mark = timeline->markRect(m_ids[B2]);
        QVERIFY(!mark.isEmpty());
        QCOMPARE(timeline->trackletAt(mark.center()), m_ids[B2]);
        QTest::mouseClick(timeline, Qt::LeftButton, {}, mark.center());
        QCOMPARE(window.resultsView()->currentIndex().row(), 4);

        // Filters that exclude everyone: the empty page says so and its button clears them.
        typeInto(bar->findChild<QLineEdit *>(QStringLiteral("fromTimeFilter")), QStringLiteral("500"));
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shown.last().at(0).toInt(), 0);
        QCOMPARE(window.emptyState()->findChild<QLabel *>(QStringLiteral("emptyStateTitle"))->text(),
            QStringLiteral("No one matches with these filters"));
        QTest::mouseClick(window.emptyState()->findChild<QPushButton *>(QStringLiteral("emptyStateAction")), Qt::LeftButton);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(window.resultsModel()->totalCount(), 6);
        QVERIFY(!bar->isNarrowing());

        // Find similar keeps to the filters, and is asked again when they change.
        bar->setSortOrder(SortOrder::Relevance);
        QVERIFY(shown.wait(kWaitMs));
        window.resultsView()->setCurrentIndex(window.resultsModel()->index(0));
        const qint64 probe = window.resultsModel()->result(0).tracklet.id;
        window.findSimilarToSelected();
        QVERIFY(shown.wait(kWaitMs));
        QVERIFY(!shownIds(window).contains(probe));
        bar->setSources({ m_sources[0] });
        QVERIFY(shown.wait(kWaitMs));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text().contains(QStringLiteral("look like")));
        for (int row = 0; row < window.resultsModel()->totalCount(); ++row)
            QCOMPARE(window.resultsModel()->result(row).tracklet.sourceId, m_sources[0]);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);
    }

    void resultsBelowTheCutoffAreCountedAndShownOnRequest()
    {
        // A calibration beside the tiny model that puts every score far below the cut-off.
        const QString path = ScoreCalibration::pathForModel(m_config);
        QString error;
        const std::unique_ptr<TextPersonModel> model = TextPersonModel::load(m_config, &error);
        QVERIFY2(model, qPrintable(error));
        ScoreCalibration c;
        c.modelId = model->id();
        c.slope = 1;
        c.intercept = -100;
        c.cutoff = 0.5;
        QVERIFY2(c.save(path, &error), qPrintable(error));

        MainWindow window(m_galleryPath);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        window.runQuery(kQuery);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shown.last().at(0).toInt(), 0);
        QCOMPARE(window.emptyState()->findChild<QLabel *>(QStringLiteral("emptyStateTitle"))->text(),
            QStringLiteral("No one above the cut-off"));
        auto *hidden = window.findChild<QLabel *>(QStringLiteral("hiddenBelowCutoff"));
        QVERIFY2(hidden->text().startsWith(QStringLiteral("6 more below the cut-off")), qPrintable(hidden->text()));
        QVERIFY2(hidden->toolTip().contains(QStringLiteral("below 0.50")), qPrintable(hidden->toolTip()));

        // "Show all" (the link, or the empty page's button) asks once more with nothing hidden.
        Q_EMIT hidden->linkActivated(QStringLiteral("all"));
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ A1, A2, A3, B1, B2, B3 }));
        QVERIFY(hidden->isHidden());
        for (int row = 0; row < 6; ++row)
            QVERIFY(window.resultsModel()->result(row).confidence >= 0); // calibrated, shown anyway

        // The next question uses the cut-off again; a minimum confidence of 0 in the bar shows all.
        window.runQuery(kQuery);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shown.last().at(0).toInt(), 0);
        window.filterBar()->setMinConfidence(0);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(window.resultsModel()->totalCount(), 6);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);
        QVERIFY(QFile::remove(path));
    }

    void onePersonOneCard()
    {
        // A1 and B2 are one person (seen by both cameras), A3 and B1 another: grouped by hand here.
        {
            Gallery gallery;
            QVERIFY(gallery.open(m_galleryPath));
            // Stored as the model's grouping, so that the annotator's edits below regroup its vectors.
            IdentityGroupingRecord grouping { 0, m_modelId, 0.7, 6, 4, 0, {}, {} };
            QVERIFY(gallery.replaceIdentities(&grouping,
                { { m_ids[A1], 1 }, { m_ids[B2], 1 }, { m_ids[A3], 2 }, { m_ids[B1], 2 }, { m_ids[A2], 3 }, { m_ids[B3], 4 } }));
        }
        MainWindow window(m_galleryPath);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        window.runQuery(kQuery);
        QVERIFY(shown.wait(kWaitMs));
        // One card per person by default: each person's best tracklet, the other folded into it.
        ResultsModel *model = window.resultsModel();
        QCOMPARE(model->totalCount(), 4);
        QSet<int64_t> people;
        for (int row = 0; row < model->totalCount(); ++row) {
            const SearchResult &r = model->result(row);
            people.insert(r.tracklet.identityId);
            if (r.tracklet.identityId == 1 || r.tracklet.identityId == 2) {
                QCOMPARE(r.sameIdentity.size(), size_t(1));
                QCOMPARE(model->data(model->index(row), ResultsModel::PersonRole).toString(),
                    QStringLiteral("person %1 · seen 2× · 2 cameras").arg(r.tracklet.identityId));
            }
        }
        QCOMPARE(people, (QSet<int64_t> { 1, 2, 3, 4 }));

        // The person view: every appearance of the selected person, in time order, both cameras.
        QAction *appearances = window.findChild<QAction *>(QStringLiteral("appearancesAction"));
        QVERIFY(appearances);
        int personOne = -1;
        for (int row = 0; row < model->totalCount(); ++row)
            if (model->result(row).tracklet.identityId == 1)
                personOne = row;
        window.resultsView()->setCurrentIndex(model->index(personOne));
        QVERIFY(appearances->isEnabled());
        appearances->trigger();
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(model->totalCount(), 2);
        QCOMPARE(model->result(0).tracklet.id, m_ids[A1]); // North Gate first, then south
        QCOMPARE(model->result(1).tracklet.id, m_ids[B2]);
        QVERIFY2(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text().startsWith(
                     QStringLiteral("Person 1: 2 appearances in 2 videos")),
            qPrintable(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text()));
        QCOMPARE(window.timelineStrip()->rowCount(), 2);
        window.runQuery(kQuery); // a typed search leaves the person view
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(model->totalCount(), 4);

        // Off: every tracklet again.
        QToolButton *byPerson = window.filterBar()->findChild<QToolButton *>(QStringLiteral("byPerson"));
        QVERIFY(byPerson && byPerson->isChecked());
        byPerson->click();
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(shownIds(window), idsOf({ A1, A2, A3, B1, B2, B3 }));
        QVERIFY(!window.filterBar()->filters().groupByIdentity);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);

        // The annotator's word: A2 (person 3) and B3 (person 4) are one person. Ctrl+Shift+M on
        // one, then on the other; the results come again with the people as now stored.
        QAction *same = window.findChild<QAction *>(QStringLiteral("samePersonAction"));
        QAction *separate = window.findChild<QAction *>(QStringLiteral("separateAction"));
        QVERIFY(same && separate);
        const auto rowOf = [&](Name name) {
            for (int row = 0; row < model->totalCount(); ++row)
                if (model->result(row).tracklet.id == m_ids[name])
                    return row;
            return -1;
        };
        const auto personOf = [&](Name name) { return model->result(rowOf(name)).tracklet.identityId; };
        window.resultsView()->setFocus();
        window.resultsView()->setCurrentIndex(model->index(rowOf(A2)));
        QVERIFY(same->isEnabled());
        QVERIFY(!separate->isEnabled()); // person 3 has one appearance: nothing to take out
        QTest::keyClick(&window, Qt::Key_M, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QStringLiteral("Person 3: now select")),
            qPrintable(window.statusBar()->currentMessage()));
        QTest::keyClick(window.resultsView(), Qt::Key_Escape); // changed my mind
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("cancelled")));
        same->trigger();
        window.resultsView()->setCurrentIndex(model->index(rowOf(B3)));
        QSignalSpy edited(window.identityEditor(), &IdentityEditor::finished);
        same->trigger();
        QVERIFY(edited.wait(kWaitMs));
        QVERIFY2(edited.first().at(0).toBool(), qPrintable(edited.first().at(1).toString()));
        QVERIFY(shown.wait(kWaitMs)); // the question asked again
        QVERIFY(personOf(A2) > 0);
        QCOMPARE(personOf(A2), personOf(B3));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("now one person")));

        // And B3 is someone else after all: taken out again, it becomes a person of its own.
        window.resultsView()->setCurrentIndex(model->index(rowOf(B3)));
        QVERIFY(separate->isEnabled());
        separate->trigger();
        QVERIFY(edited.wait(kWaitMs));
        QVERIFY2(edited.last().at(0).toBool(), qPrintable(edited.last().at(1).toString()));
        QVERIFY(shown.wait(kWaitMs));
        QVERIFY(personOf(A2) != personOf(B3));
        QCOMPARE(personOf(B3), edited.last().at(2).toLongLong());
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);
    }
};

QTEST_MAIN(TestUiFilterBar)
#include "TestUiFilterBar.moc"
