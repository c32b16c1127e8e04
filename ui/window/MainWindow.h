#pragma once

#include "GalleryOverview.h"
#include "SearchEngine.h"

#include <QMainWindow>

#include <optional>
#include <utility>

class QAction;
class QDockWidget;
class QLabel;
class QProgressDialog;
class QStackedWidget;

namespace descry {

class DetailController;
class DemoTour;
class DetailPanel;
class EmptyStateWidget;
class FilterBar;
class GalleryServerDialog;
class HeatmapPanel;
class IdentityEditor;
class IngestController;
class ReviewController;
class ReviewPanel;
class ResultsModel;
class ResultsView;
class SearchBar;
class SearchController;
class SourcesController;
class SourcesPanel;
class ThumbnailLoader;
class TimelineStrip;

// Composes the window: SearchBar and the results grid in the middle, SourcesPanel docked on
// the left, DetailPanel on the right; menus, toolbar and status bar. It owns the controllers
// (each with its worker thread and its own gallery connection) and routes between them; the
// panels do their own work.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const QString &galleryPath, QWidget *parent = nullptr);
    ~MainWindow() override;

    QString galleryPath() const { return m_galleryPath; }
    // Puts `text` in the search line and runs it (the --demo start, tests).
    void runQuery(const QString &text);
    // True when no search, thumbnail or detail load is in flight (for the screenshot).
    bool isSettled() const;

    SearchBar *searchBar() const { return m_searchBar; }
    FilterBar *filterBar() const { return m_filterBar; }
    TimelineStrip *timelineStrip() const { return m_timeline; }
    ResultsView *resultsView() const { return m_resultsView; }
    ResultsModel *resultsModel() const { return m_resultsModel; }
    SourcesPanel *sourcesPanel() const { return m_sourcesPanel; }
    DetailPanel *detailPanel() const { return m_detailPanel; }
    HeatmapPanel *heatmapPanel() const { return m_heatmapPanel; }
    DemoTour *demoTour() const { return m_demoTour; }
    ReviewPanel *reviewPanel() const { return m_reviewPanel; }
    ReviewController *reviewController() const { return m_review; }
    EmptyStateWidget *emptyState() const { return m_emptyState; }
    IngestController *ingestController() const { return m_ingest; }
    SearchController *searchController() const { return m_search; }
    SourcesController *sourcesController() const { return m_sources; }
    DetailController *detailController() const { return m_detail; }
    ThumbnailLoader *thumbnailLoader() const { return m_thumbnails; }
    IdentityEditor *identityEditor() const { return m_identities; }

public Q_SLOTS:
    // Opens a gallery file, or a team's gallery given as a postgresql:// URL (its password stays
    // in memory: what is shown or saved of it is GalleryLocation::displayName()). A gallery that
    // does not open says why in the status bar and in place of the results.
    void openGallery(const QString &path);
    void chooseGallery();
    // Asks for a PostgreSQL server's gallery (GalleryServerDialog, filled with the last one) and
    // opens it.
    void connectToServer();
    void about();
    // Opens the review queue on the results on screen (the annotator's pass over a query).
    void reviewResults();
    // The presenter's tour (--demo): shows its bar and runs the first example; every step's
    // first result is selected, so details, frame and "why this match" fill in.
    void startDemoTour();
    void toggleFullScreen();
    // People who look like the selected result (any source), or like the person in an image.
    void findSimilarToSelected();
    // The person view: every appearance of the selected result's person (identity), in time
    // order, camera by camera on the timeline.
    void showAppearancesOfSelected();
    // An annotator's word on people: the selected result's person and the one selected next are
    // one person (the first call remembers the person, the second merges; Esc or a call on the same
    // person forgets it), or the selected appearance is not the person it was grouped with.
    void markSamePerson();
    void separateFromPerson();
    void findSimilarToImage(const QString &imagePath);
    // Evidence export of the current query's results: the ones confirmed in review, the
    // selected one, or the top ones; into a new folder (CaseExporter: crops, frames with boxes,
    // heatmaps, HTML + PDF report, CSV/JSON, manifest). Asks, then exportEvidence().
    void chooseEvidenceExport();
    // The question on screen once more with nothing hidden below the relevance cut-off.
    void showAllBelowCutoff();
    // Selects a result of the grid (loading more rows as needed); false when not among them.
    bool selectTracklet(qint64 trackletId);

public:
    // Person: every appearance of the selected result's person; ConfirmedPeople: every appearance
    // of the people confirmed in review.
    enum class EvidenceScope { Confirmed, ConfirmedPeople, Selected, Person, TopResults };
    static constexpr int kEvidenceTop = 20;
    // Starts the export without asking; false (with a status message) when it cannot start.
    bool exportEvidence(EvidenceScope scope, const QString &outDir);

Q_SIGNALS:
    void resultsShown(int count);
    void evidenceExported(const QString &outDir, const QString &error); // error empty: done

protected:
    void closeEvent(QCloseEvent *event) override;
    // Drop an image of a person to find who looks like them; drop videos or folders to add them.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createControllers();
    void createWidgets();
    void createDocks();
    void createActions();
    void createStatusBar();
    void connectControllers();
    void restoreLayout();

