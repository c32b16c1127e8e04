#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace descry {

// Observed match rate of the pairs whose confidence fell in [from, to).
struct ReliabilityBin {
    double from = 0, to = 0;
    int64_t pairs = 0;
    int64_t matches = 0;
    double meanConfidence = 0;
    double matchRate() const { return pairs > 0 ? double(matches) / double(pairs) : 0; }
};

// What a cut-off does on the pairs it was measured on: of the pairs at or above it, the share
// that match (precision); of the matching pairs, the share at or above it (recall); and of the
// queries, the share whose best-scored relevant item clears it.
struct CutoffFigures {
    double cutoff = 0;
    double precision = 0;
    double recall = 0;
    double queriesWithMatchShown = 0;
};

// Turns a model's raw search score (global cosine + non-local similarity + attributeWeight x
// attribute agreement, a sum whose range and spread differ between queries and models) into a
// probability-like confidence in [0, 1] that the tracklet is the described person: Platt
// scaling, confidence = 1 / (1 + exp(-(slope * score + intercept))), a logistic regression fitted
// on matched and non-matched (caption, image) pairs of a held-out split (descry-cli eval
// --calibrate). Stored as models/<name>.calibration.json beside the model, for that model's id
// only: a retrained model needs its own fit.
struct ScoreCalibration {
    QString modelId; // the model the fit is for (TextPersonModel::id())
    double slope = 0;
    double intercept = 0;
    // How the scores were made; search applies the calibration only to scores made the same way.
    double attributeWeight = 0.5;
    int rescoreTop = 100;
    // Where the pairs came from.
    QString data;
    QString split;
    int queries = 0;
    int64_t pairs = 0;
    int64_t matches = 0;
    // Results below this confidence are hidden by default (SearchRequest::minConfidence < 0).
    double cutoff = 0.5;
    std::vector<ReliabilityBin> reliability; // 10 bins of confidence
    std::vector<CutoffFigures> cutoffs; // 0.1, 0.2, ..., 0.9
    double expectedCalibrationError = 0; // pair-weighted mean |match rate - mean confidence|
    QString command; // how to reproduce the fit

    bool isValid() const { return !modelId.isEmpty() && slope > 0; }
    float confidence(float score) const;

    // Fits slope and intercept by Newton's method on the log-loss, with Platt's smoothed targets
    // ((N+ + 1) / (N+ + 2) for matches, 1 / (N- + 2) for the rest, so that a perfectly separable
    // set still gives finite coefficients). Fails when there are no matches or no non-matches,
    // or when higher scores do not mean more matches (slope <= 0).
    bool fit(const std::vector<float> &scores, const std::vector<uint8_t> &matches, QString *error);
    // Fills reliability, cutoffs and expectedCalibrationError from pairs (normally the fitted
    // ones). `queryOf` gives each pair's query index (for queriesWithMatchShown).
    void measure(const std::vector<float> &scores, const std::vector<uint8_t> &matches,
        const std::vector<int> &queryOf);
    CutoffFigures figuresAt(double cutoff) const;

    QJsonObject toJson() const;
    static bool fromJson(const QJsonObject &json, ScoreCalibration *out, QString *error);
    bool save(const QString &path, QString *error) const;
    static bool load(const QString &path, ScoreCalibration *out, QString *error);
    // models/<name>.calibration.json for the model file models/<name>.json (or <name>.ts).
    static QString pathForModel(const QString &modelPath);
};

} // namespace descry
