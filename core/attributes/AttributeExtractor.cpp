#include "AttributeExtractor.h"

#include "ColourNamer.h"
#include "PatternMeter.h"
#include "PoseMask.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace descry {

namespace {

constexpr int kColours = ColourNamer::Count;
constexpr float kMinReported = 0.05f; // colour fractions below this are noise (background, shadows)
constexpr int kWorkHeight = 160; // crops are measured at most this tall: colour needs no detail
constexpr int kMinCuePixels = 12; // fewer pixels than this and a skin cue is not measured

using ColourHistogram = std::array<double, kColours>;

// The vertical stripes of a standing person, as fractions of the person box (not the padding),
// and the columns that count fully: the sides of a box hold arms and background.
struct Stripe {
    BodyRegion region;
    float y0, y1;
    float core0, core1;
    float sideWeight;
};

// The stripes are BodyLayout's standard zones: with a pose, rows are first mapped onto them
// (BodyLayout::toStandard), so every fraction below follows the person's shoulders, hips and
// ankles instead of the box.
constexpr auto kZone = BodyLayout::kStandard;
constexpr std::array kStripes {
    Stripe { BodyRegion::Head, kZone[0], kZone[1], 0.30f, 0.70f, 0.0f },
    Stripe { BodyRegion::Upper, kZone[1], kZone[2], 0.20f, 0.80f, 0.3f },
    Stripe { BodyRegion::Lower, kZone[2], kZone[3], 0.20f, 0.80f, 0.3f },
    Stripe { BodyRegion::Feet, kZone[3], kZone[4], 0.15f, 0.85f, 0.3f },
};
static_assert(int(BodyRegion::Head) == BodyLayout::Head && int(BodyRegion::Feet) == BodyLayout::Feet);
constexpr float kHairBottom = 0.07f;
constexpr float kUnmaskedSideWeight = 0.1f; // hair (or a hat) is the top of the head stripe

// Rectangles (fractions of the box) whose skin share is compared to detect bare arms / legs.
struct CueRect {
    float x0, x1, y0, y1;
    bool mirrored; // also the same rectangle on the other side
};
// Arms: the band from below a T-shirt sleeve to the wrist (elbow ~0.38, wrist ~0.47 of the
// height), over all columns because in profile the arm swings in front of the torso; the
// hands below it are bare in any clothes. Reference: the chest, clothed either way.
constexpr CueRect kArms { 0.00f, 1.00f, 0.30f, 0.46f, false };
constexpr CueRect kTorso { 0.30f, 0.70f, 0.20f, 0.28f, false };
constexpr CueRect kShins { 0.20f, 0.80f, 0.72f, 0.90f, false };
constexpr CueRect kThighs { 0.20f, 0.80f, 0.55f, 0.66f, false };

struct SkinCount {
    double skin = 0, total = 0;
    void add(bool isSkin)
    {
        total += 1;
        skin += isSkin ? 1 : 0;
    }
    double fraction() const { return total > 0 ? skin / total : 0; }
};

// Everything measured on one crop before thresholds, so crops can be averaged exactly.
struct Measurement {
    std::array<ColourHistogram, 5> colour {}; // indexed by BodyRegion, normalised to sum 1
    std::array<double, 5> pixels {}; // weight that went into each region (0 = not seen)
    ColourHistogram hair {};
    double hairPixels = 0;
    double blond = 0;
    double shortSleeves = -1; // < 0: not measured
    double shorts = -1;
    double striped = -1; // upper garment's pattern (PatternMeter); < 0: not measured
    double checked = -1;
};

bool inside(const CueRect &r, float fx, float fy)
{
    if (fy < r.y0 || fy >= r.y1)
        return false;
    if (fx >= r.x0 && fx < r.x1)
        return true;
    return r.mirrored && fx >= 1.f - r.x1 && fx < 1.f - r.x0;
}

const Stripe *stripeAt(float fy)
{
    for (const Stripe &s : kStripes)
        if (fy >= s.y0 && fy < s.y1)
            return &s;
    return &kStripes.back();
}

// Without a mask the sides of a box are mostly background, so a narrower core counts there;
// with one, the background is gone and the sides hold sleeves and the edges of the garment
// (a backpack seen from behind covers the centre).
float columnWeight(const Stripe &s, float fx, bool masked)
{
    const float narrow = masked || s.region == BodyRegion::Head || s.region == BodyRegion::Feet ? 0.f : 0.05f;
    const float side = masked || s.sideWeight == 0 ? s.sideWeight : kUnmaskedSideWeight;
    return (fx >= s.core0 + narrow && fx < s.core1 - narrow) ? 1.f : side;
}

// Brings the crop to the working size and decides whether its mask is usable.
void prepare(const cv::Mat &bgrCrop, const cv::Mat &mask, cv::Mat *image, cv::Mat *fg)
{
    *image = bgrCrop;
    if (bgrCrop.rows > kWorkHeight) {
        const double scale = double(kWorkHeight) / bgrCrop.rows;
        cv::resize(bgrCrop, *image, cv::Size(std::max(1, int(bgrCrop.cols * scale + 0.5)), kWorkHeight), 0, 0,
            cv::INTER_AREA);
    }
    fg->release();
    if (mask.empty() || mask.type() != CV_8UC1)
        return;
    cv::Mat resized;
    cv::resize(mask, resized, image->size(), 0, 0, cv::INTER_NEAREST);
    // A mask that covers almost nothing is a failed segmentation, not a tiny person.
    if (cv::countNonZero(resized) >= int(0.05 * resized.total()))
        *fg = resized;
}

// Rows of the lower stripe above this are often covered by a coat or a long top; the
// trousers (or the bare legs of shorts and skirts) show below it, so those rows count more.
constexpr float kThighBottom = 0.7f;
constexpr float kThighWeight = 0.6f;
constexpr double kBareCue = 0.5; // above this, skin in the stripe is bare skin, not clothing

// The person's own skin tone, taken from the face when it is seen. Generic skin colour
// boxes also accept brown and beige fabric; requiring arm and leg skin to match the face
// keeps a brown sweater from passing for bare arms (when the face shows a different tone).
struct SkinReference {
    bool known = false;
    double y = 0, cr = 0, cb = 0;

