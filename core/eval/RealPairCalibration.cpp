#include "RealPairCalibration.h"

#include "Gallery.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

namespace descry {

namespace {

// SearchEngine re-scores at most this many coarse results per query.
constexpr int kMaxRescore = 1000;


LabelledQuery &queryFor(std::vector<LabelledQuery> *queries, const QString &text, const QString &origin)
{
    const QString simplified = text.simplified();
    for (LabelledQuery &q : *queries)
        if (q.text == simplified) {
            if (!q.origin.split(QStringLiteral(", ")).contains(origin))
                q.origin += QStringLiteral(", ") + origin;
            return q;
        }
    queries->push_back(LabelledQuery { simplified, {}, false, {}, origin });
    return queries->back();
}

// A tracklet is one a query's span names: same times, and of the query's footage when it has one.
struct TrackletOfSource {
    const TrackletRecord *tracklet;
    QString fileName; // its source's file name
    double firstBoxX = -1; // the left edge of its first box, read only when a span needs it
};

bool namedBy(const LabelledQuery &query, const TrackletSpan &span, const TrackletOfSource &t)
{
    return (query.footage.isEmpty() || query.footage == t.fileName)
        && spanNames(span, t.tracklet->startTime, t.tracklet->endTime, t.firstBoxX);
}

// The caption-set layout (see loadLabelledQueryFile): each caption a query naming its person's tracklets.
bool loadPeople(const QJsonArray &list, const QString &name, const QString &split,
    std::vector<LabelledQuery> *queries, QString *error)
{
    std::vector<LabelledPerson> people;
    if (!readPeople(list, name, split, &people, error))
        return false;
    int taken = 0;
    for (const LabelledPerson &person : people)
        for (const QString &text : person.captions) {
            LabelledQuery &q = queryFor(queries, text, name);
            q.othersAreNonMatches = true;
            q.footage = person.footage;
            q.relevantSpans.insert(q.relevantSpans.end(), person.spans.begin(), person.spans.end());
            ++taken;
        }
    if (taken == 0) {
        *error = QStringLiteral("%1: no captions%2")
                     .arg(name, split.isEmpty() ? QString() : QStringLiteral(" in split \"%1\"").arg(split));
        return false;
    }
    return true;
}

} // namespace

int64_t LabelledPairs::matchCount() const
{
    return std::count(matches.begin(), matches.end(), uint8_t(1));
}

bool loadLabelledQueryFile(
    const QString &path, std::vector<LabelledQuery> *queries, QString *error, const QString &split)
{
    const QString name = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the query file %1: %2").arg(name, file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error == QJsonParseError::NoError && doc.object().contains(QStringLiteral("people")))
        return loadPeople(
            doc.object().value(QStringLiteral("people")).toArray(), name, split, queries, error);
    const QJsonArray list = doc.object().value(QStringLiteral("queries")).toArray();
    if (parse.error != QJsonParseError::NoError || list.isEmpty()) {
        *error
            = QStringLiteral("%1 is not a query file: expected {\"queries\": [{\"text\": ..., \"relevant\": "
                             "[[start, end], ...]}, ...]}%2")
                  .arg(name,
                      parse.error != QJsonParseError::NoError
                          ? QStringLiteral(" (%1)").arg(parse.errorString())
                          : QString());
        return false;
    }
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        const QString text = o.value(QStringLiteral("text")).toString().simplified();
        if (text.isEmpty()) {
            *error = QStringLiteral("%1: a query without \"text\"").arg(name);
            return false;
        }
        LabelledQuery &q = queryFor(queries, text, name);
        q.othersAreNonMatches = true;
        if (!readSpans(o.value(QStringLiteral("relevant")).toArray(), name, QStringLiteral("query \"%1\"").arg(text), &q.relevantSpans, error))
            return false;
    }
    return true;
}

int addReviewedQueries(Gallery &gallery, std::vector<LabelledQuery> *queries)
{
    const QString origin = QStringLiteral("reviews in %1").arg(QDir::toNativeSeparators(gallery.path()));
    int taken = 0;
    // reviews() already keeps only the latest decision per (query, tracklet).
    for (const ReviewRecord &r : gallery.reviews()) {
        if (r.verdict == ReviewVerdict::Skipped)
            continue;
        queryFor(queries, r.queryText, origin).decided[r.trackletId] = r.verdict == ReviewVerdict::Confirmed;
        ++taken;
    }
    return taken;
}

