#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>

namespace descry {

struct ReindexOptions {
    QString modelPath; // the model (config .json or TorchScript .ts) whose embeddings are computed
    int batchTracklets = 128; // tracklets embedded (one model batch) and stored (one transaction) at a time
    // Testing aid: stop as if killed once this many tracklets were embedded in this run (the
    // batch in progress is not written), calling `stopHook` first.
    int stopAfterTracklets = -1;
    std::function<void()> stopHook;
};

struct ReindexProgress {
    QString modelId;
    int64_t done = 0; // tracklets handled in this run (embedded or without usable crops)
    int64_t total = 0; // tracklets that lacked this model's embeddings when the run started
    double etaSeconds = -1; // -1 while unknown
    double trackletsPerSecond = 0;
};

struct ReindexSummary {
    bool ok = false; // false: the gallery or model could not be used, see `error`
    QString error;
    QString modelId;
    QString device;
    int64_t tracklets = 0; // in the gallery when the run started
    int64_t alreadyEmbedded = 0; // of those, with this model's embeddings already
    int64_t embedded = 0; // embedded by this run
    int64_t withoutCrops = 0; // no crop decodes: nothing to embed (reported, not retried here)
    double seconds = 0;
    bool cancelled = false; // cancelled or stopped: run again to continue
};

// Computes the embeddings a model is missing for tracklets already in the gallery (ingested
// without a model, or with another one): batches of tracklets without them, in id order →
// their stored crops → one batched model call (TrackletEmbedder) → one transaction per
// batch. Nothing but finished batches is written, and what is missing is read from the
// gallery, so a killed run started again simply continues. Embeddings of other models are
// kept: switching back to a model costs nothing, and vectors are keyed by model id so they
// never mix. Like IngestJob, run() works on the calling thread with its own gallery
// connection and loads the model there.
class ReindexJob : public QObject {
    Q_OBJECT
public:
    ReindexJob(const QString &galleryPath, const ReindexOptions &options, QObject *parent = nullptr);

    // Thread-safe; the job stops after the batch in progress is written.
    void requestCancel() { m_cancel = true; }
    const ReindexSummary &summary() const { return m_summary; }

public Q_SLOTS:
    ReindexSummary run();

Q_SIGNALS:
    void modelLoaded(const QString &modelId, const QString &device);
    void progress(const descry::ReindexProgress &progress);
    void finished(const descry::ReindexSummary &summary);

private:
    ReindexSummary fail(const QString &error);

    QString m_galleryPath;
    ReindexOptions m_options;
    ReindexSummary m_summary;
    std::atomic_bool m_cancel { false };
};

} // namespace descry

Q_DECLARE_METATYPE(descry::ReindexProgress)
Q_DECLARE_METATYPE(descry::ReindexSummary)
