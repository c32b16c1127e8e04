#include "Cli.h"
#include "CliSupport.h"
#include "NafsTrainer.h"
#include "ModelDevice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <csignal>
#include <type_traits>

namespace descry::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

QString progressLine(const TrainProgress &p)
{
    if (p.phase == QLatin1String("note"))
        return QStringLiteral("train: ") + p.note;
    if (p.phase == QLatin1String("data"))
        return QStringLiteral("train: loading images %1/%2").arg(p.done).arg(p.total);
    if (p.phase == QLatin1String("export"))
        return QStringLiteral("train: writing the model");
    if (p.phase == QLatin1String("validate"))
        return QStringLiteral("train: epoch %1/%2 done, validating").arg(p.epoch).arg(p.epochs);
    QString parts = QStringLiteral("cmpm %1 cmpc %2 csal %3").arg(p.cmpm, 0, 'f', 3).arg(p.cmpc, 0, 'f', 3).arg(p.csal, 0, 'f', 3);
    if (p.grounding > 0)
        parts += QStringLiteral(" grounding %1").arg(p.grounding, 0, 'f', 3);
    QString line = QStringLiteral("train: epoch %1/%2 step %3/%4 loss %5 (%6) %7 img/s eta %8")
                       .arg(p.epoch)
                       .arg(p.epochs)
                       .arg(p.step)
                       .arg(p.steps)
                       .arg(p.loss, 0, 'f', 3)
                       .arg(parts)
                       .arg(p.imagesPerSecond, 0, 'f', 1)
                       .arg(formatEta(p.remainingSeconds));
    if (p.validationR1 >= 0)
        line += QStringLiteral(" | val R@1 %1").arg(p.validationR1, 0, 'f', 3);
    return line;
}

} // namespace

