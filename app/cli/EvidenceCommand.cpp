#include "CaseExporter.h"
#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "HeatmapRenderer.h"
#include "IdentityGrouper.h"
#include "MatchExplanation.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <map>

namespace descry::cli {

namespace {

// "12,40,7" → ids in that order; false on anything else.
bool parseTrackletIds(const QString &text, std::vector<int64_t> *ids)
{
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 id = part.trimmed().toLongLong(&ok);
        if (!ok || id <= 0)
            return false;
        ids->push_back(id);
    }
    return !ids->empty();
}

// Why a tracklet matched the query: the model's cross-scale attention, as `descry-cli explain`
// draws it; null without a model.
QImage heatmapOf(SearchEngine &engine, Gallery &gallery, bool hasModel, const SearchRequest &search,
    const SearchResult &result)
{
    MatchExplanation explanation;
    QString error;
    if (!hasModel || !engine.explain(search, result.tracklet.id, &explanation, &error))
        return {};
    return HeatmapRenderer::sheet(QImage::fromData(gallery.cropImage(result.tracklet.bestCropId)), explanation,
        gallery.bestCropBody(result.tracklet.id));
}

void printNotesOnce(const SearchResponse &response, QSet<QString> *printed)
{
    for (const QString &note : response.notes)
        if (!printed->contains(note)) {
            printed->insert(note);
            printErr(QStringLiteral("evidence: ") + note);
        }
}

// The top results of the query, ranked as `descry-cli search` ranks them. Nothing is written to
// the gallery (search adds the query to its history; an export does not).
bool searchItems(const QCommandLineParser &parser, Gallery &gallery, CaseExportRequest *request)
{
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("evidence"));
    SearchEngine engine(gallery, model.get());
    SearchRequest search;
    search.text = request->query;
    search.topK = parser.value(QStringLiteral("top")).toInt();
    const SearchResponse response = engine.search(search);
    QSet<QString> printed;
    printNotesOnce(response, &printed);
    request->ranking = response.ranking;
    int rank = 0;
    for (const SearchResult &result : response.results) {
        CaseExportItem item = CaseExportItem::fromSearchResult(result, ++rank);
        item.heatmap = heatmapOf(engine, gallery, model != nullptr, search, result);
        request->items.push_back(item);
    }
    if (request->items.empty()) {
        printErr(
            QStringLiteral("evidence: no tracklet matches \"%1\"; nothing exported").arg(request->query));
        return false;
    }
    return true;
}

// Per tracklet, the review decision an export shows: the one that counts (the latest) on the
// case's query, or without a query the newest that counts on any query. `confirmedOnly` keeps
// confirmations only.
std::map<int64_t, ReviewRecord> latestReviews(Gallery &gallery, const QString &query, bool confirmedOnly)
{
    std::map<int64_t, ReviewRecord> byTracklet;
    for (ReviewRecord &r : gallery.reviews(query)) // in the order they were made
        if (!confirmedOnly || r.verdict == ReviewVerdict::Confirmed)
            byTracklet[r.trackletId] = std::move(r);
    return byTracklet;
}

// A case without a query shows decisions made on different queries: the note says which.
void applyReview(CaseExportItem *item, const ReviewRecord &review, bool caseHasQuery)
{
    item->verdict = reviewVerdictKey(review.verdict);
    item->label = review.label;
    item->note = review.note;
    if (!caseHasQuery)
        item->note = QStringLiteral("on \"%1\"%2")
                         .arg(review.queryText, review.note.isEmpty() ? QString() : QStringLiteral(": ") + review.note);
}

void applyReviews(Gallery &gallery, CaseExportRequest *request)
{
    const std::map<int64_t, ReviewRecord> reviews = latestReviews(gallery, request->query, false);
    for (CaseExportItem &item : request->items) {
        const auto it = reviews.find(item.trackletId);
        if (it != reviews.end())
            applyReview(&item, it->second, !request->query.isEmpty());
    }
}