    static void ycrcb(const cv::Vec3b &px, double *y, double *cr, double *cb)
    {
        *y = 0.299 * px[2] + 0.587 * px[1] + 0.114 * px[0];
        *cr = (px[2] - *y) * 0.713 + 128.0;
        *cb = (px[0] - *y) * 0.564 + 128.0;
    }

    bool matches(const cv::Vec3b &px) const
    {
        double py, pcr, pcb;
        ycrcb(px, &py, &pcr, &pcb);
        // Limbs are lit differently from the face: lightness may differ more than the tint.
        return std::abs(pcr - cr) < 16 && std::abs(pcb - cb) < 16 && std::abs(py - y) < 50;
    }
};

constexpr float kFaceTop = kHairBottom, kFaceBottom = 0.17f, kFaceLeft = 0.35f, kFaceRight = 0.65f;

SkinReference faceSkin(const cv::Mat &image, const cv::Mat &fg, const BodyLayout &layout)
{
    SkinReference ref;
    double n = 0, total = 0;
    for (int y = 0; y < image.rows; ++y) {
        const float fy = layout.toStandard((y + 0.5f) / float(image.rows));
        if (fy < kFaceTop || fy >= kFaceBottom)
            continue;
        for (int x = 0; x < image.cols; ++x) {
            const float fx = (x + 0.5f) / float(image.cols);
            if (fx < kFaceLeft || fx >= kFaceRight || (!fg.empty() && !fg.at<uchar>(y, x)))
                continue;
            total += 1;
            const cv::Vec3b px = image.at<cv::Vec3b>(y, x);
            if (!(ColourNamer::lookup(px) & ColourNamer::kSkinBit))
                continue;
            double py, pcr, pcb;
            SkinReference::ycrcb(px, &py, &pcr, &pcb);
            ref.y += py;
            ref.cr += pcr;
            ref.cb += pcb;
            n += 1;
        }
    }
    // A face seen from the front is mostly skin; from behind it is hair and gives no reference.
    if (n >= 6 && n >= 0.3 * total) {
        ref.known = true;
        ref.y /= n;
        ref.cr /= n;
        ref.cb /= n;
    }
    return ref;
}

struct Accumulator {
    SkinReference skinTone;
    bool masked = false;
    Measurement m;
    std::array<ColourHistogram, 5> skinColour {}; // the part of m.colour that was skin
    std::array<double, 5> skinPixels {};
    SkinCount arms, torso, shins, thighs;
    double blondPixels = 0;

