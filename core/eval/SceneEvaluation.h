#pragma once

#include "GalleryRecords.h"
#include "SceneTruth.h"

#include <QString>

#include <vector>

namespace descry {

class Gallery;
class SearchEngine;

// Which rendered identity a stored tracklet follows: the identity whose truth box matches
// (IoU >= minIou) most of the tracklet's boxes; `purity` is that share. identity 0: none.
struct TrackletIdentity {
    int64_t trackletId = 0;
    int identity = 0;
    float purity = 0;
};

std::vector<TrackletIdentity> assignTrackletIdentities(
    Gallery &gallery, int64_t sourceId, const SceneTruth &truth, float minIou = 0.5f);

// Text-to-tracklet retrieval measured against rendered truth: each identity that has at least
// one tracklet is queried with one of its captions; a result is relevant when its tracklet
// follows that identity. Ranks are over every tracklet of the gallery.
struct RetrievalScores {
    int queries = 0;
    double r1 = 0, r5 = 0, r10 = 0;
    double mAP = 0;
    QStringList worst; // the queries whose first relevant result ranked lowest, for reading
};

RetrievalScores evaluateTextRetrieval(SearchEngine &engine, const std::vector<TrackletIdentity> &assignments,
    const SceneTruth &truth, int captionIndex = 0);

} // namespace descry
