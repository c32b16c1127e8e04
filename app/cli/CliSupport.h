#pragma once

#include <QDateTime>

#include <QCommandLineParser>
#include <QString>

#include <memory>

namespace descry {
class TextPersonModel;
struct DetectorOptions;
enum class PoseModel;
}

namespace descry::cli {

// Shared plumbing of the subcommands: the --gallery option, argument parsing with clear
// errors, and the two output streams.
void addGalleryOption(QCommandLineParser &parser);
QString galleryPath(const QCommandLineParser &parser);
// Whether there is a gallery to open at `path`: the file exists, or it is a server's URL (opening
// it says whether the server answers).
bool galleryExists(const QString &path);
// Parses `args` (subcommand name first); prints the error + help to stderr and returns false
// on bad usage.
bool parseArgs(QCommandLineParser &parser, const QStringList &args);

// --model FILE and --no-model, for commands that rank with the text-to-person model.
void addModelOptions(QCommandLineParser &parser);
// The model those options ask for (default: the shipped model); null with --no-model or when
// none loads, after saying on stderr why ranking falls back to attributes.
std::unique_ptr<TextPersonModel> loadModelOption(const QCommandLineParser &parser, const QString &command);
// The model --model names, or the shipped one; null with the reason in *error (for commands that
// cannot go on without a model).
std::unique_ptr<TextPersonModel> loadModel(const QCommandLineParser &parser, QString *error);

// --detector NAME|MODEL.onnx, for commands that ingest (default: NanoDet).
void addDetectorOption(QCommandLineParser &parser);
// The detector the option asks for; false after saying on stderr what the value may be.
bool detectorOption(const QCommandLineParser &parser, const QString &command, DetectorOptions *out);

// --pose lightning|thunder|off, for commands that ingest (default: lightning).
void addPoseOption(QCommandLineParser &parser);
bool poseOption(const QCommandLineParser &parser, const QString &command, PoseModel *out);

// --tile-from PIXELS, for commands that ingest: the CNN's tiling (default: the detector's, 1200).
void addTileOption(QCommandLineParser &parser);
bool tileOption(const QCommandLineParser &parser, const QString &command, DetectorOptions *out);

// --detection-threads N, for commands that ingest (default 0: one per core).
void addDetectionThreadsOption(QCommandLineParser &parser);
bool detectionThreadsOption(const QCommandLineParser &parser, const QString &command, int *out);

// Text with its control characters (other than line breaks and tabs) written as \xHH, so what a
// file name, label or query holds cannot move the cursor or recolour the terminal. printOut,
// printErr and printProgress write through it (JSON escapes control characters itself).
QString terminalSafe(const QString &text);
void printOut(const QString &text); // stdout, newline added
// A recording time: "2026-12-01T10:00:00Z", "2026-12-01 10:00:00" (UTC when no zone is given)
// or "unknown" (an invalid QDateTime). False when it is none of these.
bool parseWallClock(const QString &text, QDateTime *out);
// "K:T" of --attention (NFormer's reciprocal neighbour softmax: neighbours and temperature), or
// "off" (K = 0); false unless K >= 0 and T > 0.
bool parseNeighbourAttention(const QString &text, int *neighbours, double *temperature);
void printErr(const QString &text); // stderr, newline added
// A progress line on stderr: rewritten in place on a terminal, printed every few seconds
// otherwise (logs, CI), always printed when `force`.
void printProgress(const QString &line, bool force = false);
// Seconds left as "mm:ss" for progress lines, "--:--" while unknown (< 0).
QString formatEta(double seconds);

} // namespace descry::cli
