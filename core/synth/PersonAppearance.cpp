#include "PersonAppearance.h"

#include "Rng.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <cmath>

namespace descry {

namespace {

// The words of each enum, in enum order. Kept here once so toString/fromString agree.
constexpr std::array<const char *, 11> kColourWords { "black", "white", "grey", "red", "orange", "yellow",
    "green", "blue", "purple", "pink", "brown" };
constexpr std::array<const char *, 2> kGenderWords { "man", "woman" };
constexpr std::array<const char *, 4> kHairColourWords { "black", "brown", "blonde", "grey" };
constexpr std::array<const char *, 2> kHairLengthWords { "short", "long" };
constexpr std::array<const char *, 4> kHatWords { "none", "cap", "beanie", "hat" };
constexpr std::array<const char *, 6> kUpperWords { "t-shirt", "shirt", "sweater", "jacket", "coat",
    "dress" };
constexpr std::array<const char *, 4> kLowerWords { "trousers", "jeans", "shorts", "skirt" };
constexpr std::array<const char *, 4> kAccessoryWords { "none", "backpack", "shoulder bag", "handbag" };
constexpr std::array<const char *, 5> kPatternWords { "plain", "striped", "checked", "logo", "two-tone" };
constexpr std::array<const char *, 4> kFaceWords { "none", "glasses", "sunglasses", "face mask" };
constexpr std::array<const char *, 6> kHeldWords { "none", "phone", "papers", "shopping bag", "umbrella",
    "suitcase" };

template<typename Enum, std::size_t N> QString wordOf(const std::array<const char *, N> &words, Enum value)
{
    const auto i = static_cast<std::size_t>(value);
    return i < N ? QString::fromLatin1(words[i]) : QString();
}

template<typename Enum, std::size_t N>
bool enumOf(const std::array<const char *, N> &words, const QString &text, Enum *out)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (text == QLatin1String(words[i])) {
            *out = static_cast<Enum>(i);
            return true;
        }
    }
    return false;
}

// Canonical renderings, chosen well inside each term's region of CIELAB so that jitter and
// moderate lighting changes do not push them across a boundary (e.g. orange vs brown is a
// lightness boundary, so orange is bright and brown dark). {R, G, B}.
constexpr std::array<std::array<int, 3>, 11> kCanonicalRgb { {
    { 30, 30, 32 }, // black
    { 236, 236, 232 }, // white
    { 128, 128, 128 }, // grey
    { 195, 28, 32 }, // red
    { 250, 140, 30 }, // orange
    { 236, 212, 42 }, // yellow
    { 38, 140, 58 }, // green
    { 34, 64, 168 }, // blue
    { 112, 44, 142 }, // purple
    { 236, 124, 172 }, // pink
    { 110, 72, 40 }, // brown
} };

// Skin tones from light to dark, {R, G, B}.
constexpr std::array<std::array<int, 3>, 6> kSkinRgb { {
    { 241, 204, 176 },
    { 226, 183, 150 },
    { 200, 148, 110 },
    { 163, 112, 78 },
    { 118, 80, 58 },
    { 88, 60, 44 },
} };

// Hair renderings per HairColour, {R, G, B}.
constexpr std::array<std::array<int, 3>, 4> kHairRgb { {
    { 22, 20, 20 }, // black
    { 92, 58, 34 }, // brown
    { 222, 190, 112 }, // blonde
    { 168, 168, 166 }, // grey
} };

uint8_t clampByte(double v)
{
    return static_cast<uint8_t>(std::clamp(std::lround(v), 0l, 255l));
}

Bgr jittered(const std::array<int, 3> &rgb, double gain, double spread, Rng &rng)
{
    Bgr out;
    out.r = clampByte(rgb[0] * gain + rng.uniformReal(-spread, spread));
    out.g = clampByte(rgb[1] * gain + rng.uniformReal(-spread, spread));
    out.b = clampByte(rgb[2] * gain + rng.uniformReal(-spread, spread));
    return out;
}

bool isAchromatic(BasicColour c)
{
    return c == BasicColour::Black || c == BasicColour::White || c == BasicColour::Grey;
}

// Picks an enum value with the given weights (in enum order).
template<typename Enum> Enum pick(Rng &rng, const std::vector<double> &weights)
{
    return static_cast<Enum>(rng.weightedIndex(weights));
}

