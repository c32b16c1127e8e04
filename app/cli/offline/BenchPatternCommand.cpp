#include "BenchSupport.h"
#include "CliSupport.h"
#include "PatternBenchmark.h"

#include <QJsonArray>

namespace descry::cli {

int benchPattern(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures how well the garment pattern attributes (horizontal stripes, checks) tell patterned "
        "people from plain ones: the attributes are measured on every image of a dataset, the truth is "
        "what the image's captions say (a pattern named, or none). Real crops with real captions come "
        "from scripts/real-people-crops.py; rendered ones from descry-cli synth."));
    parser.addOption({ QStringLiteral("data"), QStringLiteral("Dataset folder."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("split"), QStringLiteral("Split (default: every image)."),
        QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("min-height"),
        QStringLiteral("Leave out images less than H pixels tall (default 0)."), QStringLiteral("H"),
        QStringLiteral("0") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench pattern") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QString data = parser.value(QStringLiteral("data"));
    if (data.isEmpty()) {
        printErr(QStringLiteral("bench pattern: --data DIR is required"));
        return 2;
    }
    PatternBenchResult result;
    QString error;
    const int minHeight = parser.value(QStringLiteral("min-height")).toInt();
    if (!benchmarkPatterns(data, parser.value(QStringLiteral("split")), minHeight, &result, &error)) {
        printErr(QStringLiteral("bench pattern: %1").arg(error));
        return 1;
    }
    QJsonArray rows;
    for (const PatternBenchRow &row : result.rows) {
        printErr(QStringLiteral("%1: AUC %2 (%3 patterned, %4 plain images; mean score %5 vs %6)")
                     .arg(row.pattern)
                     .arg(row.auc, 0, 'f', 3)
                     .arg(row.positives)
                     .arg(row.negatives)
                     .arg(row.meanPositive, 0, 'f', 3)
                     .arg(row.meanNegative, 0, 'f', 3));
        rows.append(row.toJson());
    }
    printErr(QStringLiteral("%1 of %2 images measured, %3 ms per image")
                 .arg(result.measured)
                 .arg(result.images)
                 .arg(result.msPerImage, 0, 'f', 2));
    const QJsonObject json { { QStringLiteral("bench"), QStringLiteral("pattern") },
        { QStringLiteral("data"), data }, { QStringLiteral("split"), parser.value(QStringLiteral("split")) },
        { QStringLiteral("min_height"), minHeight }, { QStringLiteral("images"), result.images }, { QStringLiteral("measured"), result.measured },
        { QStringLiteral("ms_per_image"), result.msPerImage }, { QStringLiteral("rows"), rows } };
    return writeBenchResult(json, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
