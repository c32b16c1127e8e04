#include "MainWindow.h"

#include "DemoTour.h"
#include "DetailController.h"
#include "DetailPanel.h"
#include "DisplayFormat.h"
#include "EmptyStateWidget.h"
#include "FilterBar.h"
#include "FrameDialog.h"
#include "Gallery.h"
#include "GalleryLocation.h"
#include "GalleryServerDialog.h"
#include "HeatmapPanel.h"
#include "IdentityEditor.h"
#include "IngestController.h"
#include "ResultDelegate.h"
#include "ResultsModel.h"
#include "ResultsView.h"
#include "ReviewController.h"
#include "ReviewPanel.h"
#include "ReviewQueue.h"
#include "SearchBar.h"
#include "SearchController.h"
#include "SourcesController.h"
#include "SourcesPanel.h"
#include "Theme.h"
#include "ThumbnailLoader.h"
#include "TimelineStrip.h"
#include "UiSettings.h"

#include <QAction>
#include <QDateTime>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QHBoxLayout>
#include <QMimeData>
#include <QUrl>
#include <QInputDialog>
#include <QProgressDialog>
#include <QShortcut>
#include <QStandardPaths>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyleOptionViewItem>
#include <QToolBar>
#include <QVBoxLayout>

#include <set>

namespace descry {

namespace {

enum Page { EmptyPage, ResultsPage };

// The last server gallery opened, without its password (GalleryLocation::displayName).
const QLatin1String kLastServerSetting("gallery/lastServer");

// The gallery in the window title: a file's name, or a server's "database on host".
QString shortName(const QString &location)
{
    if (!GalleryLocation::isServer(location))
        return QFileInfo(location).fileName();
    const QUrl url(location);
    return MainWindow::tr("%1 on %2").arg(url.path().mid(1), url.host());
}

// Nothing of the gallery could be read: a server that does not answer, a file that is no gallery.
bool failedToOpen(const GalleryOverview &overview)
{
    return !overview.error.isEmpty() && overview.sources.empty() && overview.trackletCount == 0;
}

} // namespace

MainWindow::MainWindow(const QString &galleryPath, QWidget *parent)
    : QMainWindow(parent)
{
    initResources();
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    setWindowIcon(QIcon(QStringLiteral(":/descry/descry.png")));
    createControllers();
    createWidgets();
    createDocks();
    createActions();
    createStatusBar();
    connectControllers();
    restoreLayout();
    openGallery(galleryPath);
}

MainWindow::~MainWindow() = default;

void MainWindow::createControllers()
{
    m_ingest = new IngestController(this);
    m_sources = new SourcesController(this);
    m_search = new SearchController(this);
    m_detail = new DetailController(this);
    m_review = new ReviewController(this);
    m_identities = new IdentityEditor(this);
    m_thumbnails = new ThumbnailLoader(QSize(136, 180), this);
}

void MainWindow::createWidgets()
{
    m_searchBar = new SearchBar(m_search, this);
    m_resultsModel = new ResultsModel(m_thumbnails, this);
    m_resultsView = new ResultsView(this);
    m_resultsView->setModel(m_resultsModel);
    auto *delegate = new ResultDelegate(m_thumbnails->thumbnailSize(), m_resultsView);
    m_resultsView->setItemDelegate(delegate);
    QStyleOptionViewItem option;
    option.initFrom(m_resultsView);
    m_resultsView->setCellSize(delegate->sizeHint(option, QModelIndex()));
    m_resultsHeader = new QLabel(this);
    m_resultsHeader->setObjectName(QStringLiteral("resultsHeader"));
    m_resultsHeader->setTextFormat(Qt::PlainText);
    // A long query or filter summary must not widen the window: the header gives way (its full
    // text is the tool tip).
    m_resultsHeader->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_hiddenLabel = new QLabel(this);
    m_hiddenLabel->setObjectName(QStringLiteral("hiddenBelowCutoff"));
    m_hiddenLabel->setTextFormat(Qt::RichText);
    m_hiddenLabel->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    m_hiddenLabel->hide();
    connect(m_hiddenLabel, &QLabel::linkActivated, this, &MainWindow::showAllBelowCutoff);
    m_filterBar = new FilterBar(this);
    m_timeline = new TimelineStrip(this);
    m_timeline->hide();
    m_emptyState = new EmptyStateWidget(this);
    m_emptyState->setIcon(QIcon(QStringLiteral(":/descry/descry.png")));

    auto *resultsPage = new QWidget(this);
    auto *resultsLayout = new QVBoxLayout(resultsPage);
    resultsLayout->setContentsMargins(12, 0, 12, 0);
    resultsLayout->setSpacing(4);
    auto *headerRow = new QHBoxLayout;
    headerRow->addWidget(m_resultsHeader, 1);
    headerRow->addWidget(m_hiddenLabel);
    resultsLayout->addLayout(headerRow);
    resultsLayout->addWidget(m_timeline);
    resultsLayout->addWidget(m_resultsView, 1);

    m_centralStack = new QStackedWidget(this);
    m_centralStack->insertWidget(EmptyPage, m_emptyState);
    m_centralStack->insertWidget(ResultsPage, resultsPage);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 8);
    layout->setSpacing(0);
    m_demoTour = new DemoTour(this);
    m_demoTour->hide();
    layout->addWidget(m_demoTour);
    layout->addWidget(m_searchBar);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_centralStack, 1);
    setCentralWidget(central);
}