int runTrain(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Train a NAFS text-to-person model as CONFIG describes, on a dataset in the CUHK-PEDES / ICFG-PEDES / "
        "RSTPReid layout. Resumes from the last checkpoint unless --fresh; Ctrl+C checkpoints and stops. "
        "Writes <name>.pt, <name>.vocab and <name>.train.json next to the config (or in --out).\n\n"
        "Fine-tuning: --init MODEL.json starts from a trained model's weights instead of random ones, e.g. on the "
        "confirmed pairs of 'descry-cli review export-dataset'. The fine-tuned model keeps the init model's "
        "architecture and vocabulary (caption words it lacks are read as word pieces or [UNK]; train lists them); "
        "the identity classifier starts fresh and BatchNorm keeps the init model's statistics. Without --config it trains with the init model's config for %1 epochs "
        "at %2 x its learning rate without warm-up, and is named <init name>-ft.")
                                         .arg(FineTuneDefaults::epochs)
                                         .arg(FineTuneDefaults::learningRateFactor));
    parser.addOption({QStringLiteral("config"), QStringLiteral("Model config, e.g. models/descry-nafs-s.json."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("init"),
        QStringLiteral("Fine-tune: start from this trained model (its config, with .pt and .vocab beside it)."),
        QStringLiteral("MODEL")});
    parser.addOption({QStringLiteral("update-norm-statistics"),
        QStringLiteral("With --init: let BatchNorm statistics follow the new data (default: keep the init model's).")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Name of the trained model (default: the config's; <init name>-ft with --init)."),
        QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Epochs (overrides the config)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("learning-rate"), QStringLiteral("Peak learning rate (overrides the config)."), QStringLiteral("X")});
    parser.addOption({QStringLiteral("warmup-epochs"), QStringLiteral("Warm-up epochs (overrides the config)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("batch-size"), QStringLiteral("Pairs per step (overrides the config)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Dataset folder (overrides the config's training.data)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for the trained model (default: the folder of the config, or of the --init model)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("work"), QStringLiteral("Folder for checkpoints (default: <out>/<name>.train)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("fresh"), QStringLiteral("Ignore an existing checkpoint and start over.")});
    parser.addOption({QStringLiteral("stop-after"), QStringLiteral("Stop (checkpointed) after N steps of this run."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the result as JSON.")});
    if (!parseArgs(parser, QStringList{QStringLiteral("train")} + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (!parser.isSet(QStringLiteral("config")) && !parser.isSet(QStringLiteral("init"))) {
        printErr(QStringLiteral("train: give the model config with --config FILE (e.g. models/descry-nafs-s.json), or a "
                                "trained model to fine-tune with --init MODEL.json"));
        return 2;
    }
    TrainRequest request;
    request.configPath = parser.value(QStringLiteral("config"));
    request.initModelPath = parser.value(QStringLiteral("init"));
    request.name = parser.value(QStringLiteral("name"));
    request.keepNormStatistics = !parser.isSet(QStringLiteral("update-norm-statistics"));
    // A typo in an override is an error, never a silent fall-back to the config's value.
    auto readNumber = [&parser](const char *option, double minimum, bool integer, const char *what, auto *field) {
        if (!parser.isSet(QLatin1String(option)))
            return true;
        bool ok = false;
        const double value = parser.value(QLatin1String(option)).toDouble(&ok);
        if (!ok || !(value >= minimum) || (integer && (value != std::floor(value) || value > 1e9))) {
            printErr(QStringLiteral("train: --%1 must be %2").arg(QLatin1String(option), QLatin1String(what)));
            return false;
        }
        *field = static_cast<std::remove_pointer_t<decltype(field)>>(value);
        return true;
    };
    if (!readNumber("epochs", 1, true, "a positive integer", &request.epochs)
        || !readNumber("learning-rate", 1e-12, false, "a positive number", &request.learningRate)
        || !readNumber("warmup-epochs", 0, true, "an integer >= 0", &request.warmupEpochs)
        || !readNumber("batch-size", 2, true, "an integer >= 2", &request.batchSize))
        return 2;
    request.dataDir = parser.value(QStringLiteral("data"));
    request.outputDir = parser.value(QStringLiteral("out"));
    request.workDir = parser.value(QStringLiteral("work"));
    request.resume = !parser.isSet(QStringLiteral("fresh"));
    if (parser.isSet(QStringLiteral("stop-after"))) {
        bool ok = false;
        request.stopAfterSteps = parser.value(QStringLiteral("stop-after")).toLongLong(&ok);
        if (!ok || request.stopAfterSteps < 1) {
            printErr(QStringLiteral("train: --stop-after must be a positive integer"));
            return 2;
        }
    }
    request.progress = [](const TrainProgress &p) {
        if (p.phase == QLatin1String("note")) { // whole, not cut to a progress line
            printErr(progressLine(p));
            return;
        }
        printProgress(progressLine(p), p.phase == QLatin1String("validate") || p.validationR1 >= 0 || p.step == p.steps);
    };
    request.cancelled = [] { return g_interrupted != 0; };
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    printErr(QStringLiteral("train: device %1").arg(modelDeviceName()));

    TrainResult result;
    QString error;
    const bool ok = NafsTrainer::train(request, &result, &error);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!ok) {
        printErr(QStringLiteral("train: ") + error);
        return 1;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject json{{QStringLiteral("finished"), result.finished}, {QStringLiteral("steps"), qint64(result.steps)},
            {QStringLiteral("trainingSeconds"), result.trainingSeconds}, {QStringLiteral("weights"), result.weightsPath},
            {QStringLiteral("vocabulary"), result.vocabularyPath}, {QStringLiteral("config"), result.configPath},
            {QStringLiteral("notes"), QJsonArray::fromStringList(result.notes)}};
        if (!result.initModelId.isEmpty())
            json[QStringLiteral("init")] = result.initModelId;
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else if (result.finished) {
        printOut(QStringLiteral("trained in %1 s (%2 steps): %3").arg(result.trainingSeconds, 0, 'f', 0).arg(result.steps).arg(result.weightsPath));
    } else {
        printOut(QStringLiteral("stopped after step %1 (%2 s of training so far); run the same command again to resume")
                     .arg(result.steps)
                     .arg(result.trainingSeconds, 0, 'f', 0));
    }
    return 0;
}

} // namespace descry::cli
