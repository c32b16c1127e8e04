#pragma once

#include "RetrievalMetrics.h"
#include "ScoreCalibration.h"
#include "SearchEngine.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <vector>

namespace descry {

struct EvalRequest {
    QString modelPath; // model config (TextPersonModel::load)
    QString dataDir; // dataset in the CUHK-PEDES / ICFG-PEDES / RSTPReid layout
    QString split = QStringLiteral("test");
    int rescoreTop = 100; // the coarse ranking's top K re-scored by non-local alignment
    int rvnNeighbours = 3; // chosen on the validation split (models/README.md)
    bool ablations = true; // scale ablations and the plain global-cosine row
    bool attributeBaseline = true;
    double attributeWeight = 0.5; // > 0: also a row fusing the model with the attribute baseline
    // Fit a ScoreCalibration on the search score (global + local + attributeWeight x attributes)
    // of every re-scored (caption, image) pair: matched = same identity. Use a split the model
    // was not trained on (val).
    bool calibrate = false;
    double cutoff = 0.5; // calibrate: the default relevance cut-off written with the fit
    // Not calibrating: a calibration (isValid()) to measure on this split's pairs instead, e.g.
    // the val fit on the test split; the report's calibration then holds its reliability here.
    ScoreCalibration check;
    // Also measure find similar: every image probes the split's other images (relevant = same
    // identity) by the product's score — visual cosine + colourWeight x colour-stripe agreement
    // (SimilarRequest) — first, then by the model's cosine alone, with RVN, and by colour alone.
    bool imageToImage = false;
    double colourWeight = SimilarRequest::kColourWeight;
    // With imageToImage and attentionNeighbours > 0 (the product's default): first the product's
    // score after NFormer's reciprocal neighbour softmax over the split's images
    // (NeighbourAttention; find similar attends over the probe's best 100, the same thing where a
    // split has at most 100 images), then the rows above.
    int attentionNeighbours = SimilarRequest::kAttentionNeighbours;
    double attentionTemperature = SimilarRequest::kAttentionTemperature;
    std::function<void(const QString &phase, int done, int total)> progress;
};

struct EvalReport {
    QString model; // id
    QString data;
    QString format;
    QString split;
    int images = 0, captions = 0, identities = 0;
    int rescoreTop = 0, rvnNeighbours = 0;
    std::vector<RetrievalMetrics> rows; // the full model (all scales, non-local, RVN) first
    std::vector<RetrievalMetrics> similarRows; // imageToImage: image -> other images, the product's score first
    ScoreCalibration calibration; // calibrate: the fit; check: its reliability on this split (isValid())
    double seconds = 0;
    double encodeImageMs = 0; // per image
    double queryMs = 0; // per query: text encoding + coarse ranking + re-scoring
    QJsonObject toJson() const;
};

// Text-to-image retrieval on a dataset split, as the seed reports it (descry-cli eval): every
// caption queries every image of the split; relevant = same identity. Rows: the full pipeline
// (global cosine over all images, non-local re-scoring of the top K with all scales, RVN), then
// its ablations — without RVN; non-local with global + patch items only; with the global item
// only; the fixed global cosine alone — and the attribute baseline of the foundation.
// The scale ablations switch image items off at inference in the one trained model (the paper
// trains a model per row); see models/README.md.
bool evaluateTextToPerson(const EvalRequest &request, EvalReport *report, QString *error);

} // namespace descry
