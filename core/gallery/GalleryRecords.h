#pragma once

#include "Attributes.h"
#include "BodyPose.h"
#include "Box.h"
#include "Detection.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace descry {

// Plain rows of the gallery, shared by core, ui and the CLI (no SQL or OpenCV types).

enum class SourceStatus { Ingesting, Done, Failed };
QString sourceStatusKey(SourceStatus status);
SourceStatus sourceStatusFromKey(const QString &key);

struct SourceRecord {
    int64_t id = 0;
    QString path;
    QString contentHash; // SHA-256 of the file's bytes, hex
    int64_t sizeBytes = 0;
    double fps = 0;
    int64_t frameCount = 0;
    double duration = 0; // seconds
    int width = 0, height = 0;
    QString cameraLabel;
    SourceStatus status = SourceStatus::Ingesting;
    int64_t processedFrames = 0;
    QString pipelineKey; // detector + tracker + stride: a resume must use the same
    QString error;
    QDateTime addedAt;
    QDateTime finishedAt;
    QDateTime recordedAt; // the first frame's wall-clock time (UTC); invalid: unknown
};

// Who ingests a source (schema 8): several ingest workers — processes on one machine, or machines
// sharing a PostgreSQL gallery — each claim a source before they analyse it.
struct SourceClaim {
    enum class Outcome {
        Claimed, // the asking worker holds it now
        Held, // another worker holds it and its heartbeat is fresh
        Busy, // another worker is claiming it at this moment (its row is locked)
        Failed, // the database said no (lastError)
    };
    Outcome outcome = Outcome::Failed;
    QString holder; // the worker that held it when asked (empty: nobody)
    double heartbeatAge = -1; // seconds since the holder's last heartbeat, database clock; -1: none
    SourceStatus status = SourceStatus::Ingesting;
};

// The least time a person needs from one camera to the other (either way): two tracklets of these
// cameras closer in time than this are two people. Stored with cameraA < cameraB.
struct CameraTransit {
    QString cameraA;
    QString cameraB;
    double minSeconds = 0;
};

// Where an interrupted ingest continues: the next source frame to decode and the tracker
// state at that point (tracklets already finished were written with the checkpoint).
struct IngestCheckpoint {
    int64_t nextFrame = 0;
    int64_t processedFrames = 0;
    QByteArray trackerState;
};

struct TrackletRecord {
    int64_t id = 0;
    int64_t sourceId = 0;
    int localId = 0;
    int64_t startFrame = 0, endFrame = 0;
    double startTime = 0, endTime = 0;
    int detectionCount = 0;
    int64_t bestCropId = 0;
    QString sourcePath;
    QString cameraLabel;
    int64_t identityId = 0; // the person it is, as the latest identity grouping decided; 0: none
};

// A stored box of a tracklet: exactly what the detector reported (frame, time, box, score).
using DetectionRecord = Detection;

struct CropRecord {
    int64_t id = 0;
    int64_t trackletId = 0;
    int64_t frame = 0;
    Box box; // the part of the frame the crop shows
    float quality = 0;
    Box person; // the person's box inside the crop image (the whole crop when unknown)
    std::optional<Pose> pose; // keypoints in the crop image's pixels; nullopt when none was estimated
    std::optional<CropBody> body() const { return pose ? std::optional<CropBody>(CropBody { *pose, person }) : std::nullopt; }
};

// An annotator's decision on one result of one query (the reviews table). Decisions are never
// overwritten: a new decision on the same (query, tracklet) is a new row and the latest one
// (highest id) counts, so the history of who decided what stays in the gallery.
enum class ReviewVerdict { Confirmed, Rejected, Skipped };
QString reviewVerdictKey(ReviewVerdict verdict); // "confirmed", "rejected", "skipped"
std::optional<ReviewVerdict> reviewVerdictFromKey(const QString &key); // nullopt for other text

struct ReviewRecord {
    int64_t id = 0;
    int64_t trackletId = 0;
    QString queryText; // stored with whitespace simplified (Gallery::addReview)
    ReviewVerdict verdict = ReviewVerdict::Skipped;
    QString label; // e.g. an identity name or a case number; may be empty
    QString note;
    QString author;
    QDateTime createdAt; // UTC
};

struct QueryRecord {
    int64_t id = 0;
    QString text;
    int resultCount = 0;
    double elapsedMs = 0;
    QDateTime createdAt;
};

// One stored vector of a neural model: which model made it is part of the key, so a model
// change never mixes incomparable vectors (see TrackletEmbedder for the kinds).
struct EmbeddingRecord {
    int64_t trackletId = 0;
    QString modelId;
    QString kind;
    std::vector<float> vector;
};

// One grouping of the gallery's tracklets into identities (IdentityGrouper): what made it.
struct IdentityGroupingRecord {
    int64_t version = 0; // set by Gallery::replaceIdentities
    QString modelId; // whose vectors gave the affinities
    double threshold = 0;
    int64_t trackletCount = 0;
    int64_t identityCount = 0;
    double seconds = 0; // how long the grouping took
    QDateTime createdAt; // UTC
    QString method; // how tracklets were compared (IdentityGrouper::method); empty: before schema 7
};

// An annotator's word on two tracklets: the same person (merge) or not (split). The pair is
// stored with trackletA < trackletB; the latest link of a pair counts.
struct IdentityLinkRecord {
    int64_t id = 0;
    int64_t trackletA = 0;
    int64_t trackletB = 0;
    bool same = true;
    QString author;
    QDateTime createdAt; // UTC
};

} // namespace descry
