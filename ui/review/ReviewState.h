#pragma once

#include "GalleryRecords.h"
#include "ReviewQueue.h"

#include <QImage>
#include <QMetaType>
#include <QString>

#include <optional>
#include <vector>

namespace descry {

// What the review panel shows: the review worker's queue after each request, with the current
// item's crops read on the worker's thread.
struct ReviewState {
    quint64 session = 0; // which ReviewController::start() this belongs to; 0: none yet
    QString queryText;
    QString author;
    int total = 0;
    int index = -1; // the current item, -1 when past the end (or no queue)
    qint64 trackletId = 0; // of the current item, 0 when none
    float score = 0;
    TrackletRecord tracklet; // camera, times
    std::vector<QImage> crops; // best first, a few
    std::optional<ReviewRecord> review; // the decision that counts for the current item
    ReviewProgress progress;
    bool canUndo = false;
    QString error; // why the last request failed; empty when it worked

    bool hasQueue() const { return session > 0 && total > 0; }
    bool isFinished() const { return hasQueue() && index < 0; }
};

} // namespace descry

Q_DECLARE_METATYPE(descry::ReviewState)
