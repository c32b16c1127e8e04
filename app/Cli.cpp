#include "Cli.h"

#include "CliSupport.h"
#include "GalleryIntegrity.h"

namespace descry::cli {

namespace {

const char *const kUsage = R"(usage: descry-cli COMMAND [options]

Find people in surveillance footage from a typed description.

commands:
  ingest PATH...        add video files or folders to the gallery (resumable)
  reindex               compute a model's missing embeddings of the gallery's tracklets (resumable)
  search "TEXT"         rank the gallery's person tracklets for a description
  similar TRACKLET      tracklets that look like a tracklet (or --image FILE), across sources
  identities            people, not tracklets: group tracklets into identities; merge, split
  cameras               when each source was recorded, and camera-to-camera transit times
  explain ID "TEXT"     why a tracklet matches: cross-scale attention heatmaps and score parts
  info                  what the gallery holds and what this build can do
  gallery ACTION        check a gallery file, back it up, or repair a damaged one into a new file
  render                write a synthetic scene (video, truth, captions) from a seed
  variant CLIP          write a benchmark variant of a real clip: panning camera, wide view, larger frame
  synth                 write a synthetic text-to-person training set (CUHK-PEDES layout)
  train                 train a NAFS text-to-person model from a config (resumable)
  eval                  measure text-to-person retrieval of a model on a dataset split
  calibrate             fit the score calibration on real labelled pairs (query files, reviews), or --check one
  export                write a model as TorchScript (Descry's model interface)
  evidence              export a case: tracklets, crops, frames, facts as HTML/PDF/CSV/JSON + hashes
  review ACTION         annotators' decisions on results: list, add, export-dataset (for train)
  bench WHAT            measure ingest speed, search accuracy, detector recall (JSON)

Run 'descry-cli COMMAND --help' for the options of a command.)";

} // namespace

namespace {

int dispatch(const QStringList &args);

} // namespace

// Any read that found a gallery damaged makes the command fail, whatever it printed: a search that
// ran into a bad page has not seen all the people, and an info count is not the gallery's count.
int run(const QStringList &args)
{
    const int code = dispatch(args);
    const QStringList damaged = GalleryIntegrity::damagedPaths();
    if (damaged.isEmpty() || code != 0)
        return code; // a command that failed has said why
    for (const QString &path : damaged)
        printErr(GalleryIntegrity::damageMessage(path, GalleryIntegrity::damage(path)));
    return 1;
}

namespace {

int dispatch(const QStringList &args)
{
    const QString command = args.value(0);
    const QStringList rest = args.mid(1);
    if (command == QLatin1String("ingest"))
        return runIngest(rest);
    if (command == QLatin1String("reindex"))
        return runReindex(rest);
    if (command == QLatin1String("search"))
        return runSearch(rest);
    if (command == QLatin1String("similar"))
        return runSimilar(rest);
    if (command == QLatin1String("identities"))
        return runIdentities(rest);
    if (command == QLatin1String("cameras"))
        return runCameras(rest);
    if (command == QLatin1String("explain"))
        return runExplain(rest);
    if (command == QLatin1String("info"))
        return runInfo(rest);
    if (command == QLatin1String("gallery"))
        return runGallery(rest);
    if (command == QLatin1String("render"))
        return runRender(rest);
    if (command == QLatin1String("variant"))
        return runVariant(rest);
    if (command == QLatin1String("synth"))
        return runSynth(rest);
    if (command == QLatin1String("train"))
        return runTrain(rest);
    if (command == QLatin1String("eval"))
        return runEval(rest);
    if (command == QLatin1String("calibrate"))
        return runCalibrate(rest);
    if (command == QLatin1String("export"))
        return runExport(rest);
    if (command == QLatin1String("evidence"))
        return runEvidence(rest);
    if (command == QLatin1String("review"))
        return runReview(rest);
    if (command == QLatin1String("bench"))
        return runBench(rest);
    if (command == QLatin1String("--version")) {
        printOut(QStringLiteral("descry-cli %1").arg(QStringLiteral(DESCRY_VERSION)));
        return 0;
    }
    if (command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h")) {
        printOut(QString::fromUtf8(kUsage));
        return command.isEmpty() ? 2 : 0;
    }
    printErr(QStringLiteral("unknown command '%1'\n\n%2").arg(command, QString::fromUtf8(kUsage)));
    return 2;
}

} // namespace

} // namespace descry::cli
