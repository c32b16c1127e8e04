#include "Cli.h"
#include "CliSupport.h"
#include "SceneRenderer.h"

namespace descry::cli {

int runRender(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Write a synthetic surveillance scene from a seed: DIR/scene.avi, DIR/truth.json (boxes, identities, "
        "appearances, "
        "captions) and with --dataset a CUHK-PEDES style dataset in DIR/pedes. Same seed, same scene."));
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("Scene seed (default 1)."), QStringLiteral("S"),
        QStringLiteral("1") });
    parser.addOption({ QStringLiteral("frames"), QStringLiteral("Frames (default 300)."), QStringLiteral("N"),
        QStringLiteral("300") });
    parser.addOption({ QStringLiteral("people"), QStringLiteral("Walkers (default 10)."), QStringLiteral("P"),
        QStringLiteral("10") });
    parser.addOption(
        { QStringLiteral("effects"), QStringLiteral("Sensor noise, blur and a lighting change.") });
    parser.addOption({ QStringLiteral("dataset"),
        QStringLiteral("Also write crops + captions in the CUHK-PEDES layout.") });
    parser.addOption({ QStringLiteral("out"), QStringLiteral("Output folder."), QStringLiteral("DIR") });
    if (!parseArgs(parser, QStringList { QStringLiteral("render") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (!parser.isSet(QStringLiteral("out"))) {
        printErr(QStringLiteral("render: name the output folder with --out DIR"));
        return 2;
    }
    SceneOptions options;
    options.seed = parser.value(QStringLiteral("seed")).toULongLong();
    options.frames = parser.value(QStringLiteral("frames")).toInt();
    options.people = parser.value(QStringLiteral("people")).toInt();
    options.noise = options.blur = options.lightingChange = parser.isSet(QStringLiteral("effects"));
    if (const QString invalid = options.validate(); !invalid.isEmpty()) {
        printErr(QStringLiteral("render: ") + invalid);
        return 2;
    }
    SceneTruth truth;
    QString error;
    if (!writeScene(options, parser.value(QStringLiteral("out")), parser.isSet(QStringLiteral("dataset")),
            &truth, &error)) {
        printErr(QStringLiteral("render: ") + error);
        return 1;
    }
    printOut(QStringLiteral("wrote %1/scene.avi (%2 frames, %3 people, %4 boxes) and truth.json")
                 .arg(parser.value(QStringLiteral("out")))
                 .arg(options.frames)
                 .arg(truth.identities.size())
                 .arg(truth.boxes.size()));
    return 0;
}

} // namespace descry::cli