// Weights over the 11 basic colours, in enum order.
using ColourWeights = std::vector<double>;
const ColourWeights kGarmentColours { 1.6, 1.2, 1.3, 1.1, 0.9, 0.9, 1.0, 1.3, 0.9, 0.9, 1.0 };
const ColourWeights kTrouserColours { 2.5, 0.5, 1.6, 0.4, 0.2, 0.2, 0.5, 1.5, 0.3, 0.3, 1.2 };
const ColourWeights kJeansColours { 0.8, 0.1, 0.4, 0, 0, 0, 0, 4.0, 0, 0, 0 };
const ColourWeights kShoeColours { 4.0, 3.0, 1.0, 0.3, 0, 0, 0, 0.3, 0, 0, 1.5 };
const ColourWeights kHatColours { 2.0, 1.0, 1.5, 1.0, 0.5, 0.5, 0.7, 1.2, 0.4, 0.5, 0.8 };
const ColourWeights kBagColours { 3.0, 0.5, 1.2, 1.0, 0.4, 0.3, 0.6, 1.2, 0.4, 0.6, 1.6 };

BasicColour pickColour(Rng &rng, const ColourWeights &weights)
{
    return pick<BasicColour>(rng, weights);
}

// A colour for a garment worn next to another one: re-draws once when they collide so
// that most people are not one colour top to bottom (harder to tell apart, less useful).
BasicColour pickColourUnlike(Rng &rng, const ColourWeights &weights, BasicColour avoid)
{
    const BasicColour first = pickColour(rng, weights);
    return first == avoid ? pickColour(rng, weights) : first;
}

void sampleAttributes(PersonAppearance &p, Rng &rng)
{
    const bool woman = rng.chance(0.5);
    p.gender = woman ? Gender::Woman : Gender::Man;
    p.hairLength = rng.chance(woman ? 0.72 : 0.08) ? HairLength::Long : HairLength::Short;
    p.hairColour = pick<HairColour>(rng, { 4.0, 3.5, 1.6, 0.9 });
    p.hat = pick<HatType>(rng, { 7.5, 1.0, 0.8, 0.7 });
    p.hatColour = pickColour(rng, kHatColours);
    p.upper = pick<UpperGarment>(rng,
        woman ? std::vector<double> { 2.2, 1.5, 1.8, 1.8, 1.5, 1.2 }
              : std::vector<double> { 2.8, 2.0, 1.7, 2.0, 1.5, 0 });
    p.upperColour = pickColour(rng, kGarmentColours);
    p.lower = pick<LowerGarment>(
        rng, woman ? std::vector<double> { 3.0, 3.0, 1.5, 2.5 } : std::vector<double> { 5.0, 3.5, 1.5, 0 });
    p.lowerColour = pickColourUnlike(
        rng, p.lower == LowerGarment::Jeans ? kJeansColours : kTrouserColours, p.upperColour);
    p.shoeColour = pickColour(rng, kShoeColours);
    p.accessory = pick<Accessory>(
        rng, woman ? std::vector<double> { 4.0, 2.5, 2.0, 2.0 } : std::vector<double> { 4.5, 3.0, 2.0, 0 });
    p.accessoryColour = pickColourUnlike(rng, kBagColours, p.upperColour);
    if (p.hasDress()) // a dress shows its own colour on the legs; keep lower consistent
        p.lowerColour = p.upperColour;
}

void samplePalette(PersonAppearance &p, Rng &rng)
{
    AppearancePalette &pal = p.palette;
    pal.skin = jittered(kSkinRgb[rng.index(kSkinRgb.size())], 1.0, 6, rng);
    pal.hair = jittered(kHairRgb[static_cast<std::size_t>(p.hairColour)], rng.uniformReal(0.9, 1.08), 6, rng);
    pal.hat = renderColour(p.hatColour, rng);
    pal.upper = renderColour(p.upperColour, rng);
    pal.lower = renderColour(p.visibleLowerColour(), rng);
    pal.shoes = renderColour(p.shoeColour, rng);
    pal.accessory = renderColour(p.accessoryColour, rng);
}

} // namespace

QString toString(BasicColour value)
{
    return wordOf(kColourWords, value);
}
QString toString(Gender value)
{
    return wordOf(kGenderWords, value);
}
QString toString(HairColour value)
{
    return wordOf(kHairColourWords, value);
}
QString toString(HairLength value)
{
    return wordOf(kHairLengthWords, value);
}
QString toString(HatType value)
{
    return wordOf(kHatWords, value);
}
QString toString(UpperGarment value)
{
    return wordOf(kUpperWords, value);
}
QString toString(LowerGarment value)
{
    return wordOf(kLowerWords, value);
}
QString toString(Accessory value)
{
    return wordOf(kAccessoryWords, value);
}

