#pragma once

#include "AttributeSearch.h"
#include "CoarseIndex.h"
#include "GalleryRecords.h"
#include "QueryParser.h"
#include "ScoreCalibration.h"
#include "SearchFilters.h"
#include "TrackletFilter.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <unordered_map>
#include <utility>
#include <vector>

namespace descry {

class Gallery;
class TextPersonModel;
struct MatchExplanation;

// A text search: the description plus the filters every result must pass (SearchFilters:
// sources, cameras, time range, attribute chips, sort order).
struct SearchRequest : SearchFilters {
    QString text;
    int topK = 200; // <= 0: all
    int64_t sourceId = 0; // deprecated, use sourceIds: > 0 adds this source to sourceIds
    float minScore = 0; // attribute ranking: results below are dropped; model ranking: only when > 0
    bool useModel = true; // rank with the text-to-person model when one is set and has embeddings
    int rescoreTop = 200; // coarse results re-scored by non-local alignment (at least topK, at most 1000)
    bool rerankNeighbours = false; // RVN: re-rank by visual neighbours (NAFS 3.4)
    // Model ranking: score = global cosine + non-local similarity + attributeWeight x attribute
    // agreement (when the query names colours/garments the lexicon knows). < 0: the weight the
    // model's calibration was fitted with (chosen on the real caption set's dev people, see
    // models/README.md), kDefaultAttributeWeight without a calibration.
    static constexpr float kDefaultAttributeWeight = 0.5f;
    float attributeWeight = -1;
    // The attribute baseline as a filter: with > 0, results whose agreement with the colours and
    // garments the query names is below this are dropped (0..1; needs a query the lexicon reads).
    float minAttributeScore = 0;
    // Relevance cut-off on the calibrated confidence (SearchResult::confidence): results below it
    // are hidden and counted in SearchResponse::hiddenBelowCutoff. < 0: the model's calibrated
    // cut-off (models/<name>.calibration.json, 0.5 for the shipped model); 0: show everything.
    // Applies only when the model ranks and a calibration for it is loaded.
    float minConfidence = -1;
};

// Find similar: tracklets ranked by visual similarity to a probe — a tracklet of the gallery
// (its stored global feature) or a person image (encoded by the model now) — across sources.
// The score is the model's visual cosine + colourWeight x the colour-stripe agreement
// (ColourStripes: the dot product of the two descriptors). Real colour statistics
// re-identify real people far better than a model trained on renders does, and the sum beats
// either alone on real crops (measured: models/README.md, "find similar").
struct SimilarRequest : SearchFilters {
    // Chosen on the real caption set's dev people (image -> other tracklets' crops, mAP of the
    // trunk model: 0.587 alone, 0.638 at w 0.5, 0.660 at 1, 0.661 at 2, 0.656 at 3; colour alone
    // 0.621); the shipped scratch model peaks at 2-3 as well.
    static constexpr double kColourWeight = 2.0;

    int64_t trackletId = 0; // the probe tracklet; 0: use imageData
    QByteArray imageData = {}; // an encoded person crop (JPEG, PNG, ...), e.g. a file dropped on the window
    int topK = 200; // <= 0: all
    bool rerankNeighbours = false; // RVN over the best `rescoreTop` by score (measured: models/README.md)
    int rescoreTop = 100;
    double colourWeight = kColourWeight; // 0: the model's cosine alone
    // NFormer's reciprocal neighbour softmax over the probe and the best `rescoreTop` (0: off):
    // each of them attends to those of its first attentionNeighbours that have it among theirs
    // (NeighbourAttention, on [visual, sqrt(w) colour] made unit length), and they are ranked by
    // the probe's new similarity to theirs. Chosen on the real caption set's dev people (image ->
    // other tracklets, mAP 0.758 vs 0.718 without; the held-out test people 0.860 vs 0.802).
    static constexpr int kAttentionNeighbours = 5;
    static constexpr double kAttentionTemperature = 0.2;
    int attentionNeighbours = kAttentionNeighbours;
    double attentionTemperature = kAttentionTemperature;
};

struct SearchResult {
    TrackletRecord tracklet;
    float score = 0;
    QStringList matched; // why it ranked here, in words
    float globalScore = 0; // model: cosine of the global features
    float colourScore = -1; // find similar: colour-stripe agreement in [0, 1], -1 when not used
    float localScore = 0; // model: non-local alignment similarity (0 when not re-scored)
    float attributeScore = -1; // attribute baseline agreement, -1 when the query names no attribute
    // Calibrated probability-like confidence in [0, 1] that this is the described person,
    // comparable across queries; -1 when uncalibrated (no calibration for the model, attribute
    // ranking, find similar).
    float confidence = -1;
    // How many tracklets the person (tracklet.identityId) has in the gallery (1 without an
    // identity), and with groupByIdentity the person's other tracklets that ranked lower, best first.
    std::vector<int64_t> sameIdentity = {};
    int identityTracklets = 1;
    // Where the person was seen: distinct cameras (camera labels) and videos among its tracklets,
    // and, within one video, the span from its first appearance to its last (seconds).
    int identityCameras = 1;
    int identitySources = 1;
    double identityStart = 0;
    double identityEnd = 0;
};

struct SearchResponse {
    QString text;
    std::vector<SearchResult> results;
    QStringList understood; // the query terms, e.g. "upper: colour red (red coat)"
    QStringList unknownWords;
    int64_t galleryTracklets = 0;
    double elapsedMs = 0;
    QString ranking = {}; // "model <id>", "attributes" or "similar: model <id>[ + RVN]"
    QStringList notes = {}; // e.g. tracklets that still need embeddings of the model
    // Where the time went, in order: ("refresh", ms), ("encode", ms), ... (for benchmarks).
    std::vector<std::pair<QString, double>> stageMs = {};
    // Results the relevance cut-off hid (they would be in `results` with minConfidence = 0):
    // "12 more below the cut-off — show all".
    int hiddenBelowCutoff = 0;
    float cutoff = -1; // the confidence cut-off applied, -1 when none
};

// How alike a model's stored global vectors are: the mean cosine over all pairs of distinct
// tracklets. For unit vectors it is (n^2 |mean|^2 - n) / (n (n - 1)), so it costs one pass
// over the vectors, no pairs; it also says the spread: the per-dimension variances add up to
// 1 - |mean|^2. A model that maps every person to nearly the same point (untrained, broken
// weights, a wrong input pipeline) cannot rank, whatever the query.
struct EmbeddingSpread {
    int vectors = 0;
    double meanCosine = 0;
    // Nearly identical embeddings for every tracklet; judged from kMinVectors vectors on (a
    // handful of tracklets of one person may legitimately look alike).
    bool degenerate = false;
    static constexpr int kMinVectors = 20;
    // Measured (models/README.md, "Degenerate models"): untrained descry-nafs-s 0.997, the trained
    // model 0.78 on real footage (vtest.avi) and 0.05 on synthetic people, random vectors 0.00.
    static constexpr double kMaxMeanCosine = 0.98;

