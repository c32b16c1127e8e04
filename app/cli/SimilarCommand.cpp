#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "SearchCliSupport.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QFile>
#include <QJsonDocument>

namespace descry::cli {

int runSimilar(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Find similar: rank the gallery's tracklets, across sources, by how much they look like a tracklet "
        "(its stored "
        "visual feature) or like a person image (--image): the model's global visual features plus the "
        "colour-stripe agreement."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("image"),
        QStringLiteral("Probe with this picture of one person instead of a tracklet."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("top"), QStringLiteral("How many results (default 20)."),
        QStringLiteral("N"), QStringLiteral("20") });
    addFilterOptions(parser);
    addModelOptions(parser);
    parser.addOption({ QStringLiteral("rvn"),
        QStringLiteral("Re-rank by visual neighbours (RVN, l = 3, over the best 100).") });
    parser.addOption({ QStringLiteral("colour-weight"),
        QStringLiteral("Weight of the colour-stripe agreement beside the model's cosine (default %1; 0: the model alone).")
            .arg(SimilarRequest::kColourWeight),
        QStringLiteral("W"), QString::number(SimilarRequest::kColourWeight) });
    parser.addOption({ QStringLiteral("attention"),
        QStringLiteral("NFormer's reciprocal neighbour attention over the probe and the best 100: K:TEMPERATURE, or off "
                       "(default %1:%2).")
            .arg(SimilarRequest::kAttentionNeighbours)
            .arg(SimilarRequest::kAttentionTemperature),
        QStringLiteral("K:T") });
    parser.addOption({ QStringLiteral("json"),
        QStringLiteral("Print the results as JSON on stdout (as search --json).") });
    parser.addPositionalArgument(QStringLiteral("tracklet"),
        QStringLiteral("The probe tracklet's id (not with --image)."), QStringLiteral("[TRACKLET]"));
    if (!parseArgs(parser, QStringList { QStringLiteral("similar") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QStringList positional = parser.positionalArguments();
    const bool byImage = parser.isSet(QStringLiteral("image"));
    if (positional.size() != (byImage ? 0 : 1)) {
        printErr(
            QStringLiteral("similar: give one probe, a tracklet id or --image FILE\n\n") + parser.helpText());
        return 2;
    }
    SimilarRequest request;
    QString error;
    SearchFilters &filters = request;
    if (!readFilterOptions(parser, &filters, &error)) {
        printErr(QStringLiteral("similar: ") + error);
        return 2;
    }
    bool ok = false;
    request.topK = parser.value(QStringLiteral("top")).toInt(&ok);
    if (!ok || request.topK < 1) {
        printErr(QStringLiteral("similar: --top must be a positive integer"));
        return 2;
    }
    request.rerankNeighbours = parser.isSet(QStringLiteral("rvn"));
    request.colourWeight = parser.value(QStringLiteral("colour-weight")).toDouble(&ok);
    if (!ok || request.colourWeight < 0) {
        printErr(QStringLiteral("similar: --colour-weight must be a number >= 0"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("attention"))
        && !parseNeighbourAttention(parser.value(QStringLiteral("attention")), &request.attentionNeighbours,
            &request.attentionTemperature)) {
        printErr(QStringLiteral("similar: --attention takes K:TEMPERATURE, e.g. 5:0.2, or off"));
        return 2;
    }
    if (byImage) {
        QFile file(parser.value(QStringLiteral("image")));
        if (!file.open(QIODevice::ReadOnly)) {
            printErr(QStringLiteral("similar: cannot read %1: %2").arg(file.fileName(), file.errorString()));
            return 1;
        }
        request.imageData = file.readAll();
    } else {
        request.trackletId = positional.constFirst().toLongLong(&ok);
        if (!ok || request.trackletId <= 0) {
            printErr(
                QStringLiteral("similar: '%1' is not a tracklet id (a positive integer, as search prints it)")
                    .arg(positional.constFirst()));
            return 2;
        }
    }
    const QString path = galleryPath(parser);
    if (!galleryExists(path)) {
        printErr(QStringLiteral(
            "similar: no gallery at %1; ingest footage first (descry-cli ingest PATH --gallery %1)")
                     .arg(path));
        return 1;
    }
    Gallery gallery;
    if (!gallery.open(path)) {
        printErr(QStringLiteral("similar: ") + gallery.lastError());
        return 1;
    }
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("similar"));
    SearchEngine engine(gallery, model.get());
    SearchResponse response;
    if (!engine.similar(request, &response, &error)) {
        printErr(QStringLiteral("similar: ") + error);
        return 1;
    }
    for (const QString &note : response.notes)
        printErr(QStringLiteral("similar: ") + note);
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(
            QJsonDocument(responseJson(response, gallery)).toJson(QJsonDocument::Indented)));
        return 0;
    }
    printOut(
        QStringLiteral("probe: %1").arg(byImage ? parser.value(QStringLiteral("image")) : response.text));
    printOut(QStringLiteral("ranked by: %1").arg(response.ranking));
    printResults(response);
    return 0;
}

} // namespace descry::cli