bool fromString(const QString &text, BasicColour *out)
{
    return enumOf(kColourWords, text, out);
}
bool fromString(const QString &text, Gender *out)
{
    return enumOf(kGenderWords, text, out);
}
bool fromString(const QString &text, HairColour *out)
{
    return enumOf(kHairColourWords, text, out);
}
bool fromString(const QString &text, HairLength *out)
{
    return enumOf(kHairLengthWords, text, out);
}
bool fromString(const QString &text, HatType *out)
{
    return enumOf(kHatWords, text, out);
}
bool fromString(const QString &text, UpperGarment *out)
{
    return enumOf(kUpperWords, text, out);
}
bool fromString(const QString &text, LowerGarment *out)
{
    return enumOf(kLowerWords, text, out);
}
bool fromString(const QString &text, Accessory *out)
{
    return enumOf(kAccessoryWords, text, out);
}

QString toString(GarmentPattern value)
{
    return wordOf(kPatternWords, value);
}

bool fromString(const QString &text, GarmentPattern *out)
{
    return enumOf(kPatternWords, text, out);
}

QString toString(FaceWear value)
{
    return wordOf(kFaceWords, value);
}

bool fromString(const QString &text, FaceWear *out)
{
    return enumOf(kFaceWords, text, out);
}

QString toString(HeldItem value)
{
    return wordOf(kHeldWords, value);
}

bool fromString(const QString &text, HeldItem *out)
{
    return enumOf(kHeldWords, text, out);
}

BasicColour basicColourOf(HairColour hair)
{
    switch (hair) {
    case HairColour::Black:
        return BasicColour::Black;
    case HairColour::Brown:
        return BasicColour::Brown;
    case HairColour::Blonde:
        return BasicColour::Yellow;
    case HairColour::Grey:
        return BasicColour::Grey;
    }
    return BasicColour::Black;
}

Bgr canonicalColour(BasicColour colour)
{
    const auto &rgb = kCanonicalRgb[static_cast<std::size_t>(colour)];
    return Bgr { static_cast<uint8_t>(rgb[2]), static_cast<uint8_t>(rgb[1]), static_cast<uint8_t>(rgb[0]) };
}

Bgr renderColour(BasicColour colour, Rng &rng)
{
    const auto &rgb = kCanonicalRgb[static_cast<std::size_t>(colour)];
    // Colours vary in brightness like different fabrics do, as far as their name allows:
    // white turns grey and orange turns brown with a little less light (checked against
    // ColourNamer), so those two only get small shifts.
    switch (colour) {
    case BasicColour::White:
        return jittered(rgb, rng.uniformReal(0.97, 1.03), 4, rng);
    case BasicColour::Orange:
        return jittered(rgb, rng.uniformReal(0.96, 1.03), 6, rng);
    case BasicColour::Brown:
        return jittered(rgb, rng.uniformReal(0.9, 1.08), 5, rng);
    default:
        break;
    }
    if (isAchromatic(colour))
        return jittered(rgb, rng.uniformReal(0.94, 1.04), 5, rng);
    return jittered(rgb, rng.uniformReal(0.88, 1.06), 10, rng);
}

void PersonAppearance::sampleCloth(Rng &rng)
{
    ClothDetail c;
    const double patterned = upper == UpperGarment::Coat || upper == UpperGarment::Dress ? 0.15 : 0.35;
    if (rng.chance(patterned)) {
        // Shirts get checks, t-shirts prints, jackets two tones more often than the rest.
        std::vector<double> weights { 0, 1, 1, 1, 1 };
        if (upper == UpperGarment::Shirt)
            weights = { 0, 1, 2.5, 0.2, 0.3 };
        else if (upper == UpperGarment::TShirt)
            weights = { 0, 1.2, 0.3, 2, 0.2 };
        else if (upper == UpperGarment::Jacket || upper == UpperGarment::Coat)
            weights = { 0, 0.5, 0.6, 0.2, 2 };
        c.pattern = static_cast<GarmentPattern>(rng.weightedIndex(weights));
        // Stripes and checks are mostly white, black or grey on a colour; any colour otherwise.
        do {
            c.patternColour = rng.chance(0.6) ? rng.choice(std::vector<BasicColour> {
                                  BasicColour::White, BasicColour::Black, BasicColour::Grey })
                                              : static_cast<BasicColour>(rng.uniformInt(0, 10));
        } while (c.patternColour == upperColour);
        palette.pattern = renderColour(c.patternColour, rng);
    }
    c.folds = static_cast<float>(rng.uniformReal(0.05, 0.25));
    c.sideLight = static_cast<float>(rng.uniformReal(-0.22, 0.22));
    c.foldSeed = static_cast<uint32_t>(rng.next());
    cloth = c;
}

