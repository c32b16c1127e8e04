#include "CaseExporter.h"
#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "HeatmapRenderer.h"
#include "MatchExplanation.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

// The top results of the query, ranked as `descry-cli search` ranks them. Nothing is written to
// the gallery (search adds the query to its history; an export does not).
bool searchItems(const QCommandLineParser &parser, const QString &galleryPath, CaseExportRequest *request)
{
    Gallery gallery;
    if (!gallery.open(galleryPath)) {
        printErr(QStringLiteral("evidence: ") + gallery.lastError());
        return false;
    }
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("evidence"));
    SearchEngine engine(gallery, model.get());
    SearchRequest search;
    search.text = request->query;
    search.topK = parser.value(QStringLiteral("top")).toInt();
    const SearchResponse response = engine.search(search);
    for (const QString &note : response.notes)
        printErr(QStringLiteral("evidence: ") + note);
    request->ranking = response.ranking;
    int rank = 0;
    for (const SearchResult &result : response.results) {
        CaseExportItem item = CaseExportItem::fromSearchResult(result, ++rank);
        // Why it matched: the model's cross-scale attention, as `descry-cli explain` draws it.
        MatchExplanation explanation;
        QString error;
        if (model && engine.explain(search, result.tracklet.id, &explanation, &error))
            item.heatmap = HeatmapRenderer::sheet(QImage::fromData(gallery.cropImage(result.tracklet.bestCropId)), explanation);
        request->items.push_back(item);
    }
    if (request->items.empty()) {
        printErr(
            QStringLiteral("evidence: no tracklet matches \"%1\"; nothing exported").arg(request->query));
        return false;
    }
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
        "gallery is only read."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("out"),
        QStringLiteral("Folder to create for the export (new or empty)."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("tracklets"),
        QStringLiteral("Tracklet ids to export, in order, e.g. 12,40,7."), QStringLiteral("IDS") });
    parser.addOption({ QStringLiteral("query"), QStringLiteral("Export the top results of this description."),
        QStringLiteral("TEXT") });
    parser.addOption({ QStringLiteral("top"), QStringLiteral("With --query: how many results (default 10)."),
        QStringLiteral("N"), QStringLiteral("10") });
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
    std::vector<int64_t> ids;
    QString usage;
    if (!parser.isSet(QStringLiteral("out")))
        usage = QStringLiteral("give the folder to export into (--out DIR)");
    else if (byIds == byQuery)
        usage = QStringLiteral("give either --tracklets IDS or --query TEXT");
    else if (byIds && !parseTrackletIds(parser.value(QStringLiteral("tracklets")), &ids))
        usage = QStringLiteral("--tracklets takes ids separated by commas, e.g. 12,40,7");
    else if (byQuery && parser.value(QStringLiteral("top")).toInt() <= 0)
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
    request.query = parser.value(QStringLiteral("query"));
    request.overwrite = parser.isSet(QStringLiteral("overwrite"));
    request.verifySources = !parser.isSet(QStringLiteral("no-verify"));
    QString error;
    if (!CaseExporter::checkGallery(request.galleryPath, &error)) {
        printErr(QStringLiteral("evidence: ") + error);
        return 1;
    }
    for (const int64_t id : ids) {
        CaseExportItem item;
        item.trackletId = id;
        request.items.push_back(item);
    }
    if (byQuery && !searchItems(parser, request.galleryPath, &request))
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