    void addPixel(const cv::Vec3b &px, float fx, float fy)
    {
        const uint8_t code = ColourNamer::lookup(px);
        const int colour = code & ColourNamer::kColourMask;
        const bool skin = (code & ColourNamer::kSkinBit) && (!skinTone.known || skinTone.matches(px));
        const Stripe &s = *stripeAt(fy);
        float w = columnWeight(s, fx, masked);
        if (s.region == BodyRegion::Lower && fy < kThighBottom)
            w *= kThighWeight;
        if (w > 0) {
            const auto r = size_t(s.region);
            m.colour[r][size_t(colour)] += w;
            m.pixels[r] += w;
            if (skin) {
                skinColour[r][size_t(colour)] += w;
                skinPixels[r] += w;
            }
        }
        if (fy < kHairBottom && w > 0) {
            m.hair[size_t(colour)] += 1;
            m.hairPixels += 1;
            blondPixels += (code & ColourNamer::kBlondBit) ? 1 : 0;
        }
        addCues(skin, fx, fy);
    }

    void addCues(bool skin, float fx, float fy)
    {
        if (inside(kArms, fx, fy))
            arms.add(skin);
        if (inside(kTorso, fx, fy))
            torso.add(skin);
        if (inside(kShins, fx, fy))
            shins.add(skin);
        if (inside(kThighs, fx, fy))
            thighs.add(skin);
    }

    // Bare skin where clothes would cover it, relative to a part that is clothed either way:
    // a beige or orange shirt looks like skin everywhere and so cancels out.
    // `full`: the skin share above the reference that counts as certainly bare.
    static double bareness(const SkinCount &part, const SkinCount &reference, double full)
    {
        if (part.total < kMinCuePixels || reference.total < kMinCuePixels)
            return -1;
        return std::clamp((part.fraction() - reference.fraction()) / full, 0.0, 1.0);
    }

    // Bare arms or legs are not the garment's colour: when the cue says they show, the
    // stripe's skin pixels are left out (unless nearly nothing else remains).
    void dropBareSkin(BodyRegion region, double cue)
    {
        const auto r = size_t(region);
        if (cue <= kBareCue || m.pixels[r] - skinPixels[r] < 0.2 * m.pixels[r])
            return;
        for (size_t c = 0; c < size_t(kColours); ++c)
            m.colour[r][c] -= skinColour[r][c];
        m.pixels[r] -= skinPixels[r];
    }

