// The GUI driven through its real widgets on the offscreen platform: ingest a short clip,
// search by typing, browse with the keyboard, open the detail and the source frame; plus the
// "latest request wins" rule and the batched results model. Waits on signals, never sleeps.

#include "ClipPlayer.h"
#include "DemoTour.h"
#include "DetailPanel.h"
#include "EmptyStateWidget.h"
#include "FrameDialog.h"
#include "Gallery.h"
#include "GalleryServerDialog.h"
#include "HeatmapPanel.h"
#include "ImageView.h"
#include "IngestController.h"
#include "MainWindow.h"
#include "PostgresServer.h"
#include "ResultsModel.h"
#include "ResultsView.h"
#include "ReviewController.h"
#include "RenderedFootageIngest.h"
#include "ReviewFixture.h"
#include "ReviewPanel.h"
#include "SearchBar.h"
#include "SearchController.h"
#include "SourcesPanel.h"
#include "TestSupport.h"
#include "ThumbnailLoader.h"
#include "TinyNafsModel.h"
#include "UiSettings.h"

#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QApplication>
#include <QCompleter>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#if __has_include("SceneRenderer.h")
#include "SceneOptions.h"
#include "SceneRenderer.h"
#define DESCRY_HAVE_SCENE_RENDERER 1
#endif

using namespace descry;

namespace {

constexpr int kIngestTimeoutMs = 120000;
constexpr int kWaitMs = 20000;

#ifdef DESCRY_HAVE_SCENE_RENDERER
// A rendered walkway scene: people of known appearance (fixed seed), so the clip is the same
// on every run.
bool writeClip(const QString &path, QString *query, QString *error)
{
    SceneOptions options;
    options.seed = 7;
    options.width = 512;
    options.height = 384;
    options.fps = 10;
    options.frames = 120;
    options.people = 6;
    options.minHeight = 70;
    options.maxHeight = 170;
    SceneRenderer renderer(options);
    if (!renderer.writeVideo(path, error))
        return false;
    // Ask for the first walker as a witness would describe them.
    const PersonAppearance &a = renderer.truth().identities.front().appearance;
    *query = QStringLiteral("a person in a %1 %2 and %3 %4")
                 .arg(toString(a.upperColour), toString(a.upper), toString(a.lowerColour), toString(a.lower));
    return true;
}
#else
// Three figures (head, red top, dark trousers) crossing a static background.
bool writeClip(const QString &path, QString *query, QString *error)
{
    cv::VideoWriter writer(
        path.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, cv::Size(512, 384));
    if (!writer.isOpened()) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    cv::Mat background(384, 512, CV_8UC3);
    for (int y = 0; y < background.rows; ++y)
        background.row(y).setTo(cv::Scalar(150 + y / 8, 160 + y / 10, 150));
    for (int f = 0; f < 120; ++f) {
        cv::Mat frame = background.clone();
        for (int p = 0; p < 3; ++p) {
            const int x = (40 + f * (3 + p) + p * 140) % 480;
            const int y = 90 + p * 70;
            cv::ellipse(frame, cv::Point(x + 15, y + 10), cv::Size(9, 11), 0, 0, 360,
                cv::Scalar(140, 170, 220), cv::FILLED);
            cv::rectangle(frame, cv::Rect(x, y + 22, 30, 45), cv::Scalar(30, 30, 200), cv::FILLED);
            cv::rectangle(frame, cv::Rect(x + 2, y + 67, 26, 50), cv::Scalar(40, 35, 35), cv::FILLED);
        }
        writer.write(frame);
    }
    *query = QStringLiteral("a person in a red top and dark trousers");
    return true;
}
#endif

std::vector<SearchResult> syntheticResults(int count)
{
    std::vector<SearchResult> results;
    for (int i = 0; i < count; ++i) {
        SearchResult r;
        r.tracklet.id = i + 1;
        r.tracklet.bestCropId = 0; // no thumbnail to load
        r.tracklet.startTime = i * 0.5;
        r.tracklet.endTime = i * 0.5 + 3;
        r.tracklet.cameraLabel = QStringLiteral("cam-%1").arg(i % 7);
        r.score = 1.f - float(i) / float(count);
        results.push_back(r);
    }
    return results;
}

} // namespace

class TestUiMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_clip;
    QString m_query;
    QString m_gallery;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // window geometry goes to a test location
        QVERIFY(m_dir.isValid());
        m_clip = m_dir.filePath(QStringLiteral("walkway.avi"));
        m_gallery = m_dir.filePath(QStringLiteral("gallery.sqlite"));
        QString error;
        QVERIFY2(writeClip(m_clip, &m_query, &error), qPrintable(error));
    }

    void resultsModelShowsTenThousandRowsInBatches()
    {
        ResultsModel model;
        model.setResults(syntheticResults(10000));
        QCOMPARE(model.totalCount(), 10000);
        QCOMPARE(model.rowCount(), ResultsModel::kBatchSize);
        QVERIFY(model.canFetchMore({}));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 2 * ResultsModel::kBatchSize);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), ResultsModel::kBatchSize);
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 10000);
        QCOMPARE(model.data(model.index(9999), ResultsModel::TrackletIdRole).toLongLong(), 10000);
        QCOMPARE(model.data(model.index(3), ResultsModel::CameraRole).toString(), QStringLiteral("cam-3"));
        // Rows past the loaded ones answer nothing; a placeholder stands in for every thumbnail.
        QVERIFY(model.data(model.index(0), Qt::DecorationRole).value<QImage>().width() > 0);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.canFetchMore({}));
    }

    void resultsViewFetchesMoreOnlyWhenScrolled()
    {
        ResultsModel model;
        ResultsView view;
        view.setModel(&model);
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        model.setResults(syntheticResults(10000));
        QCoreApplication::processEvents();
        // The first batch more than fills the viewport: nothing more is laid out yet.
        QCOMPARE(model.rowCount(), ResultsModel::kBatchSize);
        view.scrollToBottom();
        QTRY_VERIFY(model.rowCount() > ResultsModel::kBatchSize);
        QVERIFY(model.rowCount() < model.totalCount());
        // Keyboard: End goes to the last loaded row, Home back to the first.
        view.setFocus();
        view.setCurrentIndex(model.index(0));
        QTest::keyClick(&view, Qt::Key_Right);
        QCOMPARE(view.currentIndex().row(), 1);
        QSignalSpy open(&view, &ResultsView::openRequested);
        QTest::keyClick(&view, Qt::Key_Return);
        QCOMPARE(open.count(), 1);
        QCOMPARE(open.at(0).at(0).value<QModelIndex>().row(), 1);
    }

    void emptyGalleryInvitesToAddFootage()
    {
        MainWindow window(m_dir.filePath(QStringLiteral("nothing-here.sqlite")));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE(window.emptyState()->title(), QStringLiteral("No footage yet"));
        QVERIFY(window.emptyState()->actionButton()->isVisible());
        // Searching an empty gallery is not an error: the invitation stays.
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        window.runQuery(QStringLiteral("red coat"));
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(window.emptyState()->title(), QStringLiteral("No footage yet"));
        QVERIFY(
            !QFile::exists(m_dir.filePath(QStringLiteral("nothing-here.sqlite")))); // looking creates nothing
    }

    void ingestSearchBrowseAndShowInFrame()
    {
        MainWindow window(m_gallery);
        window.ingestController()->setOptions(test::renderedFootageIngest());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // Ingest through the panel (the file dialog is what hands it these paths).
        QSignalSpy progress(window.ingestController(), &IngestController::progress);
        QSignalSpy finished(window.ingestController(), &IngestController::jobFinished);
        window.sourcesPanel()->addInputs({ m_clip });
        QVERIFY(window.ingestController()->isBusy());
        QVERIFY(finished.wait(kIngestTimeoutMs));
        QVERIFY(progress.count() > 0);
        const auto summary = finished.at(0).at(0).value<IngestSummary>();
        QCOMPARE(int(summary.sources.size()), 1);
        QVERIFY2(
            summary.sources[0].outcome == IngestOutcome::Ingested, qPrintable(summary.sources[0].message));
        QVERIFY2(summary.sources[0].tracklets > 0, "ingest found no people in the clip");
        QTRY_COMPARE(window.sourcesPanel()->sourceList()->topLevelItemCount(), 1);
        QTRY_COMPARE(window.emptyState()->title(), QStringLiteral("Describe who you are looking for"));

        // Search by typing, as a user does.
        QLineEdit *edit = window.searchBar()->lineEdit();
        edit->setFocus();
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        QTest::keyClicks(edit, m_query);
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(shown.wait(kWaitMs));
        ResultsModel *model = window.resultsModel();
        QVERIFY2(model->rowCount() > 0, qPrintable(QStringLiteral("no results for '%1'").arg(m_query)));
        for (int row = 1; row < model->rowCount(); ++row)
            QVERIFY(model->data(model->index(row - 1), ResultsModel::ScoreRole).toFloat()
                >= model->data(model->index(row), ResultsModel::ScoreRole).toFloat());
        qInfo("%d tracklets ingested; %d results for \"%s\"", summary.sources[0].tracklets,
            model->totalCount(), qPrintable(m_query));
        QVERIFY(window.searchBar()->understoodText().contains(QStringLiteral("upper")));
        QTRY_VERIFY_WITH_TIMEOUT(
            model->data(model->index(0), ResultsModel::ThumbnailReadyRole).toBool(), kWaitMs);
        // Thumbnails are asked for once each: no more requests than distinct rows painted.
        QVERIFY(window.thumbnailLoader()->requestCount() <= model->rowCount());
        QTRY_VERIFY(window.searchController()->history().contains(m_query));

        // Keyboard: focus the grid, go to the first result, Enter opens its detail.
        QSignalSpy detailShown(window.detailPanel(), &DetailPanel::detailShown);
        window.resultsView()->setFocus();
        QTest::keyClick(window.resultsView(), Qt::Key_Home);
        QCOMPARE(window.resultsView()->currentIndex().row(), 0);
        QTest::keyClick(window.resultsView(), Qt::Key_Return);
        const qint64 first = model->data(model->index(0), ResultsModel::TrackletIdRole).toLongLong();
        QTRY_COMPARE_WITH_TIMEOUT(window.detailPanel()->trackletId(), first, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window.detailPanel()->cropViews().isEmpty(), kWaitMs);
        for (ImageView *crop : window.detailPanel()->cropViews()) {
            QVERIFY(!crop->image().isNull());
            // Scaled to fit, never enlarged more than twice.
            QVERIFY(crop->imageRect(crop->size()).height() <= 2.0 * crop->image().height() + 0.5);
        }

        // Show in frame decodes the source frame on the detail thread and shows it in the panel;
        // "Open larger" puts the same frame in a non-modal window.
        QSignalSpy frameShown(window.detailPanel(), &DetailPanel::frameShown);
        QTest::mouseClick(window.detailPanel()->showInFrameButton(), Qt::LeftButton);
        QVERIFY(frameShown.wait(kWaitMs));
        const QImage frame = window.detailPanel()->frameView()->image();
        QVERIFY(!frame.isNull());
        QCOMPARE(frame.size(), QSize(512, 384));
        // Scaled to fit the panel, never enlarged.
        QVERIFY(
            window.detailPanel()->frameView()->imageRect(window.detailPanel()->frameView()->size()).width()
            <= frame.width());
        QTest::mouseClick(window.detailPanel()->openLargerButton(), Qt::LeftButton);
        QVERIFY(window.detailPanel()->frameDialog());
        QCOMPARE(window.detailPanel()->frameDialog()->image(), frame);
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        window.detailPanel()->frameDialog()->close();

        // Show in video plays the source around the match, frame after frame, and pauses.
        QTest::mouseClick(window.detailPanel()->showInVideoButton(), Qt::LeftButton);
        ClipPlayer *player = window.detailPanel()->clipPlayer();
        QVERIFY(player);
        QSignalSpy played(player, &ClipPlayer::frameShown);
        QTRY_VERIFY_WITH_TIMEOUT(played.count() >= 3, kWaitMs);
        QVERIFY(played.at(1).at(0).toLongLong() == played.at(0).at(0).toLongLong() + 1);
        QCOMPARE(played.at(0).at(0).toLongLong(), player->firstFrame());
        QVERIFY(!player->view()->image().isNull());
        QTest::keyClick(player, Qt::Key_Space);
        QVERIFY(!player->isPlaying());
        player->close();

        // The arrow keys move on and the detail follows.
        if (model->rowCount() > 1) {
            QTest::keyClick(window.resultsView(), Qt::Key_Right);
            const qint64 second = model->data(model->index(1), ResultsModel::TrackletIdRole).toLongLong();
            QTRY_COMPARE_WITH_TIMEOUT(window.detailPanel()->trackletId(), second, kWaitMs);
        }
    }

    // A case archive opened read-only (descry --read-only; a write-protected file opens so too):
    // the window says so, searches work, and not a byte of the gallery changes.
    void readOnlyGalleryIsSearchedAndSaysSo()
    {
        const QByteArray before = test::fileSha256(m_gallery);
        QVERIFY(!before.isEmpty());
        Gallery::setDefaultAccess(Gallery::Access::ReadOnly);
        {
            MainWindow window(m_gallery);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QTRY_VERIFY2(window.windowTitle().contains(QLatin1String("read only")), qPrintable(window.windowTitle()));
            QSignalSpy shown(&window, &MainWindow::resultsShown);
            window.runQuery(m_query);
            QVERIFY(shown.wait(kWaitMs));
            QVERIFY(window.resultsModel()->rowCount() > 0);
            QTRY_VERIFY(window.isSettled());
        }
        Gallery::setDefaultAccess(Gallery::Access::Auto);
        QCOMPARE(test::fileSha256(m_gallery), before);
    }

    // Another process adds footage to the gallery the window shows: the sources panel and the
    // results follow within a few seconds, with no click (here the other process is another
    // connection writing the gallery, as descry-cli ingest would).
    void followsChangesMadeElsewhere()
    {
        const QString path = m_dir.filePath(QStringLiteral("shared.sqlite"));
        QVERIFY(QFile::copy(m_gallery, path));
        MainWindow window(path);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE(window.sourcesPanel()->sourceList()->topLevelItemCount(), 1);
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        window.runQuery(m_query);
        QVERIFY(shown.wait(kWaitMs));
        window.resultsView()->setCurrentIndex(QModelIndex()); // not looking at one result
        QTest::qWait(2500); // one poll sees the gallery as it was

        Gallery other;
        QVERIFY(other.open(path));
        QVERIFY2(test::addFixtureTracklets(other, 1, 1, QStringLiteral("elsewhere")).size() == 1, qPrintable(other.lastError()));
        other.close();

        const int searches = int(shown.count());
        QTRY_COMPARE_WITH_TIMEOUT(window.sourcesPanel()->sourceList()->topLevelItemCount(), 2, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > searches, 15000);
        QTRY_VERIFY(window.isSettled());
    }

    void demoTourReviewAndWhyThisMatch()
    {
        // Runs on the gallery the ingest test filled (the walkway clip, no model embeddings).
        MainWindow window(m_gallery);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.demoTour()->isVisible());
        QVERIFY(window.demoTour()->stepCount() >= 3); // the built-in tour from the resources

        // The presenter's tour: each step runs its query and selects the first result.
        window.demoTour()->setSteps({ { m_query, QStringLiteral("first") }, { QStringLiteral("red"), QStringLiteral("second") } });
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        window.startDemoTour();
        QVERIFY(window.demoTour()->isVisible());
        QVERIFY(shown.wait(kWaitMs));
        QVERIFY(shown.at(0).at(0).toInt() > 0);
        QCOMPARE(window.resultsView()->currentIndex().row(), 0);
        const qint64 first = window.resultsModel()->result(0).tracklet.id;
        QTRY_COMPARE_WITH_TIMEOUT(window.detailPanel()->trackletId(), first, kWaitMs);
        // Ranked by attributes here (no embeddings): the heatmap panel says why it has nothing.
        QTRY_COMPARE_WITH_TIMEOUT(window.heatmapPanel()->trackletId(), first, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.heatmapPanel()->findChild<QLabel *>(QStringLiteral("heatmapMessage"))->text().contains(QStringLiteral("attributes")),
            kWaitMs);
        QTest::keyClick(window.resultsView(), Qt::Key_PageDown);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(window.demoTour()->currentStep(), 1);
        QCOMPARE(window.searchBar()->lineEdit()->text(), QStringLiteral("red"));
        QTest::keyClick(window.resultsView(), Qt::Key_PageUp);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(window.demoTour()->currentStep(), 0);

        // Ctrl+R opens the review queue on these results; C confirms the first into the gallery.
        const int results = window.resultsModel()->totalCount();
        QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
        QVERIFY(window.reviewPanel()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(window.reviewController()->state().total, results, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(window.reviewPanel()->trackletId(), first, kWaitMs);
        QTest::keyClick(window.reviewPanel(), Qt::Key_C);
        QTRY_COMPARE_WITH_TIMEOUT(window.reviewController()->state().progress.confirmed, 1, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);
        Gallery gallery;
        QVERIFY(gallery.open(m_gallery));
        const std::vector<ReviewRecord> reviews = gallery.reviews(m_query);
        QCOMPARE(reviews.size(), size_t(1));
        QCOMPARE(reviews.front().trackletId, first);
        QVERIFY(reviews.front().verdict == ReviewVerdict::Confirmed);
        // The next item of the queue is the current result of the grid as well.
        if (results > 1)
            QTRY_COMPARE_WITH_TIMEOUT(window.resultsView()->currentIndex().row(), 1, kWaitMs);

        // Evidence of what the annotator confirmed: one person, with the review's verdict.
        QSignalSpy exported(&window, &MainWindow::evidenceExported);
        const QString caseDir = m_dir.filePath(QStringLiteral("case-confirmed"));
        QVERIFY(window.exportEvidence(MainWindow::EvidenceScope::Confirmed, caseDir));
        QVERIFY(exported.wait(kIngestTimeoutMs));
        QCOMPARE(exported.at(0).at(1).toString(), QString());
        QFile csv(QDir(caseDir).filePath(QStringLiteral("results.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 2); // header + the confirmed one
        QVERIFY(rows.at(1).contains(QStringLiteral("confirmed")));
        QVERIFY(QFileInfo::exists(QDir(caseDir).filePath(QStringLiteral("report.pdf"))));
        QVERIFY(QFileInfo::exists(QDir(caseDir).filePath(QStringLiteral("manifest.json"))));
        // A folder that already holds files is refused, and says so.
        QVERIFY(window.exportEvidence(MainWindow::EvidenceScope::Selected, caseDir));
        QVERIFY(exported.wait(kIngestTimeoutMs));
        QVERIFY(!exported.at(1).at(1).toString().isEmpty());

        // At identity level: the confirmed person with every appearance. Grouped by hand here:
        // the confirmed tracklet and one other are person 1.
        std::vector<TrackletRecord> tracklets = gallery.tracklets();
        QVERIFY(tracklets.size() >= 2);
        std::map<int64_t, int64_t> people;
        for (const TrackletRecord &t : tracklets)
            people[t.id] = 2;
        people[first] = 1;
        const int64_t other = tracklets.front().id == first ? tracklets.back().id : tracklets.front().id;
        people[other] = 1;
        IdentityGroupingRecord grouping { 0, QStringLiteral("by hand"), 0.7, int64_t(people.size()), 2, 0, {}, {} };
        QVERIFY(gallery.replaceIdentities(&grouping, people));
        const QString peopleDir = m_dir.filePath(QStringLiteral("case-people"));
        QVERIFY(window.exportEvidence(MainWindow::EvidenceScope::ConfirmedPeople, peopleDir));
        QVERIFY(exported.wait(kIngestTimeoutMs));
        QCOMPARE(exported.at(2).at(1).toString(), QString());
        QFile peopleCsv(QDir(peopleDir).filePath(QStringLiteral("results.csv")));
        QVERIFY(peopleCsv.open(QIODevice::ReadOnly));
        const QStringList peopleRows = QString::fromUtf8(peopleCsv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(peopleRows.size(), 3); // header + both appearances of person 1
        QVERIFY(peopleRows.filter(QStringLiteral("confirmed")).size() == 1);
        QVERIFY(peopleRows.filter(QStringLiteral("another appearance of person 1")).size() == 1);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);
    }

    void findSimilarFromAResultAndFromAPicture()
    {
        // A gallery with model embeddings: a tiny untrained model (tests never depend on the
        // shipped model's quality), used by ingest and by the window's search worker.
        QString error;
        const QString model = test::writeTinyNafsModel(m_dir.filePath(QStringLiteral("tiny")), QStringLiteral("tiny"), 3, &error);
        QVERIFY2(!model.isEmpty(), qPrintable(error));
        qputenv("DESCRY_MODEL", model.toUtf8());
        const QString gallery = m_dir.filePath(QStringLiteral("similar.sqlite"));
        MainWindow window(gallery);
        IngestOptions options = test::renderedFootageIngest();
        options.modelPath = model;
        window.ingestController()->setOptions(options);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy finished(window.ingestController(), &IngestController::jobFinished);
        window.sourcesPanel()->addInputs({ m_clip });
        QVERIFY(finished.wait(kIngestTimeoutMs));
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        window.runQuery(m_query);
        QVERIFY(shown.wait(kWaitMs));
        QVERIFY(window.resultsModel()->totalCount() > 1);
        window.resultsView()->setCurrentIndex(window.resultsModel()->index(1));
        const qint64 probe = window.resultsModel()->result(1).tracklet.id;

        // Ctrl+Shift+S: everyone else, most alike first, the probe itself left out.
        QTest::keyClick(&window, Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(shown.wait(kWaitMs));
        const int count = window.resultsModel()->totalCount();
        QVERIFY(count > 0);
        for (int row = 0; row < count; ++row)
            QVERIFY(window.resultsModel()->result(row).tracklet.id != probe);
        for (int row = 1; row < count; ++row)
            QVERIFY(window.resultsModel()->result(row - 1).score >= window.resultsModel()->result(row).score);
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text().contains(QStringLiteral("#%1").arg(probe)));

        // A picture of a person (here: the probe's own best crop) finds that person first.
        Gallery g;
        QVERIFY(g.open(gallery));
        const QString picture = m_dir.filePath(QStringLiteral("person.jpg"));
        {
            QFile file(picture);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(g.cropImage(g.tracklet(probe)->bestCropId));
        }
        window.findSimilarToImage(picture);
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(window.resultsModel()->result(0).tracklet.id, probe);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSettled(), kWaitMs);
        qunsetenv("DESCRY_MODEL");
    }

    void latestSearchWins()
    {
        SearchController search;
        search.setGalleryPath(m_gallery);
        QSignalSpy ready(&search, &SearchController::resultsReady);
        QSignalSpy idle(&search, &SearchController::idle);
        search.search(QStringLiteral("a person in a blue coat"));
        search.search(QStringLiteral("white shirt"));
        const quint64 last = search.search(m_query);
        QCOMPARE(search.latestRequest(), last);
        QVERIFY(idle.wait(kWaitMs));
        QCOMPARE(ready.count(), 1); // the superseded two never reach the view
        QCOMPARE(ready.at(0).at(0).value<SearchResponse>().text, m_query);
        QVERIFY(!search.isBusy());
    }

    void latestSearchWinsInTheWindow()
    {
        MainWindow window(m_gallery);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        QSignalSpy idle(window.searchController(), &SearchController::idle);
        QLineEdit *edit = window.searchBar()->lineEdit();
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("green jacket"));
        QTest::keyClick(edit, Qt::Key_Return);
        edit->clear();
        QTest::keyClicks(edit, m_query);
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(idle.wait(kWaitMs));
        QCOMPARE(shown.count(), 1);
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("resultsHeader"))->text().contains(m_query));

        // "/" (like Ctrl+F) brings the focus back to the search line from anywhere.
        // (The completer's popup may have taken activation while typing.)
        if (edit->completer()->popup()->isVisible())
            edit->completer()->popup()->hide();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.resultsView()->setFocus();
        QTRY_VERIFY(window.resultsView()->hasFocus());
        QTest::keyClick(window.resultsView(), Qt::Key_Slash);
        QTRY_VERIFY(edit->hasFocus());
        QCOMPARE(edit->selectedText(), edit->text());
    }

    // The detector is a setting of the Sources panel, not only a launch flag: choosing one reaches
    // the ingest controller and is remembered for the next window.
    void detectorIsChosenInTheWindow()
    {
        {
            MainWindow window(m_dir.filePath(QStringLiteral("detector.sqlite")));
            QComboBox *choice = window.sourcesPanel()->detectorChoice();
            QCOMPARE(window.ingestController()->options().detector.kind, DetectorKind::NanoDet);
            QCOMPARE(choice->currentData().toString(), QStringLiteral("nanodet"));
            const int background = choice->findData(QStringLiteral("background"));
            QVERIFY(background >= 0);
            choice->setCurrentIndex(background);
            Q_EMIT choice->activated(background);
            QCOMPARE(window.ingestController()->options().detector.kind, DetectorKind::Background);
        }
        MainWindow again(m_dir.filePath(QStringLiteral("detector.sqlite")));
        QCOMPARE(again.ingestController()->options().detector.kind, DetectorKind::Background);
        QCOMPARE(again.sourcesPanel()->detectorChoice()->currentData().toString(), QStringLiteral("background"));
        // Back to the default, so the other tests' windows start as a new user's would.
        QComboBox *choice = again.sourcesPanel()->detectorChoice();
        choice->setCurrentIndex(0);
        Q_EMIT choice->activated(0);
        QCOMPARE(again.ingestController()->options().detector.kind, DetectorKind::NanoDet);
    }

    void problemsAreListedNotShownAsDialogs()
    {
        MainWindow window(m_dir.filePath(QStringLiteral("problems.sqlite")));
        window.ingestController()->setOptions(test::renderedFootageIngest());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString fake = m_dir.filePath(QStringLiteral("not-a-video.mp4"));
        QFile file(fake);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is text, not a video");
        file.close();
        QSignalSpy finished(window.ingestController(), &IngestController::jobFinished);
        window.sourcesPanel()->addInputs({ m_dir.filePath(QStringLiteral("missing.avi")), fake });
        QVERIFY(finished.wait(kIngestTimeoutMs));
        QCOMPARE(window.sourcesPanel()->problemList()->count(), 2);
        QVERIFY(QApplication::activeModalWidget() == nullptr);
    }

    void cancelStopsTheIngest()
    {
        IngestController ingest;
        ingest.setOptions(test::renderedFootageIngest());
        ingest.setGalleryPath(m_dir.filePath(QStringLiteral("cancelled.sqlite")));
        QSignalSpy finished(&ingest, &IngestController::jobFinished);
        QSignalSpy busy(&ingest, &IngestController::busyChanged);
        // Cancel as soon as the job reports anything: run() has started, so it must stop.
        connect(&ingest, &IngestController::progress, &ingest, &IngestController::cancel);
        ingest.ingest({ m_clip });
        QVERIFY(finished.wait(kIngestTimeoutMs));
        const auto summary = finished.at(0).at(0).value<IngestSummary>();
        QVERIFY(summary.cancelled);
        QTRY_VERIFY(!ingest.isBusy());
        QCOMPARE(busy.count(), 2);
    }

    // A team's gallery whose server does not answer (nothing listens on port 1): the window says
    // so, in place of the results too, and never shows or saves the password, which stays in memory.
    void serverGalleryShowsNoPassword()
    {
        const QString url = QStringLiteral("postgresql://ann:secret@127.0.0.1:1/cases?sslmode=disable");
        MainWindow window(url);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.galleryPath(), url); // as given: the workers connect with it
        QTRY_COMPARE_WITH_TIMEOUT(
            window.emptyState()->title(), QStringLiteral("The gallery did not open"), kWaitMs);
        auto *gallery = window.findChild<QLabel *>(QStringLiteral("galleryLabel"));
        auto *count = window.findChild<QLabel *>(QStringLiteral("countLabel"));
        QVERIFY(gallery && count);
        QCOMPARE(
            gallery->text(), QStringLiteral("Gallery: postgresql://ann@127.0.0.1:1/cases?sslmode=disable"));
        QCOMPARE(window.windowTitle(), QStringLiteral("cases on 127.0.0.1 — Descry"));
        QCOMPARE(count->text(), QStringLiteral("not connected"));
        QVERIFY(!count->toolTip().isEmpty()); // why
        QVERIFY(!window.emptyState()->actionButton()->isVisible()); // no footage can be added to it

        QSignalSpy failed(window.searchController(), &SearchController::searchFailed);
        window.runQuery(QStringLiteral("red coat"));
        QVERIFY(failed.wait(kWaitMs));

        for (const QString &text : { gallery->text(), gallery->toolTip(), window.windowTitle(), count->text(),
                 count->toolTip(), window.emptyState()->message(), window.statusBar()->currentMessage(),
                 failed.at(0).at(1).toString() })
            QVERIFY2(!text.contains(QLatin1String("secret")), qPrintable(text));
        window.close(); // saves the layout
        const auto settings = uiSettings();
        QCOMPARE(settings->value(QStringLiteral("gallery/lastServer")).toString(),
            QStringLiteral("postgresql://ann@127.0.0.1:1/cases?sslmode=disable"));
        for (const QString &key : settings->allKeys())
            QVERIFY2(!settings->value(key).toByteArray().contains("secret"), qPrintable(key));
    }

    // File > Connect to a team gallery: the dialog comes filled with the server on screen, and the
    // one it is given is opened; in a later window it remembers the server but not the password.
    void connectActionOpensAServerGallery()
    {
        MainWindow window(QStringLiteral("postgresql://ann:secret@127.0.0.1:1/cases"));
        auto *action = window.findChild<QAction *>(QStringLiteral("connectServerAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
        for (const QAction *other : window.findChildren<QAction *>())
            QVERIFY2(other == action || !other->shortcuts().contains(action->shortcut()),
                qPrintable(other->text()));
        action->trigger();
        auto *dialog = window.findChild<GalleryServerDialog *>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->url(), QStringLiteral("postgresql://ann:secret@127.0.0.1:1/cases?sslmode=prefer"));
        dialog->findChild<QLineEdit *>(QStringLiteral("databaseEdit"))->setText(QStringLiteral("other"));
        dialog->accept();
        QCOMPARE(
            window.galleryPath(), QStringLiteral("postgresql://ann:secret@127.0.0.1:1/other?sslmode=prefer"));
        QCOMPARE(window.windowTitle(), QStringLiteral("other on 127.0.0.1 — Descry"));

        const QString file = m_dir.filePath(QStringLiteral("nothing-here.sqlite"));
        MainWindow later(file);
        later.findChild<QAction *>(QStringLiteral("connectServerAction"))->trigger();
        auto *remembered = later.findChild<GalleryServerDialog *>();
        QVERIFY(remembered);
        QCOMPARE(remembered->url(), QStringLiteral("postgresql://ann@127.0.0.1:1/other?sslmode=prefer"));
        remembered->reject();
        QCOMPARE(later.galleryPath(), QFileInfo(file).absoluteFilePath()); // cancelled: nothing changes
    }

    // A gallery on a real PostgreSQL server (a throwaway one): its footage is listed and searched.
    void opensAGalleryOnAServer()
    {
        test::PostgresServer server;
        QString whyNot;
        if (!server.start(&whyNot))
            QSKIP(qPrintable(whyNot));
        {
            Gallery shared;
            QVERIFY2(shared.open(server.url()), qPrintable(shared.lastError()));
            QVERIFY2(test::addFixtureTracklets(shared, 2, 1, QStringLiteral("on-the-server")).size() == 2,
                qPrintable(shared.lastError()));
        }
        MainWindow window(server.url());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE_WITH_TIMEOUT(window.sourcesPanel()->sourceList()->topLevelItemCount(), 1, kWaitMs);
        auto *count = window.findChild<QLabel *>(QStringLiteral("countLabel"));
        QTRY_COMPARE(count->text(), QStringLiteral("2 people in 1 video"));
        QCOMPARE(window.findChild<QLabel *>(QStringLiteral("galleryLabel"))->text(),
            QStringLiteral("Gallery: %1").arg(server.url()));
        QCOMPARE(window.windowTitle(), QStringLiteral("descry_test on 127.0.0.1 — Descry"));
        QSignalSpy shown(&window, &MainWindow::resultsShown);
        QSignalSpy failed(window.searchController(), &SearchController::searchFailed);
        window.runQuery(QStringLiteral("a person"));
        QVERIFY(shown.wait(kWaitMs));
        QCOMPARE(failed.count(), 0);
        QTRY_VERIFY(window.isSettled());
    }

    void windowRestoresItsGeometry()
    {
        {
            MainWindow window(m_gallery);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(1111, 777);
            window.close();
        }
        MainWindow again(m_gallery);
        QCOMPARE(again.size(), QSize(1111, 777));
    }
};

QTEST_MAIN(TestUiMainWindow)
#include "TestUiMainWindow.moc"