void PersonAppearance::sampleExtras(Rng &rng)
{
    PersonExtras e;
    e.face = static_cast<FaceWear>(rng.weightedIndex({ 0.75, 0.16, 0.04, 0.05 }));
    if (e.face == FaceWear::Mask) {
        e.maskColour = rng.choice(std::vector<BasicColour> {
            BasicColour::White, BasicColour::White, BasicColour::Blue, BasicColour::Black });
        e.mask = renderColour(e.maskColour, rng);
    }
    e.held = static_cast<HeldItem>(rng.weightedIndex({ 0.74, 0.1, 0.04, 0.06, 0.03, 0.03 }));
    if (e.held == HeldItem::ShoppingBag || e.held == HeldItem::Umbrella || e.held == HeldItem::Suitcase) {
        e.heldColour = static_cast<BasicColour>(rng.uniformInt(0, 10));
        e.heldBgr = renderColour(e.heldColour, rng);
    } else if (e.held == HeldItem::Papers) {
        e.heldColour = BasicColour::White;
        e.heldBgr = renderColour(BasicColour::White, rng);
    } else if (e.held == HeldItem::Phone) {
        e.heldBgr = renderColour(BasicColour::Black, rng);
    }
    // Drawn after the above, so adding them kept every earlier draw.
    const bool hooded
        = upper == UpperGarment::Jacket || upper == UpperGarment::Sweater || upper == UpperGarment::Coat;
    e.hood = hooded && hat == HatType::None && rng.chance(0.12);
    e.scarf = upper != UpperGarment::TShirt && upper != UpperGarment::Dress && rng.chance(0.1);
    if (e.scarf) {
        e.scarfColour = static_cast<BasicColour>(rng.uniformInt(0, 10));
        e.scarfBgr = renderColour(e.scarfColour, rng);
    }
    e.beard = gender == Gender::Man && rng.chance(0.2);
    e.boots = lower != LowerGarment::Shorts && rng.chance(gender == Gender::Woman ? 0.2 : 0.08);
    e.curly = rng.chance(0.12);
    extras = e;
}

PersonAppearance PersonAppearance::sample(Rng &rng)
{
    PersonAppearance p;
    sampleAttributes(p, rng);
    p.heightScale
        = static_cast<float>(rng.uniformReal(0.92, 1.08) * (p.gender == Gender::Woman ? 0.96 : 1.02));
    p.widthScale = static_cast<float>(rng.uniformReal(0.88, 1.15));
    samplePalette(p, rng);
    return p;
}

AttributeSet PersonAppearance::truthAttributes() const
{
    const auto add = [](AttributeSet &set, BodyRegion region, const QString &name) {
        set.push_back(AttributeValue { region, name, 1.f });
    };
    const QString colour = QStringLiteral("colour:");
    const QString garment = QStringLiteral("garment:");
    AttributeSet set;
    add(set, BodyRegion::Whole, QStringLiteral("gender:") + toString(gender));
    add(set, BodyRegion::Head, QStringLiteral("hair:") + toString(hairLength));
    add(set, BodyRegion::Head, QStringLiteral("hair:") + toString(hairColour));
    if (hat != HatType::None) {
        add(set, BodyRegion::Head, garment + toString(hat));
        add(set, BodyRegion::Head, colour + toString(hatColour));
    } else {
        add(set, BodyRegion::Head, colour + toString(basicColourOf(hairColour)));
    }
    add(set, BodyRegion::Upper, garment + toString(upper));
    add(set, BodyRegion::Upper, colour + toString(upperColour));
    if (!hasDress())
        add(set, BodyRegion::Lower, garment + toString(lower));
    add(set, BodyRegion::Lower, colour + toString(visibleLowerColour()));
    add(set, BodyRegion::Feet, colour + toString(shoeColour));
    if (accessory != Accessory::None) {
        add(set, BodyRegion::Whole, QStringLiteral("accessory:") + toString(accessory));
    }
    return set;
}