void MainWindow::createDocks()
{
    m_sourcesPanel = new SourcesPanel(m_ingest, m_sources, this);
    m_sourcesDock = new QDockWidget(tr("Footage"), this);
    m_sourcesDock->setObjectName(QStringLiteral("sourcesDock"));
    m_sourcesDock->setWidget(m_sourcesPanel);
    m_sourcesDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, m_sourcesDock);

    m_detailPanel = new DetailPanel(m_detail, this);
    m_detailDock = new QDockWidget(tr("Details"), this);
    m_detailDock->setObjectName(QStringLiteral("detailDock"));
    m_detailDock->setWidget(m_detailPanel);
    m_detailDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, m_detailDock);

    m_heatmapPanel = new HeatmapPanel(this);
    m_heatmapDock = new QDockWidget(tr("Why this match"), this);
    m_heatmapDock->setObjectName(QStringLiteral("heatmapDock"));
    m_heatmapDock->setWidget(m_heatmapPanel);
    m_heatmapDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    splitDockWidget(m_detailDock, m_heatmapDock, Qt::Vertical);

    m_reviewPanel = new ReviewPanel(m_review, this);
    m_reviewDock = new QDockWidget(tr("Review"), this);
    m_reviewDock->setObjectName(QStringLiteral("reviewDock"));
    m_reviewDock->setWidget(m_reviewPanel);
    m_reviewDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    tabifyDockWidget(m_detailDock, m_reviewDock);
    m_reviewDock->hide(); // until a review starts
    m_detailDock->raise();
    resizeDocks({ m_sourcesDock, m_detailDock }, { 330, 420 }, Qt::Horizontal);
    resizeDocks({ m_detailDock, m_heatmapDock }, { 440, 420 }, Qt::Vertical); // the heatmaps need height too
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *addFiles = file->addAction(tr("Add &files…"), m_sourcesPanel, &SourcesPanel::chooseFiles);
    addFiles->setShortcut(QKeySequence::Open);
    addFiles->setObjectName(QStringLiteral("addFilesAction"));
    QAction *addFolder = file->addAction(tr("Add f&older…"), m_sourcesPanel, &SourcesPanel::chooseFolder);
    addFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    addFolder->setObjectName(QStringLiteral("addFolderAction"));
    file->addSeparator();
    QAction *open = file->addAction(tr("Open &gallery…"), this, &MainWindow::chooseGallery);
    open->setObjectName(QStringLiteral("openGalleryAction"));
    QAction *connectServer
        = file->addAction(tr("Connect to a &team gallery (PostgreSQL)…"), this, &MainWindow::connectToServer);
    connectServer->setObjectName(QStringLiteral("connectServerAction"));
    connectServer->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    connectServer->setToolTip(tr("Open a gallery shared on a PostgreSQL server (Ctrl+Shift+G)"));
    file->addSeparator();
    m_exportAction = file->addAction(tr("&Export evidence…"), this, &MainWindow::chooseEvidenceExport);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportAction->setObjectName(QStringLiteral("exportEvidenceAction"));
    m_exportAction->setEnabled(false);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *search = menuBar()->addMenu(tr("&Search"));
    QAction *find = search->addAction(tr("&Find person…"), m_searchBar, &SearchBar::focusSearch);
    find->setShortcuts({ QKeySequence::Find, QKeySequence(Qt::Key_Slash) });
    find->setObjectName(QStringLiteral("focusSearchAction"));
    QAction *again = search->addAction(tr("&Refresh results"), this, &MainWindow::repeatLastQuestion);
    again->setShortcut(QKeySequence::Refresh);
    again->setObjectName(QStringLiteral("refreshResultsAction"));
    QAction *frame = search->addAction(tr("Show in &frame"), m_detailPanel, &DetailPanel::showInFrame);
    frame->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *video = search->addAction(tr("Show in &video"), m_detailPanel, &DetailPanel::showInVideo);
    video->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    video->setObjectName(QStringLiteral("showInVideoAction"));
    m_similarAction = search->addAction(tr("Find &similar people"), this, &MainWindow::findSimilarToSelected);
    m_similarAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_appearancesAction = search->addAction(tr("Show all &appearances of this person"), this,
        &MainWindow::showAppearancesOfSelected);
    m_appearancesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_appearancesAction->setObjectName(QStringLiteral("appearancesAction"));
    m_appearancesAction->setToolTip(tr("Every tracklet of the selected person, in every video, in time order "
                                       "(Ctrl+Shift+P)"));
    m_appearancesAction->setEnabled(false);
    m_samePersonAction = search->addAction(tr("&Same person as…"), this, &MainWindow::markSamePerson);
    m_samePersonAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    m_samePersonAction->setObjectName(QStringLiteral("samePersonAction"));
    m_samePersonAction->setToolTip(tr("Merge two people Descry kept apart: press on one, select the other, press "
                                      "again (Ctrl+Shift+M)"));
    m_samePersonAction->setEnabled(false);
    m_separateAction = search->addAction(tr("&Not this person"), this, &MainWindow::separateFromPerson);
    m_separateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    m_separateAction->setObjectName(QStringLiteral("separateAction"));
    m_separateAction->setToolTip(tr("The selected appearance is someone else: take it out of its person "
                                    "(Ctrl+Shift+X)"));
    m_separateAction->setEnabled(false);
    // Esc in the results forgets a "same person as…" that was started.
    auto *cancelMerge = new QShortcut(QKeySequence(Qt::Key_Escape), m_resultsView, nullptr, nullptr, Qt::WidgetShortcut);
    connect(cancelMerge, &QShortcut::activated, this, [this] {
        if (std::exchange(m_pendingMerge, 0) != 0)
            statusBar()->showMessage(tr("Same person: cancelled"), 4000);
    });
    m_similarAction->setObjectName(QStringLiteral("findSimilarAction"));
    m_similarAction->setToolTip(tr("People in every video who look like the selected one (Ctrl+Shift+S); "
                                   "or drop a picture of a person on the window"));
    m_similarAction->setEnabled(false);
    QAction *filters = search->addAction(tr("F&ilters…"), m_filterBar, &FilterBar::focusFilters);
    filters->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    filters->setObjectName(QStringLiteral("focusFiltersAction"));
    filters->setToolTip(tr("Narrow the results by attribute, video, camera, time or confidence (Ctrl+Shift+F)"));
    QAction *clearFilters = search->addAction(tr("&Clear filters"), m_filterBar, &FilterBar::clear);
    clearFilters->setObjectName(QStringLiteral("clearFiltersAction"));
    QAction *showAll = search->addAction(tr("Show results &below the cut-off"), this, &MainWindow::showAllBelowCutoff);
    showAll->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    showAll->setObjectName(QStringLiteral("showAllAction"));
    search->addSeparator();
    m_reviewAction = search->addAction(tr("&Review these results"), this, &MainWindow::reviewResults);
    m_reviewAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_reviewAction->setObjectName(QStringLiteral("reviewAction"));
    m_reviewAction->setToolTip(tr("Confirm or reject each result with single keys: C, R, S (Ctrl+R)"));
    m_reviewAction->setEnabled(false);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_sourcesDock->toggleViewAction());
    view->addAction(m_detailDock->toggleViewAction());
    view->addAction(m_heatmapDock->toggleViewAction());
    view->addAction(m_reviewDock->toggleViewAction());
    view->addSeparator();
    QAction *fullScreen = view->addAction(tr("&Full screen"), this, &MainWindow::toggleFullScreen);
    fullScreen->setShortcuts({ QKeySequence::FullScreen, QKeySequence(Qt::Key_F11) });
    fullScreen->setObjectName(QStringLiteral("fullScreenAction"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Descry"), this, &MainWindow::about)->setMenuRole(QAction::AboutRole);

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(addFiles);
    toolbar->addAction(addFolder);
    toolbar->addSeparator();
    toolbar->addAction(open);
    toolbar->addSeparator();
    toolbar->addAction(find);
    toolbar->addAction(m_reviewAction);
    toolbar->addAction(m_exportAction);
}

void MainWindow::createStatusBar()
{
    m_galleryLabel = new QLabel(this);
    m_countLabel = new QLabel(this);
    m_queryLabel = new QLabel(this);
    m_galleryLabel->setObjectName(QStringLiteral("galleryLabel"));
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_queryLabel->setObjectName(QStringLiteral("queryLabel"));
    statusBar()->addWidget(m_galleryLabel, 1);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_queryLabel);
}

