#pragma once

#include "ClipReader.h"
#include "GalleryConnection.h"

#include <QImage>
#include <QObject>

#include <atomic>
#include <memory>

namespace descry {

// Decodes "show in video" frames on the clip thread: opens a tracklet's source around it, then
// answers one frame request at a time (the player asks for the next only after showing one,
// so playback never queues more decoding than it can show).
class ClipWorker : public QObject {
    Q_OBJECT
public:
    explicit ClipWorker(QObject *parent = nullptr);

public Q_SLOTS:
    void open(const QString &galleryPath, qint64 trackletId, double marginSeconds);
    void frame(qint64 index);

Q_SIGNALS:
    void opened(qint64 trackletId, qint64 first, qint64 last, double fps, const QString &sourcePath, const QString &error);
    void frameReady(qint64 index, const QImage &image, const QString &error);

private:
    GalleryConnection m_connection;
    std::unique_ptr<ClipReader> m_reader;
};

} // namespace descry
