#pragma once

#include "DetectorOptions.h"
#include "TrackerOptions.h"

#include <QDateTime>
#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>
#include <functional>
#include <vector>

namespace descry {

class Gallery;
class PersonDetector;
class PoseEstimator;
class TrackletEmbedder;
class VideoDecoder;
struct Tracklet;
struct TrackletWithAttributes;

// The body-pose model run on every kept crop (MoveNet of the perception package): its keypoints
// place the body zones of the colour attributes and rank the crops. Off: fixed zones.
enum class PoseModel { Off, Lightning, Thunder };
QString poseModelName(PoseModel model); // "off", "lightning", "thunder"
std::optional<PoseModel> poseModelFromName(const QString &name);

struct IngestOptions {
    DetectorOptions detector;
    TrackerOptions tracker;
    PoseModel pose = PoseModel::Lightning;
    // Frames analysed per second of footage (stride = fps / this); 0: the detector's default
    // (DetectorOptions::defaultAnalysisFps).
    double analysisFps = 0;
    double effectiveAnalysisFps() const { return analysisFps > 0 ? analysisFps : detector.defaultAnalysisFps(); }
    // Threads that run a frame-independent detector (NanoDet) on the frames ahead of the tracker,
    // each with its own copy of the network; 0: one per core, at most 4 (one on a GPU). The
    // background detector always runs frame by frame on the job's thread.
    int detectionThreads = 0;
    int checkpointEvery = 100; // analysed frames between two checkpoints (resume points)
    QString cameraLabel; // empty: the file's base name
    // When the first frame of each new source was recorded (UTC; invalid: unknown), for the
    // camera transit times of identity grouping (`descry-cli cameras`).
    QDateTime recordedAt;
    // A source already in the gallery, made with another detector or settings, is analysed again
    // and its tracklets replaced (refused while annotators' reviews hang on them).
    bool reingest = false;
    // Text-to-person model (config .json or TorchScript .ts) whose visual embeddings are stored with
    // every tracklet; empty: none (attribute search only; 'descry-cli reindex' adds them later).
    QString modelPath;
    // Who this ingest is among the workers that share the gallery (a source is claimed by one worker
    // at a time; IngestJob::thisWorker() when empty: host and process id).
    QString worker;
    // A claim whose heartbeat is older than this is taken over (its worker is taken for dead); a
    // claim of a process of this machine that no longer runs is taken over at once.
    double claimTimeoutSeconds = 60;
    // Testing aids: stop as if killed after this many analysed frames (nothing after the last
    // checkpoint is written), calling `stopHook` first (the CLI's hidden option raises SIGKILL).
    int stopAfterFrames = -1;
    std::function<void()> stopHook;
};

struct IngestProgress {
    QString path;
    int sourceIndex = 0, sourceCount = 0;
    QString stage; // "hashing", "analysing", "done"
    int64_t framesDone = 0, framesTotal = 0; // source frames
    double fraction = 0; // of this source, in [0, 1]
    double etaSeconds = -1; // of this source; -1 while unknown
    double framesPerSecond = 0; // analysed frames per wall second
    int tracklets = 0; // stored so far for this source
};

enum class IngestOutcome { Ingested, Resumed, AlreadyPresent, Failed, Cancelled };

struct IngestSourceResult {
    QString path;
    IngestOutcome outcome = IngestOutcome::Failed;
    int64_t sourceId = 0;
    int tracklets = 0;
    double seconds = 0; // wall time spent on this source
    double footageSeconds = 0;
    QString message; // what happened, in words (the reason on failure)
    // Another worker holds the source (run() comes back to it when it has done the rest, and
    // takes it over if that worker stops); empty otherwise.
    QString heldBy;
};

struct IngestSummary {
    std::vector<IngestSourceResult> sources;
    QStringList problems; // one line per input that could not be used
    QString modelId; // the model whose embeddings were stored; empty when none ran
    QString modelProblem; // why the model did not load or stopped (also one of `problems`)
    QString poseProblem; // why the pose model did not load (also one of `problems`)
    int detectionThreads = 0; // threads that ran the detector; 0: frame by frame on the job's thread
    // After new footage: the gallery's tracklets grouped into identities again (IdentityGrouper,
    // with the model's vectors); -1 when no grouping ran (no model, nothing new, cancelled).
    int64_t identities = -1;
    double identitySeconds = 0;
    bool cancelled = false;
    int count(IngestOutcome outcome) const;
};

// Ingests footage into a gallery: hash → decode → detect → track → pose → attributes → store, with
// checkpoints so that a killed run, started again, ends with exactly the tracklets an
// uninterrupted run gives. Bad inputs are reported one by one and never stop the rest.
// run() works on the calling thread and opens its own gallery connection and, with
// options.modelPath, loads the text-to-person model there once: the GUI moves the job to a
// worker thread, the CLI calls it directly. Finished tracklets are embedded in one batch
// before each checkpoint and stored in its transaction. A model that does not load (or fails)
// is one problem line; the footage is still ingested, without embeddings.
class IngestJob : public QObject {
    Q_OBJECT
public:
    IngestJob(const QString &galleryPath, const QStringList &inputs, const IngestOptions &options = {},
        QObject *parent = nullptr);

