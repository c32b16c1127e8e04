#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "GalleryLocation.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <opencv2/core/version.hpp>

namespace descry::cli {

int runInfo(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("What the gallery holds and what this build of Descry can do."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("info") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;

    QJsonObject build { { QStringLiteral("version"), QStringLiteral(DESCRY_VERSION) },
        { QStringLiteral("qt"), QString::fromLatin1(qVersion()) },
        { QStringLiteral("opencv"), QStringLiteral(CV_VERSION) },
        { QStringLiteral("schema"), Gallery::latestSchemaVersion() },
        { QStringLiteral("cpu_threads"), QThread::idealThreadCount() },
        { QStringLiteral("detectors"),
            QJsonArray {
                QStringLiteral("background (built in)"), QStringLiteral("onnx (--detector FILE.onnx)") } } };
    QJsonObject out { { QStringLiteral("build"), build } };
    // The text-to-person model ingest and search would use.
    QJsonObject modelInfo { { QStringLiteral("path"), TextPersonModel::defaultModelPath() } };
    std::unique_ptr<TextPersonModel> model;
    if (!TextPersonModel::defaultModelPath().isEmpty()) {
        QString error;
        model = TextPersonModel::load(TextPersonModel::defaultModelPath(), &error);
        if (model) {
            modelInfo.insert(QStringLiteral("id"), model->id());
            modelInfo.insert(QStringLiteral("device"), model->device());
            modelInfo.insert(QStringLiteral("weights_check"), model->weightsCheck());
            modelInfo.insert(QStringLiteral("tensors_sha256"), model->weightsDigest());
        } else {
            modelInfo.insert(QStringLiteral("error"), error);
        }
    }
    out.insert(QStringLiteral("model"), modelInfo);
    const QString path = galleryPath(parser);
    QJsonObject galleryInfo { { QStringLiteral("path"), GalleryLocation::displayName(path) },
        { QStringLiteral("exists"), galleryExists(path) } };
    if (galleryExists(path)) {
        Gallery gallery;
        if (!gallery.open(path)) {
            printErr(QStringLiteral("info: ") + gallery.lastError());
            return 1;
        }
        QJsonArray sources;
        double footage = 0;
        for (const SourceRecord &s : gallery.sources()) {
            footage += s.duration;
            sources.append(QJsonObject { { QStringLiteral("id"), qint64(s.id) },
                { QStringLiteral("path"), s.path }, { QStringLiteral("camera"), s.cameraLabel },
                { QStringLiteral("status"), sourceStatusKey(s.status) },
                { QStringLiteral("duration"), s.duration }, { QStringLiteral("fps"), s.fps },
                { QStringLiteral("size"), QStringLiteral("%1x%2").arg(s.width).arg(s.height) },
                { QStringLiteral("tracklets"), qint64(gallery.trackletCount(s.id)) },
                { QStringLiteral("error"), s.error } });
        }
        galleryInfo.insert(QStringLiteral("schema"), gallery.schemaVersion());
        galleryInfo.insert(QStringLiteral("read_only"), gallery.isReadOnly());
        galleryInfo.insert(QStringLiteral("sources"), sources);
        galleryInfo.insert(QStringLiteral("tracklets"), qint64(gallery.trackletCount()));
        galleryInfo.insert(QStringLiteral("footage_seconds"), footage);
        if (model)
            galleryInfo.insert(QStringLiteral("embedded_tracklets"),
                qint64(gallery.embeddingCount(model->id(), TrackletEmbedder::GlobalKind)));
    }
    out.insert(QStringLiteral("gallery"), galleryInfo);
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
        return 0;
    }
    printOut(QStringLiteral("Descry %1 (Qt %2, OpenCV %3, gallery schema %4, %5 CPU threads)")
                 .arg(build[QStringLiteral("version")].toString(), build[QStringLiteral("qt")].toString(),
                     build[QStringLiteral("opencv")].toString())
                 .arg(Gallery::latestSchemaVersion())
                 .arg(QThread::idealThreadCount()));
    printOut(QStringLiteral("model: %1").arg(model ? QStringLiteral("%1 on %2 (%3)").arg(model->id(), model->device(), modelInfo[QStringLiteral("path")].toString())
                                                : modelInfo.contains(QStringLiteral("error")) ? modelInfo[QStringLiteral("error")].toString()
                                                                                                : QStringLiteral("none found; search ranks by attributes")));
    if (model)
        printOut(QStringLiteral("  weights: %1").arg(model->weightsCheck()));
    printOut(QStringLiteral("gallery: %1%2")
                 .arg(GalleryLocation::displayName(path),
                     !galleryExists(path)                             ? QStringLiteral(" (not created yet)")
                         : galleryInfo[QStringLiteral("read_only")].toBool() ? QStringLiteral(" (read only)")
                                                                            : QString()));
    if (!galleryInfo.contains(QStringLiteral("sources")))
        return 0;
    printOut(QStringLiteral("  %1 tracklets from %2 sources, %3 s of footage")
                 .arg(galleryInfo[QStringLiteral("tracklets")].toInteger())
                 .arg(galleryInfo[QStringLiteral("sources")].toArray().size())
                 .arg(galleryInfo[QStringLiteral("footage_seconds")].toDouble(), 0, 'f', 1));
    if (galleryInfo.contains(QStringLiteral("embedded_tracklets")))
        printOut(QStringLiteral("  %1 of them have embeddings of the model%2")
                     .arg(galleryInfo[QStringLiteral("embedded_tracklets")].toInteger())
                     .arg(galleryInfo[QStringLiteral("embedded_tracklets")].toInteger() < galleryInfo[QStringLiteral("tracklets")].toInteger()
                             ? QStringLiteral(" (run 'descry-cli reindex' for the rest)")
                             : QString()));
    for (const auto &v : galleryInfo[QStringLiteral("sources")].toArray()) {
        const QJsonObject s = v.toObject();
        printOut(QStringLiteral("  [%1] %2  %3  %4 s  %5 tracklets  %6")
                     .arg(s[QStringLiteral("id")].toInteger())
                     .arg(s[QStringLiteral("status")].toString(), s[QStringLiteral("camera")].toString())
                     .arg(s[QStringLiteral("duration")].toDouble(), 0, 'f', 1)
                     .arg(s[QStringLiteral("tracklets")].toInteger())
                     .arg(s[QStringLiteral("path")].toString()));
    }
    return 0;
}

} // namespace descry::cli
