#include "Cli.h"
#include "CliSupport.h"
#include "FootageVariant.h"

namespace descry::cli {

int runVariant(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Write a benchmark variant of a real clip: a panning camera, a wide view (time-shifted copies side "
        "by "
        "side: the same people, small in a large frame) or a larger frame. The people stay real; only the "
        "camera is simulated."));
    parser.addOption({ QStringLiteral("pan"),
        QStringLiteral("A window of F of the frame (default 2/3) sweeps to the far corner and back."),
        QStringLiteral("F") });
    parser.addOption({ QStringLiteral("mosaic"),
        QStringLiteral("N x N copies side by side (2-4), copy k starting k/N^2 into the clip."),
        QStringLiteral("N") });
    parser.addOption({ QStringLiteral("scale"), QStringLiteral("Every frame resized by F (0.25-4)."),
        QStringLiteral("F") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("The video to write (MJPG .avi)."), QStringLiteral("FILE") });
    parser.addPositionalArgument(
        QStringLiteral("clip"), QStringLiteral("The real clip."), QStringLiteral("CLIP"));
    if (!parseArgs(parser, QStringList { QStringLiteral("variant") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const int kinds = int(parser.isSet(QStringLiteral("pan"))) + int(parser.isSet(QStringLiteral("mosaic")))
        + int(parser.isSet(QStringLiteral("scale")));
    if (parser.positionalArguments().size() != 1 || !parser.isSet(QStringLiteral("out")) || kinds != 1) {
        printErr(QStringLiteral(
                     "variant: name one clip, --out FILE.avi and one of --pan, --mosaic N, --scale F\n\n")
            + parser.helpText());
        return 2;
    }
    FootageVariantOptions options;
    bool ok = true;
    if (parser.isSet(QStringLiteral("pan"))) {
        options.kind = FootageVariantOptions::Kind::Pan;
        options.panWindow = parser.value(QStringLiteral("pan")).toDouble(&ok);
    } else if (parser.isSet(QStringLiteral("mosaic"))) {
        options.kind = FootageVariantOptions::Kind::Mosaic;
        options.mosaic = parser.value(QStringLiteral("mosaic")).toInt(&ok);
    } else {
        options.kind = FootageVariantOptions::Kind::Scale;
        options.scale = parser.value(QStringLiteral("scale")).toDouble(&ok);
    }
    const QString invalid = ok ? options.validate() : QStringLiteral("not a number");
    if (!invalid.isEmpty()) {
        printErr(QStringLiteral("variant: ") + invalid);
        return 2;
    }
    const QString out = parser.value(QStringLiteral("out"));
    QString error;
    const auto progress
        = [](double fraction) { printProgress(QStringLiteral("variant: %1 %").arg(int(fraction * 100))); };
    if (!writeFootageVariant(parser.positionalArguments().front(), out, options, progress, &error)) {
        printErr(QStringLiteral("variant: ") + error);
        return 1;
    }
    printProgress(QStringLiteral("variant: 100 %"), true);
    printOut(QStringLiteral("wrote %1").arg(out));
    return 0;
}

} // namespace descry::cli