void MainWindow::connectControllers()
{
    connect(m_sources, &SourcesController::overviewChanged, this, &MainWindow::showOverview);
    connect(m_sources, &SourcesController::galleryChanged, this, &MainWindow::followGalleryChange);
    connect(m_search, &SearchController::resultsReady, this, &MainWindow::showResults);
    connect(m_identities, &IdentityEditor::finished, this, [this](bool ok, const QString &message, qint64 identity) {
        statusBar()->showMessage(message, ok ? 8000 : 15000);
        if (!ok)
            return;
        // The person view follows the person it showed (a merge may have given it the other id).
        if (m_lastPerson && identity > 0
            && (m_merged.first == m_lastPerson->identityId || m_merged.second == m_lastPerson->identityId)) {
            m_lastPerson->identityId = identity;
            m_lastPerson->title = tr("Person %1").arg(identity);
        }
        repeatLastQuestion();
        m_sources->refresh();
    });
    connect(m_search, &SearchController::searchStarted, this, [this](quint64, const QString &text) {
        if (m_lastSimilar && text != m_lastSimilar->title)
            m_lastSimilar.reset(); // a typed search replaces the find-similar
        if (m_lastPerson && text != m_lastPerson->title)
            m_lastPerson.reset();
    });
    connect(m_search, &SearchController::searchFailed, this, [this](const QString &, const QString &error) {
        m_queryLabel->setText(tr("Search failed"));
        statusBar()->showMessage(error, 8000);
    });
    connect(m_ingest, &IngestController::busyChanged, this, [this] {
        if (!m_searched)
            showEmptyState();
    });
    connect(m_ingest, &IngestController::jobFinished, this, [this] {
        // New people may match the question on screen: ask it again.
        repeatLastQuestion();
    });
    connect(m_resultsView, &ResultsView::currentResultChanged, this, &MainWindow::onCurrentResultChanged);
    connect(m_resultsView, &ResultsView::openRequested, this, &MainWindow::openDetail);
    connect(m_emptyState, &EmptyStateWidget::actionTriggered, this, [this] {
        if (m_emptyActionClearsFilters)
            m_filterBar->clear();
        else if (m_lastResponse.hiddenBelowCutoff > 0 && m_searched)
            showAllBelowCutoff();
        else
            m_sourcesPanel->chooseFiles();
    });
    connect(m_filterBar, &FilterBar::changed, this, [this] {
        m_search->setFilters(m_filterBar->filters(), m_filterBar->minConfidence());
        repeatLastQuestion();
    });
    // The bar's defaults (one result per person) hold from the first search on.
    m_search->setFilters(m_filterBar->filters(), m_filterBar->minConfidence());
    connect(m_timeline, &TimelineStrip::trackletClicked, this, [this](qint64 trackletId) {
        selectTracklet(trackletId);
        m_resultsView->setFocus();
    });
    connect(m_search, &SearchController::exportProgress, this, [this](int done, int total) {
        if (!m_exportProgress)
            return;
        m_exportProgress->setMaximum(total);
        m_exportProgress->setValue(done);
    });
    connect(m_search, &SearchController::exportFinished, this, [this](const CaseExportResult &result, const QString &error) {
        if (m_exportProgress) {
            m_exportProgress->deleteLater();
            m_exportProgress = nullptr;
        }
        m_exportAction->setEnabled(m_resultsModel->totalCount() > 0);
        if (error.isEmpty())
            statusBar()->showMessage(tr("Exported %1 to %2 (%3 files; manifest SHA-256 %4)%5")
                                         .arg(countOf(result.items, tr("person"), tr("people")),
                                             QDir::toNativeSeparators(result.outDir))
                                         .arg(result.files)
                                         .arg(result.manifestSha256.left(16),
                                             result.notes.isEmpty() ? QString() : tr("; %1").arg(result.notes.join(QStringLiteral("; ")))),
                15000);
        else
            statusBar()->showMessage(tr("Evidence export failed: %1").arg(error), 15000);
        Q_EMIT evidenceExported(result.outDir, error);
    });
    connect(m_demoTour, &DemoTour::queryRequested, this, [this](const QString &query) {
        m_selectFirstResult = true;
        runQuery(query);
    });
    // Why this match: the best crop from the detail thread, the attention from the model thread.
    connect(m_detail, &DetailController::trackletLoaded, this, [this](const TrackletDetail &detail) {
        m_heatmapPanel->setCrop(detail.trackletId, detail.cropImages.empty() ? QImage() : detail.cropImages.front(),
            detail.crops.empty() ? std::nullopt : detail.crops.front().body());
    });
    connect(m_search, &SearchController::explanationReady, m_heatmapPanel, &HeatmapPanel::setExplanation);
    connect(m_search, &SearchController::explanationFailed, m_heatmapPanel, &HeatmapPanel::showProblem);
    // The annotator's current item is the result in focus everywhere else too.
    connect(m_reviewPanel, &ReviewPanel::currentTrackletChanged, this, &MainWindow::selectTracklet);
}

