#pragma once

#include "Attributes.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>

namespace descry {

class Rng;

// The vocabulary of a synthetic pedestrian's appearance. Every enum has toString() (the exact
// word the query parser, colour naming and captions use) and fromString(); the words are
// listed by the *Names() functions in enum order.

// The 11 basic colour terms, in the order of basicColourNames().
enum class BasicColour { Black, White, Grey, Red, Orange, Yellow, Green, Blue, Purple, Pink, Brown };
enum class Gender { Man, Woman };
enum class HairColour { Black, Brown, Blonde, Grey };
enum class HairLength { Short, Long };
enum class HatType { None, Cap, Beanie, Hat };
// A dress is an upper garment that also covers the thighs; its lower garment is ignored.
enum class UpperGarment { TShirt, Shirt, Sweater, Jacket, Coat, Dress };
enum class LowerGarment { Trousers, Jeans, Shorts, Skirt };
enum class Accessory { None, Backpack, ShoulderBag, Handbag };
// What the upper garment's cloth shows besides its colour, in a second colour: horizontal
// stripes, checks (plaid), a print on the chest (front views), or a two-tone garment whose
// lower part is the second colour.
enum class GarmentPattern { Plain, Striped, Checked, Logo, TwoTone };
// What some people wear on the face or hold in a hand (PersonAppearance::extras).
enum class FaceWear { None, Glasses, Sunglasses, Mask };
enum class HeldItem { None, Phone, Papers, ShoppingBag, Umbrella, Suitcase };

QString toString(BasicColour value); // "black" ... "brown"
QString toString(Gender value); // "man", "woman"
QString toString(HairColour value); // "black", "brown", "blonde", "grey"
QString toString(HairLength value); // "short", "long"
QString toString(HatType value); // "none", "cap", "beanie", "hat"
QString toString(UpperGarment value); // "t-shirt", "shirt", "sweater", "jacket", "coat", "dress"
QString toString(LowerGarment value); // "trousers", "jeans", "shorts", "skirt"
QString toString(Accessory value); // "none", "backpack", "shoulder bag", "handbag"
QString toString(GarmentPattern value); // "plain", "striped", "checked", "logo", "two-tone"
QString toString(FaceWear value); // "none", "glasses", "sunglasses", "face mask"
QString toString(HeldItem value); // "none", "phone", "papers", "shopping bag", "umbrella", "suitcase"

bool fromString(const QString &text, BasicColour *out);
bool fromString(const QString &text, Gender *out);
bool fromString(const QString &text, HairColour *out);
bool fromString(const QString &text, HairLength *out);
bool fromString(const QString &text, HatType *out);
bool fromString(const QString &text, UpperGarment *out);
bool fromString(const QString &text, LowerGarment *out);
bool fromString(const QString &text, Accessory *out);
bool fromString(const QString &text, GarmentPattern *out);
bool fromString(const QString &text, FaceWear *out);
bool fromString(const QString &text, HeldItem *out);

// The basic colour term a colour namer is expected to give hair of this colour (blonde: yellow).
BasicColour basicColourOf(HairColour hair);

// One 8-bit colour as OpenCV stores it (blue, green, red), kept free of OpenCV types so the
// appearance can travel to the ui and into JSON.
struct Bgr {
    uint8_t b = 0, g = 0, r = 0;
    bool operator==(const Bgr &) const = default;
};

// The exact colours a person is drawn with: the basic colour of each part rendered with a
// little jitter (different dyes, fabrics), so two "red" coats are not the same pixels.
struct AppearancePalette {
    Bgr skin, hair, hat, upper, lower, shoes, accessory;
    Bgr pattern; // the upper garment's second colour (ClothDetail::pattern)
    bool operator==(const AppearancePalette &) const = default;
};

// Cloth that is not flat paint (SceneOptions::clothDetail; all zero = the flat look): a pattern
// on the upper garment, folds (low-frequency shading of every garment, seeded per person so
// they stay with the body) and light from one side.
struct ClothDetail {
    GarmentPattern pattern = GarmentPattern::Plain;
    BasicColour patternColour = BasicColour::White;
    float folds = 0; // shading amplitude of the folds, 0..0.3
    float sideLight = 0; // brightness change across the body, -0.25..0.25 (sign: which side is lit)
    uint32_t foldSeed = 0;

