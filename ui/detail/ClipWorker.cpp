#include "ClipWorker.h"

#include "Gallery.h"

namespace descry {

ClipWorker::ClipWorker(QObject *parent)
    : QObject(parent)
{ }

void ClipWorker::open(const QString &galleryPath, qint64 trackletId, double marginSeconds)
{
    m_reader.reset();
    QString error;
    Gallery *gallery = m_connection.get(galleryPath, &error);
    const std::optional<TrackletRecord> tracklet = gallery ? gallery->tracklet(trackletId) : std::nullopt;
    if (gallery && !tracklet)
        error = tr("the gallery has no person #%1").arg(trackletId);
    if (!tracklet) {
        Q_EMIT opened(trackletId, 0, 0, 0, QString(), error);
        return;
    }
    auto reader = std::make_unique<ClipReader>();
    if (!reader->open(tracklet->sourcePath, gallery->detections(trackletId), marginSeconds, &error)) {
        Q_EMIT opened(trackletId, 0, 0, 0, tracklet->sourcePath, error);
        return;
    }
    m_reader = std::move(reader);
    Q_EMIT opened(trackletId, m_reader->firstFrame(), m_reader->lastFrame(), m_reader->fps(), tracklet->sourcePath, QString());
}

void ClipWorker::frame(qint64 index)
{
    QString error;
    const QImage image = m_reader ? m_reader->frame(index, &error) : QImage();
    if (!m_reader)
        error = tr("no clip is open");
    Q_EMIT frameReady(index, image, error);
}

} // namespace descry