bool MainWindow::selectTracklet(qint64 trackletId)
{
    const int row = m_resultsModel->rowOf(trackletId);
    if (row < 0)
        return false;
    while (m_resultsModel->rowCount() <= row && m_resultsModel->canFetchMore(QModelIndex()))
        m_resultsModel->fetchMore(QModelIndex());
    m_resultsView->setCurrentIndex(m_resultsModel->index(row));
    m_resultsView->scrollTo(m_resultsModel->index(row));
    return true;
}

void MainWindow::repeatLastQuestion()
{
    if (!m_searched)
        return;
    if (m_lastSimilar)
        m_search->findSimilar(m_lastSimilar->trackletId, m_lastSimilar->imageData, m_lastSimilar->title);
    else if (m_lastPerson)
        m_search->showAppearances(m_lastPerson->identityId, m_lastPerson->title);
    else
        m_search->search(m_lastResponse.text);
}

void MainWindow::followGalleryChange()
{
    // This window's own ingest shows its people as they come; a search still running will see
    // the change anyway.
    if (!m_searched || m_ingest->isBusy() || m_search->isBusy())
        return;
    if (m_resultsView->currentIndex().isValid()) {
        statusBar()->showMessage(tr("The gallery changed (new footage, people or reviews): F5 asks again"), 15000);
        return;
    }
    repeatLastQuestion();
    statusBar()->showMessage(tr("The gallery changed: results updated"), 8000);
}

void MainWindow::showAllBelowCutoff()
{
    if (!m_searched || m_lastSimilar || m_lastPerson || m_lastResponse.hiddenBelowCutoff == 0)
        return;
    m_search->searchShowingAll(m_lastResponse.text);
}

