#include "BenchSupport.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "IdentityBenchmark.h"
#include "IdentityGrouper.h"
#include "IngestJob.h"
#include "SceneRenderer.h"
#include "TextPersonModel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <limits>
#include <map>

namespace descry::cli {

namespace {

// "0.5,0.6" or "0.3:0.9:0.05" (from:to:step) -> the numbers.
bool parseSweep(const QString &text, std::vector<double> *out)
{
    bool ok = true;
    const QStringList range = text.split(QLatin1Char(':'));
    if (range.size() == 3) {
        const double from = range[0].toDouble(&ok), to = ok ? range[1].toDouble(&ok) : 0, step = ok ? range[2].toDouble(&ok) : 0;
        if (!ok || step <= 0 || to < from)
            return false;
        for (int i = 0; from + i * step <= to + 1e-9; ++i)
            out->push_back(from + i * step);
        return true;
    }
    for (const QString &v : text.split(QLatin1Char(','))) {
        out->push_back(v.toDouble(&ok));
        if (!ok)
            return false;
    }
    return !out->empty();
}

// --attention K:T or off, where given; false (said why) when it does not parse.
bool readAttention(const QCommandLineParser &parser, int *neighbours, double *temperature)
{
    if (!parser.isSet(QStringLiteral("attention"))
        || parseNeighbourAttention(parser.value(QStringLiteral("attention")), neighbours, temperature))
        return true;
    printErr(QStringLiteral("bench identities: --attention takes K:TEMPERATURE, e.g. 5:0.2, or off"));
    return false;
}

// With --cost or --grouping-cost, --thresholds names the one threshold to group at; false (said
// why) when it is not one number.
bool readThreshold(const QCommandLineParser &parser, double *threshold)
{
    if (!parser.isSet(QStringLiteral("thresholds")))
        return true;
    bool ok = false;
    *threshold = parser.value(QStringLiteral("thresholds")).toDouble(&ok);
    if (!ok)
        printErr(QStringLiteral("bench identities: with --cost or --grouping-cost, --thresholds takes one threshold"));
    return ok;
}

QString scores(const BCubedScores &s)
{
    return QStringLiteral("P %1 R %2 F %3").arg(s.precision, 0, 'f', 3).arg(s.recall, 0, 'f', 3).arg(s.f1, 0, 'f', 3);
}

int benchCost(const QCommandLineParser &parser)
{
    const QString mode = parser.value(QStringLiteral("neighbours"));
    const std::map<QString, int> exactUpTo { { QStringLiteral("auto"), -1 }, { QStringLiteral("exact"), std::numeric_limits<int>::max() },
        { QStringLiteral("graph"), 0 } };
    if (!exactUpTo.count(mode)) {
        printErr(QStringLiteral("bench identities: --neighbours is auto, exact or graph, not '%1'").arg(mode));
        return 2;
    }
    IdentityClusteringOptions options;
    if (exactUpTo.at(mode) >= 0)
        options.exactNeighboursUpTo = exactUpTo.at(mode);
    if (!readThreshold(parser, &options.threshold))
        return 2;
    if (!readAttention(parser, &options.attentionNeighbours, &options.attentionTemperature))
        return 2;
    QJsonArray rows;
    for (const QString &n : parser.value(QStringLiteral("cost")).split(QLatin1Char(','))) {
        bool ok = false;
        const int tracklets = n.toInt(&ok);
        if (!ok || tracklets < 1) {
            printErr(QStringLiteral("bench identities: --cost takes tracklet counts, e.g. 1000,10000"));
            return 2;
        }
        const IdentityCostResult r = benchmarkIdentityCost(tracklets, 1, options);
        const QString recall = r.neighbourRecall < 0
            ? QStringLiteral("exact neighbours")
            : QStringLiteral("neighbour graph found %1 of the exact nearest above the threshold (%2 tracklets sampled)")
                  .arg(r.neighbourRecall, 0, 'f', 3)
                  .arg(r.recallSamples);
        printErr(QStringLiteral("%1 tracklets: grouped in %2 s into %3 identities (drawn people: %4); %5")
                     .arg(tracklets)
                     .arg(r.seconds, 0, 'f', 2)
                     .arg(r.identities)
                     .arg(scores(r.scores), recall));
        QJsonObject row { { QStringLiteral("tracklets"), tracklets }, { QStringLiteral("seconds"), r.seconds },
            { QStringLiteral("identities"), r.identities }, { QStringLiteral("bcubed_precision"), r.scores.precision },
            { QStringLiteral("bcubed_recall"), r.scores.recall }, { QStringLiteral("bcubed_f1"), r.scores.f1 } };
        if (r.neighbourRecall >= 0) {
            row.insert(QStringLiteral("neighbour_recall"), r.neighbourRecall);
            row.insert(QStringLiteral("recall_samples"), r.recallSamples);
        }
        rows.append(row);
    }
    return writeBenchResult({ { QStringLiteral("bench"), QStringLiteral("identities-cost") },
                                { QStringLiteral("neighbours"), mode },
                                { QStringLiteral("attention"), IdentityGrouper::method(options) },
                                { QStringLiteral("threshold"), options.threshold }, { QStringLiteral("rows"), rows } },
               parser.value(QStringLiteral("out")))
        ? 0
        : 1;
}

// The gallery's own tracklets grouped with exact and with approximate neighbours.
int benchGroupingCost(const QCommandLineParser &parser)
{
    QString error;
    const std::unique_ptr<TextPersonModel> model = loadModel(parser, &error);
    if (!model) {
        printErr(QStringLiteral("bench identities: %1").arg(error));
        return 1;
    }
    IdentityClusteringOptions options;
    options.threshold = std::numeric_limits<double>::quiet_NaN();
    if (!readThreshold(parser, &options.threshold))
        return 2;
    if (!readAttention(parser, &options.attentionNeighbours, &options.attentionTemperature))
        return 2;
    GalleryGroupingCost cost;
    const QString data = parser.value(QStringLiteral("data"));
    if (!data.isEmpty()) {
        printErr(QStringLiteral("bench identities: encoding the images of %1, then grouping them twice (all pairs, then the "
                                "neighbour graph)")
                     .arg(data));
        if (!benchmarkDatasetGroupingCost(*model, data, parser.value(QStringLiteral("split")), options, &cost, &error)) {
            printErr(QStringLiteral("bench identities: %1").arg(error));
            return 1;
        }
    } else {
        Gallery gallery;
        if (!gallery.open(galleryPath(parser))) {
            printErr(QStringLiteral("bench identities: %1").arg(gallery.lastError()));
            return 1;
        }
        printErr(QStringLiteral("bench identities: grouping the gallery's tracklets twice (all pairs, then the neighbour graph)"));
        if (!benchmarkGalleryGroupingCost(gallery, model->id(), options, &cost, &error)) {
            printErr(QStringLiteral("bench identities: %1").arg(error));
            return 1;
        }
    }
    printErr(QStringLiteral("%1 tracklets (read in %2 s): all pairs %3 s, %4 identities; neighbour graph %5 s, %6 identities; "
                            "graph vs all pairs: %7; the graph found %8 of %9 sampled neighbours above the threshold")
                 .arg(cost.tracklets)
                 .arg(cost.loadSeconds, 0, 'f', 1)
                 .arg(cost.exactSeconds, 0, 'f', 2)
                 .arg(cost.exactIdentities)
                 .arg(cost.graphSeconds, 0, 'f', 2)
                 .arg(cost.graphIdentities)
                 .arg(scores(cost.agreement))
                 .arg(cost.neighbourRecall, 0, 'f', 3)
                 .arg(cost.closePairs));
    if (cost.people > 0)
        printErr(QStringLiteral("against the dataset's %1 people: all pairs %2; neighbour graph %3")
                     .arg(cost.people)
                     .arg(scores(cost.exactVsPeople), scores(cost.graphVsPeople)));
    QJsonObject json = cost.toJson();
    if (!data.isEmpty())
        json.insert(QStringLiteral("data"), data);
    json.insert(QStringLiteral("bench"), QStringLiteral("identities-grouping-cost"));
    json.insert(QStringLiteral("model"), model->id());
    return writeBenchResult(json, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

// Rendered multi-camera scenes: `cameras` scenes of the same people (one peopleSeed) on other
// paths, backgrounds and cameras (every camera after the first darker, recompressed and with
// things in front), ingested with the defaults into DIR/gallery.sqlite, then measured.
int benchRendered(const QCommandLineParser &parser)
{
    const QDir dir(parser.value(QStringLiteral("rendered")));
    const int cameras = parser.value(QStringLiteral("cameras")).toInt();
    const int people = parser.value(QStringLiteral("people")).toInt();
    const int frames = parser.value(QStringLiteral("frames")).toInt();
    const uint64_t seed = parser.value(QStringLiteral("seed")).toULongLong();
    if (cameras < 2 || people < 1 || frames < 10 || seed == 0) {
        printErr(QStringLiteral("bench identities: --cameras >= 2, --people >= 1, --frames >= 10 and a --seed > 0"));
        return 2;
    }
    if (!dir.mkpath(QStringLiteral("."))) {
        printErr(QStringLiteral("bench identities: cannot create %1").arg(dir.path()));
        return 1;
    }
    const QString galleryPath = dir.filePath(QStringLiteral("gallery.sqlite"));
    QFile::remove(galleryPath);
    std::map<QString, SceneTruth> truthOfFile;
    QStringList files;
    for (int c = 0; c < cameras; ++c) {
        SceneOptions scene;
        scene.seed = seed * 100 + uint64_t(c);
        scene.peopleSeed = seed;
        scene.people = people;
        scene.frames = frames;
        scene.clothDetail = true;
        scene.extras = true;
        if (c > 0) {
            scene.lowLight = 0.7;
            scene.jpegQuality = 40;
            scene.occluders = 3;
        }
        const QString folder = dir.filePath(QStringLiteral("camera-%1").arg(c + 1));
        SceneTruth truth;
        QString error;
        if (!writeScene(scene, folder, false, &truth, &error)) {
            printErr(QStringLiteral("bench identities: ") + error);
            return 1;
        }
        const QString file = QDir(folder).filePath(QStringLiteral("scene.avi"));
        IngestOptions options;
        options.cameraLabel = QStringLiteral("camera-%1").arg(c + 1);
        options.modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model"))
                                                                  : TextPersonModel::defaultModelPath();
        const IngestSummary summary = IngestJob(galleryPath, { file }, options).run();
        if (summary.count(IngestOutcome::Ingested) != 1 || summary.sources.empty()) {
            printErr(QStringLiteral("bench identities: ingest of %1 failed: %2").arg(file, summary.problems.join(QStringLiteral("; "))));
            return 1;
        }
        truthOfFile[QFileInfo(file).absoluteFilePath()] = truth;
        printErr(QStringLiteral("camera %1: %2 people, %3 frames rendered and ingested").arg(c + 1).arg(people).arg(frames));
    }
    Gallery gallery;
    if (!gallery.open(galleryPath)) {
        printErr(QStringLiteral("bench identities: %1").arg(gallery.lastError()));
        return 1;
    }
    std::map<int64_t, SceneTruth> truthOfSource;
    for (const SourceRecord &s : gallery.sources())
        truthOfSource[s.id] = truthOfFile[QFileInfo(s.path).absoluteFilePath()];
    const auto grouping = gallery.latestIdentityGrouping();
    if (!grouping) {
        printErr(QStringLiteral("bench identities: ingest grouped nobody (no model?)"));
        return 1;
    }
    RenderedIdentityResult r;
    QString error;
    if (!measureRenderedIdentities(gallery, grouping->modelId, truthOfSource, &r, &error)) {
        printErr(QStringLiteral("bench identities: %1").arg(error));
        return 1;
    }
    printErr(QStringLiteral("%1 tracklets (%2 follow one of %3 people) grouped into %4 identities: %5 (no grouping: %6)")
                 .arg(r.tracklets)
                 .arg(r.labelled)
                 .arg(r.people)
                 .arg(r.identities)
                 .arg(scores(r.grouped), scores(r.singletons)));
    printErr(QStringLiteral("people seen by several cameras: %1, of them with an identity across cameras: %2")
                 .arg(r.peopleInSeveralCameras)
                 .arg(r.peopleLinkedAcrossCameras));
    printErr(QStringLiteral("re-identification across cameras: %1 queries, R@1 %2 R@5 %3 mAP %4")
                 .arg(r.acrossCameras.queries)
                 .arg(r.acrossCameras.r1, 0, 'f', 3)
                 .arg(r.acrossCameras.r5, 0, 'f', 3)
                 .arg(r.acrossCameras.mAP, 0, 'f', 3));
    QJsonObject out = r.toJson();
    out.insert(QStringLiteral("bench"), QStringLiteral("identities-rendered"));
    out.insert(QStringLiteral("model"), grouping->modelId);
    out.insert(QStringLiteral("threshold"), grouping->threshold);
    out.insert(QStringLiteral("scenes"),
        QJsonObject { { QStringLiteral("cameras"), cameras }, { QStringLiteral("people"), people },
            { QStringLiteral("frames"), frames }, { QStringLiteral("seed"), QString::number(seed) } });
    return writeBenchResult(out, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace

int benchIdentities(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures identity grouping on real people: the gallery's tracklets are grouped at each threshold "
        "and colour weight (with and without keeping tracklets seen at once apart) and scored with BCubed "
        "precision / recall against a caption set's people (models/queries/real-people.json: who each "
        "tracklet of a default ingest of the clips is), per split. The best dev F1 picks the threshold."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("labels"), QStringLiteral("Caption set naming each person's tracklets."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("model"), QStringLiteral("Model whose vectors are grouped (default: the shipped model)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("thresholds"), QStringLiteral("Thresholds: a list or from:to:step (default 0.3:1:0.02)."),
        QStringLiteral("LIST"), QStringLiteral("0.3:1:0.02") });
    parser.addOption({ QStringLiteral("colour-weights"),
        QStringLiteral("Colour weights (default 0,1,2,4,1000: model alone ... colour alone)."), QStringLiteral("LIST"),
        QStringLiteral("0,1,2,4,1000") });
    parser.addOption({ QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("cost"),
        QStringLiteral("Instead: time the grouping of N drawn tracklets each (a list, e.g. 1000,10000)."), QStringLiteral("N") });
    parser.addOption({ QStringLiteral("attention"),
        QStringLiteral("NFormer's reciprocal neighbour softmax on the vectors before grouping: K:TEMPERATURE "
                       "(each tracklet attends to those of its K nearest that have it among theirs), or off "
                       "(default: the product's, %1:%2).")
            .arg(IdentityClusteringOptions {}.attentionNeighbours)
            .arg(IdentityClusteringOptions {}.attentionTemperature),
        QStringLiteral("K:T") });
    parser.addOption({ QStringLiteral("grouping-cost"),
        QStringLiteral("Instead: group the gallery's own tracklets with all pairs and with the approximate neighbour graph; "
                       "times, and how far the graph's grouping is from the exact one (with --data: a dataset's "
                       "images, each one tracklet, against its people).") });
    parser.addOption({ QStringLiteral("data"),
        QStringLiteral("With --grouping-cost: a dataset folder (CUHK-PEDES layout) instead of the gallery."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("split"), QStringLiteral("With --data: one split (default: every image)."),
        QStringLiteral("SPLIT") });
    parser.addOption({ QStringLiteral("neighbours"),
        QStringLiteral("With --cost: how each tracklet's nearest are found: auto (the product's choice by gallery size), "
                       "exact (all pairs) or graph (the approximate HNSW graph)."),
        QStringLiteral("MODE"), QStringLiteral("auto") });
    parser.addOption({ QStringLiteral("rendered"),
        QStringLiteral("Instead: render the same people under several cameras into DIR, ingest them with the "
                       "defaults and measure grouping and re-identification across cameras against the truth."),
        QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("cameras"), QStringLiteral("With --rendered: cameras (default 2)."), QStringLiteral("N"),
        QStringLiteral("2") });
    parser.addOption({ QStringLiteral("people"), QStringLiteral("With --rendered: people (default 10)."), QStringLiteral("N"),
        QStringLiteral("10") });
    parser.addOption({ QStringLiteral("frames"), QStringLiteral("With --rendered: frames per camera at 10 fps (default 400)."),
        QStringLiteral("N"), QStringLiteral("400") });
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("With --rendered: the people's seed (default 1)."),
        QStringLiteral("S"), QStringLiteral("1") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench identities") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (parser.isSet(QStringLiteral("cost")))
        return benchCost(parser);
    if (parser.isSet(QStringLiteral("grouping-cost")))
        return benchGroupingCost(parser);
    if (parser.isSet(QStringLiteral("rendered")))
        return benchRendered(parser);
    IdentityBenchOptions options;
    if (!parseSweep(parser.value(QStringLiteral("thresholds")), &options.thresholds)
        || !parseSweep(parser.value(QStringLiteral("colour-weights")), &options.colourWeights)) {
        printErr(QStringLiteral("bench identities: --thresholds and --colour-weights take numbers: 0.5,0.6 or 0.3:0.9:0.05"));
        return 2;
    }
    if (!readAttention(parser, &options.attentionNeighbours, &options.attentionTemperature))
        return 2;
    const QString labels = parser.value(QStringLiteral("labels"));
    if (labels.isEmpty()) {
        printErr(QStringLiteral("bench identities: --labels FILE is required (e.g. models/queries/real-people.json)"));
        return 2;
    }
    QString error;
    std::vector<LabelledPerson> people;
    if (!loadLabelledPeople(labels, QString(), &people, &error)) {
        printErr(QStringLiteral("bench identities: %1").arg(error));
        return 1;
    }
    const std::unique_ptr<TextPersonModel> model = loadModel(parser, &error);
    if (!model) {
        printErr(QStringLiteral("bench identities: %1").arg(error));
        return 1;
    }
    Gallery gallery;
    if (!gallery.open(galleryPath(parser))) {
        printErr(QStringLiteral("bench identities: %1").arg(gallery.lastError()));
        return 1;
    }
    IdentityBenchResult result;
    if (!benchmarkIdentities(gallery, model->id(), people, options, &result, &error)) {
        printErr(QStringLiteral("bench identities: %1").arg(error));
        return 1;
    }
    for (const QString &note : result.notes)
        printErr(QStringLiteral("note: %1").arg(note));
    QJsonArray rows;
    for (const IdentityBenchRow &row : result.rows)
        rows.append(row.toJson());
    // The best threshold of each colour weight, constraints on, for the reader.
    for (const double weight : options.colourWeights) {
        const IdentityBenchRow *best = nullptr;
        for (const IdentityBenchRow &row : result.rows)
            if (row.constraints && row.colourWeight == weight && (!best || row.dev.f1 > best->dev.f1))
                best = &row;
        if (best)
            printErr(QStringLiteral("colour weight %1: best dev threshold %2: dev %3 | test %4 | %5 identities")
                         .arg(weight)
                         .arg(best->threshold, 0, 'f', 2)
                         .arg(scores(best->dev), scores(best->test))
                         .arg(best->identities));
    }
    QJsonObject json { { QStringLiteral("bench"), QStringLiteral("identities") }, { QStringLiteral("labels"), labels },
        { QStringLiteral("attention_neighbours"), options.attentionNeighbours },
        { QStringLiteral("attention_temperature"), options.attentionTemperature },
        { QStringLiteral("model"), result.modelId }, { QStringLiteral("tracklets"), result.tracklets },
        { QStringLiteral("labelled"), result.labelled }, { QStringLiteral("people"), result.people },
        { QStringLiteral("ms_per_grouping"), result.msPerGrouping }, { QStringLiteral("rows"), rows },
        { QStringLiteral("notes"), QJsonArray::fromStringList(result.notes) } };
    printErr(QStringLiteral("no grouping (every tracklet its own identity): dev %1 | test %2")
                 .arg(scores(result.singletons.dev), scores(result.singletons.test)));
    json.insert(QStringLiteral("singletons"), result.singletons.toJson());
    if (result.best >= 0) {
        const IdentityBenchRow &best = result.rows[size_t(result.best)];
        json.insert(QStringLiteral("best"), best.toJson());
        printErr(QStringLiteral("best on dev: threshold %1, colour weight %2: dev %3 | test %4")
                     .arg(best.threshold, 0, 'f', 2)
                     .arg(best.colourWeight)
                     .arg(scores(best.dev), scores(best.test)));
    }
    return writeBenchResult(json, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
