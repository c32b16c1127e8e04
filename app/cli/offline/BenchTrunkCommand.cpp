#include "BenchSupport.h"
#include "CliSupport.h"
#include "PretrainedTrunk.h"
#include "TrunkBenchmark.h"

#include <QJsonArray>

namespace descry::cli {

int benchTrunk(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures pretrained image trunks as untrained person features: every image of a dataset split "
        "probes the others (relevant = same person) by the trunk's maps average-pooled over horizontal "
        "stripes, per layer and crop size, next to a plain HSV colour histogram over the same stripes. "
        "Use real crops (scripts/real-people-crops.py) to choose a trunk for training."));
    parser.addOption({ QStringLiteral("data"), QStringLiteral("Dataset folder."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("split"), QStringLiteral("Split (default test)."),
        QStringLiteral("NAME"), QStringLiteral("test") });
    parser.addOption({ QStringLiteral("trunk"),
        QStringLiteral("Trunks, comma-separated (default: all: %1).")
            .arg(PretrainedTrunkImpl::knownNames().join(QLatin1Char(','))),
        QStringLiteral("NAMES") });
    parser.addOption({ QStringLiteral("size"),
        QStringLiteral("Crop sizes HxW, comma-separated, multiples of 32 (default 192x64,288x96,256x128)."),
        QStringLiteral("SIZES"), QStringLiteral("192x64,288x96,256x128") });
    parser.addOption({ QStringLiteral("stripes"), QStringLiteral("Horizontal stripes pooled (default 3)."),
        QStringLiteral("N"), QStringLiteral("3") });
    parser.addOption({ QStringLiteral("limit"), QStringLiteral("At most the first N images (default: all)."),
        QStringLiteral("N"), QStringLiteral("0") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench trunk") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    TrunkBenchRequest request;
    request.dataDir = parser.value(QStringLiteral("data"));
    request.split = parser.value(QStringLiteral("split"));
    request.trunks = parser.isSet(QStringLiteral("trunk"))
        ? parser.value(QStringLiteral("trunk")).split(QLatin1Char(','), Qt::SkipEmptyParts)
        : PretrainedTrunkImpl::knownNames();
    request.stripes = parser.value(QStringLiteral("stripes")).toInt();
    request.limit = parser.value(QStringLiteral("limit")).toInt();
    for (const QString &size :
        parser.value(QStringLiteral("size")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList hw = size.split(QLatin1Char('x'));
        const int h = hw.value(0).toInt(), w = hw.value(1).toInt();
        if (hw.size() != 2 || h <= 0 || w <= 0) {
            printErr(QStringLiteral("bench trunk: --size %1 is not HxW (e.g. 192x64)").arg(size));
            return 2;
        }
        request.sizes.emplace_back(h, w);
    }
    if (request.dataDir.isEmpty() || request.stripes < 1) {
        printErr(QStringLiteral("bench trunk: --data DIR is required, --stripes at least 1"));
        return 2;
    }
    std::vector<TrunkBenchRow> rows;
    QString error;
    if (!benchmarkTrunks(request, &rows, &error)) {
        printErr(QStringLiteral("bench trunk: %1").arg(error));
        return 1;
    }
    QJsonArray results;
    for (const TrunkBenchRow &row : rows) {
        printErr(
            QStringLiteral("%1: R@1 %2 R@5 %3 mAP %4 (%5 probes)%6")
                .arg(row.metrics.name)
                .arg(row.metrics.r1, 0, 'f', 3)
                .arg(row.metrics.r5, 0, 'f', 3)
                .arg(row.metrics.mAP, 0, 'f', 3)
                .arg(row.metrics.queries)
                .arg(row.trunk.isEmpty() ? QString()
                                         : QStringLiteral(", %1 ms/crop").arg(row.msPerCrop, 0, 'f', 1)));
        results.append(row.toJson());
    }
    const QJsonObject result { { QStringLiteral("bench"), QStringLiteral("trunk") },
        { QStringLiteral("data"), request.dataDir }, { QStringLiteral("split"), request.split },
        { QStringLiteral("stripes"), request.stripes }, { QStringLiteral("rows"), results } };
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
