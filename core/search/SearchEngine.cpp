#include "SearchEngine.h"

#include "NeighbourAttention.h"

#include "ColourStripes.h"
#include "Gallery.h"
#include "MatchExplanation.h"
#include "RvnReranker.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"
#include "VectorIndex.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSet>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace descry {

namespace {

constexpr int kMaxRescore = 1000;
constexpr int kRvnNeighbours = 3; // l, chosen on the validation split (models/README.md)
// Grouped by identity, search ranks this many times topK tracklets (at most kMaxRescore) before
// folding them into people.
constexpr int kGroupedWidening = 4;
// Grouped by person, the model re-scores kCoarsePerPerson x topK candidates (not the 4 x topK it
// lists), and where the gallery holds more than that, the coarse pass keeps at most
// kCoarsePerPerson tracklets of one person among them, so they still hold topK people while the
// fine pass reads no more rows than an ungrouped search (measured at 100k tracklets: p95 62.7 ms
// re-scoring 4 x topK, 34.3 ms so; models/README.md "Identities").
constexpr int kCoarsePerPerson = 2;

// Time order: by source, then start time, then id (a total order, so the result never depends
// on the sort).
void sortByTime(std::vector<SearchResult> *results)
{
    std::stable_sort(results->begin(), results->end(), [](const SearchResult &a, const SearchResult &b) {
        const TrackletRecord &x = a.tracklet, &y = b.tracklet;
        if (x.sourceId != y.sourceId)
            return x.sourceId < y.sourceId;
        if (x.startTime != y.startTime)
            return x.startTime < y.startTime;
        return x.id < y.id;
    });
}

} // namespace

EmbeddingSpread EmbeddingSpread::measure(const float *vectors, size_t count, int dim)
{
    EmbeddingSpread spread;
    if (dim <= 0)
        return spread;
    std::vector<double> sum(size_t(dim), 0.0);
    size_t unit = 0, invalid = 0;
    for (size_t i = 0; i < count; ++i) {
        const float *v = vectors + i * size_t(dim);
        double norm = 0;
        for (int c = 0; c < dim; ++c)
            norm += double(v[c]) * v[c];
        if (!(norm > 1e-20) || !std::isfinite(norm)) {
            ++invalid; // zero or NaN: no direction at all, the worst kind of "all equal"
            continue;
        }
        const double scale = 1.0 / std::sqrt(norm);
        for (int c = 0; c < dim; ++c)
            sum[size_t(c)] += v[c] * scale;
        ++unit;
    }
    spread.vectors = int(count);
    if (unit >= 2) {
        double meanNorm2 = 0;
        for (double x : sum)
            meanNorm2 += (x / double(unit)) * (x / double(unit));
        const double n = double(unit);
        spread.meanCosine = (n * n * meanNorm2 - n) / (n * (n - 1));
    }
    spread.degenerate = int(count) >= kMinVectors && (2 * invalid >= count || spread.meanCosine > kMaxMeanCosine);
    return spread;
}

std::vector<int> SearchEngine::rankCandidates(const std::vector<int> &candidates, bool rerankNeighbours, std::vector<float> *scores) const
{
    // RVN (NAFS 3.4) over the candidates' global vectors, l = 3 neighbours chosen on val.
    if (rerankNeighbours && !candidates.empty()) {
        std::vector<float> unit(candidates.size() * size_t(m_dim));
        for (size_t i = 0; i < candidates.size(); ++i)
            globalOf(size_t(candidates[i]), unit.data() + i * size_t(m_dim));
        *scores = RvnReranker(RvnOptions{kRvnNeighbours, int(candidates.size()), 0.5}).rerank(*scores, unit.data(), m_dim);
    }
    std::vector<int> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return (*scores)[size_t(a)] > (*scores)[size_t(b)]; });
    return order;
}

SearchEngine::SearchEngine(Gallery &gallery, TextPersonModel *model)
    : m_gallery(gallery)
    , m_model(model)
{
    if (!m_model || m_model->path().isEmpty())
        return;
    const QString path = ScoreCalibration::pathForModel(m_model->path());
    if (!QFileInfo::exists(path))
        return;
    ScoreCalibration calibration;
    QString error;
    if (!ScoreCalibration::load(path, &calibration, &error))
        m_calibrationProblem = QStringLiteral("scores are not calibrated (no relevance cut-off): %1").arg(error);
    else if (calibration.modelId != m_model->id())
        m_calibrationProblem = QStringLiteral("scores are not calibrated (no relevance cut-off): %1 was fitted for model %2, "
                                              "not %3; run 'descry-cli eval --calibrate --model %4 --data DIR'")
                                   .arg(path, calibration.modelId, m_model->id(), m_model->path());
    else
        m_calibration = calibration;
}

void SearchEngine::setCalibration(const ScoreCalibration &calibration)
{
    m_calibration = calibration.isValid() ? calibration : ScoreCalibration{};
    m_calibrationProblem.clear();
}

const ScoreCalibration *SearchEngine::calibration() const
{
    return m_calibration.isValid() ? &m_calibration : nullptr;
}

float SearchEngine::attributeWeightFor(const SearchRequest &request) const
{
    if (request.attributeWeight >= 0)
        return request.attributeWeight;
    return m_calibration.isValid() ? float(m_calibration.attributeWeight) : SearchRequest::kDefaultAttributeWeight;
}

EmbeddingSpread SearchEngine::embeddingSpread()
{
    refresh();
    return m_spread;
}

void SearchEngine::invalidate()
{
    m_generation = -1;
}

