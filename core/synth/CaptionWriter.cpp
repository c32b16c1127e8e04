#include "CaptionWriter.h"

#include "Rng.h"

#include <algorithm>
#include <vector>

namespace descry {

namespace {

using Words = std::vector<const char *>;

QString pick(Rng &rng, const Words &words)
{
    return QString::fromLatin1(rng.choice(words));
}

// "a red coat", "an orange coat".
QString withArticle(const QString &phrase)
{
    static const QString vowels = QStringLiteral("aeiou");
    const bool vowel = !phrase.isEmpty() && vowels.contains(phrase.front().toLower());
    return (vowel ? QStringLiteral("an ") : QStringLiteral("a ")) + phrase;
}

// "A, B and C".
QString listOf(const QStringList &items)
{
    if (items.size() <= 1)
        return items.value(0);
    return QStringList(items.mid(0, items.size() - 1)).join(QStringLiteral(", ")) + QStringLiteral(" and ")
        + items.back();
}

// How much lighter or darker than its canonical rendering a part was drawn (1: as canonical).
double brightness(const Bgr &drawn, BasicColour colour)
{
    const Bgr canonical = canonicalColour(colour);
    const int reference = canonical.b + canonical.g + canonical.r;
    return reference > 0 ? double(drawn.b + drawn.g + drawn.r) / reference : 1.0;
}

// The word a witness uses for a colour: mostly the basic term, sometimes a shade name or a tone
// ("navy", "dark grey", "khaki", "off-white", or just "dark" for black clothes) as real captions
// do (models/README.md: the real caption set used 206 words, the old generator 82). Shades
// that say darker or lighter are only used when the part was drawn darker or lighter than the
// canonical colour, and every word maps back to its basic term in the query lexicon.
QString colourWord(BasicColour colour, const Bgr &drawn, Rng &rng, bool toneAlone = true)
{
    const double b = brightness(drawn, colour);
    const bool dark = b<0.98, light = b> 1.01;
    if (rng.chance(0.6))
        return toString(colour);
    Words words { "" };
    switch (colour) {
    case BasicColour::Black:
        words = toneAlone ? Words { "dark", "dark", "jet black" } : Words { "jet black" };
        break;
    case BasicColour::White:
        words = { "off-white", "cream", "bright white", "plain white" };
        break;
    case BasicColour::Grey:
        words = dark ? Words { "dark grey", "charcoal", "gray" }
            : light  ? Words { "light grey", "silver", "gray" }
                     : Words { "gray", "grey" };
        break;
    case BasicColour::Red:
        words = dark ? Words { "dark red", "maroon", "burgundy", "crimson" }
                     : Words { "bright red", "scarlet", "crimson" };
        break;
    case BasicColour::Orange:
        words = { "bright orange", "orange" };
        break;
    case BasicColour::Yellow:
        words = dark ? Words { "mustard", "golden" } : Words { "bright yellow", "lemon" };
        break;
    case BasicColour::Green:
        words = dark ? Words { "dark green", "forest green", "olive" }
            : light  ? Words { "light green", "lime" }
                     : Words { "bright green", "green" };
        break;
    case BasicColour::Blue:
        words = dark ? Words { "navy", "navy blue", "dark blue" }
            : light  ? Words { "light blue", "sky blue", "pale blue" }
                     : Words { "royal blue", "bright blue" };
        break;
    case BasicColour::Purple:
        words = dark ? Words { "dark purple", "plum" }
            : light  ? Words { "lilac", "light purple" }
                     : Words { "violet" };
        break;
    case BasicColour::Pink:
        words = light ? Words { "light pink", "pale pink" } : Words { "hot pink", "bright pink" };
        break;
    case BasicColour::Brown:
        words = dark ? Words { "dark brown", "chocolate" }
            : light  ? Words { "tan", "khaki", "light brown", "beige" }
                     : Words { "brown", "camel" };
        break;
    }
    return pick(rng, words);
}

// --- noun phrases ------------------------------------------------------------------------

QString hairPhrase(const PersonAppearance &a, Rng &rng)
{
    QString length = toString(a.hairLength);
    if (a.hairLength == HairLength::Long && rng.chance(0.2))
        length = QStringLiteral("shoulder-length");
    QString colour = toString(a.hairColour);
    if ((a.hairColour == HairColour::Black || a.hairColour == HairColour::Brown) && rng.chance(0.3))
        colour = QStringLiteral("dark");
    else if (a.hairColour == HairColour::Blonde && rng.chance(0.3))
        colour = pick(rng, { "blond", "fair", "light" });
    if (a.extras.curly && !a.extras.hood)
        colour = pick(rng, { "curly", "curly", "wavy", "frizzy" }) + u' ' + colour;
    const double r = rng.uniform();
    if (r < 0.12)
        return colour + QStringLiteral(" hair");
    if (r < 0.2)
        return length + QStringLiteral(" hair");
    return length + u' ' + colour + QStringLiteral(" hair");
}

QString hatPhrase(const PersonAppearance &a, Rng &rng)
{
    Words nouns;
    switch (a.hat) {
    case HatType::Cap:
        nouns = { "cap", "cap", "baseball cap" };
        break;
    case HatType::Beanie:
        nouns = { "beanie", "beanie", "knit hat", "woolly hat" };
        break;
    case HatType::Hat:
    case HatType::None:
        nouns = { "hat", "hat", "brimmed hat" };
        break;
    }
    return withArticle(colourWord(a.hatColour, a.palette.hat, rng, false) + u' ' + pick(rng, nouns));
}

QString upperPhrase(const PersonAppearance &a, Rng &rng)
{
    Words nouns;
    switch (a.upper) {
    case UpperGarment::TShirt:
        nouns = { "t-shirt", "t-shirt", "t-shirt", "short-sleeved t-shirt", "tee", "tee shirt", "tshirt",
            "short sleeve top" };
        break;
    case UpperGarment::Shirt:
        nouns = { "shirt", "shirt", "long-sleeved shirt", "button-up shirt", "collared shirt",
            "button down shirt" };
        break;
    case UpperGarment::Sweater:
        nouns = { "sweater", "sweater", "jumper", "pullover", "sweatshirt", "long sleeved top",
            "knit sweater" };
        break;
    case UpperGarment::Jacket:
        nouns = { "jacket", "jacket", "jacket", "short jacket", "zip-up jacket", "windbreaker",
            "zip up jacket" };
        break;
    case UpperGarment::Coat:
        nouns = { "coat", "coat", "long coat", "overcoat", "winter coat", "knee-length coat", "parka" };
        break;
    case UpperGarment::Dress:
        nouns = { "dress", "dress", "short-sleeved dress", "knee-length dress", "sundress" };
        break;
    }
    const QString colour = colourWord(a.upperColour, a.palette.upper, rng);
    const QString noun = pick(rng, nouns);
    if (a.cloth.pattern == GarmentPattern::Plain)
        return withArticle(colour + u' ' + noun);
    // Patterns are said the ways people say them (only for patterned people, so the captions of
    // plain ones draw exactly as before).
    const QString second = colourWord(a.cloth.patternColour, a.palette.pattern, rng, false);
    const QString both = colour + QStringLiteral(" and ") + second;
    switch (a.cloth.pattern) {
    case GarmentPattern::Striped:
        return rng.chance(0.5)
            ? withArticle(both + u' ' + pick(rng, { "striped", "stripy", "stripe" }) + u' ' + noun)
            : withArticle(colour + u' ' + noun) + QStringLiteral(" with ") + second + u' '
                + pick(rng, { "stripes", "horizontal stripes", "stripes across it" });
    case GarmentPattern::Checked:
        return withArticle((rng.chance(0.5) ? both : colour) + u' '
            + pick(rng, { "checked", "plaid", "checkered", "check", "tartan" }) + u' ' + noun);
    case GarmentPattern::Logo:
        return withArticle(colour + u' ' + noun) + QStringLiteral(" with ")
            + pick(rng,
                { "a %1 logo on the front", "a %1 print", "a %1 graphic on the chest", "%1 writing on it" })
                  .arg(second);
    case GarmentPattern::TwoTone:
        return rng.chance(0.5) ? withArticle(QStringLiteral("two-tone ") + both + u' ' + noun)
                               : withArticle(both + u' ' + noun);
    case GarmentPattern::Plain:
        break;
    }
    return withArticle(colour + u' ' + noun);
}

QString lowerPhrase(const PersonAppearance &a, Rng &rng)
{
    const QString colour = colourWord(a.lowerColour, a.palette.lower, rng);
    Words nouns;
    switch (a.lower) {
    case LowerGarment::Trousers:
        nouns = { "trousers", "trousers", "pants", "pants", "slacks", "long pants", "chinos" };
        break;
    case LowerGarment::Jeans:
        nouns = { "jeans", "jeans", "denim jeans", "jean pants" };
        break;
    case LowerGarment::Shorts:
        nouns = { "shorts", "shorts", "knee-length shorts" };
        break;
    case LowerGarment::Skirt:
        return withArticle(
            colour + u' ' + pick(rng, { "skirt", "skirt", "knee-length skirt", "mini skirt" }));
    }
    const QString phrase = colour + u' ' + pick(rng, nouns);
    return rng.chance(0.25) ? QStringLiteral("a pair of ") + phrase : phrase;
}

QString shoesPhrase(const PersonAppearance &a, Rng &rng)
{
    const QString phrase = colourWord(a.shoeColour, a.palette.shoes, rng) + u' '
        + (a.extras.boots
                ? pick(rng, { "boots", "boots", "ankle boots", "boots", "leather boots", "high boots" })
                : pick(rng, { "shoes", "shoes", "sneakers", "trainers", "tennis shoes", "running shoes" }));
    return rng.chance(0.2) ? QStringLiteral("a pair of ") + phrase : phrase;
}

QString accessoryPhrase(const PersonAppearance &a, Rng &rng)
{
    Words nouns;
    switch (a.accessory) {
    case Accessory::Backpack:
        nouns = { "backpack", "backpack", "backpack", "rucksack", "back pack", "bag on the back" };
        break;
    case Accessory::ShoulderBag:
        nouns = { "shoulder bag", "shoulder bag", "bag over the shoulder", "messenger bag",
            "bag on the shoulder", "satchel" };
        break;
    case Accessory::Handbag:
        nouns = { "handbag", "handbag", "purse", "hand bag" };
        break;
    case Accessory::None:
        return {};
    }
    const QString noun = pick(rng, nouns);
    return withArticle(rng.chance(0.75)
            ? colourWord(a.accessoryColour, a.palette.accessory, rng, false) + u' ' + noun
            : noun);
}

// "glasses", "a white face mask" (only for people who wear them).
QString faceWearPhrase(const PersonAppearance &a, Rng &rng)
{
    switch (a.extras.face) {
    case FaceWear::Glasses:
        return pick(rng, { "glasses", "glasses", "eyeglasses", "a pair of glasses", "spectacles" });
    case FaceWear::Sunglasses:
        return pick(rng, { "sunglasses", "dark sunglasses", "a pair of sunglasses", "shades" });
    case FaceWear::Mask: {
        const QString noun = pick(rng, { "face mask", "face mask", "mask", "surgical mask" });
        return withArticle(rng.chance(0.7)
                ? colourWord(a.extras.maskColour, a.extras.mask, rng, false) + u' ' + noun
                : noun);
    }
    case FaceWear::None:
        break;
    }
    return {};
}

// "holding a phone", "pulling a red suitcase": the verb with its object (only for people who
// hold something).
QString heldPhrase(const PersonAppearance &a, Rng &rng)
{
    const PersonExtras &e = a.extras;
    const auto coloured = [&](const QString &noun, double p) {
        return withArticle(
            rng.chance(p) ? colourWord(e.heldColour, e.heldBgr, rng, false) + u' ' + noun : noun);
    };
    switch (e.held) {
    case HeldItem::Phone:
        return pick(rng,
            { "holding a phone", "holding a cell phone", "looking at a phone", "holding a mobile phone",
                "holding a phone in the hand" });
    case HeldItem::Papers:
        return pick(rng,
            { "holding some papers", "carrying papers", "holding white papers",
                "holding a few sheets of paper", "carrying some documents" });
    case HeldItem::ShoppingBag:
        return pick(rng, { "carrying ", "holding " })
            + coloured(pick(rng, { "shopping bag", "plastic bag", "bag" }), 0.7);
    case HeldItem::Umbrella:
        return pick(rng, { "holding ", "carrying " })
            + (rng.chance(0.3) ? QStringLiteral("a closed umbrella")
                               : coloured(QStringLiteral("umbrella"), 0.7));
    case HeldItem::Suitcase:
        return pick(rng, { "pulling ", "dragging ", "pulling " })
            + coloured(pick(rng, { "suitcase", "suitcase", "rolling suitcase", "luggage bag" }), 0.7);
    case HeldItem::None:
        break;
    }
    return {};
}

// --- clauses -----------------------------------------------------------------------------

enum class GroupKind { Hair, Wear, Carry, Hold };

// What one clause says: the hair, a list of worn items, or the carried bag.
struct Group {
    GroupKind kind;
    QStringList items;
    bool shoesOnly = false;
};

// "with long hair", "wearing a red coat and black trousers", "carrying a backpack".
QString participle(const Group &g, Rng &rng)
{
    const QString list = listOf(g.items);
    switch (g.kind) {
    case GroupKind::Hair:
        return QStringLiteral("with ") + list;
    case GroupKind::Wear:
        if (g.shoesOnly)
            return pick(rng, { "wearing ", "in " }) + list;
        return pick(rng, { "wearing ", "wearing ", "dressed in ", "in " }) + list;
    case GroupKind::Carry:
        return pick(rng, { "carrying ", "carrying ", "with " }) + list;
    case GroupKind::Hold: // the items carry their verbs: "holding a phone"
        return list;
    }
    return list;
}

// "has long hair", "is wearing a red coat", "carries a backpack".
QString finite(const Group &g, Rng &rng)
{
    const QString list = listOf(g.items);
    switch (g.kind) {
    case GroupKind::Hair:
        return QStringLiteral("has ") + list;
    case GroupKind::Wear:
        if (g.shoesOnly) // "is dressed in white shoes" reads oddly
            return pick(rng, { "wears ", "is wearing ", "has on " }) + list;
        return pick(rng, { "wears ", "is wearing ", "is wearing ", "is dressed in ", "has on " }) + list;
    case GroupKind::Carry:
        return pick(rng, { "carries ", "carries ", "is carrying " }) + list;
    case GroupKind::Hold:
        return QStringLiteral("is ") + list;
    }
    return list;
}

QString subjectOf(const PersonAppearance &a, Rng &rng)
{
    if (rng.chance(0.15))
        return pick(rng, { "A person", "A pedestrian", "This person", "The pedestrian" });
    if (a.gender == Gender::Woman)
        return pick(
            rng, { "A woman", "A woman", "The woman", "This woman", "A lady", "A female pedestrian" });
    return pick(rng, { "A man", "A man", "The man", "This man", "A guy", "A male pedestrian" });
}

// The facts about the person, grouped into clauses, in a random but natural order.
std::vector<Group> groupsOf(const PersonAppearance &a, Rng &rng)
{
    QStringList worn;
    const bool hatFirst = rng.chance(0.5);
    if (a.hat != HatType::None && hatFirst)
        worn << hatPhrase(a, rng);
    worn << upperPhrase(a, rng);
    if (!a.hasDress())
        worn << lowerPhrase(a, rng);
    if (a.hat != HatType::None && !hatFirst)
        worn << hatPhrase(a, rng);
    // Extras draw from `rng` only for people who have them, so everybody else's captions stay.
    if (a.extras.face != FaceWear::None && rng.chance(0.85))
        worn << faceWearPhrase(a, rng);
    if (a.extras.scarf && rng.chance(0.8))
        worn << withArticle(colourWord(a.extras.scarfColour, a.extras.scarfBgr, rng, false) + u' '
            + pick(rng, { "scarf", "scarf", "scarf around the neck", "knitted scarf" }));

    std::vector<Group> groups;
    groups.push_back({ GroupKind::Wear, worn });
    if (rng.chance(a.hat == HatType::None ? 0.85 : 0.5)) {
        // A hood up hides the hair: it is what a witness sees instead.
        groups.push_back({ GroupKind::Hair,
            { a.extras.hood ? pick(
                  rng, { "the hood up", "the hood up", "a hood over the head", "the hood pulled up" })
                            : hairPhrase(a, rng) } });
    }
    if (a.extras.beard && rng.chance(0.8)) {
        const QString beard
            = pick(rng, { "a beard", "a beard", "a short beard", "a dark beard", "a full beard" });
        auto hair = std::find_if(
            groups.begin(), groups.end(), [](const Group &g) { return g.kind == GroupKind::Hair; });
        if (hair != groups.end())
            hair->items << beard;
        else
            groups.push_back({ GroupKind::Hair, { beard } });
    }
    if (a.accessory != Accessory::None && rng.chance(0.95))
        groups.push_back({ GroupKind::Carry, { accessoryPhrase(a, rng) } });
    if (a.extras.held != HeldItem::None && rng.chance(0.9))
        groups.push_back({ GroupKind::Hold, { heldPhrase(a, rng) } });
    rng.shuffle(groups);
    // Shoes come last, either closing the clothes list or as a clause of their own.
    if (rng.chance(0.8)) {
        const QString shoes = shoesPhrase(a, rng);
        if (rng.chance(0.5)) {
            for (Group &g : groups)
                if (g.kind == GroupKind::Wear)
                    g.items << shoes;
        } else {
            groups.push_back({ GroupKind::Wear, { shoes }, true });
        }
    }
    return groups;
}

QString pronounOf(const PersonAppearance &a)
{
    return a.gender == Gender::Woman ? QStringLiteral("She") : QStringLiteral("He");
}

// What the person is doing, as witnesses add it ("The man is walking forward.").
QString actionSentence(const PersonAppearance &a, Rng &rng)
{
    const QString who = rng.chance(0.5)
        ? pronounOf(a)
        : (a.gender == Gender::Woman ? QStringLiteral("The woman") : QStringLiteral("The man"));
    return who + u' '
        + pick(rng,
            { "is walking.", "is walking forward.", "walks along the street.", "is walking down the path.",
                "is walking on the pavement.", "seems to be in a hurry.", "is looking ahead.",
                "walks at a normal pace." });
}

// The slips of people typing fast: a dropped final full stop, a lower-case start, a missing
// comma, a common misspelling. Rare, and never a change of meaning.
QString withTypingSlips(QString text, Rng &rng)
{
    if (rng.chance(0.15) && text.endsWith(u'.'))
        text.chop(1);
    if (rng.chance(0.1))
        text[0] = text[0].toLower();
    if (rng.chance(0.1))
        text.replace(QStringLiteral(", "), QStringLiteral(" "));
    if (rng.chance(0.06)) {
        static const std::pair<const char *, const char *> slips[]
            = { { "wearing", "wering" }, { "carrying", "carring" }, { "jacket", "jaket" },
                  { "sneakers", "sneekers" }, { "shoulder", "sholder" }, { "black", "blakc" },
                  { "sweater", "sweather" }, { "jeans", "jeens" }, { "trousers", "trowsers" } };
        const auto &[right, wrong] = slips[rng.index(std::size(slips))];
        text.replace(QString::fromLatin1(right), QString::fromLatin1(wrong));
    }
    return text;
}

} // namespace

QString CaptionWriter::caption(const PersonAppearance &a, Rng &rng) const
{
    const std::vector<Group> groups = groupsOf(a, rng);
    std::size_t next = 0;
    QString text = subjectOf(a, rng);
    if (rng.chance(0.6)) {
        // "A woman with long brown hair, wearing a red coat and black trousers."
        text += u' ' + participle(groups[next++], rng);
        if (next < groups.size() && rng.chance(0.5))
            text += QStringLiteral(", ") + participle(groups[next++], rng);
    } else {
        text += u' ' + finite(groups[next++], rng);
    }
    text += u'.';
    // The rest as sentences of one or two clauses: "She carries a backpack and wears white shoes."
    while (next < groups.size()) {
        text += u' ' + pronounOf(a) + u' ' + finite(groups[next++], rng);
        if (next < groups.size() && rng.chance(0.6))
            text += QStringLiteral(" and ") + finite(groups[next++], rng);
        text += u'.';
    }
    if (rng.chance(0.25))
        text += u' ' + actionSentence(a, rng);
    return withTypingSlips(text, rng);
}

QStringList CaptionWriter::captions(const PersonAppearance &appearance, Rng &rng, int count) const
{
    QStringList out;
    // A few retries per caption: the phrase space is large, so duplicates are rare.
    for (int attempt = 0; out.size() < count && attempt < count * 8; ++attempt) {
        const QString text = caption(appearance, rng);
        if (!out.contains(text))
            out << text;
    }
    while (out.size() < count)
        out << caption(appearance, rng);
    return out;
}

} // namespace descry
