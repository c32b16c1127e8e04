#pragma once

#include "PersonAppearance.h"

#include <QString>
#include <QStringList>

namespace descry {

class Rng;

// Writes English descriptions of a person in the style of CUHK-PEDES annotations: a subject
// ("A woman", "The man", "A pedestrian"), comma-separated clauses in varied order, synonyms
// (trousers/pants, backpack/rucksack), e.g. "A woman with long brown hair, wearing a red
// coat and black trousers. She carries a backpack and wears white shoes." The upper and lower
// garment colours are always mentioned, so a caption is never silent about what a search most
// often asks for: mostly by the basic colour term, else by a shade or tone word that the query
// lexicon maps back to it ("navy", "khaki", "dark" for black), chosen from the colour the part
// was drawn with. Real captions' habits are imitated too: what the person is doing, and rare
// typing slips (a dropped full stop, a misspelt word).
// Deterministic: the phrasing depends only on the appearance and `rng`.
class CaptionWriter {
public:
    QString caption(const PersonAppearance &appearance, Rng &rng) const;
    // `count` captions of the same person, distinct from each other when the vocabulary allows.
    QStringList captions(const PersonAppearance &appearance, Rng &rng, int count) const;
};

} // namespace descry