bool RealPairCalibration::collect(Gallery &gallery, TextPersonModel &model,
    const std::vector<LabelledQuery> &queries, const RealPairOptions &options, LabelledPairs *pairs,
    QString *error)
{
    *pairs = {};
    if (queries.empty()) {
        *error = QStringLiteral(
            "no labelled queries: give a query file (models/queries/*.json) or review search results "
            "first (descry-cli review add, or the review panel)");
        return false;
    }
    if (gallery.embeddingCount(model.id(), TrackletEmbedder::GlobalKind) == 0) {
        *error = QStringLiteral(
            "the gallery %1 has no embeddings of model %2: run 'descry-cli reindex --model %3 --gallery %1' "
            "first")
                     .arg(QDir::toNativeSeparators(gallery.path()), model.id(), model.path());
        return false;
    }
    SearchEngine engine(gallery, &model);
    engine.setCalibration({}); // raw scores only; no cut-off can hide anything
    const EmbeddingSpread spread = engine.embeddingSpread();
    if (spread.degenerate) {
        *error = QStringLiteral(
            "model %1 gives nearly identical embeddings for every tracklet (mean cosine %2): it cannot "
            "rank, so there is nothing to calibrate")
                     .arg(model.id())
                     .arg(spread.meanCosine, 0, 'f', 3);
        return false;
    }

    std::vector<TrackletRecord> tracklets;
    for (const TrackletRecord &t : gallery.tracklets())
        if (options.sourceIds.empty()
            || std::find(options.sourceIds.begin(), options.sourceIds.end(), t.sourceId)
                != options.sourceIds.end())
            tracklets.push_back(t);
    std::map<int64_t, QString> fileOfSource;
    for (const SourceRecord &source : gallery.sources())
        fileOfSource[source.id] = QFileInfo(source.path).fileName();
    const bool byBox = std::any_of(queries.begin(), queries.end(), [](const LabelledQuery &q) {
        return std::any_of(q.relevantSpans.begin(), q.relevantSpans.end(),
            [](const TrackletSpan &span) { return span.firstBoxX >= 0; });
    });
    std::vector<TrackletOfSource> named;
    for (const TrackletRecord &t : tracklets) {
        double firstBoxX = -1;
        if (byBox) {
            const std::vector<DetectionRecord> boxes = gallery.detections(t.id);
            if (!boxes.empty())
                firstBoxX = boxes.front().box.x;
        }
        named.push_back({ &t, fileOfSource[t.sourceId], firstBoxX });
    }
    // A caption set describes every person of the footage it names, so their other tracklets are
    // non-matches; footage it does not name is not labelled by it.
    std::set<QString> labelledFootage;
    for (const LabelledQuery &query : queries)
        if (!query.footage.isEmpty())
            labelledFootage.insert(query.footage);
    std::set<int64_t> withoutEmbedding;
    for (int64_t after = 0;;) {
        const std::vector<int64_t> batch
            = gallery.trackletsWithoutEmbedding(model.id(), TrackletEmbedder::GlobalKind, 10000, after);
        if (batch.empty())
            break;
        withoutEmbedding.insert(batch.begin(), batch.end());
        after = batch.back();
    }

    int leftWithoutEmbedding = 0, leftOutsideTop = 0;
    for (const LabelledQuery &query : queries) {
        for (const auto &span : query.relevantSpans)
            if (std::none_of(named.begin(), named.end(),
                    [&](const TrackletOfSource &t) { return namedBy(query, span, t); }))
                pairs->notes.append(
                    QStringLiteral("\"%1\": the relevant span [%2, %3] s matches no tracklet of %5 "
                                   "(to %4 s); was the footage ingested with other settings?")
                        .arg(query.text)
                        .arg(span.start)
                        .arg(span.end)
                        .arg(spanTolerance())
                        .arg(query.footage.isEmpty() ? QStringLiteral("the gallery") : query.footage));
        SearchRequest request;
        request.text = query.text;
        request.topK = 0; // all
        request.minConfidence = 0; // nothing hidden
        request.rescoreTop = kMaxRescore;
        request.attributeWeight = options.attributeWeight;
        request.rerankNeighbours = false; // RVN rescales per query; calibration uses the score before it
        request.sourceIds = options.sourceIds;
        const SearchResponse response = engine.search(request);
        if (!response.ranking.startsWith(QStringLiteral("model "))) {
            *error = QStringLiteral("search did not rank \"%1\" with model %2 (%3): %4")
                         .arg(query.text, model.id(), response.ranking,
                             response.notes.join(QStringLiteral("; ")));
            return false;
        }
        std::unordered_map<int64_t, float> scoreOf;
        for (const SearchResult &r : response.results)
            if (!withoutEmbedding.count(r.tracklet.id)) // the rest are ranked by attributes: another score
                scoreOf.emplace(r.tracklet.id, r.score);
        pairs->rescored = std::max(pairs->rescored, int(scoreOf.size()));

        const int queryIndex = int(pairs->queryTexts.size());
        bool any = false;
        for (const TrackletOfSource &of : named) {
            const TrackletRecord &t = *of.tracklet;
            bool match = false;
            const auto decided = query.decided.find(t.id);
            if (decided != query.decided.end())
                match = decided->second;
            else if (query.othersAreNonMatches
                && (query.footage.isEmpty() || labelledFootage.count(of.fileName)))
                match = std::any_of(query.relevantSpans.begin(), query.relevantSpans.end(),
                    [&](const auto &span) { return namedBy(query, span, of); });
            else
                continue; // not labelled for this query (or footage no caption set describes)
            if (withoutEmbedding.count(t.id)) {
                ++leftWithoutEmbedding;
                continue;
            }
            const auto score = scoreOf.find(t.id);
            if (score == scoreOf.end()) {
                ++leftOutsideTop;
                continue;
            }
            pairs->scores.push_back(score->second);
            pairs->matches.push_back(match ? 1 : 0);
            pairs->queryOf.push_back(queryIndex);
            pairs->trackletIds.push_back(t.id);
            any = true;
        }
        if (any)
            pairs->queryTexts.append(query.text);
    }
    if (leftWithoutEmbedding > 0)
        pairs->notes.append(
            QStringLiteral("%1 labelled pairs left out: their tracklets have no embeddings of model %2 "
                           "(run 'descry-cli reindex')")
                .arg(leftWithoutEmbedding)
                .arg(model.id()));
    if (leftOutsideTop > 0)
        pairs->notes.append(
            QStringLiteral("%1 labelled pairs left out: outside the top %2 by global cosine that search "
                           "re-scores, so search never shows them with a model score")
                .arg(leftOutsideTop)
                .arg(kMaxRescore));
    if (pairs->scores.empty()) {
        *error = QStringLiteral(
            "no labelled pairs: none of the %1 labelled queries names a tracklet of this gallery that "
            "has embeddings of model %2%3")
                     .arg(queries.size())
                     .arg(model.id())
                     .arg(pairs->notes.isEmpty()
                             ? QString()
                             : QStringLiteral(" (%1)").arg(pairs->notes.join(QStringLiteral("; "))));
        return false;
    }
    return true;
}