namespace {

QJsonArray bgrToJson(const Bgr &c)
{
    return QJsonArray { c.b, c.g, c.r };
}

bool bgrFromJson(const QJsonValue &value, Bgr *out)
{
    const QJsonArray a = value.toArray();
    if (a.size() != 3)
        return false;
    for (const QJsonValue &v : a)
        if (!v.isDouble() || v.toInt(-1) < 0 || v.toInt(-1) > 255)
            return false;
    *out = Bgr { static_cast<uint8_t>(a[0].toInt()), static_cast<uint8_t>(a[1].toInt()),
        static_cast<uint8_t>(a[2].toInt()) };
    return true;
}

template<typename Enum> bool readWord(const QJsonObject &json, const char *key, Enum *out, QString *error)
{
    if (fromString(json.value(QLatin1String(key)).toString(), out))
        return true;
    if (error)
        *error = QStringLiteral("appearance: bad or missing \"%1\"").arg(QLatin1String(key));
    return false;
}

} // namespace

QJsonObject PersonAppearance::toJson() const
{
    QJsonObject pal;
    pal[QStringLiteral("skin")] = bgrToJson(palette.skin);
    pal[QStringLiteral("hair")] = bgrToJson(palette.hair);
    pal[QStringLiteral("hat")] = bgrToJson(palette.hat);
    pal[QStringLiteral("upper")] = bgrToJson(palette.upper);
    pal[QStringLiteral("lower")] = bgrToJson(palette.lower);
    pal[QStringLiteral("shoes")] = bgrToJson(palette.shoes);
    pal[QStringLiteral("accessory")] = bgrToJson(palette.accessory);
    pal[QStringLiteral("pattern")] = bgrToJson(palette.pattern);

    QJsonObject json;
    json[QStringLiteral("gender")] = toString(gender);
    json[QStringLiteral("hairColour")] = toString(hairColour);
    json[QStringLiteral("hairLength")] = toString(hairLength);
    json[QStringLiteral("hat")] = toString(hat);
    json[QStringLiteral("hatColour")] = toString(hatColour);
    json[QStringLiteral("upper")] = toString(upper);
    json[QStringLiteral("upperColour")] = toString(upperColour);
    json[QStringLiteral("lower")] = toString(lower);
    json[QStringLiteral("lowerColour")] = toString(lowerColour);
    json[QStringLiteral("shoeColour")] = toString(shoeColour);
    json[QStringLiteral("accessory")] = toString(accessory);
    json[QStringLiteral("accessoryColour")] = toString(accessoryColour);
    json[QStringLiteral("heightScale")] = static_cast<double>(heightScale);
    json[QStringLiteral("widthScale")] = static_cast<double>(widthScale);
    json[QStringLiteral("palette")] = pal;
    if (!cloth.isFlat() || cloth.foldSeed != 0)
        json[QStringLiteral("cloth")] = QJsonObject { { QStringLiteral("pattern"), toString(cloth.pattern) },
            { QStringLiteral("patternColour"), toString(cloth.patternColour) },
            { QStringLiteral("folds"), static_cast<double>(cloth.folds) },
            { QStringLiteral("sideLight"), static_cast<double>(cloth.sideLight) },
            { QStringLiteral("foldSeed"), static_cast<double>(cloth.foldSeed) } };
    if (!extras.isNone())
        json[QStringLiteral("extras")] = QJsonObject { { QStringLiteral("face"), toString(extras.face) },
            { QStringLiteral("maskColour"), toString(extras.maskColour) },
            { QStringLiteral("mask"), bgrToJson(extras.mask) },
            { QStringLiteral("held"), toString(extras.held) },
            { QStringLiteral("heldColour"), toString(extras.heldColour) },
            { QStringLiteral("heldBgr"), bgrToJson(extras.heldBgr) }, { QStringLiteral("hood"), extras.hood },
            { QStringLiteral("scarf"), extras.scarf },
            { QStringLiteral("scarfColour"), toString(extras.scarfColour) },
            { QStringLiteral("scarfBgr"), bgrToJson(extras.scarfBgr) },
            { QStringLiteral("beard"), extras.beard }, { QStringLiteral("boots"), extras.boots },
            { QStringLiteral("curly"), extras.curly } };
    return json;
}

