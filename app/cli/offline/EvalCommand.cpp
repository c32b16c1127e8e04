#include "CalibrationTable.h"
#include "Cli.h"
#include "CliSupport.h"
#include "NafsEvaluator.h"
#include "TextPersonModel.h"

#include <QFile>
#include <QJsonDocument>

#include <cmath>

namespace descry::cli {

namespace {

QString table(const EvalReport &r)
{
    QStringList lines;
    lines << QStringLiteral("model %1 on %2 (%3, split %4): %5 images, %6 captions, %7 identities")
                 .arg(r.model, r.data, r.format, r.split)
                 .arg(r.images)
                 .arg(r.captions)
                 .arg(r.identities);
    lines << QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("ranking"), -40).arg(QStringLiteral("R@1"), 6)
                 .arg(QStringLiteral("R@5"), 6).arg(QStringLiteral("R@10"), 6).arg(QStringLiteral("mAP"), 6);
    for (const RetrievalMetrics &m : r.rows)
        lines << QStringLiteral("%1  %2  %3  %4  %5")
                     .arg(m.name, -40)
                     .arg(m.r1, 6, 'f', 3)
                     .arg(m.r5, 6, 'f', 3)
                     .arg(m.r10, 6, 'f', 3)
                     .arg(m.mAP, 6, 'f', 3);
    for (const RetrievalMetrics &m : r.similarRows)
        lines << QStringLiteral("%1  %2  %3  %4  %5")
                     .arg(m.name, -40)
                     .arg(m.r1, 6, 'f', 3)
                     .arg(m.r5, 6, 'f', 3)
                     .arg(m.r10, 6, 'f', 3)
                     .arg(m.mAP, 6, 'f', 3);
    lines << QStringLiteral("%1 s; %2 ms per image encoded, %3 ms per query (all rows)")
                 .arg(r.seconds, 0, 'f', 1)
                 .arg(r.encodeImageMs, 0, 'f', 2)
                 .arg(r.queryMs, 0, 'f', 2);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

int runEval(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measure text-to-person retrieval (R@1, R@5, R@10, mAP) of a model on a dataset split in the CUHK-PEDES / "
        "ICFG-PEDES / RSTPReid layout, with the seed's ablations and the attribute baseline."));
    parser.addOption({QStringLiteral("data"), QStringLiteral("Dataset folder."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model config (default: the shipped model)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("Split to evaluate (default test)."), QStringLiteral("NAME"), QStringLiteral("test")});
    parser.addOption({QStringLiteral("top"), QStringLiteral("Coarse results re-scored by non-local alignment (default 100)."), QStringLiteral("K"), QStringLiteral("100")});
    parser.addOption({QStringLiteral("rvn-neighbours"), QStringLiteral("RVN neighbour sets of L items (default 3)."), QStringLiteral("L"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("attribute-weight"), QStringLiteral("Weight of the attribute score in the fusion row (default 0.5, 0: no row)."), QStringLiteral("W"), QStringLiteral("0.5")});
    parser.addOption({QStringLiteral("no-ablations"), QStringLiteral("Only the full model (and the attribute baseline).")});
    parser.addOption({QStringLiteral("no-baseline"), QStringLiteral("Skip the attribute baseline.")});
    parser.addOption({QStringLiteral("calibrate"),
        QStringLiteral("Fit the score calibration (Platt scaling) on the split (default val) and write it beside the model "
                       "as <name>.calibration.json; search then shows a confidence and hides results below the cut-off.")});
    parser.addOption({QStringLiteral("calibration"),
        QStringLiteral("With --calibrate: write the calibration to FILE instead. Without: measure the calibration in FILE "
                       "on this split (e.g. the val fit on test)."),
        QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("cutoff"),
        QStringLiteral("With --calibrate: the default relevance cut-off written with the fit (default 0.5)."), QStringLiteral("X"),
        QStringLiteral("0.5")});
    parser.addOption({QStringLiteral("similar"),
        QStringLiteral("Also measure find similar: each image probes the split's other images (the product's score "
                       "first, then the model alone, RVN, colour alone).")});
    parser.addOption({QStringLiteral("colour-weight"),
        QStringLiteral("With --similar: weight of the colour-stripe agreement in the product's score (default %1).")
            .arg(SimilarRequest::kColourWeight),
        QStringLiteral("W"), QString::number(SimilarRequest::kColourWeight)});
    parser.addOption({QStringLiteral("attention"),
        QStringLiteral("With --similar: NFormer's reciprocal neighbour softmax on the product's vectors, K:TEMPERATURE "
                       "(each image attends to those of its K nearest that have it among theirs), or off (default: "
                       "find similar's, %1:%2).")
            .arg(SimilarRequest::kAttentionNeighbours)
            .arg(SimilarRequest::kAttentionTemperature),
        QStringLiteral("K:T")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the report as JSON.")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Also write the JSON report to FILE."), QStringLiteral("FILE")});
    if (!parseArgs(parser, QStringList{QStringLiteral("eval")} + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (!parser.isSet(QStringLiteral("data"))) {
        printErr(QStringLiteral("eval: give the dataset with --data DIR (e.g. from 'descry-cli synth')"));
        return 2;
    }
    EvalRequest request;
    request.dataDir = parser.value(QStringLiteral("data"));
    request.modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model")) : TextPersonModel::defaultModelPath();
    if (request.modelPath.isEmpty()) {
        printErr(QStringLiteral("eval: no model found; pass --model models/<name>.json or set DESCRY_MODEL"));
        return 1;
    }
    request.calibrate = parser.isSet(QStringLiteral("calibrate"));
    request.imageToImage = parser.isSet(QStringLiteral("similar"));
    bool ok = false;
    request.colourWeight = parser.value(QStringLiteral("colour-weight")).toDouble(&ok);
    if (!ok || request.colourWeight < 0) {
        printErr(QStringLiteral("eval: --colour-weight must be a number >= 0"));
        return 2;
    }
    if (parser.isSet(QStringLiteral("attention"))
        && !parseNeighbourAttention(parser.value(QStringLiteral("attention")), &request.attentionNeighbours,
            &request.attentionTemperature)) {
        printErr(QStringLiteral("eval: --attention takes K:TEMPERATURE, e.g. 5:0.1"));
        return 2;
    }
    request.cutoff = parser.value(QStringLiteral("cutoff")).toDouble(&ok);
    if (!ok || request.cutoff < 0 || request.cutoff > 1) {
        printErr(QStringLiteral("eval: --cutoff must be a number in [0, 1]"));
        return 2;
    }
    QString error;
    if (!request.calibrate && parser.isSet(QStringLiteral("calibration"))
        && !ScoreCalibration::load(parser.value(QStringLiteral("calibration")), &request.check, &error)) {
        printErr(QStringLiteral("eval: ") + error);
        return 1;
    }
    // The calibration must come from pairs the model was not trained on: val unless told otherwise.
    request.split = request.calibrate && !parser.isSet(QStringLiteral("split")) ? QStringLiteral("val") : parser.value(QStringLiteral("split"));
    request.rescoreTop = parser.value(QStringLiteral("top")).toInt(&ok);
    if (!ok || request.rescoreTop < 1) {
        printErr(QStringLiteral("eval: --top must be a positive integer"));
        return 2;
    }
    request.rvnNeighbours = parser.value(QStringLiteral("rvn-neighbours")).toInt(&ok);
    if (!ok || request.rvnNeighbours < 1) {
        printErr(QStringLiteral("eval: --rvn-neighbours must be a positive integer"));
        return 2;
    }
    request.attributeWeight = parser.value(QStringLiteral("attribute-weight")).toDouble(&ok);
    if (!ok || request.attributeWeight < 0) {
        printErr(QStringLiteral("eval: --attribute-weight must be a number >= 0"));
        return 2;
    }
    request.ablations = !parser.isSet(QStringLiteral("no-ablations"));
    request.attributeBaseline = !parser.isSet(QStringLiteral("no-baseline"));
    request.progress = [](const QString &phase, int done, int total) {
        printProgress(QStringLiteral("eval: %1 %2/%3").arg(phase).arg(done).arg(total));
    };
    EvalReport report;
    if (!evaluateTextToPerson(request, &report, &error)) {
        printErr(QStringLiteral("eval: ") + error);
        return 1;
    }
    QString calibrationPath = parser.value(QStringLiteral("calibration"));
    if (request.calibrate) {
        calibrationPath = parser.isSet(QStringLiteral("calibration")) ? parser.value(QStringLiteral("calibration"))
                                                                     : ScoreCalibration::pathForModel(request.modelPath);
        report.calibration.command = QStringLiteral("descry-cli eval --calibrate --data %1 --model %2 --split %3 --top %4 "
                                                    "--attribute-weight %5")
                                         .arg(request.dataDir, request.modelPath, request.split)
                                         .arg(request.rescoreTop)
                                         .arg(request.attributeWeight);
        if (!report.calibration.save(calibrationPath, &error)) {
            printErr(QStringLiteral("eval: ") + error);
            return 1;
        }
    }
    const QByteArray json = QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented);
    if (parser.isSet(QStringLiteral("out"))) {
        QFile file(parser.value(QStringLiteral("out")));
        if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size()) {
            printErr(QStringLiteral("eval: cannot write %1: %2").arg(file.fileName(), file.errorString()));
            return 1;
        }
    }
    if (parser.isSet(QStringLiteral("json")))
        printOut(QString::fromUtf8(json));
    else
        printOut(table(report)
            + (report.calibration.isValid() ? QStringLiteral("\n") + calibrationTable(report.calibration, request.calibrate, calibrationPath)
                                            : QString()));
    return 0;
}

} // namespace descry::cli