// The tracklets confirmed for the case's query (in the order search ranks them), or for any
// query (in footage order). Each is scored and explained against the query it was confirmed
// for: one search per query text over every tracklet. A confirmed tracklet that search does not
// return (e.g. no attribute agreement) is exported unscored after the others.
bool confirmedItems(const QCommandLineParser &parser, Gallery &gallery, CaseExportRequest *request)
{
    const std::map<int64_t, ReviewRecord> confirmed = latestReviews(gallery, request->query, true);
    if (confirmed.empty()) {
        printErr(QStringLiteral("evidence: no tracklet is confirmed%1; nothing exported (descry-cli review list shows "
                                "the decisions)")
                     .arg(request->query.isEmpty() ? QString() : QStringLiteral(" for \"%1\"").arg(request->query)));
        return false;
    }
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("evidence"));
    SearchEngine engine(gallery, model.get());
    std::map<QString, SearchResponse> responses;
    QSet<QString> printed;
    std::vector<std::pair<size_t, CaseExportItem>> ranked; // (place in its search, item)
    for (const auto &[trackletId, review] : confirmed) {
        SearchRequest search;
        search.text = review.queryText;
        search.topK = 0; // every tracklet: a confirmed one may rank low
        auto response = responses.find(review.queryText);
        if (response == responses.end()) {
            response = responses.emplace(review.queryText, engine.search(search)).first;
            printNotesOnce(response->second, &printed);
            if (request->ranking.isEmpty())
                request->ranking = response->second.ranking;
        }
        const std::vector<SearchResult> &results = response->second.results;
        const auto hit = std::find_if(results.begin(), results.end(),
            [id = trackletId](const SearchResult &r) { return r.tracklet.id == id; });
        CaseExportItem item;
        item.trackletId = trackletId;
        if (hit != results.end()) {
            item = CaseExportItem::fromSearchResult(*hit, 0);
            item.heatmap = heatmapOf(engine, gallery, model != nullptr, search, *hit);
        }
        applyReview(&item, review, !request->query.isEmpty());
        const size_t place = hit != results.end() ? size_t(hit - results.begin()) : results.size();
        ranked.emplace_back(request->query.isEmpty() ? 0 : place, std::move(item));
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (auto &entry : ranked)
        request->items.push_back(std::move(entry.second));
    return true;
}

// --with-appearances: each person among the items with every one of their tracklets, person by
// person in the order the items name them, each in footage order; the chosen tracklets stay as
// they are, the added ones carry their own review decision and a note that says whose appearance
// they are (before the review's note). Numbered as listed.
void addAppearances(const QCommandLineParser &parser, Gallery &gallery, CaseExportRequest *request)
{
    if (!parser.isSet(QStringLiteral("with-appearances")))
        return;
    std::vector<int64_t> chosen;
    std::map<int64_t, CaseExportItem> byId;
    for (const CaseExportItem &item : request->items) {
        chosen.push_back(item.trackletId);
        byId.emplace(item.trackletId, item);
    }
    const std::map<int64_t, ReviewRecord> reviews = latestReviews(gallery, request->query, false);
    std::map<int64_t, int64_t> personOf = gallery.identities();
    std::vector<CaseExportItem> items;
    int added = 0;
    for (const int64_t id : IdentityGrouper::withAppearances(gallery, chosen)) {
        auto it = byId.find(id);
        CaseExportItem item;
        if (it != byId.end()) {
            item = it->second;
        } else {
            item.trackletId = id;
            if (const auto review = reviews.find(id); review != reviews.end())
                applyReview(&item, review->second, !request->query.isEmpty());
            item.markAsAppearanceOf(personOf[id]);
            ++added;
        }
        item.rank = 0; // numbered as listed
        items.push_back(std::move(item));
    }
    request->items = std::move(items);
    printErr(QStringLiteral("evidence: %1 more appearance(s) of the same people added").arg(added));
}

