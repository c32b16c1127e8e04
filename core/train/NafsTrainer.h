#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>

namespace descry {

struct TrainProgress {
    QString phase; // "data", "train", "validate", "export"
    int epoch = 0; // 1-based while training
    int epochs = 0;
    int64_t step = 0; // optimiser steps done over the whole run
    int64_t steps = 0;
    double loss = 0, cmpm = 0, cmpc = 0, csal = 0, grounding = 0; // running means over the last steps
    double imagesPerSecond = 0;
    double elapsedSeconds = 0; // training time, summed over resumed runs
    double remainingSeconds = -1; // estimate, -1 while unknown
    double validationR1 = -1; // global-cosine R@1 on the validation split after an epoch
    int done = 0, total = 0; // item counts of the "data" phase
    QString note; // phase "note": something the user should know before the run goes on
};

// The schedule a fine-tune (TrainRequest::initModelPath without a config) uses instead of the
// init model's own: a few epochs at a tenth of its learning rate, without warm-up, so a small
// set of confirmed pairs adjusts the model rather than retraining it.
struct FineTuneDefaults {
    static constexpr int epochs = 5;
    static constexpr double learningRateFactor = 0.1;
    static constexpr int warmupEpochs = 0;
};

struct TrainRequest {
    QString configPath; // models/<name>.json; may be empty when initModelPath is set
    QString dataDir; // overrides the config's training.data when set
    QString outputDir; // where <name>.pt / .vocab / .json go; default: the folder of the config (or of the init model)
    QString workDir; // checkpoints and log; default: <outputDir>/<name>.train
    bool resume = true; // continue from the checkpoint in workDir when there is one
    int64_t stopAfterSteps = 0; // > 0: stop (checkpointed) after this many steps of this run
    // Fine-tuning: a trained model (a config with <name>.pt and <name>.vocab beside it) whose
    // weights start the run instead of a random init. The run keeps its vocabulary (the token
    // embedding table is sized to it, so caption words it lacks are read as word pieces or
    // [UNK]) and its architecture: a config given as well must have the same "model" section.
    // The classifier head (one class per identity of the data) is initialised fresh. Without a
    // config the init model's is used with FineTuneDefaults' schedule.
    QString initModelPath;
    // Fine-tunes only: BatchNorm layers normalise with the init model's running statistics and
    // leave them as they are (their scale and shift still train). A few dozen crops of a handful
    // of people give poor statistics, and updating them moves every feature of the model (see
    // models/README.md, "Fine-tuning from reviews"). false: they follow the new data, as in a
    // run from scratch.
    bool keepNormStatistics = true;
    // Overrides of the config, recorded in the written <name>.json. 0 / -1: keep the config's.
    QString name; // default: the config's name, or "<init name>-ft" when fine-tuning
    int epochs = 0;
    double learningRate = 0;
    int warmupEpochs = -1;
    int batchSize = 0;
    std::function<void(const TrainProgress &)> progress;
    std::function<bool()> cancelled; // polled every step; true: checkpoint and stop
};

struct TrainResult {
    bool finished = false; // false when stopped early (resume later)
    int64_t steps = 0;
    double trainingSeconds = 0;
    QString weightsPath, vocabularyPath, configPath;
    QString initModelId; // "<name>@<sha12>" of the init model (as TextPersonModel::id); empty: none
    QStringList notes; // what the user should know (e.g. caption words the init vocabulary lacks)
};

// Trains a NAFS model as its config describes (descry-cli train). Deterministic for a given
// config, data, seed and thread count: the pair order, augmentation and dropout of step s are
// derived from (seed, s), so a run that is interrupted and resumed from its checkpoint takes the
// same steps as one that was not. Checkpoints (model, classifier, optimiser, counters) are
// written atomically every training.checkpointMinutes and at each epoch's end. Uses the device
// of modelDevice() (CUDA when present). A fine-tune (initModelPath) is deterministic for the same
// init weights as well, and its checkpoints record the init model's id so that it is never
// resumed from another model.
class NafsTrainer {
public:
    static bool train(const TrainRequest &request, TrainResult *result, QString *error);
};

} // namespace descry
