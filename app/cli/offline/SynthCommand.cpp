#include "Cli.h"
#include "CliSupport.h"
#include "SyntheticPedes.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

namespace descry::cli {

namespace {

// A positive integer option; prints the usage error and returns false otherwise.
bool positiveOption(const QCommandLineParser &parser, const QString &name, int *out)
{
    bool ok = false;
    *out = parser.value(name).toInt(&ok);
    if (ok && *out >= 1)
        return true;
    printErr(QStringLiteral("synth: --%1 must be a positive integer").arg(name));
    return false;
}

} // namespace

int runSynth(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Write a synthetic text-to-person training set of COUNT people in the CUHK-PEDES layout: "
        "DIR/imgs/<id>/<n>.jpg, DIR/reid_raw.json (captions, train/val/test split by identity) and "
        "DIR/synth.json (every scene's options). Scenes vary in frame size, person size, crowding, "
        "lighting, blur, motion blur, noise and JPEG; clothes carry patterns, folds and side light. Same "
        "seed "
        "and options, same files."));
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("Dataset seed (default 1)."),
        QStringLiteral("S"), QStringLiteral("1") });
    parser.addOption(
        { QStringLiteral("count"), QStringLiteral("Identities (people) to write."), QStringLiteral("N") });
    parser.addOption({ QStringLiteral("views"), QStringLiteral("Images per identity (default 4)."),
        QStringLiteral("V"), QStringLiteral("4") });
    parser.addOption({ QStringLiteral("captions"), QStringLiteral("Captions per image (default 2)."),
        QStringLiteral("C"), QStringLiteral("2") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Output folder (new or empty)."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("plain-look"),
        QStringLiteral(
            "Flat-painted clothes (no patterns, folds, side light), no glasses, masks or things in the hand, "
            "and clean cameras (no low light, motion blur or JPEG): the look of datasets written before "
            "them.") });
    parser.addOption({ QStringLiteral("background"),
        QStringLiteral("Real footage (video or photo) whose empty scene (the mode of %1 frames, people left "
                       "out) stands behind "
                       "the people of half of the scenes; repeat for several.")
            .arg(kPlateSamples),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the summary as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("synth") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (!parser.isSet(QStringLiteral("out")) || !parser.isSet(QStringLiteral("count"))) {
        printErr(
            QStringLiteral("synth: give the number of people with --count N and the folder with --out DIR"));
        return 2;
    }
    SyntheticPedesOptions options;
    bool seedOk = false;
    options.seed = parser.value(QStringLiteral("seed")).toULongLong(&seedOk);
    if (!seedOk) {
        printErr(QStringLiteral("synth: --seed must be a non-negative integer"));
        return 2;
    }
    if (!positiveOption(parser, QStringLiteral("count"), &options.identities)
        || !positiveOption(parser, QStringLiteral("views"), &options.viewsPerIdentity)
        || !positiveOption(parser, QStringLiteral("captions"), &options.captionsPerImage))
        return 2;
    options.plainLook = parser.isSet(QStringLiteral("plain-look"));
    options.backgrounds = parser.values(QStringLiteral("background"));

    const QString out = parser.value(QStringLiteral("out"));
    QElapsedTimer clock;
    clock.start();
    SyntheticPedesSummary summary;
    QString error;
    const bool ok = writeSyntheticPedes(
        out, options,
        [](const SyntheticPedesProgress &p) {
            printProgress(QStringLiteral("synth: %1/%2 identities, %3 scenes, eta %4")
                              .arg(p.identities)
                              .arg(p.total)
                              .arg(p.scenes)
                              .arg(formatEta(p.etaSeconds)),
                p.identities == p.total);
        },
        &summary, &error);
    if (!ok) {
        printErr(QStringLiteral("synth: ") + error);
        return 1;
    }
    const double seconds = clock.elapsed() / 1000.0;
    if (parser.isSet(QStringLiteral("json"))) {
        const QJsonObject json { { QStringLiteral("out"), out },
            { QStringLiteral("seed"), QString::number(options.seed) },
            { QStringLiteral("identities"), summary.identities },
            { QStringLiteral("images"), summary.images }, { QStringLiteral("captions"), summary.captions },
            { QStringLiteral("scenes"), summary.scenes }, { QStringLiteral("seconds"), seconds } };
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        printOut(QStringLiteral("wrote %1: %2 identities, %3 images, %4 captions from %5 scenes in %6 s")
                     .arg(out)
                     .arg(summary.identities)
                     .arg(summary.images)
                     .arg(summary.captions)
                     .arg(summary.scenes)
                     .arg(seconds, 0, 'f', 1));
    }
    return 0;
}

} // namespace descry::cli
