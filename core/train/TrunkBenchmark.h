#pragma once

#include "RetrievalMetrics.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace descry {

// Which pretrained trunk, which of its layers and what crop size carry a person's appearance:
// image -> image retrieval (every image of a split probes the others, relevant = same person)
// with untrained features, the trunk's maps average-pooled over horizontal stripes, next to a
// plain HSV colour histogram over the same stripes (descry-cli bench trunk). On real crops it
// says how much real appearance a trunk holds before any training on synthetic people.
struct TrunkBenchRequest {
    QString dataDir; // CUHK-PEDES / ICFG-PEDES / RSTPReid layout
    QString split = QStringLiteral("test");
    QStringList trunks; // PretrainedTrunk names
    std::vector<std::pair<int, int>> sizes; // crop (height, width), multiples of 32
    int stripes = 3;
    int limit = 0; // the first N images of the split (0: all)
};

struct TrunkBenchRow {
    QString trunk; // empty for the histogram
    QString features; // "stride 8", ..., "strides 8+16+32", "hsv histogram", "hsv + strides 8+16+32"
    int height = 0, width = 0;
    double msPerCrop = 0; // trunk forward, batches of 32, this process's threads
    RetrievalMetrics metrics;
    QJsonObject toJson() const;
};

bool benchmarkTrunks(const TrunkBenchRequest &request, std::vector<TrunkBenchRow> *rows, QString *error);

} // namespace descry