void MainWindow::restoreLayout()
{
    const auto settings = uiSettings();
    if (!restoreGeometry(settings->value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 860);
    restoreState(settings->value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const auto settings = uiSettings();
    settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings->setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::openGallery(const QString &path)
{
    m_galleryPath = GalleryLocation::normalised(path);
    const bool server = GalleryLocation::isServer(m_galleryPath);
    if (server)
        uiSettings()->setValue(kLastServerSetting, GalleryLocation::displayName(m_galleryPath));
    m_overview = {}; // nothing of the last gallery until this one's overview comes
    m_searched = false;
    m_lastResponse = {};
    m_lastSimilar.reset();
    m_lastPerson.reset();
    m_resultsModel->clear();
    m_timeline->clear();
    m_detailPanel->clear();
    m_ingest->setGalleryPath(m_galleryPath);
    m_search->setGalleryPath(m_galleryPath);
    m_detail->setGalleryPath(m_galleryPath);
    m_review->setGalleryPath(m_galleryPath);
    m_identities->setGalleryPath(m_galleryPath);
    m_pendingMerge = 0;
    m_heatmapPanel->clear();
    m_thumbnails->setGalleryPath(m_galleryPath);
    m_sources->setGalleryPath(m_galleryPath);
    const QString shown = GalleryLocation::displayName(m_galleryPath);
    m_galleryLabel->setText(tr("Gallery: %1").arg(server ? shown : QDir::toNativeSeparators(shown)));
    m_galleryLabel->setToolTip(shown);
    m_countLabel->clear();
    m_countLabel->setToolTip(QString());
    m_queryLabel->clear();
    showTitle(false); // until the overview says whether the gallery is read-only
    showEmptyState();
}

void MainWindow::chooseGallery()
{
    const QString start = GalleryLocation::isServer(m_galleryPath) ? Gallery::defaultPath() : m_galleryPath;
    const QString path = QFileDialog::getSaveFileName(this, tr("Open or create a gallery"), start,
        tr("Descry galleries (*.sqlite);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (!path.isEmpty())
        openGallery(path);
}

void MainWindow::connectToServer()
{
    if (!m_serverDialog) {
        m_serverDialog = new GalleryServerDialog(this);
        m_serverDialog->setUrl(uiSettings()->value(kLastServerSetting).toString());
        connect(m_serverDialog, &QDialog::accepted, this, [this] { openGallery(m_serverDialog->url()); });
    }
    // The server on screen, password included, so connecting again needs no typing.
    if (GalleryLocation::isServer(m_galleryPath))
        m_serverDialog->setUrl(m_galleryPath);
    m_serverDialog->open();
}

void MainWindow::runQuery(const QString &text)
{
    m_searchBar->setQuery(text);
    m_searchBar->runSearch();
}

bool MainWindow::isSettled() const
{
    return !m_search->isBusy() && !m_detail->isBusy() && !m_review->isBusy() && m_thumbnails->pendingCount() == 0
        && !m_sources->isLoading();
}

void MainWindow::showTitle(bool readOnly)
{
    const QString name = shortName(m_galleryPath);
    setWindowTitle(readOnly ? tr("%1 (read only) — Descry").arg(name) : tr("%1 — Descry").arg(name));
}

void MainWindow::showOverview(const GalleryOverview &overview)
{
    m_overview = overview;
    m_filterBar->setOverview(overview);
    m_timeline->setOverview(overview);
    m_countLabel->setText(overview.exists
            ? tr("%1 in %2")
                  .arg(countOf(overview.trackletCount, tr("person"), tr("people")),
                      countOf(qint64(overview.sources.size()), tr("video"), tr("videos")))
            : tr("empty gallery"));
    if (failedToOpen(overview))
        m_countLabel->setText(
            GalleryLocation::isServer(m_galleryPath) ? tr("not connected") : tr("not opened"));
    if (overview.readOnly)
        m_countLabel->setText(tr("%1 · read only").arg(m_countLabel->text()));
    m_countLabel->setToolTip(overview.error);
    showTitle(overview.readOnly);
    if (!overview.error.isEmpty())
        statusBar()->showMessage(overview.error, 10000);
    if (!m_searched)
        showEmptyState();
}

void MainWindow::showEmptyState()
{
    m_emptyActionClearsFilters = false;
    m_centralStack->setCurrentIndex(EmptyPage);
    if (failedToOpen(m_overview) && !m_ingest->isBusy()) {
        m_emptyState->setTitle(tr("The gallery did not open"));
        m_emptyState->setMessage(m_overview.error.toHtmlEscaped());
        m_emptyState->setAction(QString());
        return;
    }
    if (m_overview.trackletCount == 0 && m_ingest->isBusy()) {
        m_emptyState->setTitle(tr("Finding the people in your footage…"));
        m_emptyState->setMessage(tr("You can search as soon as the first people are found; the progress is "
                                    "on the left."));
        m_emptyState->setAction(QString());
        return;
    }
    if (m_overview.sources.empty()) {
        m_emptyState->setTitle(tr("No footage yet"));
        m_emptyState->setMessage(
            tr("Add video files or a folder of recordings. Descry finds the people in them, "
               "so you can then search by description — “a man in a blue jacket with a backpack”."));
        m_emptyState->setAction(tr("Add footage…"));
        return;
    }
    m_emptyState->setTitle(tr("Describe who you are looking for"));
    m_emptyState->setMessage(
        tr("%1 from %2 ready to search. Try colours, garments and "
           "accessories: <i>red top and dark trousers</i>, <i>white shirt, backpack</i>.")
            .arg(countOf(m_overview.trackletCount, tr("person"), tr("people")),
                countOf(qint64(m_overview.sources.size()), tr("video"), tr("videos"))));
    m_emptyState->setAction(QString());
}

void MainWindow::showResults(const SearchResponse &response)
{
    m_searched = true;
    m_lastResponse = response;
    m_lastResponse.results.clear(); // the model keeps them
    const int count = int(response.results.size());
    m_queryLabel->setText(response.galleryTracklets == 0
            ? QString()
            : tr("Last query: %1 ms, %2, ranked by %3")
                  .arg(response.elapsedMs, 0, 'f', 1)
                  .arg(countOf(count, tr("result"), tr("results")), response.ranking));
    // Why the ranking is what it is (no model, tracklets still to embed): say it, not hide it.
    m_queryLabel->setToolTip(response.notes.join(QLatin1Char('\n')));
    if (!response.notes.isEmpty())
        statusBar()->showMessage(response.notes.constFirst(), 10000);
    m_resultsModel->setResults(response.results);
    m_timeline->setResults(response.results);
    m_detailPanel->clear();
    m_heatmapPanel->clear();
    m_reviewAction->setEnabled(count > 0);
    m_exportAction->setEnabled(count > 0);
    m_similarAction->setEnabled(count > 0);
    m_appearancesAction->setEnabled(false); // until a result of a grouped person is selected
    // Hidden is not gone: say how many and offer them.
    m_hiddenLabel->setVisible(response.hiddenBelowCutoff > 0);
    if (response.hiddenBelowCutoff > 0) {
        m_hiddenLabel->setText(tr("%1 more below the cut-off — <a href=\"all\">show all</a>").arg(response.hiddenBelowCutoff));
        m_hiddenLabel->setToolTip(tr("Results whose calibrated confidence is below %1 are hidden; show all of them "
                                     "(Ctrl+Shift+A), or set the minimum confidence in the filter bar")
                                      .arg(double(response.cutoff), 0, 'f', 2));
    }
    m_emptyActionClearsFilters = false;
    const QString filters = m_filterBar->summary();
    if (count == 0 && response.galleryTracklets == 0) {
        showEmptyState(); // nothing to search in yet: invite to add footage
    } else if (count == 0 && response.hiddenBelowCutoff > 0) {
        m_emptyState->setTitle(tr("No one above the cut-off"));
        m_emptyState->setMessage(tr("%1 scored below the relevance cut-off (confidence %2) for “%3”. They are "
                                    "less likely to be the person described, but may still be.")
                                     .arg(countOf(response.hiddenBelowCutoff, tr("person"), tr("people")).toHtmlEscaped())
                                     .arg(double(response.cutoff), 0, 'f', 2)
                                     .arg(response.text.toHtmlEscaped()));
        m_emptyState->setAction(tr("Show them"));
        m_centralStack->setCurrentIndex(EmptyPage);
    } else if (count == 0 && m_filterBar->isNarrowing()) {
        m_emptyState->setTitle(tr("No one matches with these filters"));
        m_emptyState->setMessage(tr("Nobody shown for “%1” passes <b>%2</b>.")
                                     .arg(response.text.toHtmlEscaped(), filters.toHtmlEscaped()));
        m_emptyState->setAction(tr("Clear filters"));
        m_emptyActionClearsFilters = true;
        m_centralStack->setCurrentIndex(EmptyPage);
    } else if (count == 0) {
        QStringList terms;
        for (const QString &t : response.understood)
            terms.append(SearchBar::describeTerm(t));
        m_emptyState->setTitle(tr("No one matches"));
        m_emptyState->setMessage(terms.isEmpty()
                ? tr("Nothing in “%1” could be understood as a colour, garment or accessory.")
                      .arg(response.text.toHtmlEscaped())
                : tr("No person in this gallery shows <b>%1</b>.")
                      .arg(terms.join(QStringLiteral(", ")).toHtmlEscaped()));
        m_emptyState->setAction(m_overview.sources.empty() ? tr("Add footage…") : QString());
        m_centralStack->setCurrentIndex(EmptyPage);
    } else if (m_lastPerson) {
        std::set<qint64> videos;
        for (const SearchResult &r : response.results)
            videos.insert(r.tracklet.sourceId);
        const QString header = tr("%1: %2 in %3, in time order")
                                   .arg(response.text, countOf(count, tr("appearance"), tr("appearances")),
                                       countOf(qint64(videos.size()), tr("video"), tr("videos")));
        m_resultsHeader->setText(header);
        m_resultsHeader->setToolTip(header);
        m_centralStack->setCurrentIndex(ResultsPage);
    } else {
        const bool byTime = m_search->filters().sortOrder == SortOrder::Time;
        QString header = tr("%1 for “%2”, %3")
                             .arg(countOf(count, tr("person"), tr("people")), response.text,
                                 byTime ? tr("in time order") : tr("best match first"));
        if (!filters.isEmpty())
            header += tr(" · %1").arg(filters);
        m_resultsHeader->setText(header);
        m_resultsHeader->setToolTip(header);
        m_centralStack->setCurrentIndex(ResultsPage);
    }
    if (m_selectFirstResult && count > 0) {
        m_resultsView->setCurrentIndex(m_resultsModel->index(0));
        m_resultsView->setFocus();
    }
    m_selectFirstResult = false;
    Q_EMIT resultsShown(count);
}

void MainWindow::chooseEvidenceExport()
{
    const int count = m_resultsModel->totalCount();
    if (count == 0 || m_search->isExporting())
        return;
    const QModelIndex current = m_resultsView->currentIndex();
    std::vector<std::pair<QString, EvidenceScope>> choices {
        { tr("Results confirmed in review"), EvidenceScope::Confirmed },
        { tr("People confirmed in review, every appearance"), EvidenceScope::ConfirmedPeople },
    };
    if (current.isValid()) {
        const TrackletRecord &t = m_resultsModel->result(current.row()).tracklet;
        choices.emplace_back(tr("The selected result (person #%1)").arg(t.id), EvidenceScope::Selected);
        if (t.identityId > 0)
            choices.emplace_back(tr("Every appearance of the selected person (person %1)").arg(t.identityId),
                EvidenceScope::Person);
    }
    choices.emplace_back(tr("The top %1 results").arg(std::min(count, kEvidenceTop)), EvidenceScope::TopResults);
    QStringList names;
    for (const auto &choice : choices)
        names.append(choice.first);
    bool ok = false;
    const QString choice = QInputDialog::getItem(this, tr("Export evidence"),
        tr("Export which people found for “%1”?").arg(m_lastResponse.text), names, 0, false, &ok);
    if (!ok)
        return;
    const EvidenceScope scope = choices[size_t(std::max<qsizetype>(0, names.indexOf(choice)))].second;
    const QString suggested = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                  .filePath(QStringLiteral("Descry case %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hhmm"))));
    const QString dir = QFileDialog::getSaveFileName(this, tr("Export evidence into a new folder"), suggested);
    if (!dir.isEmpty())
        exportEvidence(scope, dir);
}

bool MainWindow::exportEvidence(EvidenceScope scope, const QString &outDir)
{
    QList<qint64> ids;
    if ((scope == EvidenceScope::Selected || scope == EvidenceScope::Person) && m_resultsView->currentIndex().isValid())
        ids.append(m_resultsModel->result(m_resultsView->currentIndex().row()).tracklet.id);
    if (scope == EvidenceScope::TopResults)
        for (int row = 0; row < std::min(m_resultsModel->totalCount(), kEvidenceTop); ++row)
            ids.append(m_resultsModel->result(row).tracklet.id);
    const bool confirmed = scope == EvidenceScope::Confirmed || scope == EvidenceScope::ConfirmedPeople;
    if (!confirmed && ids.isEmpty()) {
        statusBar()->showMessage(tr("Nothing to export: select a result first"), 8000);
        return false;
    }
    CaseExportRequest request;
    request.galleryPath = m_galleryPath;
    request.outDir = outDir;
    request.caseTitle = QFileInfo(outDir).fileName();
    request.author = ReviewQueue::defaultAuthor();
    request.query = m_lastResponse.text;
    request.ranking = m_lastResponse.ranking;
    const bool people = scope == EvidenceScope::ConfirmedPeople || scope == EvidenceScope::Person;
    if (!m_search->exportCase(request, ids, confirmed, people)) {
        statusBar()->showMessage(tr("An export is already running"), 8000);
        return false;
    }
    m_exportAction->setEnabled(false);
    m_exportProgress = new QProgressDialog(tr("Exporting evidence to %1…").arg(QDir::toNativeSeparators(outDir)),
        tr("Cancel"), 0, 1, this);
    m_exportProgress->setWindowTitle(tr("Export evidence"));
    m_exportProgress->setMinimumDuration(400);
    m_exportProgress->setAutoClose(false);
    m_exportProgress->setAutoReset(false);
    connect(m_exportProgress, &QProgressDialog::canceled, m_search, &SearchController::cancelExport);
    return true;
}

void MainWindow::findSimilarToSelected()
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (!current.isValid())
        return;
    const qint64 id = m_resultsModel->result(current.row()).tracklet.id;
    m_selectFirstResult = false;
    m_lastSimilar = SimilarQuestion { id, {}, tr("people who look like person #%1").arg(id) };
    m_search->findSimilar(id, {}, m_lastSimilar->title);
}

void MainWindow::showAppearancesOfSelected()
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (!current.isValid())
        return;
    const qint64 identity = m_resultsModel->result(current.row()).tracklet.identityId;
    if (identity <= 0) {
        statusBar()->showMessage(tr("This tracklet belongs to no person yet: the gallery is grouped into people after "
                                    "each ingest (or with 'descry-cli identities --regroup')"),
            8000);
        return;
    }
    m_lastSimilar.reset();
    m_lastPerson = PersonQuestion { identity, tr("Person %1").arg(identity) };
    m_selectFirstResult = true;
    m_search->showAppearances(identity, m_lastPerson->title);
}

void MainWindow::markSamePerson()
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (!current.isValid())
        return;
    const qint64 identity = m_resultsModel->result(current.row()).tracklet.identityId;
    if (identity <= 0)
        return;
    if (m_pendingMerge == 0) {
        m_pendingMerge = identity;
        statusBar()->showMessage(tr("Person %1: now select the other appearance of this person and press Ctrl+Shift+M "
                                    "again (Esc cancels)")
                                     .arg(identity));
        return;
    }
    const qint64 first = std::exchange(m_pendingMerge, 0);
    if (first == identity) {
        statusBar()->showMessage(tr("Both are already person %1; nothing to merge").arg(identity), 6000);
        return;
    }
    statusBar()->showMessage(tr("Merging person %1 and person %2…").arg(first).arg(identity));
    m_merged = { first, identity };
    m_identities->merge(first, identity);
}