bool PersonAppearance::fromJson(const QJsonObject &json, PersonAppearance *out, QString *error)
{
    PersonAppearance p;
    const bool wordsOk = readWord(json, "gender", &p.gender, error)
        && readWord(json, "hairColour", &p.hairColour, error)
        && readWord(json, "hairLength", &p.hairLength, error) && readWord(json, "hat", &p.hat, error)
        && readWord(json, "hatColour", &p.hatColour, error) && readWord(json, "upper", &p.upper, error)
        && readWord(json, "upperColour", &p.upperColour, error) && readWord(json, "lower", &p.lower, error)
        && readWord(json, "lowerColour", &p.lowerColour, error)
        && readWord(json, "shoeColour", &p.shoeColour, error)
        && readWord(json, "accessory", &p.accessory, error)
        && readWord(json, "accessoryColour", &p.accessoryColour, error);
    if (!wordsOk)
        return false;
    p.heightScale = static_cast<float>(json.value(QStringLiteral("heightScale")).toDouble(1));
    p.widthScale = static_cast<float>(json.value(QStringLiteral("widthScale")).toDouble(1));
    const QJsonObject pal = json.value(QStringLiteral("palette")).toObject();
    AppearancePalette &c = p.palette;
    const bool paletteOk = bgrFromJson(pal.value(QStringLiteral("skin")), &c.skin)
        && bgrFromJson(pal.value(QStringLiteral("hair")), &c.hair)
        && bgrFromJson(pal.value(QStringLiteral("hat")), &c.hat)
        && bgrFromJson(pal.value(QStringLiteral("upper")), &c.upper)
        && bgrFromJson(pal.value(QStringLiteral("lower")), &c.lower)
        && bgrFromJson(pal.value(QStringLiteral("shoes")), &c.shoes)
        && bgrFromJson(pal.value(QStringLiteral("accessory")), &c.accessory);
    if (!paletteOk) {
        if (error)
            *error = QStringLiteral("appearance: bad or missing palette");
        return false;
    }
    // Files written before cloth detail have neither: a flat person.
    if (pal.contains(QStringLiteral("pattern"))
        && !bgrFromJson(pal.value(QStringLiteral("pattern")), &c.pattern)) {
        if (error)
            *error = QStringLiteral("appearance: bad palette pattern colour");
        return false;
    }
    if (json.contains(QStringLiteral("cloth"))) {
        const QJsonObject cloth = json.value(QStringLiteral("cloth")).toObject();
        if (!readWord(cloth, "pattern", &p.cloth.pattern, error)
            || !readWord(cloth, "patternColour", &p.cloth.patternColour, error))
            return false;
        p.cloth.folds = static_cast<float>(cloth.value(QStringLiteral("folds")).toDouble());
        p.cloth.sideLight = static_cast<float>(cloth.value(QStringLiteral("sideLight")).toDouble());
        p.cloth.foldSeed = static_cast<uint32_t>(cloth.value(QStringLiteral("foldSeed")).toDouble());
    }
    // Files written before extras have none.
    if (json.contains(QStringLiteral("extras"))) {
        const QJsonObject extras = json.value(QStringLiteral("extras")).toObject();
        PersonExtras &e = p.extras;
        if (!readWord(extras, "face", &e.face, error) || !readWord(extras, "maskColour", &e.maskColour, error)
            || !readWord(extras, "held", &e.held, error)
            || !readWord(extras, "heldColour", &e.heldColour, error))
            return false;
        e.hood = extras.value(QStringLiteral("hood")).toBool();
        e.scarf = extras.value(QStringLiteral("scarf")).toBool();
        e.beard = extras.value(QStringLiteral("beard")).toBool();
        e.boots = extras.value(QStringLiteral("boots")).toBool();
        e.curly = extras.value(QStringLiteral("curly")).toBool();
        if (e.scarf && !readWord(extras, "scarfColour", &e.scarfColour, error))
            return false;
        if (!bgrFromJson(extras.value(QStringLiteral("mask")), &e.mask)
            || !bgrFromJson(extras.value(QStringLiteral("heldBgr")), &e.heldBgr)
            || (extras.contains(QStringLiteral("scarfBgr"))
                && !bgrFromJson(extras.value(QStringLiteral("scarfBgr")), &e.scarfBgr))) {
            if (error)
                *error = QStringLiteral("appearance: bad extras colours");
            return false;
        }
    }
    *out = p;
    return true;
}

} // namespace descry