bool RealPairCalibration::fit(const LabelledPairs &pairs, const QString &modelId, float attributeWeight,
    ScoreCalibration *out, QString *error)
{
    const int64_t matches = pairs.matchCount(), total = int64_t(pairs.scores.size());
    if (matches == 0) {
        *error = QStringLiteral(
            "none of the %1 labelled pairs is a match: confirm some results (descry-cli review add "
            "--verdict confirmed) or check that the query file's relevant spans name this gallery's "
            "tracklets")
                     .arg(total);
        return false;
    }
    if (matches == total) {
        *error = QStringLiteral(
            "all %1 labelled pairs are matches: a calibration also needs non-matches (reject some "
            "results, or give a query file, whose unlisted tracklets are non-matches)")
                     .arg(total);
        return false;
    }
    ScoreCalibration c;
    if (!c.fit(pairs.scores, pairs.matches, error))
        return false;
    c.measure(pairs.scores, pairs.matches, pairs.queryOf);
    c.modelId = modelId;
    c.attributeWeight = attributeWeight;
    c.rescoreTop = pairs.rescored;
    c.queries = int(pairs.queryTexts.size());
    *out = c;
    return true;
}

bool RealPairCalibration::check(const ScoreCalibration &calibration, const QString &modelId,
    const LabelledPairs &pairs, ScoreCalibration *out, QString *error)
{
    if (calibration.modelId != modelId) {
        *error = QStringLiteral(
            "the calibration was fitted for model %1, not %2: its confidences mean nothing for this "
            "model's scores; check it with --model set to that model, or fit one for this model")
                     .arg(calibration.modelId, modelId);
        return false;
    }
    ScoreCalibration c = calibration;
    c.measure(pairs.scores, pairs.matches, pairs.queryOf);
    // Measured elsewhere than fitted: the counts say what it was measured on.
    c.pairs = int64_t(pairs.scores.size());
    c.matches = pairs.matchCount();
    c.queries = int(pairs.queryTexts.size());
    *out = c;
    return true;
}

} // namespace descry
