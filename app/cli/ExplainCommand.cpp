#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "GalleryLocation.h"
#include "HeatmapRenderer.h"
#include "MatchExplanation.h"
#include "SearchCliSupport.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QImage>
#include <QJsonDocument>
#include <QSaveFile>

namespace descry::cli {

int runExplain(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Show why a tracklet matches a description: the model's cross-scale attention (which words looked at which "
        "body stripes) and the score split by image scale, drawn on the tracklet's best crop."));
    addGalleryOption(parser);
    addModelOptions(parser);
    parser.addOption({ QStringLiteral("out"), QStringLiteral("Write the picture to FILE (.png)."), QStringLiteral("FILE") });
    addAttributeWeightOption(parser);
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the attention and scores as JSON on stdout.") });
    parser.addPositionalArgument(QStringLiteral("tracklet"), QStringLiteral("Tracklet id (from search)."));
    parser.addPositionalArgument(QStringLiteral("text"), QStringLiteral("The description, in quotes."));
    if (!parseArgs(parser, QStringList { QStringLiteral("explain") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QStringList positional = parser.positionalArguments();
    bool idOk = false;
    const qint64 trackletId = positional.value(0).toLongLong(&idOk);
    if (positional.size() != 2 || !idOk) {
        printErr(QStringLiteral("explain: give a tracklet id and the description in quotes\n\n") + parser.helpText());
        return 2;
    }
    if (!parser.isSet(QStringLiteral("out")) && !parser.isSet(QStringLiteral("json"))) {
        printErr(QStringLiteral("explain: say where the picture goes (--out FILE.png) or ask for --json"));
        return 2;
    }
    const QString path = galleryPath(parser);
    Gallery gallery;
    if (!galleryExists(path) || !gallery.open(path)) {
        printErr(QStringLiteral("explain: cannot open the gallery %1: %2")
                     .arg(GalleryLocation::displayName(path), galleryExists(path) ? gallery.lastError() : QStringLiteral("no such file")));
        return 1;
    }
    const std::optional<TrackletRecord> tracklet = gallery.tracklet(trackletId);
    if (!tracklet) {
        printErr(QStringLiteral("explain: the gallery has no tracklet %1 (ids are in 'descry-cli search' output)").arg(trackletId));
        return 1;
    }
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("explain"));
    if (!model)
        return 1;
    SearchEngine engine(gallery, model.get());
    SearchRequest request;
    request.text = positional.at(1);
    QString error;
    if (!readAttributeWeight(parser, &request.attributeWeight, &error)) {
        printErr(QStringLiteral("explain: ") + error);
        return 2;
    }
    MatchExplanation explanation;
    if (!engine.explain(request, trackletId, &explanation, &error)) {
        printErr(QStringLiteral("explain: ") + error);
        return 1;
    }
    if (parser.isSet(QStringLiteral("out"))) {
        const QImage crop = QImage::fromData(gallery.cropImage(tracklet->bestCropId));
        if (crop.isNull())
            printErr(QStringLiteral("explain: tracklet %1 has no stored crop; drawing the stripes without it").arg(trackletId));
        const QString out = parser.value(QStringLiteral("out"));
        QSaveFile file(out);
        if (!file.open(QIODevice::WriteOnly) || !HeatmapRenderer::sheet(crop, explanation, gallery.bestCropBody(trackletId)).save(&file, "PNG")
            || !file.commit()) {
            printErr(QStringLiteral("explain: cannot write %1: %2").arg(out, file.errorString()));
            return 1;
        }
        if (!parser.isSet(QStringLiteral("json")))
            printOut(QStringLiteral("wrote %1 (tracklet %2, score %3)").arg(out).arg(trackletId).arg(explanation.score, 0, 'f', 3));
    }
    if (parser.isSet(QStringLiteral("json")))
        printOut(QString::fromUtf8(QJsonDocument(explanation.toJson()).toJson(QJsonDocument::Indented)));
    return 0;
}

} // namespace descry::cli