    void showResults(const SearchResponse &response);
    void showOverview(const GalleryOverview &overview);
    void showTitle(bool readOnly);
    void showEmptyState();
    void onCurrentResultChanged(const QModelIndex &index);
    void openDetail(const QModelIndex &index);
    // Asks the last question (a search or a find-similar) again, with the filters now set.
    void repeatLastQuestion();
    // Another process (or machine) changed the gallery: the results follow unless the user is
    // looking at one of them, who is told instead (F5 asks again).
    void followGalleryChange();

    QString m_galleryPath;
    GalleryOverview m_overview;
    SearchResponse m_lastResponse;
    bool m_searched = false;

    IngestController *m_ingest = nullptr;
    SourcesController *m_sources = nullptr;
    SearchController *m_search = nullptr;
    ReviewController *m_review = nullptr;
    IdentityEditor *m_identities = nullptr;
    DetailController *m_detail = nullptr;
    ThumbnailLoader *m_thumbnails = nullptr;

    SearchBar *m_searchBar = nullptr;
    FilterBar *m_filterBar = nullptr;
    TimelineStrip *m_timeline = nullptr;
    QLabel *m_hiddenLabel = nullptr; // "N more below the cut-off — show all"
    // The last find-similar (to ask it again when the filters change); empty after a search.
    struct SimilarQuestion {
        qint64 trackletId = 0;
        QByteArray imageData;
        QString title;
    };
    std::optional<SimilarQuestion> m_lastSimilar;
    // The person whose appearances are shown (to show them again after a regrouping); empty after
    // a search or a find-similar.
    struct PersonQuestion {
        qint64 identityId = 0;
        QString title;
    };
    std::optional<PersonQuestion> m_lastPerson;
    QAction *m_appearancesAction = nullptr;
    QAction *m_samePersonAction = nullptr;
    QAction *m_separateAction = nullptr;
    qint64 m_pendingMerge = 0; // the person a "same person as…" started with; 0: none
    std::pair<qint64, qint64> m_merged; // the two people of the last merge asked for
    bool m_emptyActionClearsFilters = false;
    QStackedWidget *m_centralStack = nullptr;
    QLabel *m_resultsHeader = nullptr;
    ResultsView *m_resultsView = nullptr;
    ResultsModel *m_resultsModel = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    SourcesPanel *m_sourcesPanel = nullptr;
    DetailPanel *m_detailPanel = nullptr;
    HeatmapPanel *m_heatmapPanel = nullptr;
    ReviewPanel *m_reviewPanel = nullptr;
    QDockWidget *m_sourcesDock = nullptr;
    QDockWidget *m_detailDock = nullptr;
    QDockWidget *m_heatmapDock = nullptr;
    QDockWidget *m_reviewDock = nullptr;
    QAction *m_reviewAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_similarAction = nullptr;
    QProgressDialog *m_exportProgress = nullptr;
    GalleryServerDialog *m_serverDialog = nullptr;
    DemoTour *m_demoTour = nullptr;
    bool m_selectFirstResult = false;

    QLabel *m_galleryLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_queryLabel = nullptr;
};

} // namespace descry