void MainWindow::separateFromPerson()
{
    const QModelIndex current = m_resultsView->currentIndex();
    if (!current.isValid())
        return;
    const SearchResult &result = m_resultsModel->result(current.row());
    if (result.tracklet.identityId <= 0)
        return;
    m_pendingMerge = 0;
    m_merged = {};
    statusBar()->showMessage(tr("Taking this appearance out of person %1…").arg(result.tracklet.identityId));
    m_identities->separate(result.tracklet.id);
}

void MainWindow::findSimilarToImage(const QString &imagePath)
{
    QFile file(imagePath);
    if (!file.open(QIODevice::ReadOnly)) {
        statusBar()->showMessage(tr("Cannot read %1: %2").arg(imagePath, file.errorString()), 8000);
        return;
    }
    m_lastSimilar = SimilarQuestion { 0, file.readAll(), tr("people who look like %1").arg(QFileInfo(imagePath).fileName()) };
    m_search->findSimilar(0, m_lastSimilar->imageData, m_lastSimilar->title);
}

namespace {

bool isImageFile(const QString &path)
{
    static const QStringList suffixes{QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("png"),
        QStringLiteral("bmp"), QStringLiteral("webp")};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}

} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList footage;
    QString image;
    for (const QUrl &url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (path.isEmpty())
            continue;
        if (isImageFile(path))
            image = path;
        else
            footage.append(path);
    }
    if (!image.isEmpty())
        findSimilarToImage(image);
    if (!footage.isEmpty())
        m_sourcesPanel->addInputs(footage);
    event->acceptProposedAction();
}