    Measurement finish()
    {
        // Bare forearms fill less of their band than bare shins do of theirs.
        m.shortSleeves = bareness(arms, torso, 0.15);
        m.shorts = bareness(shins, thighs, 0.25);
        dropBareSkin(BodyRegion::Upper, m.shortSleeves);
        dropBareSkin(BodyRegion::Lower, m.shorts);
        const auto whole = size_t(BodyRegion::Whole);
        for (const auto r : { BodyRegion::Upper, BodyRegion::Lower }) {
            for (int c = 0; c < kColours; ++c)
                m.colour[whole][size_t(c)] += m.colour[size_t(r)][size_t(c)];
            m.pixels[whole] += m.pixels[size_t(r)];
        }
        for (size_t r = 0; r < m.colour.size(); ++r)
            for (double &v : m.colour[r])
                v = m.pixels[r] > 0 ? v / m.pixels[r] : 0;
        for (double &v : m.hair)
            v = m.hairPixels > 0 ? v / m.hairPixels : 0;
        m.blond = m.hairPixels > 0 ? blondPixels / m.hairPixels : 0;
        return m;
    }
};

// Where a pattern on the upper garment is looked for: below the collar to the waist, the
// central half of the columns (the sides hold arms, whose edges repeat down a walking person).
constexpr float kPatternTop = 0.04f; // below the zone's top: collar and shoulders are edges, not pattern
constexpr float kPatternColumns0 = 0.25f, kPatternColumns1 = 0.75f;

cv::Rect upperPatternZone(const cv::Size &image, const BodyLayout &layout)
{
    int first = -1, last = -1;
    for (int y = 0; y < image.height; ++y) {
        const float rowFraction = (y + 0.5f) / float(image.height);
        const float fy = layout.toStandard(rowFraction);
        if (!layout.visible[size_t(layout.zoneAt(rowFraction))] || fy < kZone[1] + kPatternTop || fy >= kZone[2])
            continue;
        first = first < 0 ? y : first;
        last = y;
    }
    if (first < 0)
        return {};
    const int x0 = int(std::lround(kPatternColumns0 * image.width));
    const int x1 = int(std::lround(kPatternColumns1 * image.width));
    return { x0, first, x1 - x0, last - first + 1 };
}

// How far a mask is trusted. A foreground mask traces the person, so the sides of the box count
// fully where it says person; a mask drawn from the pose (poseMask) is a few pixels wider than
// the clothes and smooths the shoulders, so it only takes pixels out: the sides keep the weights
// they have without a mask.
enum class MaskKind { Traced, FromPose };

// `layout`: where the body zones lie in the crop (the standard fractions without a pose); rows
// of a zone it marks hidden are not measured.
Measurement measure(
    const cv::Mat &bgrCrop, const cv::Mat &mask, const BodyLayout &layout, MaskKind kind = MaskKind::Traced)
{
    Accumulator acc;
    if (bgrCrop.empty() || bgrCrop.type() != CV_8UC3)
        return acc.finish();
    cv::Mat image, fg;
    prepare(bgrCrop, mask, &image, &fg);
    acc.skinTone = faceSkin(image, fg, layout);
    acc.masked = !fg.empty() && kind == MaskKind::Traced;
    for (int y = 0; y < image.rows; ++y) {
        const float rowFraction = (y + 0.5f) / float(image.rows);
        if (!layout.visible[size_t(layout.zoneAt(rowFraction))])
            continue;
        const float fy = layout.toStandard(rowFraction);
        const auto *row = image.ptr<cv::Vec3b>(y);
        const uchar *fgRow = fg.empty() ? nullptr : fg.ptr<uchar>(y);
        for (int x = 0; x < image.cols; ++x) {
            if (fgRow && !fgRow[x])
                continue;
            acc.addPixel(row[x], (x + 0.5f) / float(image.cols), fy);
        }
    }
    Measurement m = acc.finish();
    const PatternScores pattern = PatternMeter::measure(image, fg, upperPatternZone(image.size(), layout));
    if (pattern.measured()) {
        m.striped = pattern.striped;
        m.checked = pattern.checked;
    }
    return m;
}

void appendColours(BodyRegion region, const QString &prefix, const ColourHistogram &h, AttributeSet *out)
{
    std::array<int, kColours> order {};
    for (int i = 0; i < kColours; ++i)
        order[size_t(i)] = i;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return h[size_t(a)] > h[size_t(b)]; });
    for (int c : order)
        if (h[size_t(c)] >= kMinReported)
            out->push_back({ region, prefix + basicColourNames().at(c), float(h[size_t(c)]) });
}