// Fills the request's items as the options ask (`ids`: --tracklets, `people`: --person), each with
// its review decision when there is one.
bool gatherItems(const QCommandLineParser &parser, const std::vector<int64_t> &ids, const std::vector<int64_t> &people,
    CaseExportRequest *request)
{
    Gallery gallery;
    if (!gallery.open(request->galleryPath)) {
        printErr(QStringLiteral("evidence: ") + gallery.lastError());
        return false;
    }
    if (!people.empty()) {
        for (const int64_t id : IdentityGrouper::appearancesOf(gallery, people)) {
            CaseExportItem item;
            item.trackletId = id;
            request->items.push_back(item);
        }
        if (request->items.empty()) {
            printErr(QStringLiteral("evidence: no tracklet belongs to person %1 (descry-cli identities lists the people)")
                         .arg(parser.value(QStringLiteral("person"))));
            return false;
        }
        applyReviews(gallery, request);
        return true;
    }
    if (parser.isSet(QStringLiteral("confirmed"))) {
        if (!confirmedItems(parser, gallery, request))
            return false;
        addAppearances(parser, gallery, request);
        return true;
    }
    if (!ids.empty()) {
        for (const int64_t id : ids) {
            CaseExportItem item;
            item.trackletId = id;
            request->items.push_back(item);
        }
    } else if (!searchItems(parser, gallery, request)) {
        return false;
    }
    applyReviews(gallery, request);
    addAppearances(parser, gallery, request);
    return true;
}

void printResult(const CaseExportResult &result, bool json)
{
    if (json) {
        const QJsonObject out { { QStringLiteral("out"), result.outDir },
            { QStringLiteral("items"), result.items }, { QStringLiteral("files"), result.files },
            { QStringLiteral("bytes"), result.bytes },
            { QStringLiteral("manifest_sha256"), result.manifestSha256 },
            { QStringLiteral("notes"), QJsonArray::fromStringList(result.notes) },
            { QStringLiteral("seconds"), result.seconds } };
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
        return;
    }
    for (const QString &note : result.notes)
        printErr(QStringLiteral("evidence: ") + note);
    printOut(QStringLiteral("wrote %1 tracklets to %2 (%3 files, %4 MB) in %5 s")
                 .arg(result.items)
                 .arg(result.outDir)
                 .arg(result.files)
                 .arg(result.bytes / 1e6, 0, 'f', 1)
                 .arg(result.seconds, 0, 'f', 1));
    printOut(QStringLiteral("manifest.json SHA-256: %1").arg(result.manifestSha256));
}

} // namespace

