#include "SearchEngine.h"

#include "Gallery.h"
#include "MatchExplanation.h"
#include "RvnReranker.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"

#include <QElapsedTimer>

#include <algorithm>
#include <numeric>

namespace descry {

namespace {

constexpr int kMaxRescore = 1000;

} // namespace

SearchEngine::SearchEngine(Gallery &gallery, TextPersonModel *model)
    : m_gallery(gallery)
    , m_model(model)
{ }

void SearchEngine::invalidate()
{
    m_generation = -1;
}

void SearchEngine::refresh()
{
    const int64_t generation = m_gallery.generation();
    if (generation == m_generation)
        return;
    m_tracklets = m_gallery.tracklets();
    // Both lists are ordered by id, but ingest may add rows between the two reads: align by id.
    std::vector<TrackletAttributes> loaded = m_gallery.allAttributes();
    m_attributes.assign(m_tracklets.size(), {});
    size_t j = 0;
    for (size_t i = 0; i < m_tracklets.size(); ++i) {
        m_attributes[i].trackletId = m_tracklets[i].id;
        while (j < loaded.size() && loaded[j].trackletId < m_tracklets[i].id)
            ++j;
        if (j < loaded.size() && loaded[j].trackletId == m_tracklets[i].id)
            m_attributes[i].attributes = std::move(loaded[j].attributes);
    }
    m_globals.clear();
    m_vectorRow.clear();
    m_rowVector.assign(m_tracklets.size(), -1);
    m_dim = 0;
    if (m_model) {
        std::vector<int64_t> ids;
        std::vector<float> matrix;
        int dim = 0;
        if (m_gallery.loadEmbeddings(m_model->id(), TrackletEmbedder::GlobalKind, &ids, &matrix, &dim) && dim > 0) {
            // Keep the vectors of tracklets we know (ids ascend in both lists).
            size_t t = 0;
            for (size_t r = 0; r < ids.size(); ++r) {
                while (t < m_tracklets.size() && m_tracklets[t].id < ids[r])
                    ++t;
                if (t == m_tracklets.size() || m_tracklets[t].id != ids[r])
                    continue;
                m_rowVector[t] = int(m_vectorRow.size());
                m_vectorRow.push_back(t);
                m_globals.insert(m_globals.end(), matrix.begin() + long(r) * dim, matrix.begin() + long(r + 1) * dim);
            }
            m_dim = dim;
        }
    }
    m_generation = generation;
}

SearchResponse SearchEngine::search(const SearchRequest &request)
{
    QElapsedTimer clock;
    clock.start();
    refresh();
    SearchResponse response;
    response.stageMs.emplace_back(QStringLiteral("refresh"), double(clock.nsecsElapsed()) / 1e6);
    response.text = request.text;
    response.galleryTracklets = int64_t(m_tracklets.size());

    const ParsedQuery parsed = m_parser.parse(request.text);
    response.unknownWords = parsed.unknownWords;
    for (const QueryTerm &t : parsed.terms)
        response.understood.append(
            QStringLiteral("%1: %2 (%3)").arg(regionKey(t.region), t.attribute, t.phrase));

    const bool modelRanks = request.useModel && m_model && !m_vectorRow.empty() && !request.text.trimmed().isEmpty();
    if (modelRanks) {
        rankWithModel(request, parsed, &response);
    } else {
        std::vector<size_t> rows;
        for (size_t i = 0; i < m_tracklets.size(); ++i)
            if (request.sourceId <= 0 || m_tracklets[i].sourceId == request.sourceId)
                rows.push_back(i);
        response.ranking = QStringLiteral("attributes");
        rankWithAttributes(request, parsed, rows, &response);
        if (m_model && request.useModel && m_vectorRow.empty() && !m_tracklets.empty())
            response.notes.append(QStringLiteral("no tracklet has embeddings of model %1 yet: run 'descry-cli reindex' "
                                                 "to search with it; ranked by attributes")
                                      .arg(m_model->id()));
    }
    response.elapsedMs = double(clock.nsecsElapsed()) / 1e6;
    return response;
}

void SearchEngine::rankWithAttributes(
    const SearchRequest &request, const ParsedQuery &parsed, const std::vector<size_t> &rows, SearchResponse *response)
{
    const int limit = request.topK > 0 ? request.topK - int(response->results.size()) : int(rows.size());
    if (limit <= 0)
        return;
    if (parsed.terms.empty()) {
        // Nothing to rank by (empty or unknown text): browse in time order.
        for (size_t c = 0; c < rows.size() && int(c) < limit; ++c)
            response->results.push_back({m_tracklets[rows[c]], 0.f, {}});
        return;
    }
    std::vector<TrackletAttributes> candidates;
    candidates.reserve(rows.size());
    for (size_t row : rows)
        candidates.push_back(m_attributes[row]);
    const std::vector<AttributeMatch> ranked = m_ranker.rank(parsed, candidates, limit);
    // rank() returns candidate ids; map back through a sorted index (ids ascend with rows).
    for (const AttributeMatch &m : ranked) {
        if (m.score < request.minScore || m.score < request.minAttributeScore)
            continue;
        const auto it = std::lower_bound(m_tracklets.begin(), m_tracklets.end(), m.trackletId,
            [](const TrackletRecord &t, int64_t id) { return t.id < id; });
        if (it != m_tracklets.end() && it->id == m.trackletId) {
            SearchResult result{*it, m.score, m.matched};
            result.attributeScore = m.score;
            response->results.push_back(result);
        }
    }
}

void SearchEngine::rankWithModel(const SearchRequest &request, const ParsedQuery &parsed, SearchResponse *response)
{
    response->ranking = QStringLiteral("model %1").arg(m_model->id());
    QElapsedTimer stage;
    stage.start();
    auto lap = [&](const char *name) {
        response->stageMs.emplace_back(QLatin1String(name), double(stage.nsecsElapsed()) / 1e6);
        stage.restart();
    };
    const QueryEmbedding query = m_model->encodeQuery(request.text);
    lap("encode");

    // Coarse: cosine of the query's global feature with every stored global vector.
    std::vector<int> candidates;
    std::vector<float> cosine(m_vectorRow.size());
    for (size_t r = 0; r < m_vectorRow.size(); ++r) {
        if (request.sourceId > 0 && m_tracklets[m_vectorRow[r]].sourceId != request.sourceId)
            continue;
        const float *v = m_globals.data() + r * size_t(m_dim);
        float dot = 0;
        for (int c = 0; c < m_dim; ++c)
            dot += v[c] * query.global[size_t(c)];
        cosine[r] = dot;
        candidates.push_back(int(r));
    }
    const int wanted = request.topK > 0 ? request.topK : int(candidates.size());
    const int k = std::min<int>(int(candidates.size()), std::clamp(std::max(request.rescoreTop, wanted), 1, kMaxRescore));
    std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end(),
        [&](int a, int b) { return cosine[size_t(a)] > cosine[size_t(b)] || (cosine[size_t(a)] == cosine[size_t(b)] && a < b); });
    candidates.resize(size_t(k));
    lap("coarse");

