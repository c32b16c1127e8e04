#pragma once

#include "Attributes.h"

#include <QString>

#include <vector>

namespace descry {

// The words the query parser understands, curated by hand (no WordNet on the target
// systems): colour words and shades mapped onto the 11 basic colour terms, garments with the
// body region they cover, accessories, hair words, gender and age words, negations and the
// grammatical words that carry no attribute.
struct Lexeme {
    enum class Kind {
        Colour, // value: basic colour, or alternatives "black|grey" for shades between two
        Tone, // dark / light / pale ...: refine the next colour, never a term by themselves
        Garment, // value: canonical garment; regions: where its colour is measured
        Sleeves, // "sleeves": length decided by a Length word in the same clause
        Pattern, // value: striped / checked / patterned; of the garment it is next to
        Accessory, // value: canonical accessory
        Hair, // "hair", "haired"
        HairColour, // blonde, brunette, redhead: a hair colour without the word "hair"
        Length, // long / short
        Bald,
        Gender, // value: male / female
        Age, // value: child / elderly
        Person, // person, someone, pedestrian: no attribute, but a colour next to it is not clothing
        Whole, // clothes, outfit, dressed: the colour is of the whole outfit
        Negation, // no, without, not
        Separator, // and, with, carrying, wearing ...: start a new clause
        Stop, // grammatical words
    };
    Kind kind = Kind::Stop;
    QString value;
    std::vector<BodyRegion> regions;
    float weight = 1;
};

class QueryLexicon {
public:
    // The lexeme of a lower-case word, trying singular forms of plurals; nullptr if unknown.
    static const Lexeme *find(const QString &word);
};

} // namespace descry
