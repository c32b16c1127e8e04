#include "SearchWorker.h"

#include "Gallery.h"
#include "GalleryLocation.h"
#include "HeatmapRenderer.h"
#include "IdentityGrouper.h"

#include <QHash>
#include <QSet>

#include <map>

namespace descry {

SearchWorker::SearchWorker(std::shared_ptr<const std::atomic<quint64>> latest,
    std::shared_ptr<const std::atomic<quint64>> latestExplain, QObject *parent)
    : QObject(parent)
    , m_latest(std::move(latest))
    , m_latestExplain(std::move(latestExplain))
{ }

SearchWorker::~SearchWorker() = default;

SearchEngine *SearchWorker::engineFor(const QString &galleryPath, QString *error)
{
    Gallery *gallery = m_connection.get(galleryPath, error);
    if (!gallery) {
        m_engine.reset();
        m_engineGallery = nullptr;
        return nullptr;
    }
    if (!m_modelTried) {
        m_modelTried = true;
        const QString path = TextPersonModel::defaultModelPath();
        if (path.isEmpty())
            m_modelProblem = QStringLiteral("no text-to-person model found; ranking by attributes");
        else if (!(m_model = TextPersonModel::load(path, &m_modelProblem)))
            m_modelProblem = QStringLiteral("the text-to-person model did not load (%1); ranking by attributes").arg(m_modelProblem);
    }
    // The engine caches the gallery's rows; a different connection needs a fresh engine.
    if (gallery != m_engineGallery || !m_engine) {
        m_engine = std::make_unique<SearchEngine>(*gallery, m_model.get());
        m_engineGallery = gallery;
    }
    return m_engine.get();
}

void SearchWorker::search(quint64 id, const QString &galleryPath, const SearchRequest &request, const QString &title)
{
    if (id < m_latest->load()) {
        Q_EMIT skipped(id);
        return;
    }
    if (!GalleryConnection::exists(galleryPath)) {
        // Nothing ingested yet is a state, not a failure: an empty answer, and no file created.
        Q_EMIT answered(id, SearchResponse { request.text, {}, {}, {}, 0, 0 }, QString());
        return;
    }
    QString error;
    SearchEngine *engine = engineFor(galleryPath, &error);
    if (!engine) {
        Q_EMIT answered(id, SearchResponse { request.text, {}, {}, {}, 0, 0 }, error);
        return;
    }
    SearchResponse response = engine->search(request);
    if (!m_modelProblem.isEmpty())
        response.notes.prepend(m_modelProblem);
    if (!title.isEmpty())
        response.text = title;
    if (!request.text.trimmed().isEmpty()) {
        if (!m_engineGallery->isReadOnly())
            m_engineGallery->addQuery(request.text.trimmed(), int(response.results.size()), response.elapsedMs);
        Q_EMIT historyLoaded(galleryPath, recentTexts(*m_engineGallery));
    }
    Q_EMIT answered(id, response, QString());
}

void SearchWorker::similar(quint64 id, const QString &galleryPath, const SimilarRequest &request, const QString &title)
{
    if (id < m_latest->load()) {
        Q_EMIT skipped(id);
        return;
    }
    QString error;
    SearchEngine *engine = GalleryConnection::exists(galleryPath) ? engineFor(galleryPath, &error) : nullptr;
    SearchResponse response;
    if (engine && !engine->similar(request, &response, &error) && !m_modelProblem.isEmpty())
        error = m_modelProblem;
    response.text = title;
    Q_EMIT answered(id, response, error);
}

void SearchWorker::explain(quint64 id, const QString &galleryPath, const QString &text, qint64 trackletId)
{
    if (id < m_latestExplain->load()) {
        Q_EMIT explainSkipped(id);
        return;
    }
    QString error;
    SearchEngine *engine = GalleryConnection::exists(galleryPath) ? engineFor(galleryPath, &error) : nullptr;
    MatchExplanation explanation;
    explanation.trackletId = trackletId;
    explanation.query = text;
    if (engine) {
        SearchRequest request;
        request.text = text;
        if (!engine->explain(request, trackletId, &explanation, &error) && !m_modelProblem.isEmpty())
            error = m_modelProblem;
    } else if (error.isEmpty()) {
        error = tr("no gallery at %1").arg(GalleryLocation::displayName(galleryPath));
    }
    Q_EMIT explained(id, explanation, error);
}

void SearchWorker::exportCase(quint64 id, CaseExportRequest request, const QList<qint64> &trackletIds,
    bool confirmedOnly, bool withAppearances, std::shared_ptr<std::atomic_bool> cancel)
{
    QString error;
    SearchEngine *engine
        = GalleryConnection::exists(request.galleryPath) ? engineFor(request.galleryPath, &error) : nullptr;
    if (!engine) {
        Q_EMIT exportFinished(id, {},
            error.isEmpty() ? tr("no gallery at %1").arg(GalleryLocation::displayName(request.galleryPath))
                            : error);
        return;
    }
    // The decision that counts per tracklet for this query: what the annotator said goes along.
    QHash<qint64, ReviewRecord> decisions;
    for (const ReviewRecord &r : m_engineGallery->reviews(request.query))
        decisions.insert(r.trackletId, r);
    QList<qint64> ids = trackletIds;
    if (confirmedOnly) {
        ids.clear();
        for (const ReviewRecord &r : m_engineGallery->reviews(request.query))
            if (r.verdict == ReviewVerdict::Confirmed)
                ids.append(r.trackletId);
    }
    if (ids.isEmpty()) {
        Q_EMIT exportFinished(id, {},
            confirmedOnly ? tr("no result of “%1” is confirmed yet: review them first (Ctrl+R)").arg(request.query)
                          : tr("no tracklet chosen to export"));
        return;
    }
    const QSet<qint64> chosen(ids.begin(), ids.end());
    std::map<int64_t, int64_t> personOf; // tracklet -> identity, for the appearances added
    if (withAppearances) {
        personOf = m_engineGallery->identities();
        const std::vector<int64_t> all
            = IdentityGrouper::withAppearances(*m_engineGallery, std::vector<int64_t>(ids.begin(), ids.end()));
        ids = QList<qint64>(all.begin(), all.end());
    }
    const int total = int(ids.size()) * 2 + 1; // explain each, export each, then the reports
    SearchRequest search;
    search.text = request.query;
    for (int i = 0; i < ids.size(); ++i) {
        if (cancel->load()) {
            Q_EMIT exportFinished(id, {}, tr("export cancelled; nothing was written"));
            return;
        }
        CaseExportItem item;
        item.trackletId = ids.at(i);
        item.rank = i + 1;
        MatchExplanation e;
        QString why;
        if (!request.query.isEmpty() && engine->explain(search, item.trackletId, &e, &why)) {
            item.scored = true;
            item.score = e.score;
            item.globalScore = e.globalCosine;
            item.localScore = e.localSimilarity;
            item.attributeScore = e.attributeScore;
            const std::optional<TrackletRecord> t = m_engineGallery->tracklet(item.trackletId);
            item.heatmap = HeatmapRenderer::sheet(t ? QImage::fromData(m_engineGallery->cropImage(t->bestCropId)) : QImage(), e,
                m_engineGallery->bestCropBody(item.trackletId));
        }
        if (decisions.contains(item.trackletId)) {
            const ReviewRecord &r = decisions.value(item.trackletId);
            item.verdict = reviewVerdictKey(r.verdict);
            item.label = r.label;
            item.note = r.note;
        }
        if (!chosen.contains(item.trackletId)) // added by grouping, not chosen: say so first
            item.markAsAppearanceOf(personOf[item.trackletId]);
        request.items.push_back(item);
        Q_EMIT exportProgress(id, i + 1, total);
    }
    CaseExportResult result;
    const int explained = int(ids.size());
    const bool ok = CaseExporter::exportCase(request, &result, &error,
        [this, id, explained, total](int done, int) { Q_EMIT exportProgress(id, explained + done, total); }, cancel.get());
    Q_EMIT exportFinished(id, result, ok ? QString() : error);
}

void SearchWorker::loadHistory(const QString &galleryPath)
{
    QString error;
    Gallery *gallery = m_connection.get(galleryPath, &error);
    Q_EMIT historyLoaded(galleryPath, gallery ? recentTexts(*gallery) : QStringList());
}

QStringList SearchWorker::recentTexts(Gallery &gallery)
{
    // The history keeps every run; the completer wants each text once, newest first.
    QStringList texts;
    QSet<QString> seen;
    for (const QueryRecord &q : gallery.recentQueries(kHistorySize * 4)) {
        const QString key = q.text.toLower();
        if (q.text.isEmpty() || seen.contains(key))
            continue;
        seen.insert(key);
        texts.append(q.text);
        if (texts.size() == kHistorySize)
            break;
    }
    return texts;
}

} // namespace descry