    // Fine: non-local alignment of the top K with their item features.
    std::vector<int64_t> ids;
    for (int r : candidates)
        ids.push_back(m_tracklets[m_vectorRow[size_t(r)]].id);
    const std::vector<std::vector<float>> items = m_gallery.embeddings(ids, m_model->id(), TrackletEmbedder::ItemsKind);
    std::vector<VisualEmbedding> visual(ids.size());
    std::vector<const VisualEmbedding *> pointers;
    for (size_t i = 0; i < ids.size(); ++i) {
        visual[i].dim = m_dim;
        visual[i].items = m_dim > 0 ? int(items[i].size()) / m_dim : 0;
        visual[i].features = items[i];
        pointers.push_back(&visual[i]);
    }
    lap("fetch");
    const std::vector<float> local = m_model->localSimilarity(query, pointers);
    lap("align");
    std::vector<float> scores(static_cast<size_t>(k));
    std::vector<float> attributeScores(static_cast<size_t>(k), -1.0f);
    std::vector<QStringList> explanations(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) {
        scores[size_t(i)] = cosine[size_t(candidates[size_t(i)])] + local[size_t(i)];
        if (!parsed.terms.empty()) {
            const size_t row = m_vectorRow[size_t(candidates[size_t(i)])];
            attributeScores[size_t(i)] = m_ranker.score(parsed, m_attributes[row].attributes, &explanations[size_t(i)]);
            scores[size_t(i)] += request.attributeWeight * attributeScores[size_t(i)];
        }
    }
    if (request.rerankNeighbours) {
        std::vector<float> unit;
        for (int r : candidates)
            unit.insert(unit.end(), m_globals.begin() + long(r) * m_dim, m_globals.begin() + long(r + 1) * m_dim);
        // l = 3 neighbours: chosen on the validation split (models/README.md).
        scores = RvnReranker(RvnOptions{3, k, 0.5}).rerank(scores, unit.data(), m_dim);
    }
    std::vector<int> order(static_cast<size_t>(k));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[size_t(a)] > scores[size_t(b)]; });

    for (int i : order) {
        if (int(response->results.size()) >= wanted)
            break;
        const size_t row = m_vectorRow[size_t(candidates[size_t(i)])];
        SearchResult result{m_tracklets[row], scores[size_t(i)], {}};
        result.globalScore = cosine[size_t(candidates[size_t(i)])];
        result.localScore = local[size_t(i)];
        result.attributeScore = attributeScores[size_t(i)];
        result.matched = explanations[size_t(i)];
        if (!parsed.terms.empty() && result.attributeScore < request.minAttributeScore)
            continue;
        // Model scores are cosine sums that may be negative: only an explicit threshold applies.
        if (request.minScore > 0 && result.score < request.minScore)
            continue;
        result.matched.prepend(QStringLiteral("model %1 (global %2, local %3, attributes %4)")
                                   .arg(result.score, 0, 'f', 2)
                                   .arg(result.globalScore, 0, 'f', 2)
                                   .arg(result.localScore, 0, 'f', 2)
                                   .arg(result.attributeScore < 0 ? QStringLiteral("-") : QString::number(result.attributeScore, 'f', 2)));
        response->results.push_back(result);
    }

    lap("results");
    // Tracklets without embeddings of this model (ingested before it, or not reindexed yet):
    // after the model's results, ranked by attributes.
    std::vector<size_t> missing;
    for (size_t i = 0; i < m_tracklets.size(); ++i)
        if (m_rowVector[i] < 0 && (request.sourceId <= 0 || m_tracklets[i].sourceId == request.sourceId))
            missing.push_back(i);
    if (!missing.empty()) {
        response->notes.append(QStringLiteral("%1 tracklets have no embeddings of model %2 and are ranked by attributes "
                                              "after the model's results; run 'descry-cli reindex'")
                                   .arg(missing.size())
                                   .arg(m_model->id()));
        rankWithAttributes(request, parsed, missing, response);
    }
}

