#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace descry {

struct WordPieceSequence;

// Where on a person's crop a word points, for the stripe grounding loss (NafsTraining::
// groundingWeight): the garments, hair and shoes of the query lexicon, by the body region it
// measures their colour on. Weak supervision from the lexicon, so it works for any dataset in
// the CUHK-PEDES layout, not only Descry's synthetic one.
enum class BodyZone { None = 0, Head = 1, Upper = 2, Lower = 3, Feet = 4 };
inline constexpr int kBodyZoneCount = 5; // None included

// The zone a word names: garments covering one region (jacket -> Upper, jeans -> Lower,
// shoes -> Feet, hat -> Head), hair words -> Head; everything else None (colours, dress,
// bags, grammar).
BodyZone bodyZoneOfWord(const QString &word);

// Per position of `sequence` (WordPieceTokenizer::sequence of a text whose basicTokenize words
// are `words`): the zone of the word each piece belongs to, as int; None for special tokens.
std::vector<int> tokenBodyZones(const WordPieceSequence &sequence, const QStringList &words);

// Which image items lie in each zone, kBodyZoneCount rows x (1 + regions + patches), row-major,
// 1 or 0: row None marks every stripe (not the global item); a stripe belongs to a zone when its
// centre lies in the zone's band of the crop height (head above 0.2, upper body 0.15-0.55,
// legs 0.45-0.95, feet below 0.75; bands overlap, as stripes straddle body parts).
std::vector<float> bodyZoneMask(int regionStripes, int patchStripes);

} // namespace descry
