#pragma once

#include "AttributeSearch.h"
#include "GalleryRecords.h"
#include "QueryParser.h"

#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace descry {

class Gallery;
class TextPersonModel;
struct MatchExplanation;

struct SearchRequest {
    QString text;
    int topK = 200; // <= 0: all
    int64_t sourceId = 0; // 0: every source
    float minScore = 0; // attribute ranking: results below are dropped; model ranking: only when > 0
    bool useModel = true; // rank with the text-to-person model when one is set and has embeddings
    int rescoreTop = 200; // coarse results re-scored by non-local alignment (at least topK, at most 1000)
    bool rerankNeighbours = false; // RVN: re-rank by visual neighbours (NAFS 3.4)
    // Model ranking: score = global cosine + non-local similarity + attributeWeight x attribute
    // agreement (when the query names colours/garments the lexicon knows). See models/README.md
    // for the measurements behind the default.
    float attributeWeight = 0.5f;
    // The attribute baseline as a filter: with > 0, results whose agreement with the colours and
    // garments the query names is below this are dropped (0..1; needs a query the lexicon reads).
    float minAttributeScore = 0;
};

struct SearchResult {
    TrackletRecord tracklet;
    float score = 0;
    QStringList matched; // why it ranked here, in words
    float globalScore = 0; // model: cosine of the global features
    float localScore = 0; // model: non-local alignment similarity (0 when not re-scored)
    float attributeScore = -1; // attribute baseline agreement, -1 when the query names no attribute
};

struct SearchResponse {
    QString text;
    std::vector<SearchResult> results;
    QStringList understood; // the query terms, e.g. "upper: colour red (red coat)"
    QStringList unknownWords;
    int64_t galleryTracklets = 0;
    double elapsedMs = 0;
    QString ranking = {}; // "model <id>" or "attributes"
    QStringList notes = {}; // e.g. tracklets that still need embeddings of the model
    // Where the time went, in order: ("refresh", ms), ("encode", ms), ... (for benchmarks).
    std::vector<std::pair<QString, double>> stageMs = {};
};

// Text query → ranked tracklets. With a text-to-person model (and its embeddings in the
// gallery): the query's global text feature against every tracklet's global visual feature
// (coarse cosine ranking in memory), non-local alignment re-scoring of the top K (their item
// features read from the gallery), optionally RVN; the attribute baseline explains matches and
// can filter. Without a model, or for tracklets not embedded yet: the attribute baseline
// (parse the description, rank by agreement with measured attributes). Keeps the gallery's
// rows, attributes and global vectors in memory and reloads them only when the gallery's
// generation changes, so repeated queries cost no bulk database reads.
class SearchEngine {
public:
    // `model` (optional, not owned) must outlive the engine and be used by no other thread.
    explicit SearchEngine(Gallery &gallery, TextPersonModel *model = nullptr);

    SearchResponse search(const SearchRequest &request);
    // Why `trackletId` scores as it does for request.text: the model's attention between the
    // query's units and the tracklet's stripes, and the score split by scale, computed exactly as
    // search() scores it. Needs the model and the tracklet's embeddings of it.
    bool explain(const SearchRequest &request, int64_t trackletId, MatchExplanation *out, QString *error);
    // Drop the cache (the next search reloads from the gallery).
    void invalidate();

private:
    void refresh();
    void rankWithModel(const SearchRequest &request, const ParsedQuery &parsed, SearchResponse *response);
    void rankWithAttributes(const SearchRequest &request, const ParsedQuery &parsed,
        const std::vector<size_t> &rows, SearchResponse *response);

    Gallery &m_gallery;
    TextPersonModel *m_model = nullptr;
    // Global vectors of m_model for the tracklets that have one: row r is m_tracklets[m_vectorRow[r]].
    std::vector<float> m_globals;
    std::vector<size_t> m_vectorRow;
    std::vector<int> m_rowVector; // m_tracklets index -> vector row, -1 when none
    int m_dim = 0;
    QueryParser m_parser;
    AttributeSearch m_ranker;
    int64_t m_generation = -1;
    std::vector<TrackletRecord> m_tracklets; // ordered by id
    std::vector<TrackletAttributes> m_attributes; // same order
};

} // namespace descry
