#include "BenchSupport.h"
#include "Cli.h"
#include "CliSupport.h"
#include "DetectorBenchmark.h"
#include "PersonDetector.h"
#include "SceneRenderer.h"

#include <QJsonArray>

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
                                                    "rendered scenes against truth, and optionally on real "
                                                    "footage against a reference ONNX detector."));
    parser.addOption({ QStringLiteral("onnx"), QStringLiteral("Also score this ONNX detector on the scenes."),
        QStringLiteral("MODEL.onnx") });
    parser.addOption({ QStringLiteral("scenes"), QStringLiteral("Rendered scenes (default 3)."),
        QStringLiteral("N"), QStringLiteral("3") });
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("Seed of the first scene (default 200)."),
        QStringLiteral("S"), QStringLiteral("200") });
    parser.addOption({ QStringLiteral("people"), QStringLiteral("Walkers per scene (default 12)."),
        QStringLiteral("P"), QStringLiteral("12") });
    parser.addOption({ QStringLiteral("frames"), QStringLiteral("Frames per scene (default 250)."),
        QStringLiteral("F"), QStringLiteral("250") });
    parser.addOption({ QStringLiteral("video"),
        QStringLiteral("Real footage to score the built-in detector on, against --reference."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("reference"), QStringLiteral("Reference ONNX detector for --video."),
        QStringLiteral("MODEL.onnx") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench detector") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;

    QString error;
    auto background = createPersonDetector({}, &error);
    std::unique_ptr<PersonDetector> onnx;
    if (parser.isSet(QStringLiteral("onnx"))
        && !(onnx = createPersonDetector({ parser.value(QStringLiteral("onnx")), 0.5f }, &error))) {
        printErr(QStringLiteral("bench detector: ") + error);
        return 1;
    }
    QJsonObject result { { QStringLiteral("bench"), QStringLiteral("detector") },
        { QStringLiteral("iou"), 0.5 }, { QStringLiteral("min_visible"), 0.6 } };
    QJsonArray scenes;
    DetectorScore totalBackground, totalOnnx;
    for (int s = 0; s < std::max(1, parser.value(QStringLiteral("scenes")).toInt()); ++s) {
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
        const DetectorScore b = scoreOnScene(*background, renderer);
        scene.insert(QStringLiteral("background"), toJson(b));
        totalBackground.counts += b.counts;
        totalBackground.framesScored += b.framesScored;
        totalBackground.msPerFrame += b.msPerFrame;
        printErr(summary(QStringLiteral("scene %1 background").arg(options.seed), b));
        if (onnx) {
            const DetectorScore o = scoreOnScene(*onnx, renderer, 0.6f, 0);
            scene.insert(QStringLiteral("onnx"), toJson(o));
            totalOnnx.counts += o.counts;
            totalOnnx.framesScored += o.framesScored;
            totalOnnx.msPerFrame += o.msPerFrame;
            printErr(summary(QStringLiteral("scene %1 onnx").arg(options.seed), o));
        }
        scenes.append(scene);
    }
    const int n = int(scenes.size());
    totalBackground.msPerFrame /= n;
    result.insert(QStringLiteral("scenes"), scenes);
    result.insert(QStringLiteral("background_on_scenes"), toJson(totalBackground));
    printErr(summary(QStringLiteral("all scenes, background"), totalBackground));
    if (onnx) {
        totalOnnx.msPerFrame /= n;
        result.insert(QStringLiteral("onnx"), parser.value(QStringLiteral("onnx")));
        result.insert(QStringLiteral("onnx_on_scenes"), toJson(totalOnnx));
        printErr(summary(QStringLiteral("all scenes, onnx"), totalOnnx));
    }
    if (parser.isSet(QStringLiteral("video"))) {
        auto reference = createPersonDetector({ parser.value(QStringLiteral("reference")), 0.5f }, &error);
        DetectorScore v;
        if (!reference || !parser.isSet(QStringLiteral("reference"))
            || !scoreAgainstReference(*background, *reference, parser.value(QStringLiteral("video")), 100,
                1 << 30, 2, &v, &error)) {
            printErr(QStringLiteral("bench detector: --video needs --reference MODEL.onnx; %1").arg(error));
            return 1;
        }
        result.insert(QStringLiteral("video"), parser.value(QStringLiteral("video")));
        result.insert(QStringLiteral("reference"), parser.value(QStringLiteral("reference")));
        result.insert(QStringLiteral("background_vs_reference"), toJson(v));
        printErr(summary(QStringLiteral("video, background vs reference"), v));
    }
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
