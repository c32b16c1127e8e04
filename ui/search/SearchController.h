#pragma once

#include "SearchEngine.h"
#include "SearchMetaTypes.h"
#include "WorkerThread.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

namespace descry {

class SearchWorker;

// Runs text searches off the GUI thread, "latest request wins": every search() gets a larger
// request id; the worker skips requests already superseded when their turn comes, and answers
// that arrive for a superseded id are dropped here, so only the newest query ever reaches the
// results view. Each answered query is recorded in the gallery's history, which feeds the
// completer.
class SearchController : public QObject {
    Q_OBJECT
public:
    explicit SearchController(QObject *parent = nullptr);
    ~SearchController() override;

    void setGalleryPath(const QString &path); // also reloads the history
    QString galleryPath() const { return m_path; }
    void setTopK(int topK) { m_topK = topK; } // <= 0: every tracklet
    // What every later search and find-similar must pass (FilterBar), and the relevance cut-off
    // on calibrated confidence for searches (< 0: the model's own).
    void setFilters(const SearchFilters &filters, float minConfidence);
    const SearchFilters &filters() const { return m_filters; }

    quint64 latestRequest() const { return m_latest->load(); }
    bool isBusy() const { return m_outstanding > 0; }
    int droppedResponses() const { return m_dropped; }
    const QStringList &history() const { return m_history; }

public Q_SLOTS:
    // Starts a search and returns its request id.
    quint64 search(const QString &text);
    // The same with nothing hidden below the relevance cut-off ("show all"), this once.
    quint64 searchShowingAll(const QString &text);
    // Asks why `trackletId` matches `text`; the newest request wins. Answers with
    // explanationReady or explanationFailed.
    quint64 explain(const QString &text, qint64 trackletId);
    // People who look like a tracklet, or like the person in an image (encoded bytes); answered
    // with resultsReady like a search, and it supersedes one.
    quint64 findSimilar(qint64 trackletId, const QByteArray &imageData, const QString &title);
    // Every tracklet of one person (identity), in time order, whatever the filters and the cut-off:
    // the person view. Answered with resultsReady, named `title`; it supersedes a search.
    quint64 showAppearances(qint64 identityId, const QString &title);
    // Starts an evidence export on the search thread (SearchWorker::exportCase). One at a time:
    // false while another runs.
    bool exportCase(const CaseExportRequest &request, const QList<qint64> &trackletIds, bool confirmedOnly,
        bool withAppearances = false);
    void cancelExport();
    bool isExporting() const { return m_exportCancel != nullptr; }
    void reloadHistory();

Q_SIGNALS:
    void searchStarted(quint64 id, const QString &text);
    void resultsReady(const descry::SearchResponse &response);
    void searchFailed(const QString &text, const QString &error);
    void historyChanged(const QStringList &recent);
    void explanationReady(const descry::MatchExplanation &explanation);
    void explanationFailed(qint64 trackletId, const QString &error);
    void exportProgress(int done, int total);
    void exportFinished(const descry::CaseExportResult &result, const QString &error);
    void idle(); // every request so far answered or skipped

private:
    void onAnswered(quint64 id, const SearchResponse &response, const QString &error);
    void onSkipped(quint64 id);
    void onHistory(const QString &galleryPath, const QStringList &recent);
    void settle();
    quint64 startSearch(const QString &text, float minConfidence);

    std::shared_ptr<std::atomic<quint64>> m_latest;
    std::shared_ptr<std::atomic<quint64>> m_latestExplain;
    std::shared_ptr<std::atomic_bool> m_exportCancel; // set while an export runs
    SearchWorker *m_worker = nullptr;
    std::unique_ptr<WorkerThread> m_thread;
    QString m_path;
    int m_topK = 0;
    SearchFilters m_filters;
    float m_minConfidence = -1;
    int m_outstanding = 0;
    int m_dropped = 0;
    QStringList m_history;
};

} // namespace descry
