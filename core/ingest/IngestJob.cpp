#include "IngestJob.h"

#include "AttributeExtractor.h"
#include "ContentHash.h"
#include "CropSelector.h"
#include "DetectionPipeline.h"
#include "Gallery.h"
#include "IdentityGrouper.h"
#include "ModelDevice.h"
#include "PersonDetector.h"
#include "PoseEstimator.h"
#include "TextPersonModel.h"
#include "Tracker.h"
#include "TrackletEmbedder.h"
#include "VideoDecoder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSysInfo>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <thread>

namespace descry {

namespace {

// Emits progress at most a few times a second: the GUI repaints a bar, the CLI a line.
class ProgressThrottle {
public:
    bool due()
    {
        if (m_timer.isValid() && m_timer.elapsed() < 200)
            return false;
        m_timer.start();
        return true;
    }

private:
    QElapsedTimer m_timer;
};

} // namespace

QString poseModelName(PoseModel model)
{
    switch (model) {
    case PoseModel::Off:
        return QStringLiteral("off");
    case PoseModel::Lightning:
        return QStringLiteral("lightning");
    case PoseModel::Thunder:
        return QStringLiteral("thunder");
    }
    return {};
}

std::optional<PoseModel> poseModelFromName(const QString &name)
{
    for (const PoseModel m : { PoseModel::Off, PoseModel::Lightning, PoseModel::Thunder })
        if (name.compare(poseModelName(m), Qt::CaseInsensitive) == 0)
            return m;
    return std::nullopt;
}

int IngestSummary::count(IngestOutcome outcome) const
{
    return int(std::count_if(
        sources.begin(), sources.end(), [outcome](const auto &s) { return s.outcome == outcome; }));
}

IngestJob::IngestJob(
    const QString &galleryPath, const QStringList &inputs, const IngestOptions &options, QObject *parent)
    : QObject(parent)
    , m_galleryPath(galleryPath)
    , m_inputs(inputs)
    , m_options(options)
{
    qRegisterMetaType<descry::IngestProgress>();
    qRegisterMetaType<descry::IngestSourceResult>();
    qRegisterMetaType<descry::IngestSummary>();
}

QString IngestJob::outcomeName(IngestOutcome outcome)
{
    switch (outcome) {
    case IngestOutcome::Ingested:
        return QStringLiteral("ingested");
    case IngestOutcome::Resumed:
        return QStringLiteral("resumed");
    case IngestOutcome::AlreadyPresent:
        return QStringLiteral("already in gallery");
    case IngestOutcome::Failed:
        return QStringLiteral("failed");
    case IngestOutcome::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QStringList IngestJob::expandInputs(const QStringList &inputs, QStringList *problems)
{
    QStringList files;
    for (const QString &input : inputs) {
        const QFileInfo info(input);
        if (!info.exists()) {
            problems->append(QStringLiteral("%1: no such file or folder").arg(input));
        } else if (info.isDir()) {
            if (!info.isReadable()) {
                problems->append(QStringLiteral("%1: folder cannot be read (permission denied)").arg(input));
                continue;
            }
            const QStringList found = VideoDecoder::listFootage(info.absoluteFilePath(), problems);
            if (found.isEmpty())
                problems->append(QStringLiteral("%1: folder holds no video or image files").arg(input));
            files += found;
        } else {
            files.append(info.absoluteFilePath());
        }
    }
    files.removeDuplicates();
    return files;
}

QString IngestJob::pipelineKey(const PersonDetector &detector, int stride) const
{
    const TrackerOptions &t = m_options.tracker;
    return QStringLiteral("v2;det=%1;min=%2;stride=%3;trk=%4,%5,%6,%7,%8;pose=%9")
        .arg(detector.name())
        .arg(m_options.detector.minScore ? QString::number(double(*m_options.detector.minScore))
                                          : QStringLiteral("default")) // the detector's own, in its name
        .arg(stride)
        .arg(t.minIou)
        .arg(t.maxMissedFrames)
        .arg(t.minDetections)
        .arg(t.cropsPerTracklet)
        .arg(t.minCropGap)
        .arg(m_pose ? m_pose->name() : QStringLiteral("off"));
}

QString IngestJob::thisWorker()
{
    return QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());
}

bool IngestJob::workerIsGone(const QString &worker)
{
    const qsizetype colon = worker.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0 || worker.left(colon) != QSysInfo::machineHostName())
        return false; // another machine's: only its heartbeat tells
    bool numeric = false;
    const qint64 pid = worker.mid(colon + 1).toLongLong(&numeric);
    return numeric && pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

QString IngestJob::detectorOfPipeline(const QString &pipelineKey)
{
    for (const QString &part : pipelineKey.split(QLatin1Char(';')))
        if (part.startsWith(QStringLiteral("det=")))
            return part.mid(4);
    return QStringLiteral("an unknown detector");
}

// Said when a source yields nobody: silence would read as "nobody was there".
QString IngestJob::noPeopleFound(const QString &path, const PersonDetector &detector) const
{
    const QString why = m_options.detector.kind == DetectorKind::Background
        ? QStringLiteral("the background detector only sees people who move in front of a fixed camera; "
                         "ingest it again with the CNN detector (the Detector choice above the source list, or --detector nanodet)")
        : QStringLiteral("if people are visible, they may be too small (under ~20 pixels tall) or mostly "
                         "hidden");
    return QStringLiteral("%1: no people found — the detector (%2) saw nobody; %3").arg(path, detector.name(), why);
}

// New tracklets join the gallery's people: the whole gallery is grouped again (milliseconds for
// the tracklets of a few clips), identity ids carried over, annotators' links kept.
void IngestJob::groupIdentities(Gallery &gallery, const QString &modelId)
{
    IdentityClusteringOptions options;
    options.threshold = IdentityGrouper::currentThreshold(gallery);
    IdentityGrouper grouper(gallery, modelId);
    IdentityGroupingResult result;
    QString error;
    if (!grouper.regroup(options, &result, &error)) {
        const QString message = QStringLiteral("tracklets not grouped into identities ('descry-cli identities --regroup' "
                                               "does it later): %1")
                                    .arg(error);
        m_summary.problems.append(message);
        Q_EMIT problem(message);
        return;
    }
    m_summary.identities = result.grouping.identityCount;
    m_summary.identitySeconds = result.grouping.seconds;
}

IngestSummary IngestJob::run()
{
    m_summary = {}; // a cancel requested before run() started is honoured, not reset
    const QStringList files = expandInputs(m_inputs, &m_summary.problems);
    for (const QString &p : std::as_const(m_summary.problems))
        Q_EMIT problem(p);

    Gallery gallery;
    QString error;
    std::unique_ptr<PersonDetector> detector;
    if (!gallery.open(m_galleryPath)) {
        error = gallery.lastError();
    } else {
        detector = createPersonDetector(m_options.detector, &error);
    }
    if (!detector) {
        m_summary.problems.append(error);
        Q_EMIT problem(error);
        Q_EMIT finished(m_summary);
        return m_summary;
    }

    // Copies of a frame-independent detector work on frames ahead of the tracker, the loaded one
    // among them.
    std::vector<std::unique_ptr<PersonDetector>> copies;
    m_detectionWorkers.clear();
    if (detector->framesIndependent()) {
        copies = detectorCopies();
        m_detectionWorkers.push_back(detector.get());
        for (const std::unique_ptr<PersonDetector> &c : copies)
            m_detectionWorkers.push_back(c.get());
    }
    m_summary.detectionThreads = int(m_detectionWorkers.size());

    // Without the pose model the footage is still ingested, with the body zones at fixed
    // fractions of the box; said once, as a problem line.
    std::unique_ptr<PoseEstimator> pose;
    if (m_options.pose != PoseModel::Off) {
        pose = PoseEstimator::load(m_options.pose == PoseModel::Thunder ? PoseEstimator::Variant::Thunder
                                                                        : PoseEstimator::Variant::Lightning,
            &error);
        if (!pose) {
            error = QStringLiteral("pose model not loaded, body zones fall back to fixed fractions of the "
                                   "person box: %1")
                        .arg(error);
            m_summary.poseProblem = error;
            m_summary.problems.append(error);
            Q_EMIT problem(error);
        }
    }
    m_pose = pose.get();
    m_poseFailureReported = false;

    // Loaded here, on the thread that runs the job, which then owns it: once per run.
    std::unique_ptr<TextPersonModel> model;
    std::unique_ptr<TrackletEmbedder> embedder;
    if (!m_options.modelPath.isEmpty()) {
        model = TextPersonModel::load(m_options.modelPath, &error);
        if (model) {
            embedder = std::make_unique<TrackletEmbedder>(*model);
            m_embedder = embedder.get();
            m_summary.modelId = model->id();
            Q_EMIT modelLoaded(model->id(), model->device());
        } else {
            reportModelProblem(QStringLiteral("text-to-person model not loaded, ingesting without its "
                                              "embeddings (attribute search only; add them later with "
                                              "'descry-cli reindex'): %1")
                                   .arg(error));
        }
    }

    // Sources another worker holds are come back to after the rest, until that worker finishes
    // them or stops (then this one takes them over from their last checkpoint).
    m_worker = m_options.worker.isEmpty() ? thisWorker() : m_options.worker;
    m_hashes.clear();
    QHash<QString, int> indexOf; // a file's place in the whole list, for progress
    for (int i = 0; i < files.size(); ++i)
        indexOf.insert(files[i], i);
    QStringList queue = files;
    while (!queue.isEmpty() && !m_cancel) {
        QStringList waiting, holders;
        for (const QString &file : std::as_const(queue)) {
            if (m_cancel)
                break;
            IngestSourceResult result = ingestOne(gallery, *detector, file, indexOf.value(file), int(files.size()));
            if (!result.heldBy.isEmpty()) {
                waiting.append(file);
                holders.append(result.heldBy);
                continue;
            }
            if (result.outcome == IngestOutcome::Failed) {
                m_summary.problems.append(result.message);
                Q_EMIT problem(result.message);
            }
            m_summary.sources.push_back(result);
            Q_EMIT sourceFinished(result);
        }
        if (!waiting.isEmpty() && !m_cancel)
            waitForOtherWorkers(waiting, holders);
        queue = waiting;
    }
    for (const QString &file : std::as_const(queue)) { // cancelled while others held them
        IngestSourceResult result;
        result.path = file;
        result.outcome = IngestOutcome::Cancelled;
        result.message = QStringLiteral("%1: not ingested here: another worker was ingesting it").arg(file);
        m_summary.sources.push_back(result);
        Q_EMIT sourceFinished(result);
    }
    m_embedder = nullptr;
    m_pose = nullptr;
    m_detectionWorkers.clear();
    if (model && !m_cancel && m_summary.count(IngestOutcome::Ingested) + m_summary.count(IngestOutcome::Resumed) > 0)
        groupIdentities(gallery, model->id());
    m_summary.cancelled = m_cancel;
    Q_EMIT finished(m_summary);
    return m_summary;
}

// Between two passes over the sources other workers hold: a few seconds, or less when claims
// time out sooner, and a cancel is honoured within a tenth of a second.
void IngestJob::waitForOtherWorkers(const QStringList &waiting, const QStringList &holders)
{
    IngestProgress progress;
    progress.path = waiting.first();
    progress.sourceCount = int(waiting.size());
    progress.stage = QStringLiteral("waiting for %1").arg(holders.first());
    Q_EMIT this->progress(progress);
    const double seconds = std::clamp(m_options.claimTimeoutSeconds / 4, 0.2, 5.0);
    QElapsedTimer clock;
    clock.start();
    while (!m_cancel && double(clock.elapsed()) < seconds * 1000)
        QThread::msleep(100);
}

// The detector loaded again for each detection thread after the first. One thread per core
// measured fastest on 2 cores (vtest.avi, NanoDet): the job's thread decodes, tracks, poses and
// embeds between frames; see ARCHITECTURE.md, Threads.
std::vector<std::unique_ptr<PersonDetector>> IngestJob::detectorCopies() const
{
    std::vector<std::unique_ptr<PersonDetector>> copies;
    int threads = m_options.detectionThreads;
    if (threads <= 0)
        threads = modelDeviceName().startsWith(QLatin1String("cuda"))
            ? 1
            : std::clamp(int(std::thread::hardware_concurrency()), 1, 4);
    for (int i = 1; i < threads; ++i) {
        QString error;
        std::unique_ptr<PersonDetector> copy = createPersonDetector(m_options.detector, &error);
        if (!copy)
            break; // it loaded once: fewer threads, same detections
        copies.push_back(std::move(copy));
    }
    return copies;
}

void IngestJob::reportModelProblem(const QString &message)
{
    if (m_summary.modelProblem.isEmpty())
        m_summary.modelProblem = message;
    m_summary.problems.append(message);
    Q_EMIT problem(message);
}

// The pose of every kept crop of a finished tracklet, then the crops ranked with it (whole,
// frontal views first). A crop the model fails on keeps fixed body zones; said once per run.
// False when the tracklet is no person: on none of its crops does the pose model see a body
// (fewer than kMinBodyKeypoints confident keypoints on its best crop for that). Measured on
// vtest.avi: of NanoDet's 45 tracklets, the 3 that follow traffic cones give 0 on every crop and
// every person at least 7 on some crop (13-17 on most); of the background detector's 34, every
// one (all people) at least 7, the smallest (32-44 px crops) 14.
bool IngestJob::estimatePoses(Tracklet *tracklet)
{
    constexpr int kMinBodyKeypoints = 3;
    if (!m_pose)
        return true;
    int mostSeen = 0;
    bool allPosed = !tracklet->crops.empty();
    for (Crop &crop : tracklet->crops) {
        Pose pose;
        QString error;
        if (m_pose->estimate(crop.jpeg, &pose, &error)) {
            crop.pose = pose;
            mostSeen = std::max(mostSeen, pose.confidentCount());
            continue;
        }
        allPosed = false;
        if (!m_poseFailureReported) {
            m_poseFailureReported = true;
            error = QStringLiteral("pose estimation failed on a crop (%1); crops without a pose keep fixed "
                                   "body zones")
                        .arg(error);
            m_summary.problems.append(error);
            Q_EMIT problem(error);
        }
    }
    CropSelector::preferWholeFrontal(tracklet);
    return !allPosed || mostSeen >= kMinBodyKeypoints;
}

// One batched model call for every tracklet finished since the last checkpoint; their
// embeddings then go into the checkpoint's transaction together with the tracklets.
void IngestJob::embedFinished(std::vector<TrackletWithAttributes> &pending)
{
    if (!m_embedder || pending.empty())
        return;
    std::vector<std::vector<QByteArray>> crops(pending.size());
    for (size_t i = 0; i < pending.size(); ++i)
        for (const Crop &c : pending[i].tracklet.crops)
            crops[i].push_back(c.jpeg);
    std::vector<std::vector<EmbeddingRecord>> embeddings;
    QString error;
    if (!m_embedder->embed(crops, &embeddings, &error)) {
        // Keep ingesting: tracklets and attributes are worth storing; reindex fills the gap.
        m_embedder = nullptr;
        reportModelProblem(QStringLiteral("%1; the rest of this run is stored without embeddings, add "
                                          "them with 'descry-cli reindex'")
                               .arg(error));
        return;
    }
    for (size_t i = 0; i < pending.size(); ++i)
        pending[i].embeddings = std::move(embeddings[i]);
}

IngestSourceResult IngestJob::ingestOne(
    Gallery &gallery, PersonDetector &detector, const QString &path, int index, int count)
{
    IngestSourceResult result;
    result.path = path;
    IngestProgress progress;
    progress.path = path;
    progress.sourceIndex = index;
    progress.sourceCount = count;

    // Open before hashing: a non-video file is rejected without reading all of it.
    VideoDecoder decoder;
    QString error;
    if (!decoder.open(path, &error)) {
        result.message = error;
        return result;
    }
    const VideoInfo info = decoder.info();
    result.footageSeconds = info.duration();
    const int stride = std::max(1, int(std::lround(info.fps / std::max(0.1, m_options.effectiveAnalysisFps()))));
    decoder.setStride(stride);

    progress.stage = QStringLiteral("hashing");
    Q_EMIT this->progress(progress);
    QString hash;
    ProgressThrottle throttle;
    const auto hashProgress = [&](qint64 done, qint64 total) {
        if (!throttle.due())
            return;
        progress.fraction = total > 0 ? 0.02 * double(done) / double(total) : 0;
        Q_EMIT this->progress(progress);
    };
    if (m_hashes.contains(path)) {
        hash = m_hashes.value(path);
    } else if (!contentHash(path, &hash, &error, hashProgress, &m_cancel)) {
        result.outcome = m_cancel ? IngestOutcome::Cancelled : IngestOutcome::Failed;
        result.message = error;
        return result;
    }
    m_hashes.insert(path, hash);

    const QString key = pipelineKey(detector, stride);
    std::optional<SourceRecord> existing = gallery.sourceByHash(hash);
    // Re-ingest: a finished source made by another pipeline is reset below, like a partial one.
    const bool replacing = existing && existing->status == SourceStatus::Done && m_options.reingest
        && existing->pipelineKey != key;
    if (replacing) {
        const int64_t reviews = gallery.reviewCount(existing->id);
        if (reviews > 0) {
            result.sourceId = existing->id;
            result.message = QStringLiteral("%1: not ingested again: %2 reviews of its tracklets would be lost "
                                            "(export the case first, then remove the reviews)")
                                 .arg(path)
                                 .arg(reviews);
            return result;
        }
    }
    if (existing && existing->status == SourceStatus::Done && !replacing) {
        result.outcome = IngestOutcome::AlreadyPresent;
        result.sourceId = existing->id;
        result.tracklets = int(gallery.trackletCount(existing->id));
        result.message = existing->path == path
            ? QStringLiteral("%1: already in the gallery, skipped").arg(path)
            : QStringLiteral("%1: same content as %2, already in the gallery, skipped")
                  .arg(path, existing->path);
        if (existing->pipelineKey != key)
            result.message += QStringLiteral(" (made with %1; re-ingest to use the chosen detector)")
                                  .arg(detectorOfPipeline(existing->pipelineKey));
        return result;
    }
    if (existing) {
        result.sourceId = existing->id;
    } else {
        SourceRecord record;
        record.path = path;
        record.contentHash = hash;
        record.sizeBytes = QFileInfo(path).size();
        record.fps = info.fps;
        record.frameCount = info.frameCount;
        record.duration = info.duration();
        record.width = info.width;
        record.height = info.height;
        record.cameraLabel
            = m_options.cameraLabel.isEmpty() ? QFileInfo(path).completeBaseName() : m_options.cameraLabel;
        record.pipelineKey = key;
        record.recordedAt = m_options.recordedAt;
        if (gallery.addSource(&record)) {
            result.sourceId = record.id;
        } else if (const std::optional<SourceRecord> added = gallery.sourceByHash(hash)) {
            result.sourceId = added->id; // another worker recorded it first
        } else {
            result.message
                = QStringLiteral("%1: cannot record the source: %2").arg(path, gallery.lastError());
            return result;
        }
    }
    return claimAndIngest(gallery, detector, decoder, key, result.sourceId, result, progress);
}

// The source is claimed for this worker before anything of it changes; then it is read again (it
// may have been finished, or be taken over from its last checkpoint) and analysed.
IngestSourceResult IngestJob::claimAndIngest(Gallery &gallery, PersonDetector &detector, VideoDecoder &decoder,
    const QString &key, int64_t sourceId, IngestSourceResult result, IngestProgress &progress)
{
    QElapsedTimer clock;
    clock.start();
    const QString &path = result.path;
    const VideoInfo info = decoder.info();
    const double timeout = m_options.claimTimeoutSeconds;
    const SourceClaim claim = gallery.claimSource(sourceId, m_worker, [timeout](const SourceClaim &held) {
        return held.heartbeatAge < 0 || held.heartbeatAge > timeout || workerIsGone(held.holder);
    });
    if (claim.outcome == SourceClaim::Outcome::Failed) {
        result.message = QStringLiteral("%1: cannot claim the source: %2").arg(path, gallery.lastError());
        return result;
    }
    if (claim.outcome != SourceClaim::Outcome::Claimed) {
        result.heldBy = claim.holder.isEmpty() ? QStringLiteral("another worker") : claim.holder;
        result.outcome = IngestOutcome::Cancelled;
        result.message = QStringLiteral("%1: %2 is ingesting it").arg(path, result.heldBy);
        return result;
    }
    const std::optional<SourceRecord> existing = gallery.source(sourceId);
    if (!existing) {
        result.message = QStringLiteral("%1: the source left the gallery: %2").arg(path, gallery.lastError());
        return result;
    }
    const bool replacing = existing->status == SourceStatus::Done && m_options.reingest && existing->pipelineKey != key;
    if (existing->status == SourceStatus::Done && !replacing) { // finished by another worker meanwhile
        gallery.releaseSource(sourceId, m_worker);
        result.outcome = IngestOutcome::AlreadyPresent;
        result.tracklets = int(gallery.trackletCount(sourceId));
        result.message = QStringLiteral("%1: already in the gallery (another worker ingested it), skipped").arg(path);
        return result;
    }
    const bool takenOver = !claim.holder.isEmpty() && claim.holder != m_worker;
    const bool canResume = existing->status == SourceStatus::Ingesting && existing->pipelineKey == key;
    if (!canResume && !gallery.resetSource(sourceId, key)) {
        result.message = QStringLiteral("%1: cannot reset the earlier partial ingest: %2").arg(path, gallery.lastError());
        gallery.releaseSource(sourceId, m_worker);
        return result;
    }
    const bool resumed = canResume && existing->processedFrames > 0;
    if (existing->path != path)
        gallery.updateSourcePath(sourceId, path);
    if (takenOver)
        result.message = claim.heartbeatAge >= 0
            ? QStringLiteral("taken over from %1, silent for %2 s").arg(claim.holder).arg(claim.heartbeatAge, 0, 'f', 0)
            : QStringLiteral("taken over from %1").arg(claim.holder);

    const bool ok = analyse(gallery, detector, decoder, result.sourceId, progress, result);
    result.seconds = double(clock.elapsed()) / 1000.0;
    result.tracklets = int(gallery.trackletCount(result.sourceId));
    if (!ok) {
        if (result.outcome == IngestOutcome::Failed)
            gallery.markSourceFailed(result.sourceId, result.message);
        else if (m_options.stopAfterFrames < 0) // a cancel lets the claim go; the test's kill keeps it
            gallery.releaseSource(result.sourceId, m_worker);
        return result;
    }
    result.outcome = resumed ? IngestOutcome::Resumed : IngestOutcome::Ingested;
    const QString note = result.message;
    const QString what = info.still ? QStringLiteral("a photo")
                                    : QStringLiteral("%1 s of footage").arg(result.footageSeconds, 0, 'f', 1);
    result.message = QStringLiteral("%1: %2 tracklets from %3 in %4 s%5")
                         .arg(path)
                         .arg(result.tracklets)
                         .arg(what)
                         .arg(result.seconds, 0, 'f', 1)
                         .arg(note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(note));
    if (result.tracklets == 0) {
        const QString problem = noPeopleFound(path, detector);
        m_summary.problems.append(problem);
        Q_EMIT this->problem(problem);
    }
    progress.stage = QStringLiteral("done");
    progress.fraction = 1;
    progress.etaSeconds = 0;
    progress.tracklets = result.tracklets;
    Q_EMIT this->progress(progress);
    return result;
}

bool IngestJob::analyse(Gallery &gallery, PersonDetector &detector, VideoDecoder &decoder, int64_t sourceId,
    IngestProgress &progress, IngestSourceResult &result)
{
    const VideoInfo info = decoder.info();
    const int stride = decoder.stride();
    TrackerOptions trackerOptions = m_options.tracker;
    if (info.still)
        trackerOptions.minDetections = 1; // a photo shows each person once
    Tracker tracker(trackerOptions);
    IngestCheckpoint checkpoint = gallery.checkpoint(sourceId).value_or(IngestCheckpoint {});
    if (!checkpoint.trackerState.isEmpty() && !tracker.restoreState(checkpoint.trackerState)) {
        // A checkpoint this build cannot read: start the source again rather than guess.
        gallery.resetSource(sourceId, pipelineKey(detector, stride));
        checkpoint = {};
    }

    // Rebuild the detector's state exactly: it depends only on its last warmupFrames() frames.
    detector.reset();
    const int64_t replayFrom
        = std::max<int64_t>(0, checkpoint.nextFrame - int64_t(detector.warmupFrames()) * stride);
    decoder.skipTo(replayFrom);
    {
        Frame frame;
        std::vector<Detection> detections;
        QString error;
        while (decoder.nextIndex() < checkpoint.nextFrame && decoder.read(&frame))
            detector.detect(frame, &detections, &error);
    }

    AttributeExtractor attributes;
    std::vector<TrackletWithAttributes> pending;
    int notPeople = 0; // tracklets left out this run: the pose model saw no body in them
    const auto collect = [&](std::vector<Tracklet> &&done) {
        for (Tracklet &t : done) {
            if (!estimatePoses(&t)) {
                ++notPeople;
                continue;
            }
            AttributeSet a = attributes.extract(t);
            pending.push_back({ std::move(t), std::move(a) });
        }
    };
    int storedTracklets = int(gallery.trackletCount(sourceId));
    const auto commit = [&](bool finished) {
        embedFinished(pending);
        checkpoint.trackerState = finished ? QByteArray() : tracker.saveState();
        if (!gallery.commitProgress(sourceId, checkpoint, pending, finished, m_worker)) {
            result.message = QStringLiteral("%1: cannot write to the gallery: %2")
                                 .arg(progress.path, gallery.lastError());
            // A lost claim is no failure of the source: its new worker goes on with it.
            if (!gallery.heartbeat(sourceId, m_worker))
                result.outcome = IngestOutcome::Cancelled;
            return false;
        }
        storedTracklets += int(pending.size());
        pending.clear();
        return true;
    };

    progress.stage = QStringLiteral("analysing");
    QElapsedTimer clock;
    clock.start();
    ProgressThrottle throttle;
    int64_t analysedThisRun = 0;
    const int64_t startFrame = checkpoint.nextFrame;
    // The claim's heartbeat, a few times per claim timeout (every checkpoint beats it too).
    QElapsedTimer sinceHeartbeat;
    sinceHeartbeat.start();
    const qint64 heartbeatMs = qint64(1000 * std::clamp(m_options.claimTimeoutSeconds / 4, 0.2, 10.0));
    DetectionPipeline pipeline(decoder, detector, m_detectionWorkers);
    DetectedFrame detected;
    const Frame &frame = detected.frame;
    for (;;) {
        QString error;
        const DetectionPipeline::Step step = pipeline.next(&detected, &error);
        if (step == DetectionPipeline::Step::End)
            break;
        if (step == DetectionPipeline::Step::Failed) {
            result.message = QStringLiteral("%1: detector failed at frame %2: %3")
                                 .arg(progress.path)
                                 .arg(frame.index)
                                 .arg(error);
            return false;
        }
        tracker.update(frame, detected.detections, detected.foregroundMask);
        collect(tracker.takeFinished());
        checkpoint.nextFrame = detected.nextIndex;
        ++checkpoint.processedFrames;
        ++analysedThisRun;
        if (m_options.stopAfterFrames >= 0 && analysedThisRun >= m_options.stopAfterFrames) {
            result.outcome = IngestOutcome::Cancelled; // what a kill leaves: the last checkpoint only
            if (m_options.stopHook)
                m_options.stopHook();
            result.message = QStringLiteral("%1: stopped after %2 frames (test)")
                                 .arg(progress.path)
                                 .arg(analysedThisRun);
            return false;
        }
        if (checkpoint.processedFrames % m_options.checkpointEvery == 0) {
            if (!commit(false))
                return false;
            sinceHeartbeat.restart();
        }
        if (sinceHeartbeat.elapsed() >= heartbeatMs) {
            if (!gallery.heartbeat(sourceId, m_worker)) {
                result.outcome = IngestOutcome::Cancelled; // the source is the other worker's now
                result.message = QStringLiteral("%1: %2").arg(progress.path, gallery.lastError());
                return false;
            }
            sinceHeartbeat.restart();
        }
        if (m_cancel) {
            result.outcome = IngestOutcome::Cancelled;
            result.message = QStringLiteral("%1: cancelled at frame %2; ingest again to resume")
                                 .arg(progress.path)
                                 .arg(frame.index);
            return commit(false) && false;
        }
        if (throttle.due()) {
            const double seconds = double(clock.elapsed()) / 1000.0;
            const double rate
                = seconds > 0 ? double(frame.index - startFrame) / seconds : 0; // source frames/s
            progress.framesDone = frame.index + 1;
            progress.framesTotal = info.frameCount;
            progress.fraction = info.frameCount > 0
                ? 0.02 + 0.98 * std::min(1.0, double(frame.index + 1) / double(info.frameCount))
                : 0;
            progress.etaSeconds = rate > 0 && info.frameCount > 0
                ? std::max(0.0, double(info.frameCount - frame.index - 1) / rate)
                : -1;
            progress.framesPerSecond = seconds > 0 ? double(analysedThisRun) / seconds : 0;
            progress.tracklets = storedTracklets + int(pending.size());
            Q_EMIT this->progress(progress);
        }
    }
    if (info.frameCount > 0 && checkpoint.nextFrame + stride < info.frameCount) {
        // A truncated file: its header promises more than it holds. The gallery (footage panel,
        // info, timelines) records what was decoded, not the header's length.
        const double decoded = info.fps > 0 ? double(checkpoint.nextFrame) / info.fps : 0;
        result.message = QStringLiteral(
            "video ended at frame %1 of %2 (%3 s of the %4 s its header claims): the file may be truncated; "
            "kept what was decoded")
                             .arg(checkpoint.nextFrame)
                             .arg(info.frameCount)
                             .arg(decoded, 0, 'f', 1)
                             .arg(info.duration(), 0, 'f', 1);
        result.footageSeconds = decoded;
        if (!gallery.setSourceLength(sourceId, checkpoint.nextFrame, decoded))
            return false;
    }
    collect(tracker.finish());
    if (notPeople > 0) {
        const QString left = QStringLiteral("left out %1 tracked %2 in which the pose model saw no body")
                                 .arg(notPeople)
                                 .arg(notPeople == 1 ? QStringLiteral("object") : QStringLiteral("objects"));
        result.message = result.message.isEmpty() ? left : result.message + QStringLiteral("; ") + left;
    }
    return commit(true);
}

} // namespace descry

#include "moc_IngestJob.cpp"
