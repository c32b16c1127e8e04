#pragma once

#include "LabelledPeople.h"
#include "ScoreCalibration.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace descry {

class Gallery;
class TextPersonModel;

// One query text with what annotators know about the gallery's tracklets for it. Two kinds of
// knowledge, merged per text (whitespace simplified):
//  - a query file (models/queries/*.json) lists the relevant tracklets by start and end time,
//    and was written by looking at every tracklet, so every other tracklet is a non-match;
//  - review decisions (Gallery::reviews: the latest per query and tracklet) say confirm = match,
//    reject = non-match for the reviewed tracklets only; they override the file for those.
struct LabelledQuery {
    QString text;
    std::vector<TrackletSpan> relevantSpans;
    bool othersAreNonMatches = false; // from a query file: unlisted tracklets are non-matches
    std::map<int64_t, bool> decided; // tracklet id -> match, from reviews
    QString origin; // where the labels came from, for messages
    QString footage = {}; // the file name (no folder) the spans are times of; empty: any source's
};

// Reads a query file and merges its queries into *queries (by text). Two layouts:
//  - {"queries": [{"text": ..., "relevant": [[start, end], ...]}, ...]} (spans of any source);
//  - a caption set, {"people": [{"footage": "clip.avi", "split": "dev", "tracklets": [[start,
//    end], ...], "captions": [...]}, ...]} (models/queries/real-people.json): each caption a query
//    whose relevant tracklets are its person's, in that footage only; the set describes every
//    person of the footage it names, so a caption's non-matches are the other tracklets of all
//    that footage (a gallery may hold more); `split` keeps the people of one split (empty or
//    "all": every person).
// False with a message when the file does not read or has no query.
bool loadLabelledQueryFile(const QString &path, std::vector<LabelledQuery> *queries, QString *error,
    const QString &split = QString());
// Merges the gallery's confirm / reject decisions (the latest per query and tracklet; skips are
// undecided and ignored) into *queries. Returns how many decisions were taken.
int addReviewedQueries(Gallery &gallery, std::vector<LabelledQuery> *queries);

// Labelled (query, tracklet) pairs scored exactly as search scores them.
struct LabelledPairs {
    std::vector<float> scores; // SearchResult::score: global cosine + local + w x attributes
    std::vector<uint8_t> matches;
    std::vector<int> queryOf; // index into queryTexts
    std::vector<int64_t> trackletIds;
    QStringList queryTexts; // the queries that gave at least one pair
    int rescored = 0; // the most tracklets search re-scored for one query
    QStringList notes; // what was left out and why (spans matching no tracklet, tracklets without embeddings)
    int64_t matchCount() const;
};

struct RealPairOptions {
    float attributeWeight = 0.5f; // SearchRequest's default: the product's scores
    std::vector<int64_t> sourceIds = {}; // empty: every source
};

// Fits and checks ScoreCalibration on real labelled pairs: for each labelled query, the gallery is
// searched as the product searches it (SearchEngine::search, every result, no cut-off, RVN off)
// and each labelled tracklet's score is looked up. Tracklets without embeddings of the model
// (ranked by attributes, a different score) and labelled tracklets outside the re-scored top
// (search never shows them with a model score) are left out and said so in the notes.
class RealPairCalibration {
public:
    // False with a message when the model has no embeddings in the gallery, its vectors are
    // degenerate, or no labelled pair is left.
    static bool collect(Gallery &gallery, TextPersonModel &model, const std::vector<LabelledQuery> &queries,
        const RealPairOptions &options, LabelledPairs *pairs, QString *error);
    // Fits on the pairs and measures the fit on them. Fills model, attribute weight, re-scored
    // count, queries and pairs; the caller fills data, split, cutoff and command. False with a
    // message when there are no matches or no non-matches, or the scores do not rank.
    static bool fit(const LabelledPairs &pairs, const QString &modelId, float attributeWeight,
        ScoreCalibration *out, QString *error);
    // `calibration` measured on held-out pairs into *out: reliability, cut-off figures, ECE, and the
    // counts (pairs, matches, queries) of these pairs; slope, intercept and where it was fitted
    // stay. False when it was fitted for another model than `modelId`.
    static bool check(const ScoreCalibration &calibration, const QString &modelId, const LabelledPairs &pairs,
        ScoreCalibration *out, QString *error);
};

} // namespace descry
