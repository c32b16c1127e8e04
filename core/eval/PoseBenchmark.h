#pragma once

#include "BodyPose.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <vector>

namespace descry {

class Gallery;
class PoseEstimator;

// A stored crop and where its person is, to run pose models on (real people: the crops ingest
// kept from real footage).
struct PoseCrop {
    QByteArray jpeg;
    Box person; // in the crop's pixels
};
// Every kept crop of the gallery's tracklets, up to `limit` (<= 0: all), tracklet by tracklet.
std::vector<PoseCrop> galleryCrops(Gallery &gallery, int limit);

// What one pose model gives on a set of crops. Real crops have no keypoint truth; these are the
// figures the product depends on: how often the body zones come from the keypoints, and time.
struct PoseModelScore {
    QString model;
    int crops = 0;
    double msPerCrop = 0; // estimate() wall time, decode included
    std::array<double, 3> placedShare {}; // crops whose pose placed the neck / waist / ankle bound
    double wholeShare = 0; // crops with shoulders, hips, knees and ankles all seen
    double meanFactor = 0; // mean poseQualityFactor
};
// Runs `estimator` on every crop; `poses` gets one pose per crop (a failed crop: a pose of zeros).
PoseModelScore scorePoseModel(
    PoseEstimator &estimator, const std::vector<PoseCrop> &crops, std::vector<Pose> *poses);

// How far two models' answers on the same crops lie apart: the share of keypoints both see
// that are within 0.1 x the person's height of each other (PCK@0.1 of one against the other),
// and the mean distance between the zone bounds both place (in person heights).
struct PoseAgreement {
    int keypointPairs = 0;
    double pck = 0;
    int boundPairs = 0;
    double meanBoundDistance = 0;
};
PoseAgreement poseAgreement(
    const std::vector<PoseCrop> &crops, const std::vector<Pose> &a, const std::vector<Pose> &b);

} // namespace descry
