#pragma once

#include "Attributes.h"
#include "GalleryRecords.h"

#include <QImage>
#include <QMetaType>
#include <QString>

#include <vector>

namespace descry {

// Everything the detail panel shows about one tracklet, read on the detail thread.
struct TrackletDetail {
    qint64 trackletId = 0;
    TrackletRecord tracklet;
    std::vector<CropRecord> crops; // best first
    std::vector<QImage> cropImages; // full resolution, same order as crops
    int detectionCount = 0;
    AttributeSet attributes;
    QString error;
};

// A source frame with the tracklet's box drawn, for "show in frame".
struct FrameView {
    qint64 trackletId = 0;
    QString sourcePath;
    QString cameraLabel;
    int64_t frame = 0;
    double time = 0;
    QImage image;
    QString error;
};

} // namespace descry

Q_DECLARE_METATYPE(descry::TrackletDetail)
Q_DECLARE_METATYPE(descry::FrameView)
