#include "BenchSupport.h"
#include "Cli.h"
#include "CliSupport.h"
#include "DetectorBenchmark.h"
#include "DetectorOptions.h"
#include "PersonDetector.h"
#include "SceneRenderer.h"

#include <QJsonArray>

#include <map>

namespace descry::cli {

namespace {

QJsonObject toJson(const DetectorScore &s)
{
    return { { QStringLiteral("precision"), s.counts.precision() },
        { QStringLiteral("recall"), s.counts.recall() },
        { QStringLiteral("true_positives"), s.counts.truePositives },
        { QStringLiteral("false_positives"), s.counts.falsePositives },
        { QStringLiteral("false_negatives"), s.counts.falseNegatives },
        { QStringLiteral("ignored"), s.counts.ignored }, { QStringLiteral("frames_scored"), s.framesScored },
        { QStringLiteral("ms_per_frame"), s.msPerFrame } };
}

QString summary(const QString &what, const DetectorScore &s)
{
    return QStringLiteral("%1: precision %2 recall %3 (%4 frames, %5 ms/frame)")
        .arg(what)
        .arg(s.counts.precision(), 0, 'f', 3)
        .arg(s.counts.recall(), 0, 'f', 3)
        .arg(s.framesScored)
        .arg(s.msPerFrame, 0, 'f', 1);
}

} // namespace

int benchDetector(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Precision/recall of person detectors (IoU >= 0.5) on "
                                                    "rendered scenes against truth, and on real footage "
                                                    "against a reference ONNX detector."));
    parser.addOption({ QStringLiteral("detectors"),
        QStringLiteral("Detectors to score, comma-separated (default nanodet,background)."),
        QStringLiteral("LIST"), QStringLiteral("nanodet,background") });
    parser.addOption({ QStringLiteral("onnx"), QStringLiteral("Also score this ONNX detector."),
        QStringLiteral("MODEL.onnx") });
    parser.addOption({ QStringLiteral("scenes"), QStringLiteral("Rendered scenes (default 3; 0: none)."),
        QStringLiteral("N"), QStringLiteral("3") });
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("Seed of the first scene (default 200)."),
        QStringLiteral("S"), QStringLiteral("200") });
    parser.addOption({ QStringLiteral("people"), QStringLiteral("Walkers per scene (default 12)."),
        QStringLiteral("P"), QStringLiteral("12") });
    parser.addOption({ QStringLiteral("frames"), QStringLiteral("Frames per scene (default 250)."),
        QStringLiteral("F"), QStringLiteral("250") });
    parser.addOption({ QStringLiteral("video"),
        QStringLiteral("Real footage to score the detectors on, against --reference (repeatable)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("reference"), QStringLiteral("Reference ONNX detector for --video."),
        QStringLiteral("MODEL.onnx") });
    parser.addOption({ QStringLiteral("step"),
        QStringLiteral("Score every STEP-th frame of --video from frame 100 (default 2)."), QStringLiteral("STEP"),
        QStringLiteral("2") });
    parser.addOption({ QStringLiteral("not-a-person"),
        QStringLiteral("A region X,Y,W,H of --video where the reference's box is no person (checked by looking at "
                       "the frames); reference boxes there are not counted (repeatable)."),
        QStringLiteral("X,Y,W,H") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench detector") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;

    // Each detector by the name it has in the result.
    std::vector<std::pair<QString, std::unique_ptr<PersonDetector>>> detectors;
    QString error;
    QStringList wanted = parser.value(QStringLiteral("detectors")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parser.isSet(QStringLiteral("onnx")))
        wanted.append(parser.value(QStringLiteral("onnx")));
    for (const QString &name : wanted) {
        const std::optional<DetectorOptions> options = DetectorOptions::fromArgument(name.trimmed());
        std::unique_ptr<PersonDetector> detector = options ? createPersonDetector(*options, &error) : nullptr;
        if (!detector) {
            printErr(QStringLiteral("bench detector: %1: %2")
                         .arg(name, options ? error : QStringLiteral("not a detector name or .onnx file")));
            return 1;
        }
        detectors.emplace_back(options->kind == DetectorKind::Onnx ? QStringLiteral("onnx") : name.trimmed(),
            std::move(detector));
    }
    QJsonObject result { { QStringLiteral("bench"), QStringLiteral("detector") },
        { QStringLiteral("iou"), 0.5 }, { QStringLiteral("min_visible"), 0.6 } };
    QJsonObject names;
    for (const auto &[key, detector] : detectors)
        names.insert(key, detector->name());
    result.insert(QStringLiteral("detectors"), names);
    if (parser.isSet(QStringLiteral("onnx")))
        result.insert(QStringLiteral("onnx"), parser.value(QStringLiteral("onnx")));

    QJsonArray scenes;
    std::map<QString, DetectorScore> totals;
    const int sceneCount = std::max(0, parser.value(QStringLiteral("scenes")).toInt());
    for (int s = 0; s < sceneCount; ++s) {
        SceneOptions options;
        options.seed = parser.value(QStringLiteral("seed")).toULongLong() + uint64_t(s);
        options.people = parser.value(QStringLiteral("people")).toInt();
        options.frames = parser.value(QStringLiteral("frames")).toInt();
        options.noise = options.blur = options.lightingChange = s % 2 == 1; // every other scene with effects
        if (const QString invalid = options.validate(); !invalid.isEmpty()) {
            printErr(QStringLiteral("bench detector: ") + invalid);
            return 2;
        }
        const SceneRenderer renderer(options);
        QJsonObject scene { { QStringLiteral("seed"), QString::number(options.seed) },
            { QStringLiteral("effects"), options.noise } };
        for (const auto &[key, detector] : detectors) {
            // A background model needs its first frames to learn the empty scene.
            const DetectorScore score = scoreOnScene(*detector, renderer, 0.6f, detector->warmupFrames() > 0 ? 30 : 0);
            scene.insert(key, toJson(score));
            DetectorScore &total = totals[key];
            total.counts += score.counts;
            total.framesScored += score.framesScored;
            total.msPerFrame += score.msPerFrame / sceneCount;
            printErr(summary(QStringLiteral("rendered scene %1, %2").arg(options.seed).arg(key), score));
        }
        scenes.append(scene);
    }
    if (sceneCount > 0) {
        result.insert(QStringLiteral("scenes"), scenes);
        QJsonObject onScenes;
        for (const auto &[key, total] : totals) {
            onScenes.insert(key, toJson(total));
            printErr(summary(QStringLiteral("all rendered scenes, %1").arg(key), total));
        }
        result.insert(QStringLiteral("on_rendered_scenes"), onScenes);
    }

    const QStringList videos = parser.values(QStringLiteral("video"));
    if (!videos.isEmpty()) {
        if (!parser.isSet(QStringLiteral("reference"))) {
            printErr(QStringLiteral("bench detector: --video needs --reference MODEL.onnx"));
            return 2;
        }
        const int step = std::max(1, parser.value(QStringLiteral("step")).toInt());
        constexpr int64_t kFirstScored = 100; // a background model's first seconds are not scored
        // Every detector on every video first, the reference last (see scoreAgainstReference).
        std::map<std::pair<QString, QString>, VideoBoxes> found; // (video, detector) -> boxes
        for (const QString &video : videos)
            for (const auto &[key, detector] : detectors)
                if (!detectOnVideo(*detector, video, kFirstScored, 1 << 30, step, &found[{ video, key }], &error)) {
                    printErr(QStringLiteral("bench detector: %1: %2").arg(video, error));
                    return 1;
                }
        detectors.clear();
        const auto referenceOptions = DetectorOptions::fromArgument(parser.value(QStringLiteral("reference")));
        const auto reference = referenceOptions ? createPersonDetector(*referenceOptions, &error) : nullptr;
        if (!reference) {
            printErr(QStringLiteral("bench detector: --reference: %1").arg(error));
            return 1;
        }
        result.insert(QStringLiteral("reference"), parser.value(QStringLiteral("reference")));
        std::vector<Box> notPeople;
        QJsonArray notPeopleJson;
        for (const QString &region : parser.values(QStringLiteral("not-a-person"))) {
            const QStringList v = region.split(QLatin1Char(','));
            if (v.size() != 4) {
                printErr(QStringLiteral("bench detector: --not-a-person takes X,Y,W,H, not '%1'").arg(region));
                return 2;
            }
            notPeople.push_back({ v[0].toFloat(), v[1].toFloat(), v[2].toFloat(), v[3].toFloat() });
            notPeopleJson.append(region);
        }
        result.insert(QStringLiteral("reference_boxes_not_people"), notPeopleJson);
        QJsonArray onVideos;
        for (const QString &video : videos) {
            VideoBoxes truth;
            if (!detectOnVideo(*reference, video, kFirstScored, 1 << 30, step, &truth, &error)) {
                printErr(QStringLiteral("bench detector: %1: %2").arg(video, error));
                return 1;
            }
            QJsonObject entry { { QStringLiteral("video"), video }, { QStringLiteral("step"), step },
                { QStringLiteral("first_frame"), qint64(kFirstScored) } };
            for (const QString &key : names.keys()) {
                const ReferenceScores scores = scoreAgainstReference(found[{ video, key }], truth, notPeople);
                entry.insert(key,
                    QJsonObject { { QStringLiteral("moving_people"), toJson(scores.moving) },
                        { QStringLiteral("all_people"), toJson(scores.all) } });
                printErr(summary(QStringLiteral("%1, %2 vs reference, moving people").arg(video, key), scores.moving));
                printErr(summary(QStringLiteral("%1, %2 vs reference, all people").arg(video, key), scores.all));
            }
            onVideos.append(entry);
        }
        result.insert(QStringLiteral("real_footage"), onVideos);
    }
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
