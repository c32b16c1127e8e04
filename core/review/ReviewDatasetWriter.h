#pragma once

#include <QString>

namespace descry {

class Gallery;

struct ReviewDatasetOptions {
    // Share of the identities put in the "val" split (the rest is "train"): exactly
    // floor(identities x valFraction), spread evenly over the identity order, so a small set
    // never loses its whole training split to validation.
    double valFraction = 0;
};

// What an export wrote.
struct ReviewDatasetSummary {
    int pairs = 0; // confirmed (query text, tracklet) pairs
    int tracklets = 0; // tracklets with at least one image written
    int identities = 0;
    int trainIdentities = 0;
    int valIdentities = 0;
    int images = 0;
    int captions = 0; // over all images, as PedesDataset::captionCount() counts them
    int trackletsWithoutCrops = 0; // confirmed, but nothing to write
};

// Turns the gallery's confirmed reviews into a training set in the CUHK-PEDES layout that
// PedesDataset reads and `descry-cli train` trains on: DIR/imgs/<id>/<n>.jpg and
// DIR/reid_raw.json (written through PedesDatasetWriter).
//  - Images: every stored full-resolution crop of each confirmed tracklet, JPEG bytes as stored.
//  - Captions of an image: the query texts confirmed for its tracklet (the decision that counts
//    per (query, tracklet) is the latest, so a later rejection withdraws a pair).
//  - Identities: one per tracklet, except that tracklets whose confirmations carry the same
//    non-empty label (compared with whitespace simplified, ignoring case) are one identity:
//    annotators label runs of the same person across tracklets and cameras. A tracklet's label
//    is the one of its newest labelled confirmation. Identities are numbered by their first
//    tracklet id, so the same gallery gives the same dataset.
//  - Entries carry "tracklet" (and "label" when set) besides the format's keys.
// The dataset is built in DIR.partial and renamed to DIR when complete, so a failure never
// leaves a DIR that looks like a dataset. DIR must not exist or be empty.
class ReviewDatasetWriter {
public:
    explicit ReviewDatasetWriter(Gallery &gallery, const ReviewDatasetOptions &options = {});

    bool write(const QString &dir, QString *error);
    const ReviewDatasetSummary &summary() const { return m_summary; }

private:
    Gallery &m_gallery;
    ReviewDatasetOptions m_options;
    ReviewDatasetSummary m_summary;
};

} // namespace descry
