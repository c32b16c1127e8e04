#pragma once

#include "GalleryRecords.h"
#include "IdentityClustering.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <vector>

namespace descry {

class Gallery;

struct IdentityGroupingResult {
    IdentityGroupingRecord grouping; // as stored
    std::map<int64_t, int64_t> identityOfTracklet;
    int64_t withoutVectors = 0; // tracklets with no vector of the model: no identity
    int64_t keptIds = 0; // identities that kept the id of the previous grouping
    QStringList notes;
};

// Identities in a gallery: reads every tracklet's vectors of one model and its times, groups them
// (IdentityClustering) with the annotators' links, and stores the result. Identity ids stay
// stable across groupings: each new group takes the previous id most of its tracklets had (the
// largest overlaps first), and only groups that inherit none get a new one.
class IdentityGrouper {
public:
    IdentityGrouper(Gallery &gallery, QString modelId);

    // Reads the gallery (tracklets, vectors, links). False with the reason when the gallery has
    // no vector of the model.
    bool load(QString *error);
    // The grouping of what load() read, tracklet id -> group label; nothing is stored.
    std::map<int64_t, int> cluster(const IdentityClusteringOptions &options) const;
    // The threshold a regrouping keeps: the latest grouping's when it compared tracklets the way
    // the defaults do (so a threshold a user chose with 'descry-cli identities --threshold'
    // stays), otherwise the default (a threshold chosen for another way means something else).
    static double currentThreshold(Gallery &gallery);
    // How `options` compare tracklets, as stored with a grouping: "plain", or "attention K:T".
    static QString method(const IdentityClusteringOptions &options);
    // load(), cluster and store (Gallery::replaceIdentities).
    bool regroup(const IdentityClusteringOptions &options, IdentityGroupingResult *result, QString *error);

    // An annotator's merge of two identities: refused (false, with the reason) when a tracklet of
    // one was seen at the same time as a tracklet of the other in one video, or an annotator
    // said two of them are different people; otherwise every tracklet of both is linked as the
    // same person, so every later regroup() keeps them together.
    bool merge(int64_t identityA, int64_t identityB, const QString &author, QString *error);
    // An annotator's split: the tracklet is not the person of the rest of its identity ("different"
    // links to each of them), so no regroup puts it back.
    bool separate(int64_t trackletId, const QString &author, QString *error);

    // Every appearance of people, for evidence at identity level: `trackletIds` with each person
    // among them (in the order its first tracklet comes) as all of its tracklets in footage order
    // (source, then start time); a tracklet without a person stays where it was.
    static std::vector<int64_t> withAppearances(Gallery &gallery, const std::vector<int64_t> &trackletIds);
    // All tracklets of these people (identity ids), person by person, each in footage order;
    // unknown ids add nothing.
    static std::vector<int64_t> appearancesOf(Gallery &gallery, const std::vector<int64_t> &identityIds);

    const std::vector<IdentityItem> &items() const { return m_items; }
    const IdentityFeatures &features() const { return m_features; }
    // Tracklets without the model's vectors found by the last load().
    int64_t withoutVectors() const { return m_withoutVectors; }

private:
    // Cameras, recording times and transits of the gallery (m_places), read by load() and merge().
    void loadPlaces();
    IdentityItem itemOf(const TrackletRecord &t) const;
    static std::vector<int64_t> membersOf(const std::map<int64_t, int64_t> &identities, int64_t identity);
    // Why a and b cannot be one person, or empty when they can.
    QString conflict(const TrackletRecord &a, const TrackletRecord &b, const std::vector<IdentityLinkRecord> &links) const;

    Gallery &m_gallery;
    QString m_modelId;
    std::vector<IdentityItem> m_items;
    IdentityFeatures m_features;
    std::vector<IdentityLink> m_links;
    struct Places {
        std::map<int64_t, int> cameraOfSource; // source id -> camera index
        std::map<int64_t, double> recordedAt; // source id -> seconds since the epoch
        std::vector<IdentityTransit> transits;
    } m_places;
    int64_t m_withoutVectors = 0;
};

} // namespace descry