    // Thread-safe; the job stops at the next frame and keeps a checkpoint to resume from.
    void requestCancel() { m_cancel = true; }
    const IngestSummary &summary() const { return m_summary; }

    // Files named by the inputs (folders expanded recursively); problems get one line each.
    static QStringList expandInputs(const QStringList &inputs, QStringList *problems);
    static QString outcomeName(IngestOutcome outcome);
    // The detector's name inside a source's pipeline key ("nanodet-3.0.4", "bgs-median-v1-...").
    static QString detectorOfPipeline(const QString &pipelineKey);
    // This process as an ingest worker: "host:pid".
    static QString thisWorker();
    // True when `worker` names a process of this machine that no longer runs (killed, crashed).
    static bool workerIsGone(const QString &worker);

public Q_SLOTS:
    IngestSummary run();

Q_SIGNALS:
    void progress(const descry::IngestProgress &progress);
    void problem(const QString &message);
    void modelLoaded(const QString &modelId, const QString &device);
    void sourceFinished(const descry::IngestSourceResult &result);
    void finished(const descry::IngestSummary &summary);

private:
    IngestSourceResult ingestOne(
        Gallery &gallery, PersonDetector &detector, const QString &path, int index, int count);
    IngestSourceResult claimAndIngest(Gallery &gallery, PersonDetector &detector, VideoDecoder &decoder,
        const QString &key, int64_t sourceId, IngestSourceResult result, IngestProgress &progress);
    void waitForOtherWorkers(const QStringList &waiting, const QStringList &holders);
    bool analyse(Gallery &gallery, PersonDetector &detector, VideoDecoder &decoder, int64_t sourceId,
        IngestProgress &progress, IngestSourceResult &result);
    QString pipelineKey(const PersonDetector &detector, int stride) const;
    std::vector<std::unique_ptr<PersonDetector>> detectorCopies() const;
    QString noPeopleFound(const QString &path, const PersonDetector &detector) const;
    void embedFinished(std::vector<TrackletWithAttributes> &pending);
    bool estimatePoses(Tracklet *tracklet);
    void reportModelProblem(const QString &message);
    void groupIdentities(Gallery &gallery, const QString &modelId);

    QString m_galleryPath;
    QString m_worker; // this run's name among the gallery's workers
    QHash<QString, QString> m_hashes; // path -> content hash, so a source waited for is hashed once
    QStringList m_inputs;
    IngestOptions m_options;
    IngestSummary m_summary;
    TrackletEmbedder *m_embedder = nullptr; // the model of the running run(); null: no embeddings
    std::vector<PersonDetector *> m_detectionWorkers; // of the running run(); empty: frame by frame
    PoseEstimator *m_pose = nullptr; // the pose model of the running run(); null: fixed body zones
    bool m_poseFailureReported = false;
    std::atomic_bool m_cancel { false };
};

} // namespace descry

Q_DECLARE_METATYPE(descry::IngestProgress)
Q_DECLARE_METATYPE(descry::IngestSourceResult)
Q_DECLARE_METATYPE(descry::IngestSummary)
