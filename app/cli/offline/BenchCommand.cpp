#include "BenchSupport.h"
#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "IngestJob.h"
#include "SceneEvaluation.h"
#include "SceneRenderer.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>

namespace descry::cli {

namespace {

const char *const kBenchUsage = R"(usage: descry-cli bench WHAT [options]

Measures Descry and writes the figures as JSON (to --out FILE, or stdout).

  ingest PATH...     wall time of ingest / footage duration (fresh temporary gallery)
  search             text retrieval (R@1/5/10, mAP) of the attribute baseline on rendered
                     scenes with known identities
  detector           detector precision/recall on rendered scenes (and on real footage
                     against a reference detector)
  query              text query latency (p50/p95) on a large generated gallery with the model
  pose               the two MoveNet pose models on a gallery's real crops: time per crop,
                     how often keypoints place the body zones, how far the two agree
  trunk              pretrained image trunks (layers, crop sizes) as untrained person
                     features: image -> image retrieval on a dataset split, with time per crop
  pattern            garment patterns (stripes, checks) measured on a dataset's images against
                     what their captions say
  identities         tracklets grouped into people, against a caption set's people (BCubed)
  index              index kinds (IVF-Flat, IVF-PQ, HNSW) on a query gallery: latency, recall@50

Run 'descry-cli bench WHAT --help' for options.)";

int benchIngest(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Ingest footage into a fresh temporary gallery and report wall time / footage duration."));
    addDetectorOption(parser);
    addPoseOption(parser);
    addDetectionThreadsOption(parser);
    addTileOption(parser);
    parser.addOption({ QStringLiteral("model"),
        QStringLiteral("Text-to-person model whose embeddings ingest stores (default: the shipped model)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("no-model"), QStringLiteral("Ingest without embeddings.") });
    parser.addOption({ QStringLiteral("fps"),
        QStringLiteral("Frames analysed per second of footage (default: the detector's, as ingest)."),
        QStringLiteral("N") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    parser.addPositionalArgument(
        QStringLiteral("paths"), QStringLiteral("Video files or folders."), QStringLiteral("PATH..."));
    if (!parseArgs(parser, QStringList { QStringLiteral("bench ingest") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("bench ingest: name the footage to ingest"));
        return 2;
    }
    QTemporaryDir dir;
    IngestOptions options;
    if (!detectorOption(parser, QStringLiteral("bench ingest"), &options.detector)
        || !poseOption(parser, QStringLiteral("bench ingest"), &options.pose)
        || !detectionThreadsOption(parser, QStringLiteral("bench ingest"), &options.detectionThreads)
        || !tileOption(parser, QStringLiteral("bench ingest"), &options.detector))
        return 2;
    if (parser.isSet(QStringLiteral("fps")))
        options.analysisFps = parser.value(QStringLiteral("fps")).toDouble();
    if (!parser.isSet(QStringLiteral("no-model")))
        options.modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model"))
                                                                  : TextPersonModel::defaultModelPath();
    IngestJob job(dir.filePath(QStringLiteral("bench.sqlite")), parser.positionalArguments(), options);
    QElapsedTimer clock;
    clock.start();
    const IngestSummary summary = job.run();
    const double wall = double(clock.elapsed()) / 1000.0;
    double footage = 0;
    int tracklets = 0;
    QJsonArray sources;
    for (const IngestSourceResult &r : summary.sources) {
        footage += r.footageSeconds;
        tracklets += r.tracklets;
        sources.append(QJsonObject { { QStringLiteral("path"), r.path },
            { QStringLiteral("outcome"), IngestJob::outcomeName(r.outcome) },
            { QStringLiteral("seconds"), r.seconds }, { QStringLiteral("footage_seconds"), r.footageSeconds },
            { QStringLiteral("tracklets"), r.tracklets } });
    }
    for (const QString &p : summary.problems)
        printErr(QStringLiteral("problem: ") + p);
    const QJsonObject result { { QStringLiteral("bench"), QStringLiteral("ingest") },
        { QStringLiteral("detector"),
            options.detector.kind == DetectorKind::Onnx ? options.detector.onnxPath
                                                        : DetectorOptions::kindName(options.detector.kind) },
        { QStringLiteral("analysis_fps"), options.effectiveAnalysisFps() },
        { QStringLiteral("pose"), poseModelName(options.pose) },
        { QStringLiteral("detection_threads"), summary.detectionThreads },
        { QStringLiteral("wall_seconds"), wall }, { QStringLiteral("footage_seconds"), footage },
        { QStringLiteral("wall_over_footage"), footage > 0 ? wall / footage : 0 },
        { QStringLiteral("tracklets"), tracklets }, { QStringLiteral("sources"), sources },
        { QStringLiteral("model"), summary.modelId.isEmpty() ? QStringLiteral("none") : summary.modelId } };
    printErr(QStringLiteral("ingest: %1 s for %2 s of footage = %3 x footage duration, %4 tracklets")
                 .arg(wall, 0, 'f', 1)
                 .arg(footage, 0, 'f', 1)
                 .arg(footage > 0 ? wall / footage : 0, 0, 'f', 3)
                 .arg(tracklets));
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) && summary.problems.isEmpty() ? 0
                                                                                                       : 1;
}

int benchSearch(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Text retrieval of the attribute baseline on rendered scenes: each identity is "
                       "queried with its caption; ranks over all tracklets of its scene."));
    parser.addOption({ QStringLiteral("scenes"), QStringLiteral("How many scenes (default 3)."),
        QStringLiteral("N"), QStringLiteral("3") });
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("Seed of the first scene (default 100)."),
        QStringLiteral("S"), QStringLiteral("100") });
    parser.addOption({ QStringLiteral("people"), QStringLiteral("Walkers per scene (default 20)."),
        QStringLiteral("P"), QStringLiteral("20") });
    parser.addOption({ QStringLiteral("frames"), QStringLiteral("Frames per scene (default 600)."),
        QStringLiteral("F"), QStringLiteral("600") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench search") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;

    QTemporaryDir dir;
    const int scenes = std::max(1, parser.value(QStringLiteral("scenes")).toInt());
    QJsonArray perScene;
    RetrievalScores total;
    for (int s = 0; s < scenes; ++s) {
        SceneOptions scene;
        scene.seed = parser.value(QStringLiteral("seed")).toULongLong() + uint64_t(s);
        scene.people = parser.value(QStringLiteral("people")).toInt();
        scene.frames = parser.value(QStringLiteral("frames")).toInt();
        const QString folder = dir.filePath(QStringLiteral("scene-%1").arg(scene.seed));
        SceneTruth truth;
        QString error;
        if (!writeScene(scene, folder, false, &truth, &error)) {
            printErr(QStringLiteral("bench search: ") + error);
            return 1;
        }
        const QString galleryPath = folder + QStringLiteral("/gallery.sqlite");
        IngestJob job(galleryPath, { folder + QStringLiteral("/scene.avi") });
        const IngestSummary summary = job.run();
        if (summary.sources.empty() || summary.count(IngestOutcome::Ingested) != 1) {
            printErr(QStringLiteral("bench search: ingest failed: ")
                + summary.problems.join(QStringLiteral("; ")));
            return 1;
        }
        Gallery gallery;
        gallery.open(galleryPath);
        const auto assignments = assignTrackletIdentities(gallery, summary.sources[0].sourceId, truth);
        SearchEngine engine(gallery);
        const RetrievalScores r = evaluateTextRetrieval(engine, assignments, truth);
        perScene.append(QJsonObject { { QStringLiteral("seed"), QString::number(scene.seed) },
            { QStringLiteral("tracklets"), int(assignments.size()) },
            { QStringLiteral("queries"), r.queries }, { QStringLiteral("r1"), r.r1 },
            { QStringLiteral("r5"), r.r5 }, { QStringLiteral("r10"), r.r10 },
            { QStringLiteral("mAP"), r.mAP },
            { QStringLiteral("worst"), QJsonArray::fromStringList(r.worst) } });
        total.queries += r.queries;
        total.r1 += r.r1 * r.queries;
        total.r5 += r.r5 * r.queries;
        total.r10 += r.r10 * r.queries;
        total.mAP += r.mAP * r.queries;
        printErr(QStringLiteral("scene %1: %2 tracklets, %3 queries, R@1 %4 R@5 %5 mAP %6")
                     .arg(scene.seed)
                     .arg(assignments.size())
                     .arg(r.queries)
                     .arg(r.r1, 0, 'f', 3)
                     .arg(r.r5, 0, 'f', 3)
                     .arg(r.mAP, 0, 'f', 3));
    }
    const double n = std::max(1, total.queries);
    const QJsonObject result { { QStringLiteral("bench"), QStringLiteral("search") },
        { QStringLiteral("ranker"), QStringLiteral("attribute baseline") },
        { QStringLiteral("queries"), total.queries }, { QStringLiteral("r1"), total.r1 / n },
        { QStringLiteral("r5"), total.r5 / n }, { QStringLiteral("r10"), total.r10 / n },
        { QStringLiteral("mAP"), total.mAP / n }, { QStringLiteral("scenes"), perScene } };
    printErr(QStringLiteral("overall: %1 queries, R@1 %2 R@5 %3 R@10 %4 mAP %5")
                 .arg(total.queries)
                 .arg(total.r1 / n, 0, 'f', 3)
                 .arg(total.r5 / n, 0, 'f', 3)
                 .arg(total.r10 / n, 0, 'f', 3)
                 .arg(total.mAP / n, 0, 'f', 3));
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace

int runBench(const QStringList &args)
{
    const QString what = args.value(0);
    if (what == QLatin1String("ingest"))
        return benchIngest(args.mid(1));
    if (what == QLatin1String("search"))
        return benchSearch(args.mid(1));
    if (what == QLatin1String("detector"))
        return benchDetector(args.mid(1));
    if (what == QLatin1String("query"))
        return benchQuery(args.mid(1));
    if (what == QLatin1String("pose"))
        return benchPose(args.mid(1));
    if (what == QLatin1String("trunk"))
        return benchTrunk(args.mid(1));
    if (what == QLatin1String("pattern"))
        return benchPattern(args.mid(1));
    if (what == QLatin1String("identities"))
        return benchIdentities(args.mid(1));
    if (what == QLatin1String("index"))
        return benchIndex(args.mid(1));
    printErr(QString::fromUtf8(kBenchUsage));
    return what.isEmpty() || what == QLatin1String("--help") ? (what.isEmpty() ? 2 : 0) : 2;
}

} // namespace descry::cli