void MainWindow::startDemoTour()
{
    m_demoTour->show();
    m_detailPanel->setAutoShowFrame(true);
    m_demoTour->start();
}

void MainWindow::toggleFullScreen()
{
    setWindowState(windowState() ^ Qt::WindowFullScreen);
}

void MainWindow::onCurrentResultChanged(const QModelIndex &index)
{
    if (!index.isValid() || index.row() >= m_resultsModel->totalCount())
        return;
    const SearchResult &result = m_resultsModel->result(index.row());
    m_appearancesAction->setEnabled(result.tracklet.identityId > 0);
    m_samePersonAction->setEnabled(result.tracklet.identityId > 0);
    m_separateAction->setEnabled(result.tracklet.identityId > 0 && result.identityTracklets > 1);
    m_detailPanel->showResult(result);
    m_timeline->setCurrentTracklet(result.tracklet.id);
    if (result.tracklet.id == m_heatmapPanel->trackletId() && m_heatmapPanel->explanation().unitCount() > 0)
        return;
    m_heatmapPanel->showLoading(result.tracklet.id);
    if (m_lastResponse.ranking.startsWith(QLatin1String("model")))
        m_search->explain(m_lastResponse.text, result.tracklet.id);
    else
        m_heatmapPanel->showProblem(result.tracklet.id,
            tr("these results are ranked by measured attributes, which have no attention to show (%1)")
                .arg(m_lastResponse.notes.value(0, tr("no text-to-person model"))));
}

void MainWindow::reviewResults()
{
    const int count = m_resultsModel->totalCount();
    if (count == 0)
        return;
    std::vector<ReviewQueueItem> items;
    for (int row = 0; row < count; ++row) {
        const SearchResult &r = m_resultsModel->result(row);
        items.push_back({ r.tracklet.id, r.score });
    }
    m_review->start(m_lastResponse.text, items);
    m_reviewDock->show();
    m_reviewDock->raise();
    m_reviewPanel->setFocus();
}

void MainWindow::openDetail(const QModelIndex &index)
{
    onCurrentResultChanged(index);
    m_detailDock->show();
    m_detailDock->raise();
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About Descry"),
        tr("<h3>Descry %1</h3><p>Find people in surveillance footage from a typed description.</p>"
           "<p>Footage is analysed on this computer; nothing leaves it.</p>"
           "<p>Qt %2</p>")
            .arg(QStringLiteral(DESCRY_VERSION), QString::fromLatin1(qVersion())));
}

} // namespace descry