AttributeSet toAttributes(const Measurement &m)
{
    AttributeSet out;
    for (const auto r :
        { BodyRegion::Head, BodyRegion::Upper, BodyRegion::Lower, BodyRegion::Feet, BodyRegion::Whole }) {
        if (m.pixels[size_t(r)] > 0)
            appendColours(r, QStringLiteral("colour:"), m.colour[size_t(r)], &out);
        if (r == BodyRegion::Head && m.hairPixels > 0) {
            appendColours(r, QStringLiteral("hair:"), m.hair, &out);
            out.push_back({ r, QStringLiteral("hair:blonde"), float(m.blond) });
        }
        if (r == BodyRegion::Upper && m.shortSleeves >= 0)
            out.push_back({ r, QStringLiteral("garment:short-sleeves"), float(m.shortSleeves) });
        if (r == BodyRegion::Lower && m.shorts >= 0)
            out.push_back({ r, QStringLiteral("garment:shorts"), float(m.shorts) });
        if (r == BodyRegion::Upper && m.striped >= 0) {
            out.push_back({ r, QStringLiteral("pattern:striped"), float(m.striped) });
            out.push_back({ r, QStringLiteral("pattern:checked"), float(m.checked) });
            out.push_back({ r, QStringLiteral("pattern:patterned"), float(std::max(m.striped, m.checked)) });
        }
    }
    return out;
}

// Weighted running mean of measurements; each field only over the crops that measured it.
struct MeasurementMean {
    Measurement sum;
    std::array<double, 5> regionWeight {};
    double hairWeight = 0, sleeveWeight = 0, shortsWeight = 0, patternWeight = 0;

    void add(const Measurement &m, double w)
    {
        for (size_t r = 0; r < m.colour.size(); ++r) {
            if (m.pixels[r] <= 0)
                continue;
            for (size_t c = 0; c < size_t(kColours); ++c)
                sum.colour[r][c] += w * m.colour[r][c];
            regionWeight[r] += w;
        }
        if (m.hairPixels > 0) {
            for (size_t c = 0; c < size_t(kColours); ++c)
                sum.hair[c] += w * m.hair[c];
            sum.blond += w * m.blond;
            hairWeight += w;
        }
        addCue(m.shortSleeves, w, &sum.shortSleeves, &sleeveWeight);
        addCue(m.shorts, w, &sum.shorts, &shortsWeight);
        if (m.striped >= 0) { // stripes and checks are measured together
            if (patternWeight == 0)
                sum.striped = sum.checked = 0;
            sum.striped += w * m.striped;
            sum.checked += w * m.checked;
            patternWeight += w;
        }
    }

    static void addCue(double value, double w, double *total, double *weight)
    {
        if (value < 0)
            return;
        *total = (*weight > 0 ? *total : 0) + w * value;
        *weight += w;
    }

    Measurement mean() const
    {
        Measurement m = sum;
        for (size_t r = 0; r < m.colour.size(); ++r) {
            m.pixels[r] = regionWeight[r];
            for (double &v : m.colour[r])
                v = regionWeight[r] > 0 ? v / regionWeight[r] : 0;
        }
        m.hairPixels = hairWeight;
        for (double &v : m.hair)
            v = hairWeight > 0 ? v / hairWeight : 0;
        m.blond = hairWeight > 0 ? sum.blond / hairWeight : 0;
        m.shortSleeves = sleeveWeight > 0 ? sum.shortSleeves / sleeveWeight : -1;
        m.shorts = shortsWeight > 0 ? sum.shorts / shortsWeight : -1;
        m.striped = patternWeight > 0 ? sum.striped / patternWeight : -1;
        m.checked = patternWeight > 0 ? sum.checked / patternWeight : -1;
        return m;
    }
};

// The person box inside a crop image (Tracklet::personInCrop), clamped to the image.
cv::Rect personRect(const Box &person, const cv::Size &imageSize)
{
    const cv::Rect all(0, 0, imageSize.width, imageSize.height);
    const cv::Rect clipped
        = cv::Rect(cvRound(person.x), cvRound(person.y), cvRound(person.w), cvRound(person.h)) & all;
    return clipped.area() > 0 ? clipped : all;
}

cv::Mat decode(const QByteArray &bytes, int flags)
{
    if (bytes.isEmpty())
        return {};
    const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
    return cv::imdecode(buffer, flags);
}

} // namespace

