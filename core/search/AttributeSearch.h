#pragma once

#include "Attributes.h"
#include "QueryParser.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace descry {

struct AttributeMatch {
    int64_t trackletId = 0;
    float score = 0; // in [0, 1]: weighted agreement with the query terms
    QStringList matched; // human-readable, e.g. "upper red (62%)"
};

// The baseline ranking the neural models must beat: each query term is scored by the
// measured attribute value it names, weighted, summed and normalised; stable order.
class AttributeSearch {
public:
    std::vector<AttributeMatch> rank(
        const ParsedQuery &query, const std::vector<TrackletAttributes> &gallery, int topK) const;
    float score(const ParsedQuery &query, const AttributeSet &attributes, QStringList *matched) const;
};

} // namespace descry