void SearchEngine::refresh()
{
    const int64_t generation = m_gallery.generation();
    if (generation == m_generation)
        return;
    m_refreshStages.clear();
    QElapsedTimer stage;
    stage.start();
    const auto lap = [&](const char *name) {
        m_refreshStages.emplace_back(QLatin1String(name), double(stage.nsecsElapsed()) / 1e6);
        stage.restart();
    };
    // A large gallery's rows are read without their best crop (half the read at a million): the
    // results' are filled in when they are returned.
    const bool large = size_t(m_gallery.trackletCount()) >= m_indexThreshold;
    m_tracklets = m_gallery.tracklets(0, !large);
    lap("refresh: rows");
    m_attributes.assign(m_tracklets.size(), {});
    for (size_t i = 0; i < m_tracklets.size(); ++i)
        m_attributes[i].trackletId = m_tracklets[i].id;
    m_attributesRead.assign(m_tracklets.size(), 0);
    m_allAttributesRead = false;
    // A large gallery's attributes (some twenty rows a tracklet: most of the load and the memory)
    // are read when a search needs them: its candidates', or everyone's for attribute chips and
    // for ranking by attributes alone.
    if (m_tracklets.size() < m_indexThreshold)
        readAllAttributes();
    lap("refresh: attributes");
    m_colours = {};
    m_hasColour = {};
    m_coloursLoaded = false; // find similar loads them when it first needs them
    // The saved coarse index, when it is in line with the gallery, stands for its vectors. (Read
    // on a second thread while the rows load, it took no less time on 2 cores and kept 0.5 GB
    // more resident: measured at a million.)
    const bool inLine = large && m_model
        && m_coarseIndex.loadIfCurrent(
            CoarseIndex::pathFor(m_gallery.path(), m_model->id(), m_gallery.isReadOnly()), generation);
    lap("refresh: index load");
    if (!(inLine && adoptCurrentIndex())) {
        loadGlobals();
        lap("refresh: vectors");
        m_spread = EmbeddingSpread::measure(m_globals.data(), m_vectorRow.size(), m_dim);
        syncCoarseIndex(generation);
        lap("refresh: index sync");
    } else {
        lap("refresh: index adopted");
    }
    m_filter.reset(&m_tracklets, &m_attributes);
    m_identities.clear();
    std::unordered_map<int64_t, std::pair<QSet<QString>, QSet<int64_t>>> seenAt; // cameras, sources
    for (const TrackletRecord &t : m_tracklets) {
        if (t.identityId <= 0)
            continue;
        IdentitySummary &s = m_identities[t.identityId];
        s.start = s.tracklets == 0 ? t.startTime : std::min(s.start, t.startTime);
        s.end = s.tracklets == 0 ? t.endTime : std::max(s.end, t.endTime);
        ++s.tracklets;
        auto &[cameras, sources] = seenAt[t.identityId];
        cameras.insert(t.cameraLabel);
        sources.insert(t.sourceId);
    }
    for (auto &[identity, s] : m_identities) {
        s.cameras = int(seenAt[identity].first.size());
        s.sources = int(seenAt[identity].second.size());
    }
    lap("refresh: filters, people");
    m_generation = generation;
}

void SearchEngine::loadGlobals()
{
    // Released, not only emptied: the new vectors are read before these would be reused.
    m_globals = {};
    m_globalsInIndex = false;
    m_vectorRow.clear();
    m_rowVector.assign(m_tracklets.size(), -1);
    m_dim = 0;
    if (!m_model)
        return;
    std::vector<int64_t> ids;
    std::vector<float> matrix;
    int dim = 0;
    if (!m_gallery.loadEmbeddings(m_model->id(), TrackletEmbedder::GlobalKind, &ids, &matrix, &dim) || dim <= 0)
        return;
    // Keep the vectors of tracklets we know (ids ascend in both lists), moved down in place: one
    // copy of the gallery's vectors in memory, not two.
    size_t t = 0;
    for (size_t r = 0; r < ids.size(); ++r) {
        while (t < m_tracklets.size() && m_tracklets[t].id < ids[r])
            ++t;
        if (t == m_tracklets.size() || m_tracklets[t].id != ids[r])
            continue;
        const size_t row = m_vectorRow.size();
        m_rowVector[t] = int(row);
        m_vectorRow.push_back(t);
        if (row != r)
            std::copy(matrix.begin() + long(r) * dim, matrix.begin() + long(r + 1) * dim, matrix.begin() + long(row) * dim);
    }
    matrix.resize(m_vectorRow.size() * size_t(dim));
    if (matrix.capacity() > matrix.size() + matrix.size() / 4)
        matrix.shrink_to_fit();
    m_globals = std::move(matrix);
    m_dim = dim;
}

