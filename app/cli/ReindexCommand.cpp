#include "AttributeRefresh.h"
#include "Cli.h"
#include "CliSupport.h"
#include "GalleryLocation.h"
#include "ReindexJob.h"
#include "SearchCliSupport.h"
#include "TextPersonModel.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

namespace descry::cli {

namespace {

// reindex --attributes: re-measures every tracklet's attributes; false (reported) on failure.
bool refreshAttributes(const QString &gallery, QJsonObject *json)
{
    QElapsedTimer clock;
    clock.start();
    const auto progress = [&clock](int64_t done, int64_t total) {
        const double seconds = double(clock.elapsed()) / 1000.0;
        const double rate = seconds > 0 ? double(done) / seconds : 0;
        printProgress(QStringLiteral("attributes %1/%2 tracklets %3% eta %4")
                          .arg(done)
                          .arg(total)
                          .arg(total > 0 ? int(100 * done / total) : 100)
                          .arg(formatEta(rate > 0 ? double(total - done) / rate : -1)),
            done == total);
    };
    const AttributeRefreshSummary a = AttributeRefresh::run(gallery, progress);
    if (!a.ok) {
        printErr(QStringLiteral("reindex: attributes: %1").arg(a.error));
        return false;
    }
    printErr(QStringLiteral("attributes of %1 tracklets measured again in %2 s (%3 without a usable crop kept "
                            "theirs)")
                 .arg(a.remeasured)
                 .arg(a.seconds, 0, 'f', 1)
                 .arg(a.withoutCrops));
    *json = { { QStringLiteral("remeasured"), qint64(a.remeasured) },
        { QStringLiteral("without_crops"), qint64(a.withoutCrops) }, { QStringLiteral("seconds"), a.seconds } };
    return true;
}

} // namespace

int runReindex(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Compute the text-to-person embeddings a model is missing for the gallery's "
                       "tracklets (ingested without a model or with another one). Resumable: run it "
                       "again after an interruption. Embeddings of other models are kept."));
    addGalleryOption(parser);
    const QString defaultModel = TextPersonModel::defaultModelPath();
    parser.addOption({ QStringLiteral("model"),
        QStringLiteral("Text-to-person model, config .json or TorchScript .ts (default: %1).")
            .arg(defaultModel.isEmpty() ? QStringLiteral("none found") : defaultModel),
        QStringLiteral("PATH") });
    parser.addOption(
        { QStringLiteral("batch"), QStringLiteral("Tracklets embedded and stored at a time (default 128)."),
            QStringLiteral("N"), QStringLiteral("128") });
    parser.addOption({ QStringLiteral("attributes"),
        QStringLiteral("First measure every tracklet's attributes again from its stored crops (a gallery "
                       "ingested by an older Descry gains the attributes measured since, e.g. garment "
                       "patterns).") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the summary as JSON on stdout.") });
    QCommandLineOption stopAfter(QStringLiteral("stop-after"),
        QStringLiteral("Testing: stop as if killed once N tracklets were embedded."), QStringLiteral("N"));
    stopAfter.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(stopAfter);
    if (!parseArgs(parser, QStringList { QStringLiteral("reindex") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;

    ReindexOptions options;
    options.modelPath
        = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model")) : defaultModel;
    bool ok = false;
    options.batchTracklets = parser.value(QStringLiteral("batch")).toInt(&ok);
    if (!ok || options.batchTracklets < 1) {
        printErr(QStringLiteral("reindex: --batch must be a positive number"));
        return 2;
    }
    if (parser.isSet(stopAfter))
        options.stopAfterTracklets = parser.value(stopAfter).toInt();
    if (options.modelPath.isEmpty()) {
        printErr(
            QStringLiteral("reindex: no text-to-person model found (looked for models/descry-nafs-p.json, descry-nafs-s.json "
                           "and $DESCRY_MODEL); pass --model PATH"));
        return 1;
    }
    const QString gallery = galleryPath(parser);
    if (!galleryExists(gallery)) {
        printErr(QStringLiteral("reindex: no gallery at %1; ingest footage first").arg(gallery));
        return 1;
    }

    QJsonObject attributes;
    if (parser.isSet(QStringLiteral("attributes")) && !refreshAttributes(gallery, &attributes))
        return 1;

    ReindexJob job(gallery, options);
    QObject::connect(&job, &ReindexJob::modelLoaded, [](const QString &modelId, const QString &device) {
        printProgress(QStringLiteral("text-to-person model %1 on %2").arg(modelId, device), true);
    });
    QObject::connect(&job, &ReindexJob::progress, [](const ReindexProgress &p) {
        const int percent = p.total > 0 ? int(100 * p.done / p.total) : 100;
        printProgress(QStringLiteral("reindex %1/%2 tracklets %3% eta %4 (%5 tracklets/s)")
                          .arg(p.done)
                          .arg(p.total)
                          .arg(percent)
                          .arg(formatEta(p.etaSeconds))
                          .arg(p.trackletsPerSecond, 0, 'f', 1),
            p.done == p.total);
    });
    const ReindexSummary s = job.run();
    if (!s.ok) {
        printErr(QStringLiteral("reindex: %1").arg(s.error));
        return 1;
    }
    if (!s.cancelled)
        updateCoarseIndex(gallery, s.modelId, options.modelPath);
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject out { { QStringLiteral("gallery"), GalleryLocation::displayName(gallery) },
            { QStringLiteral("model"), s.modelId }, { QStringLiteral("device"), s.device },
            { QStringLiteral("tracklets"), qint64(s.tracklets) },
            { QStringLiteral("already_embedded"), qint64(s.alreadyEmbedded) },
            { QStringLiteral("embedded"), qint64(s.embedded) },
            { QStringLiteral("without_crops"), qint64(s.withoutCrops) },
            { QStringLiteral("seconds"), s.seconds }, { QStringLiteral("stopped"), s.cancelled } };
        if (!attributes.isEmpty())
            out.insert(QStringLiteral("attributes"), attributes);
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
    } else {
        printOut(
            QStringLiteral("gallery %1, model %2: %3 tracklets embedded in %4 s, %5 already had them, %6 "
                           "without a usable crop%7; embeddings of other models kept")
                .arg(GalleryLocation::displayName(gallery), s.modelId)
                .arg(s.embedded)
                .arg(s.seconds, 0, 'f', 1)
                .arg(s.alreadyEmbedded)
                .arg(s.withoutCrops)
                .arg(s.cancelled ? QStringLiteral(" (stopped early: run again to continue)") : QString()));
    }
    return s.cancelled ? 3 : 0;
}

} // namespace descry::cli