int runEvidence(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Export a case: the chosen tracklets with their crops, source frames, facts and scores as "
        "report.html, "
        "report.pdf, results.csv and results.json, with manifest.json listing every file's SHA-256. The "
        "gallery is only read. Each tracklet carries its review decision (verdict, label, note) on the query, "
        "or without a query the newest on any query (the note names that query)."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("out"),
        QStringLiteral("Folder to create for the export (new or empty)."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("tracklets"),
        QStringLiteral("Tracklet ids to export, in order, e.g. 12,40,7."), QStringLiteral("IDS") });
    parser.addOption({ QStringLiteral("query"), QStringLiteral("Export the top results of this description (with --confirmed: the tracklets "
                                                   "confirmed for it)."),
        QStringLiteral("TEXT") });
    parser.addOption({ QStringLiteral("top"), QStringLiteral("With --query: how many results (default 10)."),
        QStringLiteral("N"), QStringLiteral("10") });
    parser.addOption({ QStringLiteral("person"),
        QStringLiteral("Export every appearance of these people (identity ids, e.g. 3,12; see 'descry-cli identities'), "
                       "person by person in footage order."),
        QStringLiteral("IDS") });
    parser.addOption({ QStringLiteral("with-appearances"),
        QStringLiteral("With --tracklets, --query or --confirmed: add every other appearance of the people those "
                       "tracklets belong to (all appearances of a confirmed person).") });
    parser.addOption({ QStringLiteral("confirmed"),
        QStringLiteral("Export the tracklets whose latest review on --query (or on any query) confirmed them, "
                       "scored and explained against the query they were confirmed for.") });
    addModelOptions(parser);
    parser.addOption(
        { QStringLiteral("case"), QStringLiteral("Case title for the reports."), QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("case-number"), QStringLiteral("Case or reference number."),
        QStringLiteral("NUMBER") });
    parser.addOption(
        { QStringLiteral("author"), QStringLiteral("Who made the export."), QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("overwrite"), QStringLiteral("Replace an earlier export in --out.") });
    parser.addOption({ QStringLiteral("no-verify"),
        QStringLiteral("Do not hash the source videos against the gallery before taking frames (faster).") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print what was written as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("evidence") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const bool byIds = parser.isSet(QStringLiteral("tracklets"));
    const bool byQuery = parser.isSet(QStringLiteral("query"));
    const bool byConfirmed = parser.isSet(QStringLiteral("confirmed"));
    const bool byPerson = parser.isSet(QStringLiteral("person"));
    std::vector<int64_t> ids, people;
    QString usage;
    if (!parser.isSet(QStringLiteral("out")))
        usage = QStringLiteral("give the folder to export into (--out DIR)");
    else if (int(byIds) + int(byQuery || byConfirmed) + int(byPerson) != 1)
        usage = QStringLiteral("give either --tracklets IDS, --query TEXT, --confirmed [--query TEXT] or --person IDS");
    else if (byPerson && !parseTrackletIds(parser.value(QStringLiteral("person")), &people))
        usage = QStringLiteral("--person takes identity ids separated by commas, e.g. 3,12");
    else if (byPerson && parser.isSet(QStringLiteral("with-appearances")))
        usage = QStringLiteral("--person exports every appearance already; leave out --with-appearances");
    else if (byConfirmed && parser.isSet(QStringLiteral("top")))
        usage = QStringLiteral("--confirmed exports every confirmed tracklet; leave out --top");
    else if (byIds && !parseTrackletIds(parser.value(QStringLiteral("tracklets")), &ids))
        usage = QStringLiteral("--tracklets takes ids separated by commas, e.g. 12,40,7");
    else if (byQuery && !byConfirmed && parser.value(QStringLiteral("top")).toInt() <= 0)
        usage = QStringLiteral("--top takes a positive number");
    if (!usage.isEmpty()) {
        printErr(QStringLiteral("evidence: %1\n\n%2").arg(usage, parser.helpText()));
        return 2;
    }

    CaseExportRequest request;
    request.galleryPath = galleryPath(parser);
    request.outDir = parser.value(QStringLiteral("out"));
    request.caseTitle = parser.value(QStringLiteral("case"));
    request.caseNumber = parser.value(QStringLiteral("case-number"));
    request.author = parser.value(QStringLiteral("author"));
    request.query = parser.value(QStringLiteral("query")).simplified();
    request.overwrite = parser.isSet(QStringLiteral("overwrite"));
    request.verifySources = !parser.isSet(QStringLiteral("no-verify"));
    QString error;
    if (!CaseExporter::checkGallery(request.galleryPath, &error)) {
        printErr(QStringLiteral("evidence: ") + error);
        return 1;
    }
    if (!gatherItems(parser, ids, people, &request))
        return 1;

    CaseExportResult result;
    const bool ok = CaseExporter::exportCase(request, &result, &error, [](int done, int total) {
        printProgress(
            QStringLiteral("evidence: %1 of %2 tracklets").arg(std::min(done, total - 1)).arg(total - 1),
            done == total);
    });
    if (!ok) {
        printErr(QStringLiteral("evidence: ") + error);
        return 1;
    }
    printResult(result, parser.isSet(QStringLiteral("json")));
    return 0;
}

} // namespace descry::cli
