#pragma once

#include "ClusteringMetrics.h"
#include "IdentityClustering.h"
#include "LabelledPeople.h"
#include "RetrievalMetrics.h"
#include "SceneTruth.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <vector>

namespace descry {

class Gallery;
class TextPersonModel;

struct IdentityBenchOptions {
    std::vector<double> thresholds; // the grouping thresholds swept
    std::vector<double> colourWeights; // affinity = (cosine + w x colour) / (1 + w); each swept
    // NFormer's reciprocal neighbour softmax before grouping (IdentityClusteringOptions; 0: off).
    int attentionNeighbours = IdentityClusteringOptions {}.attentionNeighbours;
    double attentionTemperature = IdentityClusteringOptions {}.attentionTemperature;
};

// One grouping of the gallery measured against the people's labels, per split of the caption set.
struct IdentityBenchRow {
    double threshold = 0;
    double colourWeight = 0;
    bool constraints = true; // tracklets seen at once in one video kept apart
    int identities = 0; // groups over every grouped tracklet
    BCubedScores dev, test, all;
    QJsonObject toJson() const;
};

struct IdentityBenchResult {
    QString modelId;
    int tracklets = 0; // grouped (with the model's vectors)
    int labelled = 0; // of them, named by a person's span
    int people = 0;
    std::vector<IdentityBenchRow> rows;
    // The row with the best dev F1 (constraints on), and that row's threshold and weight.
    int best = -1;
    // No grouping at all (every tracklet its own identity), for reference: precision 1.
    IdentityBenchRow singletons;
    double msPerGrouping = 0;
    QStringList notes;
};

// Groups the gallery's tracklets (IdentityGrouper: the model's vectors and colour stripes, the
// annotators' links) at every threshold and colour weight, with and without the "seen at once"
// constraint, and scores each grouping with BCubed on the labelled people.
bool benchmarkIdentities(Gallery &gallery, const QString &modelId, const std::vector<LabelledPerson> &people,
    const IdentityBenchOptions &options, IdentityBenchResult *result, QString *error);

// Identities on rendered multi-camera scenes (the same people, SceneOptions::peopleSeed, walking
// under several cameras): each source's tracklets named by its truth (assignTrackletIdentities),
// then the gallery's current grouping scored (BCubed, and how many people seen by two or more
// cameras have an identity that spans cameras), and re-identification across cameras: every
// named tracklet ranks the named tracklets of the other cameras by find similar's affinity
// (model cosine + 2 x colour stripes) / 3.
struct RenderedIdentityResult {
    int tracklets = 0; // in the gallery
    int labelled = 0; // following a rendered person
    int people = 0; // rendered people with a labelled tracklet
    int identities = 0; // the grouping's groups over the labelled tracklets
    BCubedScores grouped, singletons;
    int peopleInSeveralCameras = 0;
    int peopleLinkedAcrossCameras = 0;
    RetrievalMetrics acrossCameras; // tracklet -> other cameras' tracklets
    QJsonObject toJson() const;
};
bool measureRenderedIdentities(Gallery &gallery, const QString &modelId, const std::map<int64_t, SceneTruth> &truthOfSource,
    RenderedIdentityResult *result, QString *error);

// The cost of grouping `tracklets` rendered-free tracklets (vectors drawn around one centre per
// person, 5 tracklets a person, 10 sources over an hour; the product's vector sizes): how long
// IdentityClustering takes, and its BCubed against the people drawn (a sanity check, not a
// quality figure: real people are measured by benchmarkIdentities).
struct IdentityCostResult {
    int tracklets = 0;
    double seconds = 0;
    int identities = 0;
    BCubedScores scores;
    // Where the neighbours came from the approximate graph: of each sampled tracklet's exact nearest
    // (by affinity) at or above the grouping threshold (the pairs that could join on their own),
    // the share the graph found (-1: exact neighbours, nothing to measure).
    double neighbourRecall = -1;
    int recallSamples = 0;
};
// `options`: the product's grouping, or another (exactNeighboursUpTo 0: always the approximate
// neighbour graph; INT_MAX: always all pairs; attention off).
IdentityCostResult benchmarkIdentityCost(int tracklets, uint32_t seed, const IdentityClusteringOptions &options = {});

// The grouping of a gallery's own tracklets (every one with the model's vectors) with both ways of
// finding each tracklet's neighbours: all pairs and the approximate graph; how long each took, and
// how far the graph's grouping is from the exact one (BCubed with the exact grouping as truth).
struct GalleryGroupingCost {
    int tracklets = 0;
    double loadSeconds = 0;
    double exactSeconds = 0;
    double graphSeconds = 0;
    int exactIdentities = 0;
    int graphIdentities = 0;
    BCubedScores agreement;
    // Of each sampled tracklet's exact nearest (by affinity) at or above the grouping threshold
    // (the pairs that could join on their own), the share the graph found.
    double neighbourRecall = 0;
    int64_t closePairs = 0;
    // Where the people are known (a dataset): both groupings against them.
    int people = 0;
    BCubedScores exactVsPeople, graphVsPeople;
    double threshold = 0;
    int attentionNeighbours = 0;
    double attentionTemperature = 0;
    QJsonObject toJson() const;
};
// `options`: the grouping's threshold (NaN: the gallery's current one) and neighbour attention.
bool benchmarkGalleryGroupingCost(Gallery &gallery, const QString &modelId, const IdentityClusteringOptions &options,
    GalleryGroupingCost *result, QString *error);
// The same on a dataset's images (CUHK-PEDES layout; one split, or all when empty), each image
// one tracklet of its own source, described as ingest would (the model's global vector, the colour
// stripes), with the dataset's people as truth.
bool benchmarkDatasetGroupingCost(TextPersonModel &model, const QString &dataDir, const QString &split,
    const IdentityClusteringOptions &options, GalleryGroupingCost *result, QString *error);

} // namespace descry