    static EmbeddingSpread measure(const float *vectors, size_t count, int dim);
};

// Text query → ranked tracklets. With a text-to-person model (and its embeddings in the
// gallery): the query's global text feature against every tracklet's global visual feature
// (coarse cosine ranking in memory), non-local alignment re-scoring of the top K (their item
// features read from the gallery), optionally RVN; the attribute baseline explains matches and
// can filter. Without a model, or for tracklets not embedded yet: the attribute baseline
// (parse the description, rank by agreement with measured attributes). Keeps the gallery's
// rows, attributes and global vectors in memory and reloads them only when the gallery's
// generation changes, so repeated queries cost no bulk database reads.
//
// Filters (SearchFilters) are applied inside the coarse loop from a per-row mask, so the model
// only re-scores tracklets that pass them. The model's scores are mapped to a calibrated
// confidence when the model has a calibration (models/<name>.calibration.json beside the model
// file, or setCalibration()), and results below the cut-off are hidden and counted. A model
// whose stored vectors are degenerate (EmbeddingSpread) is not used: search ranks by
// attributes and says why.
class SearchEngine {
public:
    // `model` (optional, not owned) must outlive the engine and be used by no other thread.
    // Loads the model's calibration file when there is one.
    explicit SearchEngine(Gallery &gallery, TextPersonModel *model = nullptr);

    SearchResponse search(const SearchRequest &request);
    // Find similar: tracklets ranked by the cosine of their global visual feature with the
    // probe's (the probe tracklet itself left out), with the request's filters and optional
    // RVN. Results carry score = cosine (or the RVN score), globalScore = cosine. False with a
    // reason when there is no model, the probe has no embedding or the image does not decode,
    // or the model's vectors are degenerate.
    bool similar(const SimilarRequest &request, SearchResponse *out, QString *error);
    // Why `trackletId` scores as it does for request.text: the model's attention between the
    // query's units and the tracklet's stripes, and the score split by scale, computed exactly as
    // search() scores it. Needs the model and the tracklet's embeddings of it.
    bool explain(const SearchRequest &request, int64_t trackletId, MatchExplanation *out, QString *error);
    // Drop the cache (the next search reloads from the gallery).
    void invalidate();

