#pragma once

#include "RetrievalMetrics.h"

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
