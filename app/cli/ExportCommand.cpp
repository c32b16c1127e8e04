#include "Cli.h"
#include "CliSupport.h"
#include "NafsScript.h"
#include "NafsWeights.h"
#include "TextPersonModel.h"

namespace descry::cli {

int runExport(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Write a trained model as a TorchScript file (.ts) that follows Descry's model interface: one file with the "
        "network, its weights, config and vocabulary, loadable with --model FILE.ts. With --out NAME.json: the model "
        "again in Descry's own format under that name (NAME.json, .pt, .vocab), e.g. to rename a trained model or to "
        "store weights written by an older build in the current format."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model config (default: the shipped model)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("The .ts file (or NAME.json) to write."), QStringLiteral("FILE")});
    if (!parseArgs(parser, QStringList{QStringLiteral("export")} + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QString out = parser.value(QStringLiteral("out"));
    const bool copy = out.endsWith(QLatin1String(".json"));
    if (!out.endsWith(QLatin1String(".ts")) && !copy) {
        printErr(QStringLiteral("export: give the output file with --out FILE.ts (or NAME.json for a copy in Descry's format)"));
        return 2;
    }
    const QString model = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model")) : TextPersonModel::defaultModelPath();
    QString error;
    if (!(copy ? copyNafsModel(model, out, &error) : exportNafsTorchScript(model, out, &error))) {
        printErr(QStringLiteral("export: ") + error);
        return 1;
    }
    // Read it back through the same path users take, so a broken export never goes unnoticed.
    if (!TextPersonModel::load(out, &error)) {
        printErr(QStringLiteral("export: the written file does not load: ") + error);
        return 1;
    }
    printOut(QStringLiteral("wrote %1").arg(out));
    return 0;
}

} // namespace descry::cli
