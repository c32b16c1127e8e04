#pragma once

#include "GalleryRecords.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace descry {

class TextPersonModel;
struct VisualEmbedding;

// Turns tracklets into what text-to-person search compares a query with, stored per tracklet
// under the model's id:
//  - ItemsKind: the mean over the tracklet's crops of the model's image items (imageItems() x
//    embeddingSize() floats, row-major: global, region stripes, patch stripes), for the
//    non-local re-scoring of the top candidates;
//  - GlobalKind: the L2-normalised mean of the crops' L2-normalised global features
//    (embeddingSize() floats), for the coarse cosine ranking of the whole gallery;
//  - ColourKind: the crops' colour-stripe descriptors pooled (ColourStripes, model-free but
//    stored with the model's records so one reindex writes all three), for find similar.
// Why a mean: a tracklet is one person seen a few times (its best crops, chosen for size,
// sharpness and visibility). Temporal average pooling of per-frame features, as video person
// re-identification does, keeps what the views agree on and damps what one view gets wrong
// (a blurred frame, a passer-by overlapping), and gives one vector per tracklet so search
// cost grows with tracklets, not crops. Normalising each crop's global feature first gives
// every view the same vote whatever its feature norm. The crops are used as stored — box plus
// a small margin, close to the training crops' margin — and resized by the model.
//
// Torch-free; uses the model on the calling thread (the model's owner).
class TrackletEmbedder {
public:
    static const QString ItemsKind; // "nafs-items"
    static const QString GlobalKind; // "nafs-global"
    static const QString ColourKind; // "colour-stripes"

    explicit TrackletEmbedder(TextPersonModel &model);

    // Embeds many tracklets with one batched model call over all their crops (JPEG bytes,
    // best first). Returns per tracklet its ItemsKind, GlobalKind and ColourKind records under the model's
    // id, with trackletId 0 (the caller knows the ids); an empty list for a tracklet none of
    // whose crops decodes. False (with a reason) only when the model itself fails.
    bool embed(const std::vector<std::vector<QByteArray>> &cropsPerTracklet,
        std::vector<std::vector<EmbeddingRecord>> *out, QString *error);

    QString modelId() const;

    // The two records of one tracklet from its crops' features (at least one, all of one
    // model's shape): the pooling described above.
    static std::vector<EmbeddingRecord> pool(
        const std::vector<VisualEmbedding> &crops, const QString &modelId);

private:
    TextPersonModel &m_model;
};

} // namespace descry
