#pragma once

#include "Attributes.h"
#include "GalleryRecords.h"
#include "Tracklet.h"

#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace descry {

// A tracklet ready to be stored, with the attributes measured on it and, when a model ran, its
// embeddings. The tracklet gets its id only when commitProgress() inserts it, so the
// embeddings' trackletId is ignored there and set to that id.
struct TrackletWithAttributes {
    Tracklet tracklet;
    AttributeSet attributes;
    // "= {}" lets { tracklet, attributes } initialise the rest without -Wmissing-field-initializers.
    std::vector<EmbeddingRecord> embeddings = {};
};

// The gallery of ingested footage: a SQLite file (the default) or a team's PostgreSQL database
// (open() with a postgresql:// URL, Qt's QPSQL driver; GalleryLocation). One Gallery object is
// one connection and belongs to the thread that opened it: every worker opens its own (SQLite's
// WAL lets readers and one writer work at once). All SQL is parameterised and lives in this
// class; the few statements the engines spell differently are chosen here. Methods return
// false / empty on failure and leave the reason in lastError().
class Gallery {
public:
    Gallery();
    ~Gallery();
    Gallery(const Gallery &) = delete;
    Gallery &operator=(const Gallery &) = delete;

    // How open() treats the file. Auto: read-only when the file or its folder is write-protected
    // (a case archive, a read-only share), read-write otherwise.
    enum class Access { Auto, ReadOnly };

    // Opens (creating folders and file as needed, or connecting to the server of a postgresql://
    // URL) and migrates the schema. An existing file is
    // first checked by SQLite (quick_check) when it changed since its last good check; a damaged
    // one, a 0-byte one and one this process found damaged are refused with the way out in
    // lastError(). A read-only gallery is not migrated: it must have this build's schema.
    bool open(const QString &path, Access access = Access::Auto);
    // What Access::Auto means in this process from now on (descry-cli --read-only: every
    // gallery the command opens, on any thread, is read-only).
    static void setDefaultAccess(Access access);
    void close();
    bool isOpen() const;
    // Searches work on a read-only gallery; every method that writes fails with the reason.
    bool isReadOnly() const;
    // What SQLite said when a read of this gallery found damage (in this process); empty when none.
    // Once there is damage, nothing more is written to the file by any connection of the process.
    QString damage() const;
    QString path() const;
    QString lastError() const;
    int schemaVersion() const;
    // The schema this build writes (GallerySchema's latest migration).
    static int latestSchemaVersion();
    // The schema version stored in the gallery at `path`, read on a read-only connection of its
    // own without migrating anything (open() would upgrade an older gallery); -1 with the
    // reason in `error` when the file cannot be read as SQLite.
    static int storedSchemaVersion(const QString &path, QString *error);

    // Default location: <user data dir>/gallery.sqlite (e.g. ~/.local/share/Descry/).
    static QString defaultPath();

    // --- sources
    std::optional<SourceRecord> sourceByHash(const QString &contentHash);
    std::optional<SourceRecord> source(int64_t id);
    std::vector<SourceRecord> sources();
    bool addSource(SourceRecord *record); // sets record->id
    // Forget everything ingested from a source (its tracklets and their rows) but keep the row.
    bool resetSource(int64_t sourceId, const QString &pipelineKey);
    bool updateSourcePath(int64_t sourceId, const QString &path);
    // The frames and seconds a source really holds, when decoding ended before its header's count
    // (a truncated file).
    bool setSourceLength(int64_t sourceId, int64_t frameCount, double duration);
    // When the source's first frame was recorded (UTC; invalid: unknown). False when no such source.
    bool setSourceRecordedAt(int64_t sourceId, const QDateTime &recordedAt);
    // The least seconds a person needs between two cameras (labels, either order); a negative
    // value removes the pair. Identity grouping reads them (camera_transits, schema 6).
    bool setCameraTransit(const QString &cameraA, const QString &cameraB, double minSeconds);
    std::vector<CameraTransit> cameraTransits();
    std::optional<IngestCheckpoint> checkpoint(int64_t sourceId);
    // One transaction: the finished tracklets, their attributes and embeddings, and the new
    // checkpoint, so a kill never leaves tracklets without their embeddings or the reverse.
    // With `done`, the source is marked done instead (the checkpoint state is cleared).
    // With `worker`, the transaction also checks that the worker still holds the source's claim
    // (and beats its heartbeat): a worker whose claim was taken over writes nothing. `done` lets
    // the claim go.
    bool commitProgress(int64_t sourceId, const IngestCheckpoint &checkpoint,
        const std::vector<TrackletWithAttributes> &finished, bool done, const QString &worker = {});
    bool markSourceFailed(int64_t sourceId, const QString &reason); // and lets its claim go

    // --- claims (see SourceClaim): one worker ingests a source at a time.
    // `worker` takes the source when nobody holds it, it holds it already, or
    // `mayTakeOver(current)` says the holder is gone (its heartbeat stopped, its process died).
    // Atomic across processes and machines: on PostgreSQL the row is read FOR UPDATE SKIP LOCKED
    // inside the claim's transaction (a source another worker is claiming is passed over, not
    // waited for); on SQLite the claim is a compare-and-set of the holder. Finished sources can
    // be claimed too (a re-ingest); the caller reads `status`.
    SourceClaim claimSource(
        int64_t sourceId, const QString &worker, const std::function<bool(const SourceClaim &)> &mayTakeOver);
    // Beats the claim's heartbeat; false when `worker` no longer holds it (taken over) or on failure.
    bool heartbeat(int64_t sourceId, const QString &worker);
    // Lets the claim go (a cancelled ingest), when `worker` holds it.
    bool releaseSource(int64_t sourceId, const QString &worker);

