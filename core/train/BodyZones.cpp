#include "BodyZones.h"

#include "QueryLexicon.h"
#include "WordPieceTokenizer.h"

namespace descry {

BodyZone bodyZoneOfWord(const QString &word)
{
    const Lexeme *lexeme = QueryLexicon::find(word.toLower());
    if (!lexeme)
        return BodyZone::None;
    if (lexeme->kind == Lexeme::Kind::Hair || lexeme->kind == Lexeme::Kind::HairColour)
        return BodyZone::Head;
    if (lexeme->kind != Lexeme::Kind::Garment || lexeme->regions.size() != 1)
        return BodyZone::None;
    switch (lexeme->regions.front()) {
    case BodyRegion::Head:
        return BodyZone::Head;
    case BodyRegion::Upper:
        return BodyZone::Upper;
    case BodyRegion::Lower:
        return BodyZone::Lower;
    case BodyRegion::Feet:
        return BodyZone::Feet;
    case BodyRegion::Whole:
        break;
    }
    return BodyZone::None;
}

std::vector<int> tokenBodyZones(const WordPieceSequence &sequence, const QStringList &words)
{
    std::vector<int> zones(sequence.wordIndex.size(), 0);
    std::vector<int> zoneOfWord(size_t(words.size()), -1);
    for (size_t j = 0; j < zones.size(); ++j) {
        const int w = sequence.wordIndex[j];
        if (w < 0 || w >= words.size())
            continue;
        if (zoneOfWord[size_t(w)] < 0)
            zoneOfWord[size_t(w)] = int(bodyZoneOfWord(words.at(w)));
        zones[j] = zoneOfWord[size_t(w)];
    }
    return zones;
}

std::vector<float> bodyZoneMask(int regionStripes, int patchStripes)
{
    const int items = 1 + regionStripes + patchStripes;
    std::vector<float> mask(size_t(kBodyZoneCount * items), 0.f);
    struct Band {
        BodyZone zone;
        double from, to;
    };
    static const Band bands[] = {{BodyZone::Head, 0.0, 0.2}, {BodyZone::Upper, 0.15, 0.55}, {BodyZone::Lower, 0.45, 0.95},
        {BodyZone::Feet, 0.75, 1.0}};
    auto mark = [&](int item, double centre) {
        mask[size_t(item)] = 1.f; // row None: every stripe
        for (const Band &b : bands)
            if (centre >= b.from && centre <= b.to)
                mask[size_t(int(b.zone) * items + item)] = 1.f;
    };
    for (int i = 0; i < regionStripes; ++i)
        mark(1 + i, (i + 0.5) / regionStripes);
    for (int i = 0; i < patchStripes; ++i)
        mark(1 + regionStripes + i, (i + 0.5) / patchStripes);
    return mask;
}

} // namespace descry
