#include "QueryLexicon.h"

#include <QHash>

namespace descry {

namespace {

using Kind = Lexeme::Kind;
using Words = std::initializer_list<const char *>;

constexpr BodyRegion kHead = BodyRegion::Head;
constexpr BodyRegion kUpper = BodyRegion::Upper;
constexpr BodyRegion kLower = BodyRegion::Lower;
constexpr BodyRegion kFeet = BodyRegion::Feet;
constexpr BodyRegion kWhole = BodyRegion::Whole;

class Table {
public:
    void add(Words words, Kind kind, const char *value = "", std::vector<BodyRegion> regions = {},
        float weight = 1)
    {
        for (const char *w : words)
            m_map.insert(
                QString::fromLatin1(w), Lexeme { kind, QString::fromLatin1(value), regions, weight });
    }
    const Lexeme *find(const QString &word) const
    {
        const auto it = m_map.constFind(word);
        return it == m_map.constEnd() ? nullptr : &it.value();
    }

private:
    QHash<QString, Lexeme> m_map;
};

// Shade words map to the basic term people would accept for them. Where a shade sits between
// two basic terms (teal, beige, charcoal) both are listed, and the search adds their shares.
void addColours(Table &t)
{
    // Checked against WordNet 3.0's hyponyms of "chromatic color" and "achromatic color"
    // (`wn chromatic_color -treen`, single-word lemmas): 74 of 96 and 13 of 21 are known, and 69
    // of those 74 map to WordNet's own family; the rest are rare (gamboge, solferino) and go to
    // unknownWords. Where WordNet's family and pixel naming disagree (magenta, amber, coral) a
    // word gets both terms. Garments (same check): 76 / 283, footwear 19 / 79, headdress
    // 17 / 93, bags 16 / 53: the common words; underwear and historic dress are left out.
    t.add({ "red", "crimson", "scarlet", "maroon", "burgundy", "wine", "cherry", "ruby", "claret",
              "vermilion", "cerise", "carmine", "cardinal", "oxblood" },
        Kind::Colour, "red");
    t.add({ "reddish" }, Kind::Colour, "red", {}, 0.7f);
    t.add({ "orange", "tangerine", "rust" }, Kind::Colour, "orange");
    t.add({ "coral", "apricot", "peach" }, Kind::Colour, "orange|pink");
    t.add({ "amber", "saffron" }, Kind::Colour, "orange|yellow");
    t.add({ "copper" }, Kind::Colour, "orange|brown");
    t.add({ "orangey", "orangish" }, Kind::Colour, "orange", {}, 0.7f);
    t.add({ "yellow", "gold", "golden", "lemon", "mustard", "canary" }, Kind::Colour, "yellow");
    t.add({ "straw", "wheat" }, Kind::Colour, "yellow|brown");
    t.add({ "yellowish" }, Kind::Colour, "yellow", {}, 0.7f);
    t.add({ "green", "emerald", "lime", "jade", "mint", "forest", "sage" }, Kind::Colour, "green");
    t.add({ "chartreuse" }, Kind::Colour, "green|yellow");
    t.add({ "greenish" }, Kind::Colour, "green", {}, 0.7f);
    t.add({ "olive" }, Kind::Colour, "green|brown");
    t.add({ "teal", "turquoise", "cyan", "aqua", "aquamarine" }, Kind::Colour, "blue|green");
    // Indigo: WordNet files it under purple, but on clothes it is the denim dye.
    t.add({ "blue", "navy", "azure", "cobalt", "sapphire", "indigo", "denim", "cerulean", "ultramarine" },
        Kind::Colour, "blue");
    t.add({ "bluish", "blueish" }, Kind::Colour, "blue", {}, 0.7f);
    t.add({ "purple", "violet", "lilac", "lavender", "mauve", "plum", "amethyst" }, Kind::Colour, "purple");
    t.add({ "magenta" }, Kind::Colour, "purple|pink");
    t.add({ "purplish" }, Kind::Colour, "purple", {}, 0.7f);
    t.add({ "pink", "rose", "fuchsia", "fuschia", "salmon", "blush", "carnation" }, Kind::Colour, "pink");
    t.add({ "pinkish" }, Kind::Colour, "pink", {}, 0.7f);
    t.add({ "brown", "tan", "khaki", "camel", "chocolate", "coffee", "chestnut", "mocha", "bronze", "taupe",
              "caramel", "sand", "sandy", "hazel", "fawn", "sepia", "umber", "ochre", "ocher", "buff",
              "mahogany", "walnut", "cinnamon" },
        Kind::Colour, "brown");
    t.add({ "brownish" }, Kind::Colour, "brown", {}, 0.7f);
    t.add({ "beige", "ecru", "oatmeal", "stone" }, Kind::Colour, "brown|white");
    t.add({ "black", "ebony", "jet", "sable", "inky" }, Kind::Colour, "black");
    t.add({ "blackish" }, Kind::Colour, "black", {}, 0.7f);
    t.add({ "charcoal" }, Kind::Colour, "black|grey");
    t.add({ "white", "ivory", "snow", "pearl", "alabaster", "chalk", "bone" }, Kind::Colour, "white");
    t.add({ "whitish" }, Kind::Colour, "white", {}, 0.7f);
    t.add({ "cream", "offwhite", "eggshell" }, Kind::Colour, "white|yellow");
    t.add(
        { "grey", "gray", "silver", "ash", "slate", "gunmetal", "pewter", "heather" }, Kind::Colour, "grey");
    t.add({ "greyish", "grayish" }, Kind::Colour, "grey", {}, 0.7f);
    t.add({ "dark", "deep" }, Kind::Tone, "dark");
    t.add({ "light", "pale", "pastel", "bright", "vivid", "neon", "faded", "washed", "coloured", "colored" },
        Kind::Tone, "light");
}

void addGarments(Table &t)
{
    // Canonical values follow the synthetic scenes' truth (PersonAppearance) where it has them.
    // Common words from WordNet's "garment", "footwear" and "headdress" trees are included.
    t.add({ "coat", "parka", "raincoat", "overcoat", "trenchcoat", "topcoat", "greatcoat", "peacoat", "mac",
              "mack", "mackintosh", "macintosh", "slicker", "poncho", "cape", "cloak" },
        Kind::Garment, "coat", { kUpper });
    t.add({ "jacket", "blazer", "anorak", "windbreaker", "windcheater", "cagoule", "fleece", "gilet",
              "bomber" },
        Kind::Garment, "jacket", { kUpper });
    t.add({ "shirt", "blouse", "polo" }, Kind::Garment, "shirt", { kUpper });
    t.add({ "tshirt", "tee" }, Kind::Garment, "t-shirt", { kUpper });
    t.add({ "top", "tanktop", "vest", "singlet", "camisole", "tunic", "waistcoat", "jersey", "kurta" },
        Kind::Garment, "top", { kUpper });
    t.add({ "sweater", "jumper", "pullover", "sweatshirt", "cardigan", "knit", "turtleneck", "slipover" },
        Kind::Garment, "sweater", { kUpper });
    t.add({ "hoodie", "hoody", "hooded" }, Kind::Garment, "hoodie", { kUpper });
    t.add({ "dress", "gown", "robe", "kaftan", "caftan", "abaya", "burqa", "burka", "sundress", "frock" },
        Kind::Garment, "dress", { kUpper, kLower });
    t.add({ "suit", "tracksuit", "uniform", "overalls", "jumpsuit", "sweatsuit", "sweats", "boilersuit",
              "pantsuit" },
        Kind::Garment, "suit", { kUpper, kLower });
    t.add({ "trousers", "pants", "pant", "slacks", "chinos", "chino", "joggers", "sweatpants", "trouser",
              "cords", "corduroys", "breeches", "jodhpurs", "cargos" },
        Kind::Garment, "trousers", { kLower });
    t.add({ "jeans", "jean", "levis" }, Kind::Garment, "jeans", { kLower });
    t.add({ "shorts", "culottes", "bermudas" }, Kind::Garment, "shorts", { kLower });
    t.add({ "skirt", "miniskirt", "kilt", "sarong" }, Kind::Garment, "skirt", { kLower });
    t.add({ "leggings", "legging", "tights", "stockings", "hose", "pantyhose" }, Kind::Garment, "leggings",
        { kLower });
    t.add({ "shoes", "shoe", "sneaker", "trainer", "footwear", "loafer", "heel", "sandal", "flipflop", "clog",
              "brogue", "moccasin", "slipper", "espadrille", "flats", "plimsoll" },
        Kind::Garment, "shoes", { kFeet });
    t.add({ "boot", "wellington", "wellies", "welly", "gumboot", "galosh", "jackboot" }, Kind::Garment,
        "boots", { kFeet });
    t.add({ "socks", "sock" }, Kind::Garment, "socks", { kFeet });
    t.add({ "hat", "helmet", "beret", "fedora", "headscarf", "hood", "hijab", "turban", "bonnet", "balaclava",
              "skullcap", "sombrero", "trilby", "bowler", "stetson" },
        Kind::Garment, "hat", { kHead });
    t.add({ "beanie", "beany", "bobble", "toque" }, Kind::Garment, "beanie", { kHead });
    t.add({ "cap" }, Kind::Garment, "cap", { kHead });
    t.add({ "sleeve", "sleeved" }, Kind::Sleeves, "", { kUpper });
    // Patterns, measured on the upper garment (PatternMeter): horizontal stripes and checks;
    // "patterned" accepts either. Vertical stripes and pinstripes are rewritten to "patterned"
    // by the parser, since only horizontal stripes are measured as stripes.
    t.add({ "striped", "stripy", "stripey", "stripe", "banded", "hooped", "breton" }, Kind::Pattern, "striped");
    t.add({ "checked", "checks", "checkered", "chequered", "checkerboard", "plaid", "tartan", "gingham",
              "houndstooth", "flannel" },
        Kind::Pattern, "checked");
    t.add({ "patterned", "pattern", "print", "printed", "floral", "flowery", "flowered", "spotted", "spotty",
              "dotted", "polka", "camouflage", "camo", "paisley", "leopard", "graphic", "logo", "lettering",
              "slogan" },
        Kind::Pattern, "patterned");
    t.add({ "sleeveless" }, Kind::Garment, "short-sleeves", { kUpper });
}

void addPeopleAndThings(Table &t)
{
    t.add({ "backpack", "rucksack", "knapsack", "daypack", "haversack", "packsack", "schoolbag" },
        Kind::Accessory, "backpack");
    t.add({ "bag", "tote", "shopper", "holdall", "duffel", "duffle", "carryall", "kitbag", "sack", "pouch" },
        Kind::Accessory, "bag");
    t.add({ "shoulderbag", "satchel", "messenger" }, Kind::Accessory, "shoulder bag");
    t.add({ "handbag", "purse", "clutch" }, Kind::Accessory, "handbag");
    t.add({ "suitcase", "luggage", "trolley" }, Kind::Accessory, "suitcase");
    t.add({ "briefcase" }, Kind::Accessory, "briefcase");
    t.add({ "umbrella", "brolly" }, Kind::Accessory, "umbrella");
    t.add({ "glasses", "sunglasses", "spectacles", "shades" }, Kind::Accessory, "glasses");
    t.add({ "scarf", "scarves", "muffler", "shawl" }, Kind::Accessory, "scarf");
    t.add({ "bicycle", "bike", "cycle" }, Kind::Accessory, "bicycle");
    t.add({ "stroller", "pram", "pushchair", "buggy" }, Kind::Accessory, "stroller");
    t.add({ "phone", "mobile" }, Kind::Accessory, "phone");
    // Things people carry that witnesses name (real captions: "holding white papers", "a brown
    // envelope"). Not measured, but they take their colour word, which otherwise would be read as
    // the colour of the whole person.
    t.add({ "paper", "papers", "leaflet", "flyer", "envelope", "folder", "document", "newspaper", "magazine",
              "book", "clipboard", "notebook", "sheet" },
        Kind::Accessory, "papers");
    t.add({ "dog" }, Kind::Accessory, "dog");
    t.add({ "hair", "haired", "hairs" }, Kind::Hair);
    t.add({ "blonde", "blond", "fair" }, Kind::HairColour, "blonde");
    t.add({ "brunette" }, Kind::HairColour, "brown");
    t.add({ "redhead", "ginger", "auburn" }, Kind::HairColour, "orange|red|brown");
    t.add({ "long", "longer" }, Kind::Length, "long");
    t.add({ "short", "shorter", "cropped" }, Kind::Length, "short");
    t.add({ "bald", "shaved" }, Kind::Bald, "bald");
    t.add(
        { "man", "men", "male", "gentleman", "gentlemen", "guy", "gent", "he", "his", "him", "boy", "bloke" },
        Kind::Gender, "man");
    t.add(
        { "woman", "women", "female", "lady", "ladies", "girl", "she", "her", "gal" }, Kind::Gender, "woman");
    t.add({ "child", "children", "kid", "toddler", "baby", "teen", "teenager" }, Kind::Age, "child");
    t.add({ "elderly", "pensioner" }, Kind::Age, "elderly");
    t.add({ "person", "people", "someone", "somebody", "pedestrian", "individual", "adult", "figure",
              "anyone" },
        Kind::Person);
    t.add({ "clothes", "clothing", "outfit", "dressed", "clad", "attire", "headtotoe", "all", "everything" },
        Kind::Whole);
}

void addGrammar(Table &t)
{
    t.add({ "no", "without", "not", "never", "nothing", "none" }, Kind::Negation);
    t.add({ "and", "with", "plus", "also", "but", "while", "carrying", "carries", "carry", "holding", "holds",
              "wearing", "wears", "wore", "has", "have", "having", "who", "which", "pulling", "pushing",
              "riding", "walking", "walks", "or", ",", ";", ".", "!", "?" },
        Kind::Separator);
    t.add({ "a", "an", "the", "in", "on", "of", "is", "are", "was", "were", "be", "that", "this", "to", "at",
              "for", "from", "by", "some", "pair", "pairs", "its", "it", "their", "them", "they", "very",
              "quite", "rather", "mostly", "mainly", "looking", "find", "show", "me", "search", "any", "like",
              "kind", "type", "sort", "colour", "color", "style", "styled", "item", "piece", "one", "up",
              "down", "under", "over", "into", "near", "i", "my", "we", "our", "you", "your", "there", "here",
              "just", "only", "horizontal", "horizontally", "across" },
        Kind::Stop);
}

const Table &table()
{
    static const Table t = [] {
        Table built;
        addColours(built);
        addGarments(built);
        addPeopleAndThings(built);
        addGrammar(built);
        return built;
    }();
    return t;
}

} // namespace

const Lexeme *QueryLexicon::find(const QString &word)
{
    const Table &t = table();
    if (const Lexeme *l = t.find(word))
        return l;
    // Plurals: "dresses", "bags", "scarves" is listed, "accessories" -> "accessory".
    if (word.endsWith(QLatin1String("ies")))
        if (const Lexeme *l = t.find(word.chopped(3) + QLatin1Char('y')))
            return l;
    if (word.endsWith(QLatin1String("es")))
        if (const Lexeme *l = t.find(word.chopped(2)))
            return l;
    if (word.endsWith(QLatin1Char('s')) && word.size() > 2)
        return t.find(word.chopped(1));
    return nullptr;
}

} // namespace descry