bool SearchEngine::explain(const SearchRequest &request, int64_t trackletId, MatchExplanation *out, QString *error)
{
    if (!m_model) {
        *error = QStringLiteral("no text-to-person model is loaded, and explanations show the model's attention; "
                                "see models/README.md (or set DESCRY_MODEL)");
        return false;
    }
    const std::vector<std::vector<float>> items = m_gallery.embeddings({trackletId}, m_model->id(), TrackletEmbedder::ItemsKind);
    const std::vector<float> global = m_gallery.embedding(trackletId, m_model->id(), TrackletEmbedder::GlobalKind);
    if (items.empty() || items.front().empty() || global.empty()) {
        *error = QStringLiteral("tracklet %1 has no embeddings of model %2: run 'descry-cli reindex' first")
                     .arg(trackletId)
                     .arg(m_model->id());
        return false;
    }
    const QueryEmbedding query = m_model->encodeQuery(request.text);
    VisualEmbedding visual;
    visual.dim = int(global.size());
    visual.items = int(items.front().size()) / visual.dim;
    visual.features = items.front();
    std::vector<AttentionMap> maps;
    const std::vector<float> local = m_model->localSimilarity(query, {&visual}, ImageScaleSet::All, &maps);
    if (maps.empty()) {
        *error = QStringLiteral("the model returned no attention for tracklet %1").arg(trackletId);
        return false;
    }
    MatchExplanation e = MatchExplanation::build(query, maps.front(), m_model->regionStripes(), m_model->patchStripes());
    e.modelId = m_model->id();
    e.trackletId = trackletId;
    e.localSimilarity = local.front();
    VisualEmbedding globalOnly;
    globalOnly.dim = visual.dim;
    globalOnly.items = 1;
    globalOnly.features = global;
    e.globalCosine = TextPersonModel::globalCosine(query, globalOnly);
    e.score = e.globalCosine + e.localSimilarity;
    const ParsedQuery parsed = m_parser.parse(request.text);
    if (!parsed.terms.empty()) {
        e.attributeWeight = request.attributeWeight;
        e.attributeScore = m_ranker.score(parsed, m_gallery.attributes(trackletId), nullptr);
        e.score += e.attributeWeight * e.attributeScore;
    }
    *out = std::move(e);
    return true;
}

} // namespace descry
