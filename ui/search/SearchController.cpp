#include "SearchController.h"

#include "SearchWorker.h"

namespace descry {

SearchController::SearchController(QObject *parent)
    : QObject(parent)
    , m_latest(std::make_shared<std::atomic<quint64>>(0))
    , m_latestExplain(std::make_shared<std::atomic<quint64>>(0))
    , m_worker(new SearchWorker(m_latest, m_latestExplain))
{
    qRegisterMetaType<descry::SearchRequest>();
    qRegisterMetaType<descry::SearchResponse>();
    qRegisterMetaType<descry::MatchExplanation>();
    connect(m_worker, &SearchWorker::explained, this,
        [this](quint64 id, const MatchExplanation &explanation, const QString &error) {
            if (id == m_latestExplain->load()) {
                if (error.isEmpty())
                    Q_EMIT explanationReady(explanation);
                else
                    Q_EMIT explanationFailed(explanation.trackletId, error);
            }
            settle();
        },
        Qt::QueuedConnection);
    connect(m_worker, &SearchWorker::explainSkipped, this, [this] { settle(); }, Qt::QueuedConnection);
    qRegisterMetaType<descry::CaseExportRequest>();
    qRegisterMetaType<descry::CaseExportResult>();
    connect(m_worker, &SearchWorker::exportProgress, this,
        [this](quint64, int done, int total) { Q_EMIT exportProgress(done, total); }, Qt::QueuedConnection);
    connect(m_worker, &SearchWorker::exportFinished, this,
        [this](quint64, const CaseExportResult &result, const QString &error) {
            m_exportCancel.reset();
            Q_EMIT exportFinished(result, error);
            settle();
        },
        Qt::QueuedConnection);
    connect(m_worker, &SearchWorker::answered, this, &SearchController::onAnswered, Qt::QueuedConnection);
    connect(m_worker, &SearchWorker::skipped, this, &SearchController::onSkipped, Qt::QueuedConnection);
    connect(m_worker, &SearchWorker::historyLoaded, this, &SearchController::onHistory, Qt::QueuedConnection);
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-search"));
}

SearchController::~SearchController() = default;

void SearchController::setGalleryPath(const QString &path)
{
    m_path = path;
    ++*m_latest; // an answer still on its way is about the previous gallery
    m_history.clear();
    Q_EMIT historyChanged(m_history);
    reloadHistory();
}

void SearchController::setFilters(const SearchFilters &filters, float minConfidence)
{
    m_filters = filters;
    m_minConfidence = minConfidence;
}

quint64 SearchController::search(const QString &text)
{
    return startSearch(text, m_minConfidence);
}

quint64 SearchController::searchShowingAll(const QString &text)
{
    return startSearch(text, 0);
}

quint64 SearchController::startSearch(const QString &text, float minConfidence)
{
    const quint64 id = ++*m_latest;
    ++m_outstanding;
    SearchRequest request;
    static_cast<SearchFilters &>(request) = m_filters;
    request.text = text;
    request.topK = m_topK;
    request.minConfidence = minConfidence;
    SearchWorker *worker = m_worker;
    const QString path = m_path;
    QMetaObject::invokeMethod(
        m_worker, [worker, id, path, request] { worker->search(id, path, request); }, Qt::QueuedConnection);
    Q_EMIT searchStarted(id, text);
    return id;
}

quint64 SearchController::showAppearances(qint64 identityId, const QString &title)
{
    const quint64 id = ++*m_latest;
    ++m_outstanding;
    SearchRequest request;
    request.identityIds = { identityId };
    request.sortOrder = SortOrder::Time;
    request.topK = 0; // all of them
    request.minConfidence = 0;
    request.useModel = false; // no text to rank by: browse
    SearchWorker *worker = m_worker;
    const QString path = m_path;
    QMetaObject::invokeMethod(
        m_worker, [worker, id, path, request, title] { worker->search(id, path, request, title); }, Qt::QueuedConnection);
    Q_EMIT searchStarted(id, title);
    return id;
}

quint64 SearchController::findSimilar(qint64 trackletId, const QByteArray &imageData, const QString &title)
{
    const quint64 id = ++*m_latest;
    ++m_outstanding;
    SimilarRequest request;
    static_cast<SearchFilters &>(request) = m_filters;
    request.trackletId = trackletId;
    request.imageData = imageData;
    request.topK = m_topK > 0 ? m_topK : 200;
    SearchWorker *worker = m_worker;
    const QString path = m_path;
    QMetaObject::invokeMethod(
        m_worker, [worker, id, path, request, title] { worker->similar(id, path, request, title); }, Qt::QueuedConnection);
    Q_EMIT searchStarted(id, title);
    return id;
}

quint64 SearchController::explain(const QString &text, qint64 trackletId)
{
    const quint64 id = ++*m_latestExplain;
    ++m_outstanding;
    SearchWorker *worker = m_worker;
    const QString path = m_path;
    QMetaObject::invokeMethod(
        m_worker, [worker, id, path, text, trackletId] { worker->explain(id, path, text, trackletId); },
        Qt::QueuedConnection);
    return id;
}

bool SearchController::exportCase(
    const CaseExportRequest &request, const QList<qint64> &trackletIds, bool confirmedOnly, bool withAppearances)
{
    if (m_exportCancel)
        return false;
    m_exportCancel = std::make_shared<std::atomic_bool>(false);
    ++m_outstanding;
    SearchWorker *worker = m_worker;
    const auto cancel = m_exportCancel;
    QMetaObject::invokeMethod(
        m_worker, [worker, request, trackletIds, confirmedOnly, withAppearances, cancel] {
            worker->exportCase(0, request, trackletIds, confirmedOnly, withAppearances, cancel);
        },
        Qt::QueuedConnection);
    return true;
}

void SearchController::cancelExport()
{
    if (m_exportCancel)
        m_exportCancel->store(true);
}

void SearchController::reloadHistory()
{
    SearchWorker *worker = m_worker;
    const QString path = m_path;
    QMetaObject::invokeMethod(
        m_worker, [worker, path] { worker->loadHistory(path); }, Qt::QueuedConnection);
}

void SearchController::onAnswered(quint64 id, const SearchResponse &response, const QString &error)
{
    if (id != m_latest->load()) {
        ++m_dropped; // a newer query is on its way; showing this one would flash stale results
    } else if (!error.isEmpty()) {
        Q_EMIT searchFailed(response.text, error);
    } else {
        Q_EMIT resultsReady(response);
    }
    settle();
}

void SearchController::onSkipped(quint64)
{
    settle();
}

void SearchController::settle()
{
    if (--m_outstanding == 0)
        Q_EMIT idle();
}

void SearchController::onHistory(const QString &galleryPath, const QStringList &recent)
{
    if (galleryPath != m_path || recent == m_history)
        return;
    m_history = recent;
    Q_EMIT historyChanged(m_history);
}

} // namespace descry
