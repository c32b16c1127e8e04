#include "Cli.h"
#include "CliSupport.h"
#include "GalleryLocation.h"
#include "IngestJob.h"
#include "SearchCliSupport.h"
#include "TextPersonModel.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>

namespace descry::cli {

namespace {

QJsonObject toJson(const IngestSourceResult &r)
{
    return { { QStringLiteral("path"), r.path },
        { QStringLiteral("outcome"), IngestJob::outcomeName(r.outcome) },
        { QStringLiteral("source_id"), qint64(r.sourceId) }, { QStringLiteral("tracklets"), r.tracklets },
        { QStringLiteral("seconds"), r.seconds }, { QStringLiteral("footage_seconds"), r.footageSeconds },
        { QStringLiteral("message"), r.message } };
}

} // namespace

int runIngest(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Add video files, photos or folders (searched recursively) to the gallery. "
                       "Interrupted runs resume; files already ingested are skipped (see --reingest)."));
    addGalleryOption(parser);
    addDetectorOption(parser);
    addPoseOption(parser);
    addDetectionThreadsOption(parser);
    addTileOption(parser);
    parser.addOption({ QStringLiteral("fps"),
        QStringLiteral("Frames analysed per second of footage (default: 3.3 with a CNN detector, 10 with "
                       "background)."),
        QStringLiteral("N") });
    parser.addOption({ QStringLiteral("reingest"),
        QStringLiteral("Analyse files already in the gallery again when they were made with another detector "
                       "or settings, replacing their tracklets (refused for files with reviews).") });
    parser.addOption({ QStringLiteral("camera"),
        QStringLiteral("Camera label for these sources (default: file name)."), QStringLiteral("LABEL") });
    parser.addOption({ QStringLiteral("recorded-at"),
        QStringLiteral("When the file's first frame was recorded (one video file only; ISO 8601, UTC unless it says "
                       "otherwise): with camera transit times ('descry-cli cameras') people seen too soon in two "
                       "cameras are kept apart."),
        QStringLiteral("TIME") });
    const QString defaultModel = TextPersonModel::defaultModelPath();
    parser.addOption({ QStringLiteral("model"),
        QStringLiteral("Text-to-person model (config .json or TorchScript .ts) whose embeddings are "
                       "stored with every tracklet (default: %1).")
            .arg(defaultModel.isEmpty() ? QStringLiteral("none found") : defaultModel),
        QStringLiteral("PATH") });
    parser.addOption({ QStringLiteral("no-model"),
        QStringLiteral("Store no embeddings (attribute search only; 'reindex' adds them later).") });
    parser.addOption({ QStringLiteral("worker"),
        QStringLiteral("This ingest's name among the workers that share the gallery (default: host:pid). Workers "
                       "on several machines may ingest one folder into one PostgreSQL gallery: each source is "
                       "claimed by one of them at a time."),
        QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("claim-timeout"),
        QStringLiteral("Seconds without a heartbeat after which another worker's claim on a source is taken over "
                       "(default 60; a stopped process of this machine's is taken over at once)."),
        QStringLiteral("S"), QStringLiteral("60") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the summary as JSON on stdout.") });
    QCommandLineOption stopAfter(QStringLiteral("stop-after"),
        QStringLiteral("Testing: stop as if killed after N frames."), QStringLiteral("N"));
    stopAfter.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(stopAfter);
    QCommandLineOption killAfter(QStringLiteral("kill-after"),
        QStringLiteral("Testing: SIGKILL this process after N frames."), QStringLiteral("N"));
    killAfter.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(killAfter);
    QCommandLineOption checkpointEvery(QStringLiteral("checkpoint-every"),
        QStringLiteral("Analysed frames between checkpoints."), QStringLiteral("N"), QStringLiteral("100"));
    checkpointEvery.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(checkpointEvery);
    parser.addPositionalArgument(
        QStringLiteral("paths"), QStringLiteral("Video files or folders."), QStringLiteral("PATH..."));
    if (!parseArgs(parser, QStringList { QStringLiteral("ingest") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("ingest: name at least one video file or folder\n\n") + parser.helpText());
        return 2;
    }

    IngestOptions options;
    if (!detectorOption(parser, QStringLiteral("ingest"), &options.detector)
        || !poseOption(parser, QStringLiteral("ingest"), &options.pose)
        || !detectionThreadsOption(parser, QStringLiteral("ingest"), &options.detectionThreads)
        || !tileOption(parser, QStringLiteral("ingest"), &options.detector))
        return 2;
    if (parser.isSet(QStringLiteral("fps")))
        options.analysisFps = parser.value(QStringLiteral("fps")).toDouble();
    options.cameraLabel = parser.value(QStringLiteral("camera"));
    if (parser.isSet(QStringLiteral("recorded-at"))) {
        const QStringList paths = parser.positionalArguments();
        if (paths.size() != 1 || !QFileInfo(paths.front()).isFile()) {
            printErr(QStringLiteral("ingest: --recorded-at names one video file's time; give one file (or set times "
                                    "later with 'descry-cli cameras recorded SOURCE TIME')"));
            return 2;
        }
        if (!parseWallClock(parser.value(QStringLiteral("recorded-at")), &options.recordedAt)) {
            printErr(QStringLiteral("ingest: --recorded-at '%1' is not a time: write e.g. 2026-12-01T10:00:00Z")
                         .arg(parser.value(QStringLiteral("recorded-at"))));
            return 2;
        }
    }
    options.reingest = parser.isSet(QStringLiteral("reingest"));
    options.worker = parser.value(QStringLiteral("worker"));
    bool timeoutOk = false;
    options.claimTimeoutSeconds = parser.value(QStringLiteral("claim-timeout")).toDouble(&timeoutOk);
    if (!timeoutOk || options.claimTimeoutSeconds < 1) {
        printErr(QStringLiteral("ingest: --claim-timeout must be a number of seconds, at least 1, not '%1'")
                     .arg(parser.value(QStringLiteral("claim-timeout"))));
        return 2;
    }
    options.checkpointEvery = std::max(1, parser.value(checkpointEvery).toInt());
    if (parser.isSet(stopAfter))
        options.stopAfterFrames = parser.value(stopAfter).toInt();
    if (parser.isSet(killAfter)) {
        options.stopAfterFrames = parser.value(killAfter).toInt();
        options.stopHook = [] { ::raise(SIGKILL); }; // a real kill -9: no cleanup of any kind
    }
    if (parser.isSet(QStringLiteral("fps")) && options.analysisFps <= 0) {
        printErr(QStringLiteral("ingest: --fps must be a positive number"));
        return 2;
    }
    const bool explicitModel = parser.isSet(QStringLiteral("model"));
    if (explicitModel && parser.isSet(QStringLiteral("no-model"))) {
        printErr(QStringLiteral("ingest: --model and --no-model exclude each other"));
        return 2;
    }
    if (!parser.isSet(QStringLiteral("no-model")))
        options.modelPath = explicitModel ? parser.value(QStringLiteral("model")) : defaultModel;
    if (options.modelPath.isEmpty() && !parser.isSet(QStringLiteral("no-model")))
        printProgress(QStringLiteral("no text-to-person model found (looked for models/descry-nafs-p.json and descry-nafs-s.json; "
                                     "pass --model PATH): storing no embeddings, attribute search only"),
            true);

    const QString gallery = galleryPath(parser);
    IngestJob job(gallery, parser.positionalArguments(), options);
    QObject::connect(&job, &IngestJob::problem,
        [](const QString &message) { printProgress(QStringLiteral("problem: ") + message, true); });
    QObject::connect(&job, &IngestJob::modelLoaded, [](const QString &modelId, const QString &device) {
        printProgress(
            QStringLiteral("text-to-person model %1 on %2: embedding every tracklet").arg(modelId, device),
            true);
    });
    QObject::connect(&job, &IngestJob::progress, [](const IngestProgress &p) {
        const QString head = QStringLiteral("[%1/%2] %3 %4 %5%")
                                 .arg(p.sourceIndex + 1)
                                 .arg(p.sourceCount)
                                 .arg(p.stage, p.path.section(QLatin1Char('/'), -1))
                                 .arg(int(p.fraction * 100));
        if (p.stage.startsWith(QLatin1String("waiting"))) {
            printProgress(QStringLiteral("%1 source(s) held by other workers; %2").arg(p.sourceCount).arg(p.stage), true);
            return;
        }
        if (p.stage == QLatin1String("hashing")) {
            printProgress(head);
            return;
        }
        printProgress(head
                + QStringLiteral(" frame %1/%2 eta %3 (%4 fps, %5 tracklets)")
                      .arg(p.framesDone)
                      .arg(p.framesTotal)
                      .arg(formatEta(p.etaSeconds))
                      .arg(p.framesPerSecond, 0, 'f', 1)
                      .arg(p.tracklets),
            p.stage == QLatin1String("done"));
    });
    const IngestSummary summary = job.run();
    if (summary.count(IngestOutcome::Cancelled) == 0)
        updateCoarseIndex(gallery, summary.modelId, options.modelPath);

    const int failed = summary.count(IngestOutcome::Failed);
    // A default model that is missing or broken is reported but is no failure: the footage is in
    // and attribute search works. A model named with --model that does not load is.
    // A default model or pose model that is not installed is said, but is not a failure of the
    // run (the footage is in, searchable by attributes / with fixed body zones).
    const bool problems = summary.problems.size()
        > (!explicitModel && !summary.modelProblem.isEmpty() ? 1 : 0)
            + (!parser.isSet(QStringLiteral("pose")) && !summary.poseProblem.isEmpty() ? 1 : 0);
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray sources;
        for (const auto &r : summary.sources)
            sources.append(toJson(r));
        QJsonObject out { { QStringLiteral("gallery"), GalleryLocation::displayName(gallery) },
            { QStringLiteral("sources"), sources },
            { QStringLiteral("problems"), QJsonArray::fromStringList(summary.problems) },
            { QStringLiteral("model"), summary.modelId },
            { QStringLiteral("model_problem"), summary.modelProblem },
            { QStringLiteral("identities"), qint64(summary.identities) } };
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
    } else {
        for (const auto &r : summary.sources)
            if (r.outcome != IngestOutcome::Failed)
                printOut(QStringLiteral("%1: %2").arg(IngestJob::outcomeName(r.outcome), r.message));
        printOut(QStringLiteral(
            "gallery %1: %2 ingested, %3 resumed, %4 already present, %5 failed, %6 problems; embeddings: %7")
                     .arg(GalleryLocation::displayName(gallery))
                     .arg(summary.count(IngestOutcome::Ingested))
                     .arg(summary.count(IngestOutcome::Resumed))
                     .arg(summary.count(IngestOutcome::AlreadyPresent))
                     .arg(failed)
                     .arg(summary.problems.size())
                     .arg(summary.modelId.isEmpty() ? QStringLiteral("none") : summary.modelId));
        if (summary.identities >= 0)
            printOut(QStringLiteral("%1 people (identities) in the gallery, grouped in %2 s; see 'descry-cli identities'")
                         .arg(summary.identities)
                         .arg(summary.identitySeconds, 0, 'f', 2));
    }
    if (summary.count(IngestOutcome::Cancelled) > 0)
        return 3;
    return problems ? 1 : 0;
}

} // namespace descry::cli
