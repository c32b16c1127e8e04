#include "ReindexJob.h"

#include "Gallery.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"

#include <QElapsedTimer>

#include <algorithm>

namespace descry {

ReindexJob::ReindexJob(const QString &galleryPath, const ReindexOptions &options, QObject *parent)
    : QObject(parent)
    , m_galleryPath(galleryPath)
    , m_options(options)
{
    qRegisterMetaType<descry::ReindexProgress>();
    qRegisterMetaType<descry::ReindexSummary>();
}

ReindexSummary ReindexJob::fail(const QString &error)
{
    m_summary.ok = false;
    m_summary.error = error;
    Q_EMIT finished(m_summary);
    return m_summary;
}

ReindexSummary ReindexJob::run()
{
    QElapsedTimer clock;
    clock.start();
    m_summary = {};
    Gallery gallery;
    if (!gallery.open(m_galleryPath))
        return fail(gallery.lastError());
    QString error;
    const std::unique_ptr<TextPersonModel> model = TextPersonModel::load(m_options.modelPath, &error);
    if (!model)
        return fail(QStringLiteral("text-to-person model not loaded: %1").arg(error));
    TrackletEmbedder embedder(*model);
    m_summary.modelId = model->id();
    m_summary.device = model->device();
    Q_EMIT modelLoaded(m_summary.modelId, m_summary.device);

    // The kinds are always written together, so the newest one marks a tracklet as done: a
    // gallery embedded before colour descriptors existed is redone once, whole.
    const QString &marker = TrackletEmbedder::ColourKind;
    m_summary.tracklets = gallery.trackletCount();
    m_summary.alreadyEmbedded = gallery.embeddingCount(m_summary.modelId, marker);
    ReindexProgress progress;
    progress.modelId = m_summary.modelId;
    progress.total = std::max<int64_t>(0, m_summary.tracklets - m_summary.alreadyEmbedded);
    Q_EMIT this->progress(progress);

    const int batch = std::max(1, m_options.batchTracklets);
    int64_t afterId = 0; // walk on past tracklets that could not be embedded
    while (!m_cancel) {
        const std::vector<int64_t> ids
            = gallery.trackletsWithoutEmbedding(m_summary.modelId, marker, batch, afterId);
        if (ids.empty())
            break;
        afterId = ids.back();
        std::vector<std::vector<QByteArray>> crops(ids.size());
        for (size_t i = 0; i < ids.size(); ++i)
            for (const CropRecord &c : gallery.crops(ids[i]))
                crops[i].push_back(gallery.cropImage(c.id));
        std::vector<std::vector<EmbeddingRecord>> perTracklet;
        if (!embedder.embed(crops, &perTracklet, &error))
            return fail(error + QStringLiteral("; what was stored so far is kept, run again to continue"));

        std::vector<EmbeddingRecord> records;
        int64_t embedded = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
            embedded += perTracklet[i].empty() ? 0 : 1;
            for (EmbeddingRecord &r : perTracklet[i]) {
                r.trackletId = ids[i];
                records.push_back(std::move(r));
            }
        }
        if (m_options.stopAfterTracklets >= 0
            && m_summary.embedded + embedded >= m_options.stopAfterTracklets) {
            if (m_options.stopHook)
                m_options.stopHook();
            m_summary.cancelled = true; // what a kill leaves: the batches written before this one
            break;
        }
        if (!gallery.putEmbeddings(records))
            return fail(QStringLiteral("cannot write to the gallery %1: %2; run again to continue")
                            .arg(m_galleryPath, gallery.lastError()));
        m_summary.embedded += embedded;
        m_summary.withoutCrops += int64_t(ids.size()) - embedded;

        progress.done = m_summary.embedded + m_summary.withoutCrops;
        const double seconds = double(clock.elapsed()) / 1000.0;
        progress.trackletsPerSecond = seconds > 0 ? double(progress.done) / seconds : 0;
        progress.etaSeconds = progress.trackletsPerSecond > 0
            ? double(std::max<int64_t>(0, progress.total - progress.done)) / progress.trackletsPerSecond
            : -1;
        Q_EMIT this->progress(progress);
    }
    m_summary.cancelled = m_summary.cancelled || m_cancel;
    m_summary.ok = true;
    m_summary.seconds = double(clock.elapsed()) / 1000.0;
    Q_EMIT finished(m_summary);
    return m_summary;
}

} // namespace descry

#include "moc_ReindexJob.cpp"
