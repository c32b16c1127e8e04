#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace descry::cli {

namespace {

QJsonObject toJson(const SearchResult &r, Gallery &gallery)
{
    QJsonArray detections;
    for (const DetectionRecord &d : gallery.detections(r.tracklet.id))
        detections.append(QJsonObject { { QStringLiteral("frame"), qint64(d.frame) },
            { QStringLiteral("box"), QJsonArray { d.box.x, d.box.y, d.box.w, d.box.h } } });
    return { { QStringLiteral("tracklet_id"), qint64(r.tracklet.id) }, { QStringLiteral("score"), r.score },
        { QStringLiteral("source"), r.tracklet.sourcePath },
        { QStringLiteral("camera"), r.tracklet.cameraLabel },
        { QStringLiteral("start_time"), r.tracklet.startTime },
        { QStringLiteral("end_time"), r.tracklet.endTime },
        { QStringLiteral("matched"), QJsonArray::fromStringList(r.matched) },
        { QStringLiteral("detections"), detections } };
}

QString formatTime(double seconds)
{
    const int ms = int(seconds * 1000 + 0.5);
    return QStringLiteral("%1:%2.%3")
        .arg(ms / 60000, 2, 10, QLatin1Char('0'))
        .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
        .arg(ms % 1000 / 100);
}

} // namespace

int runSearch(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Rank the gallery's person tracklets for a typed description."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("top"), QStringLiteral("How many results (default 20)."),
        QStringLiteral("K"), QStringLiteral("20") });
    parser.addOption({ QStringLiteral("source"), QStringLiteral("Only tracklets of this source id."),
        QStringLiteral("ID") });
    addModelOptions(parser);
    parser.addOption({ QStringLiteral("rvn"), QStringLiteral("Re-rank by visual neighbours (NAFS RVN).") });
    parser.addOption({ QStringLiteral("attribute-weight"),
        QStringLiteral("Weight of the attribute agreement in the model's score (default 0.5)."), QStringLiteral("W"),
        QStringLiteral("0.5") });
    parser.addOption({ QStringLiteral("attribute-filter"),
        QStringLiteral("Drop results whose attributes agree with the query less than X (0..1)."), QStringLiteral("X") });
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
    const QString path = galleryPath(parser);
    if (!QFileInfo::exists(path)) {
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
    SearchRequest request;
    request.text = parser.positionalArguments().constFirst();
    request.topK = parser.value(QStringLiteral("top")).toInt();
    request.sourceId = parser.value(QStringLiteral("source")).toLongLong();
    request.rerankNeighbours = parser.isSet(QStringLiteral("rvn"));
    request.minAttributeScore = parser.value(QStringLiteral("attribute-filter")).toFloat();
    request.attributeWeight = parser.value(QStringLiteral("attribute-weight")).toFloat();
    const std::unique_ptr<TextPersonModel> model = loadModelOption(parser, QStringLiteral("search"));
    SearchEngine engine(gallery, model.get());
    const SearchResponse response = engine.search(request);
    for (const QString &note : response.notes)
        printErr(QStringLiteral("search: ") + note);
    gallery.addQuery(request.text, int(response.results.size()), response.elapsedMs);

    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray results;
        for (const SearchResult &r : response.results)
            results.append(toJson(r, gallery));
        const QJsonObject out { { QStringLiteral("query"), request.text },
            { QStringLiteral("understood"), QJsonArray::fromStringList(response.understood) },
            { QStringLiteral("unknown_words"), QJsonArray::fromStringList(response.unknownWords) },
            { QStringLiteral("elapsed_ms"), response.elapsedMs }, { QStringLiteral("ranking"), response.ranking },
            { QStringLiteral("results"), results } };
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
        return 0;
    }
    printOut(QStringLiteral("query: %1").arg(request.text));
    printOut(QStringLiteral("understood: %1")
                 .arg(response.understood.isEmpty() ? QStringLiteral("nothing")
                                                    : response.understood.join(QStringLiteral("; "))));
    if (!response.unknownWords.isEmpty())
        printOut(QStringLiteral("not understood: %1").arg(response.unknownWords.join(QStringLiteral(", "))));
    printOut(QStringLiteral("ranked by: %1").arg(response.ranking));
    int rank = 0;
    for (const SearchResult &r : response.results)
        printOut(QStringLiteral("%1. tracklet %2  score %3  %4 %5-%6  %7")
                     .arg(++rank, 3)
                     .arg(r.tracklet.id)
                     .arg(r.score, 0, 'f', 3)
                     .arg(QFileInfo(r.tracklet.sourcePath).fileName(), formatTime(r.tracklet.startTime),
                         formatTime(r.tracklet.endTime), r.matched.join(QStringLiteral(", "))));
    printOut(QStringLiteral("%1 results of %2 tracklets in %3 ms")
                 .arg(response.results.size())
                 .arg(response.galleryTracklets)
                 .arg(response.elapsedMs, 0, 'f', 1));
    return 0;
}

} // namespace descry::cli