    bool operator==(const ClothDetail &) const = default;
    bool isFlat() const { return pattern == GarmentPattern::Plain && folds == 0 && sideLight == 0; }
};

// What witnesses mention beyond the searchable attributes (SceneOptions::extras; all off = a
// person without them): glasses, sunglasses or a face mask, a thing in one hand, a hood up, a
// scarf, a beard, boots, curly hair — each with the colour it is drawn in.
struct PersonExtras {
    FaceWear face = FaceWear::None;
    BasicColour maskColour = BasicColour::White;
    Bgr mask;
    HeldItem held = HeldItem::None;
    BasicColour heldColour = BasicColour::Black; // shopping bag, umbrella, suitcase
    Bgr heldBgr;
    bool hood = false; // the upper garment's hood, up (jackets, sweaters, coats; no hat)
    bool scarf = false;
    BasicColour scarfColour = BasicColour::Grey;
    Bgr scarfBgr;
    bool beard = false; // men
    bool boots = false; // the shoes reach over the ankles, in the shoe colour
    bool curly = false; // curly hair

    bool operator==(const PersonExtras &) const = default;
    bool isNone() const
    {
        return face == FaceWear::None && held == HeldItem::None && !hood && !scarf && !beard && !boots && !curly;
    }
};

// Everything that decides how one synthetic pedestrian looks: the attributes a caption or a
// query talks about, plus body shape and the rendered palette.
struct PersonAppearance {
    Gender gender = Gender::Man;
    HairColour hairColour = HairColour::Black;
    HairLength hairLength = HairLength::Short;
    HatType hat = HatType::None;
    BasicColour hatColour = BasicColour::Black;
    UpperGarment upper = UpperGarment::TShirt;
    BasicColour upperColour = BasicColour::Grey;
    LowerGarment lower = LowerGarment::Trousers;
    BasicColour lowerColour = BasicColour::Black;
    BasicColour shoeColour = BasicColour::Black;
    Accessory accessory = Accessory::None;
    BasicColour accessoryColour = BasicColour::Black;
    float heightScale = 1; // body height relative to the average person (0.9 .. 1.1)
    float widthScale = 1; // build: shoulder and hip width relative to average (0.88 .. 1.15)
    AppearancePalette palette;
    ClothDetail cloth;
    PersonExtras extras;

    bool operator==(const PersonAppearance &) const = default;

    bool hasDress() const { return upper == UpperGarment::Dress; }
    bool hasShortSleeves() const { return upper == UpperGarment::TShirt || upper == UpperGarment::Dress; }
    // The colour seen on the legs/hips: the dress colour for a dress.
    BasicColour visibleLowerColour() const { return hasDress() ? upperColour : lowerColour; }

    // Draws a plausible random person: gender-dependent priors for hair, skirts and dresses;
    // colours from the basic terms, jeans mostly blue. Uses only `rng` (deterministic).
    static PersonAppearance sample(Rng &rng);
    // Draws `cloth` (and the pattern's palette colour) from `rng` alone: a scene that asks for
    // cloth detail gives it its own stream, so every other draw stays as without it. About a
    // third of upper garments get a pattern (dresses and coats fewer), in a colour other than
    // the garment's.
    void sampleCloth(Rng &rng);
    // Draws `extras` from `rng` alone (a stream of its own, like the cloth): glasses on about one
    // person in six, sunglasses or a face mask on a few, and something in the hand of about one
    // in four (a phone most often; papers, a shopping bag, a closed umbrella, a suitcase); then a
    // hood up, a scarf, a beard (a fifth of the men), boots and curly hair.
    void sampleExtras(Rng &rng);

    // The attributes a perfect attribute extractor / query parser would assign, in the keys
    // of QueryTerm::attribute ("colour:red" on Upper, "garment:coat", "accessory:backpack",
    // "hair:long", "gender:woman"), each with value 1. Used as ground truth for search tests.
    AttributeSet truthAttributes() const;

    QJsonObject toJson() const;
    static bool fromJson(const QJsonObject &json, PersonAppearance *out, QString *error);
};

// A jittered rendering of a basic colour term that a CIELAB colour namer still names `colour`.
Bgr renderColour(BasicColour colour, Rng &rng);
// The canonical (un-jittered) rendering of a basic colour term.
Bgr canonicalColour(BasicColour colour);

} // namespace descry
