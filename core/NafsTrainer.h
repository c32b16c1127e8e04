#pragma once

#include <QString>

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
};

struct TrainRequest {
    QString configPath; // models/<name>.json
    QString dataDir; // overrides the config's training.data when set
    QString outputDir; // where <name>.pt / .vocab / .json go; default: the config's folder
    QString workDir; // checkpoints and log; default: <outputDir>/<name>.train
    bool resume = true; // continue from the checkpoint in workDir when there is one
    int64_t stopAfterSteps = 0; // > 0: stop (checkpointed) after this many steps of this run
    std::function<void(const TrainProgress &)> progress;
    std::function<bool()> cancelled; // polled every step; true: checkpoint and stop
};

struct TrainResult {
    bool finished = false; // false when stopped early (resume later)
    int64_t steps = 0;
    double trainingSeconds = 0;
    QString weightsPath, vocabularyPath, configPath;
};

// Trains a NAFS model as its config describes (descry-cli train). Deterministic for a given
// config, data, seed and thread count: the pair order, augmentation and dropout of step s are
// derived from (seed, s), so a run that is interrupted and resumed from its checkpoint takes the
// same steps as one that was not. Checkpoints (model, classifier, optimiser, counters) are
// written atomically every training.checkpointMinutes and at each epoch's end. Uses the device
// of modelDevice() (CUDA when present).
class NafsTrainer {
public:
    static bool train(const TrainRequest &request, TrainResult *result, QString *error);
};

} // namespace descry