    // --- tracklets
    int64_t trackletCount(int64_t sourceId = 0); // 0: all sources
    int64_t reviewCount(int64_t sourceId); // reviews of the source's tracklets
    // A source's tracklets (0: all), by id. Without `bestCrop` their bestCropId is 0 and the read
    // takes half the time (a million rows: the search engine's, which fills in its results').
    std::vector<TrackletRecord> tracklets(int64_t sourceId = 0, bool bestCrop = true);
    int64_t bestCropId(int64_t trackletId); // the crop thumbnails show; 0 when none
    std::optional<TrackletRecord> tracklet(int64_t id);
    std::vector<DetectionRecord> detections(int64_t trackletId);
    std::vector<CropRecord> crops(int64_t trackletId);
    // The body on the tracklet's best crop (the one thumbnails and explanations show), when a
    // pose model saw it.
    std::optional<CropBody> bestCropBody(int64_t trackletId);
    QByteArray cropImage(int64_t cropId); // JPEG bytes
    QByteArray cropMask(int64_t cropId); // PNG bytes; empty when the detector gave no mask
    std::vector<TrackletAttributes> allAttributes();
    AttributeSet attributes(int64_t trackletId);
    // One transaction: the attributes measured on each named tracklet's crops are replaced by
    // `measured`; what the detector saw carried (accessory:*, measured on every detection, whose
    // object scores are not stored) is kept. The generation counter moves, so searches reload.
    bool replaceMeasuredAttributes(const std::vector<TrackletAttributes> &measured);

    // --- query history
    bool addQuery(const QString &text, int resultCount, double elapsedMs);
    std::vector<QueryRecord> recentQueries(int limit);

    // --- reviews: annotators' decisions on a query's results (see ReviewRecord). Query texts
    // are compared with their whitespace simplified, as addReview stores them.
    // Stores a new decision and sets record->id (and createdAt to now when it is not set).
    // Fails on an empty query text or a tracklet that is not in the gallery.
    bool addReview(ReviewRecord *record);
    // Deletes one decision, so the one before it counts again (undo); fails when it is gone.
    bool removeReview(int64_t reviewId);
    // The decisions that count — the latest per (query, tracklet) — of one query, or of every
    // query when `queryText` is empty; in the order they were made. Superseded decisions are
    // in reviewsOfTracklet().
    std::vector<ReviewRecord> reviews(const QString &queryText = {});
    // Every decision on one tracklet, superseded ones included, oldest first.
    std::vector<ReviewRecord> reviewsOfTracklet(int64_t trackletId);
    // The decisions that count and are confirmations, across queries: the (query text,
    // tracklet) pairs annotators vouch for. Ordered by tracklet, then decision.
    std::vector<ReviewRecord> confirmedReviews();

    // --- embeddings (filled by the neural models; the model id is part of the key)
    // Both replace a vector already stored under the same tracklet, model and kind.
    bool putEmbedding(
        int64_t trackletId, const QString &modelId, const QString &kind, const std::vector<float> &vector);
    bool putEmbeddings(const std::vector<EmbeddingRecord> &records); // one transaction
    std::vector<float> embedding(int64_t trackletId, const QString &modelId, const QString &kind);
    // One vector per id, in the order of `ids`; empty where a tracklet has none.
    std::vector<std::vector<float>> embeddings(
        const std::vector<int64_t> &ids, const QString &modelId, const QString &kind);
    // Every vector of a model and kind for search: tracklet ids ascending, `matrix` row-major
    // (ids->size() x *dim). Fails when the stored vectors disagree on their size.
    bool loadEmbeddings(const QString &modelId, const QString &kind, std::vector<int64_t> *ids,
        std::vector<float> *matrix, int *dim);
    // Up to `limit` tracklets with id > afterId that have no vector of this model and kind, by
    // id: what a reindex still has to compute. `afterId` lets a caller walk on past tracklets
    // it could not embed instead of being handed them again.
    std::vector<int64_t> trackletsWithoutEmbedding(
        const QString &modelId, const QString &kind, int limit, int64_t afterId = 0);
    int64_t embeddingCount(const QString &modelId, const QString &kind);

    // --- identities (IdentityGrouper writes them; see GallerySchema step 5)
    // One transaction: every tracklet's identity is replaced by `identityOfTracklet` (tracklet id
    // -> identity id; tracklets left out have none), and the grouping is recorded (sets
    // grouping->version, and createdAt to now when it is not set). Moves the generation counter.
    bool replaceIdentities(IdentityGroupingRecord *grouping, const std::map<int64_t, int64_t> &identityOfTracklet);
    // tracklet id -> identity id, as the latest grouping decided (tracklets ingested since have none).
    std::map<int64_t, int64_t> identities();
    std::optional<IdentityGroupingRecord> latestIdentityGrouping();
    // The lowest identity id never handed out (ids are not reused after an identity vanishes).
    int64_t nextIdentityId();
    // Stores an annotator's link (ordered so that trackletA < trackletB; sets id, createdAt when
    // not set). Fails for a tracklet linked to itself or one that is not in the gallery; whether
    // the link makes sense (two people seen at once) is the caller's to check.
    bool addIdentityLink(IdentityLinkRecord *link);
    // The links that count: the latest per tracklet pair, in the order they were made.
    std::vector<IdentityLinkRecord> identityLinks();

    // A number that changes whenever tracklets or embeddings are added, replaced or removed
    // (also by another connection or process); caches compare it. One row read: O(1).
    int64_t generation();
    // SQLite's data_version of this connection: it changes whenever another connection — another
    // process, another thread — commits anything (reviews too). On PostgreSQL, counters that
    // every write moves (another machine's too). O(1).
    int64_t dataVersion();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace descry
