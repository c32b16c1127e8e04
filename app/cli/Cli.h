#pragma once

#include <QStringList>

namespace descry::cli {

// descry-cli subcommands. Each takes the arguments after the subcommand name, writes results
// to stdout (JSON with --json) and progress/problems to stderr, and returns the exit code:
// 0 success, 1 failure, 2 bad usage.
int runIngest(const QStringList &args);
int runSearch(const QStringList &args);
int runSimilar(const QStringList &args);
int runInfo(const QStringList &args);
int runBench(const QStringList &args);
int benchDetector(const QStringList &args);
int runRender(const QStringList &args);
int runVariant(const QStringList &args);
int runSynth(const QStringList &args);
int runTrain(const QStringList &args);
int runEval(const QStringList &args);
int runCalibrate(const QStringList &args);
int runReindex(const QStringList &args);
int runExport(const QStringList &args);
int runEvidence(const QStringList &args);
int runReview(const QStringList &args);
int runExplain(const QStringList &args);
int runIdentities(const QStringList &args);
int runCameras(const QStringList &args);
int runGallery(const QStringList &args);

// Dispatches argv (without the program name) to a subcommand; prints help on misuse.
int run(const QStringList &args);

} // namespace descry::cli