int AttributeExtractor::colourIndex(const cv::Vec3b &bgr)
{
    return ColourNamer::classify(bgr);
}

QString AttributeExtractor::colourName(const cv::Vec3b &bgr)
{
    return basicColourNames().at(colourIndex(bgr));
}

AttributeSet AttributeExtractor::extract(const cv::Mat &bgrCrop, const cv::Mat &mask, const BodyLayout &layout) const
{
    return toAttributes(measure(bgrCrop, mask, layout));
}

AttributeSet AttributeExtractor::extract(const Tracklet &tracklet) const
{
    MeasurementMean mean;
    for (const Crop &crop : tracklet.crops) {
        const cv::Mat image = decode(crop.jpeg, cv::IMREAD_COLOR);
        if (image.empty())
            continue;
        cv::Mat mask = decode(crop.maskPng, cv::IMREAD_GRAYSCALE);
        const Box personBox = tracklet.personInCrop(crop);
        const cv::Rect person = personRect(personBox, image.size());
        // A detector without a foreground mask (the CNN): the pose draws one.
        const MaskKind kind = mask.empty() && crop.pose ? MaskKind::FromPose : MaskKind::Traced;
        if (kind == MaskKind::FromPose)
            mask = poseMask(*crop.pose, personBox, image.size());
        const cv::Mat personMask = mask.size() == image.size() ? mask(person) : cv::Mat();
        // Pose keypoints are in the crop's pixels; the layout is relative to the measured rectangle.
        const BodyLayout layout = crop.pose
            ? BodyLayout::fromPose(*crop.pose,
                  Box { float(person.x), float(person.y), float(person.width), float(person.height) })
            : BodyLayout {};
        mean.add(measure(image(person), personMask, layout, kind), std::max(1e-6, double(crop.quality)));
    }
    AttributeSet attributes = toAttributes(mean.mean());
    addCarriedThings(tracklet, &attributes);
    return attributes;
}

// What the detector saw the person carry (Detection::carried), as Whole-body accessory
// attributes with the query lexicon's names ("accessory:backpack"). A bag is hidden behind the
// body from one side and is missed in some frames, so seeing it in a third of the detections
// that looked counts fully: value = min(1, 3 x share seen) x its mean score there. A thing seen
// only once in a tracklet of several detections is noise (value 0). Kinds no detection looked
// for (the background detector sees no objects) are left out: not measured, not absent.
void AttributeExtractor::addCarriedThings(const Tracklet &tracklet, AttributeSet *out)
{
    std::optional<float> bag, shoulderBag; // the lexicon's broader words, from COCO's narrower classes
    for (int k = 0; k < kCarriedKinds; ++k) {
        int looked = 0, seen = 0;
        double scores = 0;
        for (const Detection &d : tracklet.detections) {
            const float score = d.carried[size_t(k)];
            looked += score >= 0 ? 1 : 0;
            seen += score > 0 ? 1 : 0;
            scores += std::max(0.f, score);
        }
        if (looked == 0)
            continue;
        const bool noise = seen == 0 || (seen == 1 && looked > 1);
        const float value = noise ? 0.f : float(std::min(1.0, 3.0 * seen / looked) * scores / seen);
        const Carried kind = Carried(k);
        out->push_back({ BodyRegion::Whole, QStringLiteral("accessory:") + QLatin1String(carriedName(kind)), value });
        if (kind == Carried::Backpack || kind == Carried::Handbag)
            bag = std::max(bag.value_or(0.f), value); // "a bag": a backpack is one, and so is a handbag
        if (kind == Carried::Handbag)
            shoulderBag = value; // COCO's handbag class holds shoulder bags and purses
    }
    if (bag)
        out->push_back({ BodyRegion::Whole, QStringLiteral("accessory:bag"), *bag });
    if (shoulderBag)
        out->push_back({ BodyRegion::Whole, QStringLiteral("accessory:shoulder bag"), *shoulderBag });
}

} // namespace descry
