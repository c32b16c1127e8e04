#pragma once

#include "GalleryConnection.h"
#include "SearchEngine.h"
#include "SearchMetaTypes.h"
#include "TextPersonModel.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

namespace descry {

// Runs searches on the search thread with its own gallery connection and a SearchEngine that
// stays warm between queries. Requests older than `latest` when their turn comes are skipped
// unread: while the user types, only the newest query costs anything.
class SearchWorker : public QObject {
    Q_OBJECT
public:
    explicit SearchWorker(std::shared_ptr<const std::atomic<quint64>> latest,
        std::shared_ptr<const std::atomic<quint64>> latestExplain, QObject *parent = nullptr);
    ~SearchWorker() override;

    static constexpr int kHistorySize = 30;

public Q_SLOTS:
    // `title`, when given, names the answer instead of the request's text (a person's appearances).
    void search(quint64 id, const QString &galleryPath, const descry::SearchRequest &request, const QString &title = {});
    void loadHistory(const QString &galleryPath);
    // Why `trackletId` matches `text` (SearchEngine::explain). Skipped when a newer explain
    // request is already queued (`latestExplain`), like searches.
    void explain(quint64 id, const QString &galleryPath, const QString &text, qint64 trackletId);
    // Find similar (SearchEngine::similar), answered like a search (same ids, latest wins).
    void similar(quint64 id, const QString &galleryPath, const descry::SimilarRequest &request, const QString &title);
    // An evidence export of `trackletIds` (or, with `confirmedOnly`, of the tracklets whose
    // latest review for request.query confirmed them), each scored and explained against
    // request.query by the model, then written by CaseExporter. With `withAppearances`, every
    // appearance of the people those tracklets belong to (IdentityGrouper::withAppearances). Runs
    // here because the model lives on this thread; searches wait meanwhile. `cancel` stops it
    // between items.
    void exportCase(quint64 id, descry::CaseExportRequest request, const QList<qint64> &trackletIds, bool confirmedOnly,
        bool withAppearances, std::shared_ptr<std::atomic_bool> cancel);

Q_SIGNALS:
    // Exactly one of these per search request.
    void answered(quint64 id, const descry::SearchResponse &response, const QString &error);
    void skipped(quint64 id);
    // Exactly one of these per explain request; `error` says why there is no explanation.
    void explained(quint64 id, const descry::MatchExplanation &explanation, const QString &error);
    void explainSkipped(quint64 id);
    void exportProgress(quint64 id, int done, int total);
    void exportFinished(quint64 id, const descry::CaseExportResult &result, const QString &error);
    void historyLoaded(const QString &galleryPath, const QStringList &recent);

private:
    SearchEngine *engineFor(const QString &galleryPath, QString *error);
    QStringList recentTexts(Gallery &gallery);

    std::shared_ptr<const std::atomic<quint64>> m_latest;
    std::shared_ptr<const std::atomic<quint64>> m_latestExplain;
    GalleryConnection m_connection;
    Gallery *m_engineGallery = nullptr;
    std::unique_ptr<SearchEngine> m_engine;
    // The text-to-person model, loaded once on this thread on the first search (null when
    // none loads: then search ranks by attributes and m_modelProblem says why).
    std::unique_ptr<TextPersonModel> m_model;
    bool m_modelTried = false;
    QString m_modelProblem;
};

} // namespace descry
