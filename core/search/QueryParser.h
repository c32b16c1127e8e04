#pragma once

#include "Attributes.h"

#include <QString>

#include <vector>

namespace descry {

// One thing the query asks for, e.g. {Upper, "colour:red", "red coat"}.
struct QueryTerm {
    BodyRegion region = BodyRegion::Whole;
    QString attribute; // "colour:<basic colour>", "garment:<type>", "accessory:<kind>", "hair:<...>",
                       // "gender:<...>"
    QString phrase; // the words of the query it came from
    float weight = 1;
};

struct ParsedQuery {
    QString text;
    std::vector<QueryTerm> terms;
    QStringList unknownWords; // content words the lexicon does not know (shown to the user)
};

// Parses free text ("a woman in a red coat, black trousers, carrying a backpack") into
// attribute terms with a curated lexicon of colour words, garments, accessories and hair.
class QueryParser {
public:
    ParsedQuery parse(const QString &text) const;
};

} // namespace descry