bool SearchEngine::adoptCurrentIndex()
{
    if (!m_model || m_tracklets.size() < m_indexThreshold || !m_coarseIndex.index())
        return false;
    const VectorIndex &index = *m_coarseIndex.index();
    const std::vector<int64_t> ids = index.ids();
    std::vector<size_t> vectorRow;
    std::vector<int> rowVector(m_tracklets.size(), -1);
    size_t t = 0;
    for (const int64_t id : ids) {
        while (t < m_tracklets.size() && m_tracklets[t].id < id)
            ++t;
        if (t == m_tracklets.size() || m_tracklets[t].id != id)
            return false; // not the gallery it was recorded with
        rowVector[t] = int(vectorRow.size());
        vectorRow.push_back(t);
    }
    // A few vectors compared with the gallery's own (a gallery file replaced by another whose
    // counter happens to agree), and the spread measured on an even sample of the index's.
    constexpr size_t kChecked = 8, kSampled = 4096;
    const int dim = index.dim();
    std::vector<int64_t> checked;
    for (size_t i = 0; i < kChecked && !ids.empty(); ++i)
        checked.push_back(ids[i * (ids.size() - 1) / (kChecked - 1)]);
    const std::vector<std::vector<float>> stored = m_gallery.embeddings(checked, m_model->id(), TrackletEmbedder::GlobalKind);
    std::vector<float> v(static_cast<size_t>(dim));
    for (size_t i = 0; i < checked.size(); ++i)
        if (stored[i].size() != size_t(dim) || !index.vector(checked[i], v.data()) || v != stored[i])
            return false;
    const size_t sampled = std::min(kSampled, ids.size());
    std::vector<float> sample(sampled * size_t(dim));
    for (size_t i = 0; i < sampled; ++i)
        index.vector(ids[i * ids.size() / sampled], sample.data() + i * size_t(dim));
    EmbeddingSpread spread = EmbeddingSpread::measure(sample.data(), sampled, dim);
    if (spread.degenerate)
        return false; // the full path says so and drops the index
    spread.vectors = int(ids.size());
    m_globals = {};
    m_globalsInIndex = true;
    m_vectorRow = std::move(vectorRow);
    m_rowVector = std::move(rowVector);
    m_dim = dim;
    m_spread = spread;
    m_coarseIndexProblem.clear();
    return true;
}

void SearchEngine::ensureGlobals()
{
    if (!m_globalsInIndex)
        return;
    loadGlobals(); // the same rows: the gallery has not changed since the index was adopted
    m_spread.vectors = int(m_vectorRow.size());
}

void SearchEngine::globalOf(size_t r, float *out) const
{
    if (m_globalsInIndex && m_coarseIndex.index())
        m_coarseIndex.index()->vector(m_tracklets[m_vectorRow[r]].id, out);
    else
        std::copy(m_globals.begin() + long(r) * m_dim, m_globals.begin() + long(r + 1) * m_dim, out);
}

void SearchEngine::fillBestCrops(std::vector<SearchResult> *results)
{
    for (SearchResult &r : *results)
        if (r.tracklet.bestCropId == 0)
            r.tracklet.bestCropId = m_gallery.bestCropId(r.tracklet.id);
}

void SearchEngine::readAllAttributes()
{
    // Both lists are ordered by id, but ingest may add rows between the two reads: align by id.
    std::vector<TrackletAttributes> loaded = m_gallery.allAttributes();
    size_t j = 0;
    for (size_t i = 0; i < m_tracklets.size(); ++i) {
        while (j < loaded.size() && loaded[j].trackletId < m_tracklets[i].id)
            ++j;
        if (j < loaded.size() && loaded[j].trackletId == m_tracklets[i].id)
            m_attributes[i].attributes = std::move(loaded[j].attributes);
    }
    std::fill(m_attributesRead.begin(), m_attributesRead.end(), uint8_t(1));
    m_allAttributesRead = true;
}

void SearchEngine::readAttributes(const std::vector<size_t> &rows)
{
    if (m_allAttributesRead)
        return;
    // Past a few thousand rows one pass over the table beats a lookup per row.
    constexpr size_t kLookups = 5000;
    size_t unread = 0;
    for (size_t row : rows)
        unread += m_attributesRead[row] ? 0 : 1;
    if (unread > kLookups) {
        readAllAttributes();
        return;
    }
    for (size_t row : rows)
        if (!m_attributesRead[row]) {
            m_attributes[row].attributes = m_gallery.attributes(m_tracklets[row].id);
            m_attributesRead[row] = 1;
        }
}

long SearchEngine::trackletRowOf(int64_t trackletId) const
{
    const auto it = std::lower_bound(m_tracklets.begin(), m_tracklets.end(), trackletId,
        [](const TrackletRecord &t, int64_t id) { return t.id < id; });
    return it != m_tracklets.end() && it->id == trackletId ? long(it - m_tracklets.begin()) : -1;
}

int SearchEngine::vectorRowOf(int64_t trackletId) const
{
    const long row = trackletRowOf(trackletId);
    return row < 0 ? -1 : m_rowVector[size_t(row)];
}

void SearchEngine::syncCoarseIndex(int64_t generation)
{
    m_coarseIndexProblem.clear();
    if (!m_model || m_dim <= 0 || m_spread.degenerate || m_vectorRow.size() < m_indexThreshold) {
        m_coarseIndex.reset();
        return;
    }
    std::vector<int64_t> ids(m_vectorRow.size());
    for (size_t r = 0; r < m_vectorRow.size(); ++r)
        ids[r] = m_tracklets[m_vectorRow[r]].id;
    const QString path = CoarseIndex::pathFor(m_gallery.path(), m_model->id(), m_gallery.isReadOnly());
    QString error;
    if (!m_coarseIndex.sync(path, ids.data(), m_globals.data(), ids.size(), m_dim, &error))
        m_coarseIndexProblem = error + QStringLiteral("; every vector is scored instead");
    else
        m_coarseIndex.recordGeneration(generation); // the next open need not read the vectors
}

void SearchEngine::setIndexThreshold(size_t vectors)
{
    if (vectors != m_indexThreshold)
        invalidate();
    m_indexThreshold = vectors;
}

void SearchEngine::setIndexProbes(int probes)
{
    m_coarseIndex.setProbes(probes);
}