    // Replaces the calibration found beside the model (an invalid one: none).
    void setCalibration(const ScoreCalibration &calibration);
    // The calibration in use, null when scores are not calibrated.
    const ScoreCalibration *calibration() const;
    // The attribute weight a request ranks with: its own when >= 0, else the calibration's.
    float attributeWeightFor(const SearchRequest &request) const;
    // The spread of the model's stored vectors (loaded on demand).
    EmbeddingSpread embeddingSpread();
    // From how many of the model's vectors on text queries rank coarsely through the coarse
    // index (CoarseIndex, kept beside the gallery) instead of scoring every vector; SIZE_MAX:
    // never, 0: always. Applies from the next reload.
    void setIndexThreshold(size_t vectors);
    // Cells the coarse index scans per query (0: the index's default, VectorIndexOptions).
    void setIndexProbes(int probes);
    // The coarse index as of the last reload (index() null when the gallery is below the
    // threshold or none could be had).
    const CoarseIndex &coarseIndex();

private:
    // Reloads what the gallery changed; the time its parts took go to m_refreshStages.
    void refresh();
    void loadColours(); // m_colours for the rows of m_globals (find similar's, loaded when it first runs)
    // Candidate order (indices into `candidates`, rows of m_globals) by *scores, best first, after
    // RVN re-scoring when asked (which rewrites *scores).
    std::vector<int> rankCandidates(const std::vector<int> &candidates, bool rerankNeighbours, std::vector<float> *scores) const;
    // Find similar's neighbour attention (SimilarRequest::attentionNeighbours) over the probe and
    // `candidates` (rows of m_globals): the candidates' new scores, on the product score's scale
    // ((1 + w) x the similarity of the attended vectors).
    std::vector<float> attendedScores(const std::vector<float> &probe, const std::vector<float> &probeColour,
        const std::vector<int> &candidates, const SimilarRequest &request) const;
    // Colour-stripe agreement of the probe with each candidate row; a row without a stored
    // descriptor gets the mean of the others (neutral), counted in *missing.
    std::vector<float> colourAgreement(const std::vector<float> &probe, const std::vector<int> &candidates, int *missing) const;
    void rankWithModel(const SearchRequest &request, const ParsedQuery &parsed, const std::vector<uint8_t> &mask,
        SearchResponse *response);
    void rankWithAttributes(const SearchRequest &request, const ParsedQuery &parsed,
        const std::vector<size_t> &rows, SearchResponse *response);
    bool calibrationApplies(const SearchRequest &request, QStringList *notes) const;
    // Sets each result's identityTracklets; with `group` (groupByIdentity) also folds each result
    // into the best-ranked result of its identity, then keeps the first `topK` (<= 0: all).
    void addIdentities(std::vector<SearchResult> *results, bool group, int topK) const;
    QString degenerateNote() const;
    long trackletRowOf(int64_t trackletId) const; // row of m_tracklets, -1 when the gallery has none
    int vectorRowOf(int64_t trackletId) const; // row of m_globals, -1 when the tracklet has none
    void syncCoarseIndex(int64_t generation);
    // The global vectors from the gallery into m_globals, m_vectorRow and m_rowVector.
    void loadGlobals();
    // A large gallery whose saved coarse index was found in line with it (CoarseIndex::
    // loadIfCurrent): the index's ids become the vector rows and m_globals stays empty (its vectors
    // are read from the index, or all of them loaded when find similar first needs them:
    // ensureGlobals). False when it cannot be used.
    bool adoptCurrentIndex();
    void ensureGlobals();
    // Vector row r's global vector into `out` (m_dim floats), from m_globals or the index.
    void globalOf(size_t r, float *out) const;
    // Fills bestCropId of results whose rows were read without it (a large gallery's).
    void fillBestCrops(std::vector<SearchResult> *results);
    void readAllAttributes(); // every row's attributes into m_attributes
    void readAttributes(const std::vector<size_t> &rows); // those of these rows not read yet

    Gallery &m_gallery;
    TextPersonModel *m_model = nullptr;
    // Global vectors of m_model for the tracklets that have one: row r is m_tracklets[m_vectorRow[r]].
    // Empty while the coarse index stands for them (m_globalsInIndex).
    std::vector<float> m_globals;
    bool m_globalsInIndex = false;
    std::vector<size_t> m_vectorRow;
    std::vector<int> m_rowVector; // m_tracklets index -> vector row, -1 when none
    int m_dim = 0;
    // Colour-stripe descriptors, row-aligned with m_globals (zeros where a tracklet has none).
    std::vector<float> m_colours;
    std::vector<uint8_t> m_hasColour;
    bool m_coloursLoaded = false;
    EmbeddingSpread m_spread;
    CoarseIndex m_coarseIndex;
    size_t m_indexThreshold = CoarseIndex::kDefaultThreshold;
    QString m_coarseIndexProblem; // why a large gallery is scanned instead (shown in notes)
    QueryParser m_parser;
    AttributeSearch m_ranker;
    TrackletFilter m_filter;
    ScoreCalibration m_calibration; // isValid() false: none
    QString m_calibrationProblem; // a calibration file that was there but could not be used
    int64_t m_generation = -1;
    // What the last reload spent where ("rows", "vectors", "index"...), for the search that did it.
    std::vector<std::pair<QString, double>> m_refreshStages;
    std::vector<TrackletRecord> m_tracklets; // ordered by id
    std::vector<TrackletAttributes> m_attributes; // same order; read on demand in a large gallery
    std::vector<uint8_t> m_attributesRead; // per row: m_attributes holds its attributes
    bool m_allAttributesRead = false;
    // Identity id -> its tracklets in the gallery, cameras, videos and time span (SearchResult).
    struct IdentitySummary {
        int tracklets = 0;
        int cameras = 0;
        int sources = 0;
        double start = 0;
        double end = 0;
    };
    std::unordered_map<int64_t, IdentitySummary> m_identities;
};

} // namespace descry
