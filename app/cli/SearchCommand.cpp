#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "GalleryIntegrity.h"
#include "SearchCliSupport.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QJsonDocument>

namespace descry::cli {

int runSearch(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Rank the gallery's person tracklets for a typed description. With a calibrated model, results "
                       "below the relevance cut-off are hidden (counted at the end); --all shows them."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("top"), QStringLiteral("How many results (default 20)."),
        QStringLiteral("K"), QStringLiteral("20") });
    addFilterOptions(parser);
    addModelOptions(parser);
    parser.addOption({ QStringLiteral("rvn"), QStringLiteral("Re-rank by visual neighbours (NAFS RVN).") });
    addAttributeWeightOption(parser);
    parser.addOption({ QStringLiteral("attribute-filter"),
        QStringLiteral("Drop results whose attributes agree with the query less than X (0..1)."), QStringLiteral("X") });
    parser.addOption({ QStringLiteral("min-confidence"),
        QStringLiteral("Hide results whose calibrated confidence is below X (0..1; default: the model's calibrated "
                       "cut-off)."),
        QStringLiteral("X") });
    parser.addOption({ QStringLiteral("all"), QStringLiteral("No relevance cut-off: show every result up to --top.") });
    parser.addOption(
        { QStringLiteral("json"), QStringLiteral("Print {\"results\": [...]} as JSON on stdout.") });
    parser.addPositionalArgument(
        QStringLiteral("text"), QStringLiteral("The description, e.g. \"a woman in a red coat\"."));
    if (!parseArgs(parser, QStringList { QStringLiteral("search") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (parser.positionalArguments().size() != 1) {
        printErr(QStringLiteral("search: give the description as one argument, in quotes\n\n")
            + parser.helpText());
        return 2;
    }
    SearchRequest request;
    QString error;
    SearchFilters &filters = request;
    if (!readFilterOptions(parser, &filters, &error)) {
        printErr(QStringLiteral("search: ") + error);
        return 2;
    }
    request.text = parser.positionalArguments().constFirst();
    if (request.text.trimmed().isEmpty() && request.identityIds.empty()) {
        printErr(QStringLiteral("search: type a description, e.g. descry-cli search \"a woman in a red coat\" (an empty "
                                "one matches nobody in particular; with --person IDS it lists those people's appearances)"));
        return 2;
    }
    request.topK = parser.value(QStringLiteral("top")).toInt();
    request.rerankNeighbours = parser.isSet(QStringLiteral("rvn"));
    request.minAttributeScore = parser.value(QStringLiteral("attribute-filter")).toFloat();
    if (!readAttributeWeight(parser, &request.attributeWeight, &error)) {
        printErr(QStringLiteral("search: ") + error);
        return 2;
    }
    if (parser.isSet(QStringLiteral("min-confidence"))) {
        bool ok = false;
        request.minConfidence = parser.value(QStringLiteral("min-confidence")).toFloat(&ok);
        if (!ok || request.minConfidence < 0 || request.minConfidence > 1) {
            printErr(QStringLiteral("search: --min-confidence must be a number in [0, 1]"));
            return 2;
        }
    }
    if (parser.isSet(QStringLiteral("all")))
        request.minConfidence = 0;
    const QString path = galleryPath(parser);
    if (!galleryExists(path)) {
        printErr(QStringLiteral(
            "search: no gallery at %1; ingest footage first (descry-cli ingest PATH --gallery %1)")
                     .arg(path));
        return 1;
    }
    Gallery gallery;
    if (!gallery.open(path)) {
        printErr(QStringLiteral("search: ") + gallery.lastError());
        return 1;
    }
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("search"));
    SearchEngine engine(gallery, model.get());
    const SearchResponse response = engine.search(request);
    for (const QString &note : response.notes)
        printErr(QStringLiteral("search: ") + note);
    if (!gallery.damage().isEmpty()) { // the ranking has not seen everyone: no list at all
        printErr(QStringLiteral("search: ") + GalleryIntegrity::damageMessage(path, gallery.damage()));
        return 1;
    }
    if (!gallery.isReadOnly()) // a case archive keeps no history of who looked at it
        gallery.addQuery(request.text, int(response.results.size()), response.elapsedMs);

    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(responseJson(response, gallery)).toJson(QJsonDocument::Indented)));
        return 0;
    }
    printOut(QStringLiteral("query: %1").arg(request.text));
    printOut(QStringLiteral("understood: %1")
                 .arg(response.understood.isEmpty() ? QStringLiteral("nothing")
                                                    : response.understood.join(QStringLiteral("; "))));
    if (!response.unknownWords.isEmpty())
        printOut(QStringLiteral("not understood: %1").arg(response.unknownWords.join(QStringLiteral(", "))));
    printOut(QStringLiteral("ranked by: %1").arg(response.ranking));
    printResults(response);
    return 0;
}

} // namespace descry::cli