const CoarseIndex &SearchEngine::coarseIndex()
{
    refresh();
    return m_coarseIndex;
}

void SearchEngine::loadColours()
{
    m_coloursLoaded = true;
    m_colours = {};
    m_hasColour.assign(m_vectorRow.size(), 0);
    std::vector<int64_t> ids;
    std::vector<float> matrix;
    int dim = 0;
    if (m_vectorRow.empty() || !m_gallery.loadEmbeddings(m_model->id(), TrackletEmbedder::ColourKind, &ids, &matrix, &dim)
        || dim != ColourStripes::kDim || ids.empty())
        return;
    // Most rows have one: where every row has, the loaded matrix is the table as it is.
    if (ids.size() == m_vectorRow.size() && std::equal(ids.begin(), ids.end(), m_vectorRow.begin(),
            [&](int64_t id, size_t t) { return m_tracklets[t].id == id; })) {
        m_colours = std::move(matrix);
        std::fill(m_hasColour.begin(), m_hasColour.end(), uint8_t(1));
        return;
    }
    m_colours.assign(m_vectorRow.size() * size_t(ColourStripes::kDim), 0.0f);
    size_t t = 0;
    for (size_t r = 0; r < ids.size(); ++r) {
        while (t < m_tracklets.size() && m_tracklets[t].id < ids[r])
            ++t;
        if (t == m_tracklets.size() || m_tracklets[t].id != ids[r] || m_rowVector[t] < 0)
            continue;
        const size_t row = size_t(m_rowVector[t]);
        std::copy(matrix.begin() + long(r) * dim, matrix.begin() + long(r + 1) * dim, m_colours.begin() + long(row) * dim);
        m_hasColour[row] = 1;
    }
}

std::vector<float> SearchEngine::attendedScores(const std::vector<float> &probe, const std::vector<float> &probeColour,
    const std::vector<int> &candidates, const SimilarRequest &request) const
{
    // Row 0 the probe, then the candidates: [visual, sqrt(w) colour], unit length (the colour
    // part left out for a row without a descriptor).
    const bool withColour = request.colourWeight > 0 && !probeColour.empty();
    const int colourDim = withColour ? ColourStripes::kDim : 0, dim = m_dim + colourDim;
    const int n = int(candidates.size()) + 1;
    const float root = float(std::sqrt(std::max(0.0, request.colourWeight)));
    std::vector<float> rows(size_t(n) * size_t(dim), 0.f);
    auto fill = [&](int at, const float *visual, const float *colour) {
        float *row = rows.data() + size_t(at) * size_t(dim);
        std::copy(visual, visual + m_dim, row);
        if (colour)
            for (int k = 0; k < colourDim; ++k)
                row[m_dim + k] = root * colour[k];
        double norm = 0;
        for (int k = 0; k < dim; ++k)
            norm += double(row[k]) * row[k];
        for (int k = 0; k < dim; ++k)
            row[k] = float(row[k] / std::sqrt(std::max(norm, 1e-20)));
    };
    fill(0, probe.data(), withColour ? probeColour.data() : nullptr);
    for (size_t i = 0; i < candidates.size(); ++i) {
        const size_t r = size_t(candidates[i]);
        fill(int(i) + 1, m_globals.data() + r * size_t(m_dim),
            withColour && m_hasColour[r] ? m_colours.data() + r * size_t(ColourStripes::kDim) : nullptr);
    }
    const NeighbourLists near = exactNeighbours(rows.data(), n, dim, request.attentionNeighbours);
    const std::vector<float> attended
        = attendToNeighbours(rows.data(), n, dim, near, { request.attentionNeighbours, request.attentionTemperature });
    const float scale = float(1.0 + (withColour ? request.colourWeight : 0.0));
    std::vector<float> out(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) {
        double dot = 0;
        for (int k = 0; k < dim; ++k)
            dot += double(attended[size_t(k)]) * attended[(i + 1) * size_t(dim) + size_t(k)];
        out[i] = scale * float(dot);
    }
    return out;
}

std::vector<float> SearchEngine::colourAgreement(const std::vector<float> &probe, const std::vector<int> &candidates, int *missing) const
{
    std::vector<float> out(candidates.size(), 0.0f);
    *missing = 0;
    double sum = 0;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const size_t row = size_t(candidates[i]);
        if (!m_hasColour[row]) {
            ++*missing;
            continue;
        }
        const float *c = m_colours.data() + row * size_t(ColourStripes::kDim);
        float dot = 0;
        for (int k = 0; k < ColourStripes::kDim; ++k)
            dot += c[k] * probe[size_t(k)];
        out[i] = dot;
        sum += dot;
    }
    const size_t present = candidates.size() - size_t(*missing);
    const float neutral = present > 0 ? float(sum / double(present)) : 0.0f;
    for (size_t i = 0; i < candidates.size(); ++i)
        if (!m_hasColour[size_t(candidates[i])])
            out[i] = neutral;
    return out;
}

bool SearchEngine::calibrationApplies(const SearchRequest &request, QStringList *notes) const
{
    if (!m_calibration.isValid())
        return false;
    const float weight = attributeWeightFor(request);
    if (std::abs(double(weight) - m_calibration.attributeWeight) > 1e-6) {
        notes->append(QStringLiteral("confidence is calibrated for attribute weight %1, not %2: no confidence and no "
                                     "relevance cut-off")
                          .arg(m_calibration.attributeWeight)
                          .arg(double(weight)));
        return false;
    }
    return true;
}

QString SearchEngine::degenerateNote() const
{
    return QStringLiteral("model %1 gives nearly identical embeddings for every tracklet (mean cosine %2 over %3 tracklets) "
                          "— it is untrained or broken; ranking by attributes")
        .arg(m_model ? m_model->id() : QString())
        .arg(m_spread.meanCosine, 0, 'f', 3)
        .arg(m_spread.vectors);
}

SearchResponse SearchEngine::search(const SearchRequest &request)
{
    QElapsedTimer clock;
    clock.start();
    const int64_t before = m_generation;
    refresh();
    SearchResponse response;
    response.stageMs.emplace_back(QStringLiteral("refresh"), double(clock.nsecsElapsed()) / 1e6);
    if (m_generation != before) // this search reloaded: where that went
        response.stageMs.insert(response.stageMs.end(), m_refreshStages.begin(), m_refreshStages.end());
    response.text = request.text;
    response.galleryTracklets = int64_t(m_tracklets.size());
    if (!m_calibrationProblem.isEmpty() && request.useModel)
        response.notes.append(m_calibrationProblem);
    if (!m_coarseIndexProblem.isEmpty() && request.useModel)
        response.notes.append(m_coarseIndexProblem);

    const ParsedQuery parsed = m_parser.parse(request.text);
    response.unknownWords = parsed.unknownWords;
    for (const QueryTerm &t : parsed.terms)
        response.understood.append(
            QStringLiteral("%1: %2 (%3)").arg(regionKey(t.region), t.attribute, t.phrase));

    SearchFilters filters = request;
    if (request.sourceId > 0)
        filters.sourceIds.push_back(request.sourceId);
    QElapsedTimer filterClock;
    filterClock.start();
    if (!filters.attributes.empty() && !m_allAttributesRead)
        readAllAttributes(); // chips compare every row's attributes
    const std::vector<uint8_t> mask = m_filter.mask(filters, &response.notes);
    response.stageMs.emplace_back(QStringLiteral("filter"), double(filterClock.nsecsElapsed()) / 1e6);

    // Grouped, a person's several tracklets take one place: rank more so that topK people remain.
    SearchRequest ranked = request;
    if (request.groupByIdentity && request.topK > 0)
        ranked.topK = std::min(request.topK * kGroupedWidening, std::max(request.topK, kMaxRescore));
    const bool wantsModel = request.useModel && m_model && !request.text.trimmed().isEmpty();
    if (wantsModel && !m_vectorRow.empty() && !m_spread.degenerate) {
        rankWithModel(ranked, parsed, mask, &response);
    } else {
        std::vector<size_t> rows;
        for (size_t i = 0; i < m_tracklets.size(); ++i)
            if (mask.empty() || mask[i])
                rows.push_back(i);
        response.ranking = QStringLiteral("attributes");
        rankWithAttributes(ranked, parsed, rows, &response);
        if (wantsModel && m_spread.degenerate)
            response.notes.append(degenerateNote());
        else if (m_model && request.useModel && m_vectorRow.empty() && !m_tracklets.empty())
            response.notes.append(QStringLiteral("no tracklet has embeddings of model %1 yet: run 'descry-cli reindex' "
                                                 "to search with it; ranked by attributes")
                                      .arg(m_model->id()));
    }
    addIdentities(&response.results, request.groupByIdentity, request.topK);
    fillBestCrops(&response.results);
    if (request.sortOrder == SortOrder::Time)
        sortByTime(&response.results);
    response.elapsedMs = double(clock.nsecsElapsed()) / 1e6;
    return response;
}

void SearchEngine::addIdentities(std::vector<SearchResult> *results, bool group, int topK) const
{
    std::vector<SearchResult> grouped;
    std::unordered_map<int64_t, size_t> at; // identity -> its place in `grouped`
    for (SearchResult &r : *results) {
        const int64_t identity = r.tracklet.identityId;
        if (identity > 0) {
            if (const auto it = at.find(identity); group && it != at.end()) {
                grouped[it->second].sameIdentity.push_back(r.tracklet.id);
                continue;
            }
            at.emplace(identity, grouped.size());
            if (const auto s = m_identities.find(identity); s != m_identities.end()) {
                r.identityTracklets = s->second.tracklets;
                r.identityCameras = s->second.cameras;
                r.identitySources = s->second.sources;
                r.identityStart = s->second.start;
                r.identityEnd = s->second.end;
            }
        }
        grouped.push_back(std::move(r));
    }
    if (group && topK > 0 && int(grouped.size()) > topK)
        grouped.resize(size_t(topK));
    *results = std::move(grouped);
}

void SearchEngine::rankWithAttributes(
    const SearchRequest &request, const ParsedQuery &parsed, const std::vector<size_t> &rows, SearchResponse *response)
{
    // Results hidden by the cut-off still took their place in the top K.
    const int listed = int(response->results.size()) + response->hiddenBelowCutoff;
    const int limit = request.topK > 0 ? request.topK - listed : int(rows.size());
    if (limit <= 0)
        return;
    if (parsed.terms.empty()) {
        // Nothing to rank by (empty or unknown text): browse in time order.
        for (size_t c = 0; c < rows.size() && int(c) < limit; ++c)
            response->results.push_back({m_tracklets[rows[c]], 0.f, {}});
        return;
    }
    readAttributes(rows);
    std::vector<TrackletAttributes> candidates;
    candidates.reserve(rows.size());
    for (size_t row : rows)
        candidates.push_back(m_attributes[row]);
    const std::vector<AttributeMatch> ranked = m_ranker.rank(parsed, candidates, limit);
    // rank() returns candidate ids; map back through a sorted index (ids ascend with rows).
    for (const AttributeMatch &m : ranked) {
        if (m.score < request.minScore || m.score < request.minAttributeScore)
            continue;
        if (const long row = trackletRowOf(m.trackletId); row >= 0) {
            SearchResult result{m_tracklets[size_t(row)], m.score, m.matched};
            result.attributeScore = m.score;
            response->results.push_back(result);
        }
    }
}

void SearchEngine::rankWithModel(
    const SearchRequest &request, const ParsedQuery &parsed, const std::vector<uint8_t> &mask, SearchResponse *response)
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

    // Coarse: cosine of the query's global feature with every stored global vector that passes
    // the filters (one byte read per row: the filters were resolved into the mask beforehand), or,
    // in a large gallery, with those the coarse index looks at (the same cosines, fewer vectors).
    const VectorIndex *index = m_coarseIndex.index();
    std::vector<int> candidates;
    std::vector<float> cosine(m_vectorRow.size());
    std::vector<int64_t> allowed; // the index's filter: ids of the rows that pass, ascending
    const bool filtered = !mask.empty();
    size_t passing = 0;
    if (index) {
        if (filtered) // no pass over the rows for an unfiltered query
            for (size_t r = 0; r < m_vectorRow.size(); ++r)
                if (mask[m_vectorRow[r]])
                    allowed.push_back(m_tracklets[m_vectorRow[r]].id);
        passing = filtered ? allowed.size() : m_vectorRow.size();
    } else {
        for (size_t r = 0; r < m_vectorRow.size(); ++r) {
            if (filtered && !mask[m_vectorRow[r]])
                continue;
            const float *v = m_globals.data() + r * size_t(m_dim);
            float dot = 0;
            for (int c = 0; c < m_dim; ++c)
                dot += v[c] * query.global[size_t(c)];
            cosine[r] = dot;
            candidates.push_back(int(r));
        }
        passing = candidates.size();
    }
    const auto nearer = [&](int a, int b) {
        return cosine[size_t(a)] > cosine[size_t(b)] || (cosine[size_t(a)] == cosine[size_t(b)] && a < b);
    };
    // The best `count` rows by cosine, best first.
    const auto best = [&](size_t count) {
        if (!index) {
            std::partial_sort(candidates.begin(), candidates.begin() + long(count), candidates.end(), nearer);
            return std::vector<int>(candidates.begin(), candidates.begin() + long(count));
        }
        std::vector<int> rows;
        for (const IndexHit &hit : index->search(query.global.data(), int(count), filtered ? &allowed : nullptr)) {
            const int row = vectorRowOf(hit.id);
            if (row < 0)
                continue;
            cosine[size_t(row)] = hit.score;
            rows.push_back(row);
        }
        std::stable_sort(rows.begin(), rows.end(), nearer);
        return rows;
    };
    const int wanted = request.topK > 0 ? request.topK : int(passing);
    const int fine = request.groupByIdentity ? wanted / kGroupedWidening * kCoarsePerPerson : wanted;
    int k = std::min<int>(int(passing), std::clamp(std::max(request.rescoreTop, fine), 1, kMaxRescore));
    if (!request.groupByIdentity || int(passing) <= k) {
        candidates = best(size_t(k));
        k = int(candidates.size());
    } else {
        // The best k by cosine with at most kCoarsePerPerson of one person: a sorted prefix, made
        // longer while a few people fill it.
        std::vector<int> kept;
        for (size_t prefix = std::min(passing, size_t(k) * 4);; prefix = std::min(passing, prefix * 4)) {
            const std::vector<int> sorted = best(prefix);
            kept.clear();
            std::unordered_map<int64_t, int> perPerson;
            for (size_t i = 0; i < sorted.size() && int(kept.size()) < k; ++i) {
                const int64_t person = m_tracklets[m_vectorRow[size_t(sorted[i])]].identityId;
                if (person > 0 && ++perPerson[person] > kCoarsePerPerson)
                    continue;
                kept.push_back(sorted[i]);
            }
            if (int(kept.size()) == k || prefix == passing)
                break;
        }
        candidates = std::move(kept);
        k = int(candidates.size());
    }
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
    // Nothing passed the filters: no model call on an empty batch.
    const std::vector<float> local = pointers.empty() ? std::vector<float>{} : m_model->localSimilarity(query, pointers);
    lap("align");
    const bool calibrated = calibrationApplies(request, &response->notes);
    const float attributeWeight = attributeWeightFor(request);
    if (!parsed.terms.empty() && attributeWeight > 0)
        response->ranking += QStringLiteral(" + %1 × attributes").arg(double(attributeWeight));
    if (!parsed.terms.empty()) {
        std::vector<size_t> rows;
        for (int r : candidates)
            rows.push_back(m_vectorRow[size_t(r)]);
        readAttributes(rows);
    }
    std::vector<float> scores(static_cast<size_t>(k));
    std::vector<float> confidence(static_cast<size_t>(k), -1.0f);
    std::vector<float> attributeScores(static_cast<size_t>(k), -1.0f);
    std::vector<QStringList> explanations(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) {
        scores[size_t(i)] = cosine[size_t(candidates[size_t(i)])] + local[size_t(i)];
        if (!parsed.terms.empty()) {
            const size_t row = m_vectorRow[size_t(candidates[size_t(i)])];
            attributeScores[size_t(i)] = m_ranker.score(parsed, m_attributes[row].attributes, &explanations[size_t(i)]);
            scores[size_t(i)] += attributeWeight * attributeScores[size_t(i)];
        }
        // Calibrated on the score before RVN: RVN's scores are min-max normalised per query.
        if (calibrated)
            confidence[size_t(i)] = m_calibration.confidence(scores[size_t(i)]);
    }
    const std::vector<int> order = rankCandidates(candidates, request.rerankNeighbours, &scores);

    const float cutoff = !calibrated ? -1.0f
        : request.minConfidence < 0  ? float(m_calibration.cutoff)
                                     : request.minConfidence;
    response->cutoff = cutoff > 0 ? cutoff : -1.0f;
    int listed = 0;
    for (int i : order) {
        if (listed >= wanted)
            break;
        const size_t row = m_vectorRow[size_t(candidates[size_t(i)])];
        SearchResult result{m_tracklets[row], scores[size_t(i)], {}};
        result.globalScore = cosine[size_t(candidates[size_t(i)])];
        result.localScore = local[size_t(i)];
        result.attributeScore = attributeScores[size_t(i)];
        result.confidence = confidence[size_t(i)];
        result.matched = explanations[size_t(i)];
        if (!parsed.terms.empty() && result.attributeScore < request.minAttributeScore)
            continue;
        // Model scores are cosine sums that may be negative: only an explicit threshold applies.
        if (request.minScore > 0 && result.score < request.minScore)
            continue;
        ++listed;
        if (response->cutoff > 0 && result.confidence < response->cutoff) {
            ++response->hiddenBelowCutoff;
            continue;
        }
        result.matched.prepend(QStringLiteral("model %1 (%2global %3, local %4, attributes %5)")
                                   .arg(result.score, 0, 'f', 2)
                                   .arg(calibrated ? QStringLiteral("confidence %1; ").arg(result.confidence, 0, 'f', 2) : QString())
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
        if (m_rowVector[i] < 0 && (mask.empty() || mask[i]))
            missing.push_back(i);
    if (!missing.empty()) {
        response->notes.append(QStringLiteral("%1 tracklets have no embeddings of model %2 and are ranked by attributes "
                                              "after the model's results; run 'descry-cli reindex'")
                                   .arg(missing.size())
                                   .arg(m_model->id()));
        rankWithAttributes(request, parsed, missing, response);
    }
}

bool SearchEngine::similar(const SimilarRequest &request, SearchResponse *out, QString *error)
{
    QElapsedTimer clock;
    clock.start();
    refresh();
    if (!m_model) {
        *error = QStringLiteral("find similar compares the model's visual features, and no text-to-person model is loaded; "
                                "see models/README.md (or set DESCRY_MODEL)");
        return false;
    }
    if (m_vectorRow.empty()) {
        *error = QStringLiteral("no tracklet has embeddings of model %1 yet: run 'descry-cli reindex' first").arg(m_model->id());
        return false;
    }
    ensureGlobals(); // every vector is compared
    if (!m_coloursLoaded)
        loadColours();
    if (m_spread.degenerate) {
        *error = QStringLiteral("model %1 gives nearly identical embeddings for every tracklet (mean cosine %2 over %3 "
                                "tracklets) — it is untrained or broken, and cannot tell people apart")
                     .arg(m_model->id())
                     .arg(m_spread.meanCosine, 0, 'f', 3)
                     .arg(m_spread.vectors);
        return false;
    }
    SearchResponse response;
    response.galleryTracklets = int64_t(m_tracklets.size());
    std::vector<float> probe;
    std::vector<float> probeColour; // empty: the probe has no colour descriptor
    int probeRow = -1; // the probe's own vector row, left out of the ranking
    if (request.trackletId > 0) {
        const long row = trackletRowOf(request.trackletId);
        if (row < 0) {
            *error = QStringLiteral("the gallery has no tracklet %1").arg(request.trackletId);
            return false;
        }
        probeRow = m_rowVector[size_t(row)];
        if (probeRow < 0) {
            *error = QStringLiteral("tracklet %1 has no embeddings of model %2: run 'descry-cli reindex' first")
                         .arg(request.trackletId)
                         .arg(m_model->id());
            return false;
        }
        probe.assign(m_globals.begin() + long(probeRow) * m_dim, m_globals.begin() + long(probeRow + 1) * m_dim);
        if (m_hasColour[size_t(probeRow)])
            probeColour.assign(m_colours.begin() + long(probeRow) * ColourStripes::kDim,
                m_colours.begin() + long(probeRow + 1) * ColourStripes::kDim);
        response.text = QStringLiteral("similar to tracklet %1").arg(request.trackletId);
    } else if (!request.imageData.isEmpty()) {
        const std::vector<uchar> bytes(request.imageData.begin(), request.imageData.end());
        const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
        if (image.empty()) {
            *error = QStringLiteral("the image does not decode; give a JPEG, PNG or BMP picture of one person");
            return false;
        }
        // Pooled exactly as a one-crop tracklet is at ingest, so the probe is comparable.
        for (const EmbeddingRecord &e : TrackletEmbedder::pool(m_model->encodeCrops({image}), m_model->id()))
            if (e.kind == TrackletEmbedder::GlobalKind)
                probe = e.vector;
        probeColour = ColourStripes::describe(image);
        response.text = QStringLiteral("similar to an image");
    } else {
        *error = QStringLiteral("find similar needs a probe: a tracklet id or an image");
        return false;
    }
    if (int(probe.size()) != m_dim) {
        *error = QStringLiteral("the model gave a %1-float feature for the probe, the gallery stores %2").arg(probe.size()).arg(m_dim);
        return false;
    }
    double norm = 0;
    for (float x : probe)
        norm += double(x) * x;
    for (float &x : probe)
        x = float(x / std::sqrt(std::max(norm, 1e-20)));

    if (!request.attributes.empty() && !m_allAttributesRead)
        readAllAttributes(); // chips compare every row's attributes
    const std::vector<uint8_t> mask = m_filter.mask(request, &response.notes);
    std::vector<int> candidates;
    std::vector<float> cosine(m_vectorRow.size());
    for (size_t r = 0; r < m_vectorRow.size(); ++r) {
        if (int(r) == probeRow || (!mask.empty() && !mask[m_vectorRow[r]]))
            continue;
        const float *v = m_globals.data() + r * size_t(m_dim);
        float dot = 0;
        for (int c = 0; c < m_dim; ++c)
            dot += v[c] * probe[size_t(c)];
        cosine[r] = dot;
        candidates.push_back(int(r));
    }
    // The product's score: visual cosine + w x colour agreement (see SimilarRequest).
    const bool withColour = request.colourWeight > 0 && !probeColour.empty();
    std::vector<float> colour(m_vectorRow.size(), -1.0f);
    std::vector<float> score = cosine;
    if (withColour) {
        int missing = 0;
        const std::vector<float> agreement = colourAgreement(probeColour, candidates, &missing);
        for (size_t i = 0; i < candidates.size(); ++i) {
            const size_t r = size_t(candidates[i]);
            colour[r] = agreement[i];
            score[r] += float(request.colourWeight) * agreement[i];
        }
        if (missing > 0)
            response.notes.append(QStringLiteral("%1 tracklets have no colour descriptor and were compared by the model "
                                                 "alone (plus the gallery's mean colour agreement); run 'descry-cli reindex'")
                                      .arg(missing));
    } else if (request.colourWeight > 0) {
        response.notes.append(QStringLiteral("the probe has no colour descriptor: ranked by the model's cosine alone; "
                                             "run 'descry-cli reindex'"));
    }
    const int asked = request.groupByIdentity && request.topK > 0 ? request.topK * kGroupedWidening : request.topK;
    const int wanted = asked > 0 ? std::min<int>(asked, int(candidates.size())) : int(candidates.size());
    const bool attention = request.attentionNeighbours > 0 && !candidates.empty();
    const int k = request.rerankNeighbours || attention
        ? std::min<int>(int(candidates.size()), std::max(wanted, request.rescoreTop))
        : wanted;
    std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end(),
        [&](int a, int b) { return score[size_t(a)] > score[size_t(b)] || (score[size_t(a)] == score[size_t(b)] && a < b); });
    candidates.resize(size_t(k));
    std::vector<float> scores(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i)
        scores[size_t(i)] = score[size_t(candidates[size_t(i)])];
    if (attention) {
        // Over the best rescoreTop (all of them when fewer): the rest keep their scores.
        const int attended = std::min(k, std::max(request.rescoreTop, 1));
        const std::vector<int> best(candidates.begin(), candidates.begin() + attended);
        const std::vector<float> rescored = attendedScores(probe, withColour ? probeColour : std::vector<float> {}, best, request);
        std::copy(rescored.begin(), rescored.end(), scores.begin());
    }
    const std::vector<int> order = rankCandidates(candidates, request.rerankNeighbours, &scores);
    for (int i : order) {
        if (int(response.results.size()) >= wanted)
            break;
        const size_t r = size_t(candidates[size_t(i)]);
        SearchResult result{m_tracklets[m_vectorRow[r]], scores[size_t(i)], {}};
        result.globalScore = cosine[r];
        result.matched.append(QStringLiteral("visual cosine %1").arg(result.globalScore, 0, 'f', 3));
        if (withColour) {
            result.colourScore = colour[r];
            result.matched.append(QStringLiteral("colour agreement %1").arg(result.colourScore, 0, 'f', 3));
        }
        response.results.push_back(result);
    }
    const size_t without = m_tracklets.size() - m_vectorRow.size();
    if (without > 0)
        response.notes.append(QStringLiteral("%1 tracklets have no embeddings of model %2 and cannot be compared; run "
                                             "'descry-cli reindex'")
                                  .arg(without)
                                  .arg(m_model->id()));
    response.ranking = QStringLiteral("similar: model %1%2%3%4")
                           .arg(m_model->id(),
                               withColour ? QStringLiteral(" + %1 x colour stripes").arg(request.colourWeight) : QString(),
                               attention ? QStringLiteral(" + neighbour attention %1:%2")
                                               .arg(request.attentionNeighbours)
                                               .arg(request.attentionTemperature)
                                         : QString(),
                               request.rerankNeighbours ? QStringLiteral(" + RVN") : QString());
    addIdentities(&response.results, request.groupByIdentity, request.topK);
    fillBestCrops(&response.results);
    if (request.sortOrder == SortOrder::Time)
        sortByTime(&response.results);
    response.elapsedMs = double(clock.nsecsElapsed()) / 1e6;
    *out = std::move(response);
    return true;
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
        e.attributeWeight = attributeWeightFor(request);
        e.attributeScore = m_ranker.score(parsed, m_gallery.attributes(trackletId), nullptr);
        e.score += e.attributeWeight * e.attributeScore;
    }
    *out = std::move(e);
    return true;
}

} // namespace descry
