#include "AttributeExtractor.h"
#include "PoseMask.h"
#include "ColourNamer.h"
#include "SceneRenderer.h"
#include "Tracker.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <map>
#include <random>

using namespace descry;

namespace {

cv::Scalar bgr(int r, int g, int b)
{
    return cv::Scalar(b, g, r);
}

float valueOf(const AttributeSet &set, BodyRegion region, const QString &name)
{
    for (const AttributeValue &v : set)
        if (v.region == region && v.name == name)
            return v.value;
    return -1; // absent
}

QString dominant(const AttributeSet &set, BodyRegion region)
{
    QString best;
    float bestValue = -1;
    for (const AttributeValue &v : set)
        if (v.region == region && v.name.startsWith(QLatin1String("colour:")) && v.value > bestValue) {
            bestValue = v.value;
            best = v.name.mid(7);
        }
    return best;
}

struct PersonLook {
    cv::Scalar hair = bgr(20, 20, 20);
    cv::Scalar upper = bgr(200, 20, 30);
    cv::Scalar lower = bgr(30, 50, 110);
    cv::Scalar shoes = bgr(15, 15, 15);
    bool shortSleeves = false;
    bool shorts = false;
};

const cv::Scalar kSkin = bgr(224, 172, 140);

// A crude standing person filling a 60x160 box, drawn on a textured background, with its mask.
void drawPerson(const PersonLook &look, cv::Mat *image, cv::Mat *mask)
{
    *image = cv::Mat(160, 60, CV_8UC3);
    cv::randn(*image, cv::Scalar(115, 115, 115), cv::Scalar(6, 6, 6)); // grey pavement
    *mask = cv::Mat::zeros(image->size(), CV_8UC1);
    auto part = [&](cv::Rect r, const cv::Scalar &colour) {
        cv::rectangle(*image, r, colour, cv::FILLED);
        cv::rectangle(*mask, r, cv::Scalar(255), cv::FILLED);
    };
    part({ 22, 0, 16, 10 }, look.hair); // hair
    part({ 22, 10, 16, 18 }, kSkin); // face
    part({ 14, 29, 32, 60 }, look.upper); // torso
    const cv::Scalar arms = look.shortSleeves ? kSkin : look.upper; // sleeves or bare arms
    part({ 3, 40, 11, 40 }, arms);
    part({ 46, 40, 11, 40 }, arms);
    if (look.shortSleeves) {
        part({ 3, 29, 11, 11 }, look.upper);
        part({ 46, 29, 11, 11 }, look.upper);
    }
    part({ 16, 89, 28, 56 }, look.lower); // legs
    if (look.shorts)
        part({ 16, 112, 28, 33 }, kSkin);
    part({ 14, 145, 32, 15 }, look.shoes); // shoes
}

// A tracklet of one crop (the whole of `jpeg`, no padding) with its pose.
Tracklet oneCropTracklet(const std::vector<uchar> &jpeg, const Box &box, const std::optional<Pose> &pose)
{
    Tracklet t;
    Detection d;
    d.frame = 3;
    d.box = box;
    t.detections.push_back(d);
    Crop crop;
    crop.frame = 3;
    crop.box = d.box; // no padding: the crop is the box
    crop.quality = 1;
    crop.jpeg = QByteArray(reinterpret_cast<const char *>(jpeg.data()), qsizetype(jpeg.size()));
    crop.pose = pose;
    t.crops.push_back(crop);
    return t;
}

} // namespace

class TestColourNaming : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { cv::setRNGSeed(7); }
    void namesKnownColours_data();
    void namesKnownColours();
    void lookupAgreesWithExactClassification();
    void stripesReportClothingColours_data();
    void stripesReportClothingColours();
    void skinCuesDetectBareArmsAndLegs();
    void maskExcludesBackground();
    void tracklet_averagesDecodedCrops();
    void renderedPeopleAgreeWithTruth_data();
    void renderedPeopleAgreeWithTruth();
    void trackerCropsOfRenderedPeople();
    void carriedThingsBecomeAccessories();
    void poseMovesTheBodyZones();
    void poseMaskKeepsTheBackgroundOut();
};

void TestColourNaming::namesKnownColours_data()
{
    QTest::addColumn<int>("r");
    QTest::addColumn<int>("g");
    QTest::addColumn<int>("b");
    QTest::addColumn<QString>("expected");
    struct Row {
        const char *tag;
        int r, g, b;
        const char *name;
    };
    // Hard cases are marked: the reason each one is hard is in its tag.
    const Row rows[] = {
        { "black", 0, 0, 0, "black" },
        { "near black", 30, 30, 30, "black" },
        { "charcoal reads black", 50, 50, 52, "black" },
        { "black jeans, blue cast", 30, 30, 40, "black" },
        { "dim grey", 105, 105, 105, "grey" },
        { "mid grey", 128, 128, 128, "grey" },
        { "silver", 192, 192, 192, "grey" },
        { "light grey reads white", 215, 215, 215, "white" },
        { "white", 255, 255, 255, "white" },
        { "hard: white shirt in shadow is grey", 170, 170, 178, "grey" },
        { "hard: white in bluish daylight", 215, 222, 235, "white" },
        { "hard: lavender is near white", 230, 230, 250, "white" },
        { "hard: beige is near white", 245, 245, 220, "white" },
        { "red", 255, 0, 0, "red" },
        { "crimson", 220, 20, 60, "red" },
        { "maroon", 128, 0, 0, "red" },
        { "burgundy", 128, 0, 32, "red" },
        { "firebrick", 178, 34, 34, "red" },
        { "indian red", 205, 92, 92, "red" },
        { "hard: pink vs red (pink)", 255, 192, 203, "pink" },
        { "light pink", 255, 182, 193, "pink" },
        { "hot pink", 255, 105, 180, "pink" },
        { "deep pink", 255, 20, 147, "pink" },
        { "hard: pink vs red (light coral)", 240, 128, 128, "pink" },
        { "orange", 255, 165, 0, "orange" },
        { "dark orange", 255, 140, 0, "orange" },
        { "coral", 255, 127, 80, "orange" },
        { "sandy brown is orange", 244, 164, 96, "orange" },
        { "hard: brown vs orange (saddle brown)", 139, 69, 19, "brown" },
        { "hard: brown vs orange (sienna)", 160, 82, 45, "brown" },
        { "peru", 205, 133, 63, "brown" },
        { "tan", 210, 180, 140, "brown" },
        { "dark brown", 80, 50, 30, "brown" },
        { "rosy brown", 188, 143, 143, "brown" },
        { "gold", 255, 215, 0, "yellow" },
        { "yellow", 255, 255, 0, "yellow" },
        { "pale yellow", 255, 255, 180, "yellow" },
        { "khaki", 240, 230, 140, "yellow" },
        { "hard: olive is green", 128, 128, 0, "green" },
        { "hard: mustard in shadow is brown", 150, 120, 0, "brown" },
        { "green", 0, 128, 0, "green" },
        { "lime", 0, 255, 0, "green" },
        { "dark green", 0, 100, 0, "green" },
        { "sea green", 46, 139, 87, "green" },
        { "olive drab", 107, 142, 35, "green" },
        { "dark olive", 85, 107, 47, "green" },
        { "teal", 0, 128, 128, "blue" },
        { "turquoise", 64, 224, 208, "blue" },
        { "sky blue", 135, 206, 235, "blue" },
        { "light blue", 173, 216, 230, "blue" },
        { "steel blue", 70, 130, 180, "blue" },
        { "royal blue", 65, 105, 225, "blue" },
        { "hard: pure blue (CIELAB hue says purple)", 0, 0, 255, "blue" },
        { "navy", 0, 0, 128, "blue" },
        { "hard: dark navy", 20, 25, 60, "blue" },
        { "denim", 60, 80, 120, "blue" },
        { "hard: dark denim", 40, 50, 80, "blue" },
        { "hard: medium purple (same CIELAB hue as blue)", 147, 112, 219, "purple" },
        { "blue violet", 138, 43, 226, "purple" },
        { "indigo", 75, 0, 130, "purple" },
        { "purple", 128, 0, 128, "purple" },
        { "orchid", 218, 112, 214, "purple" },
        { "plum", 221, 160, 221, "purple" },
        { "thistle", 216, 191, 216, "purple" },
    };
    for (const Row &row : rows)
        QTest::newRow(row.tag) << row.r << row.g << row.b << QString::fromLatin1(row.name);
}

void TestColourNaming::namesKnownColours()
{
    QFETCH(int, r);
    QFETCH(int, g);
    QFETCH(int, b);
    QFETCH(QString, expected);
    const cv::Vec3b px { uchar(b), uchar(g), uchar(r) };
    QCOMPARE(AttributeExtractor::colourName(px), expected);
    QCOMPARE(basicColourNames().at(AttributeExtractor::colourIndex(px)), expected);
}

void TestColourNaming::lookupAgreesWithExactClassification()
{
    // Images are named through a 6-bit-per-channel table; it must rarely differ from the
    // exact rule (only pixels right at a boundary can).
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> channel(0, 255);
    int agree = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const cv::Vec3b px(uchar(channel(rng)), uchar(channel(rng)), uchar(channel(rng)));
        agree += (ColourNamer::lookup(px) & ColourNamer::kColourMask) == ColourNamer::classify(px) ? 1 : 0;
    }
    QVERIFY2(agree >= int(0.96 * n), qPrintable(QStringLiteral("agreement %1 / %2").arg(agree).arg(n)));
}

void TestColourNaming::stripesReportClothingColours_data()
{
    QTest::addColumn<int>("upperR");
    QTest::addColumn<int>("upperG");
    QTest::addColumn<int>("upperB");
    QTest::addColumn<int>("lowerR");
    QTest::addColumn<int>("lowerG");
    QTest::addColumn<int>("lowerB");
    QTest::addColumn<QString>("upper");
    QTest::addColumn<QString>("lower");
    QTest::newRow("red over navy") << 200 << 20 << 30 << 20 << 25 << 60 << "red"
                                   << "blue";
    QTest::newRow("white over black") << 240 << 240 << 240 << 25 << 25 << 25 << "white"
                                      << "black";
    QTest::newRow("green over brown") << 30 << 120 << 40 << 120 << 70 << 30 << "green"
                                      << "brown";
    QTest::newRow("yellow over grey") << 240 << 220 << 40 << 120 << 120 << 120 << "yellow"
                                      << "grey";
    QTest::newRow("pink over purple") << 250 << 150 << 190 << 110 << 30 << 140 << "pink"
                                      << "purple";
}

void TestColourNaming::stripesReportClothingColours()
{
    QFETCH(int, upperR);
    QFETCH(int, upperG);
    QFETCH(int, upperB);
    QFETCH(int, lowerR);
    QFETCH(int, lowerG);
    QFETCH(int, lowerB);
    QFETCH(QString, upper);
    QFETCH(QString, lower);
    PersonLook look;
    look.upper = bgr(upperR, upperG, upperB);
    look.lower = bgr(lowerR, lowerG, lowerB);
    cv::Mat image, mask;
    drawPerson(look, &image, &mask);
    for (const bool useMask : { true, false }) {
        const AttributeSet set = AttributeExtractor().extract(image, useMask ? mask : cv::Mat());
        QCOMPARE(dominant(set, BodyRegion::Upper), upper);
        QCOMPARE(dominant(set, BodyRegion::Lower), lower);
        QCOMPARE(dominant(set, BodyRegion::Feet), QStringLiteral("black"));
        QVERIFY(valueOf(set, BodyRegion::Head, QStringLiteral("hair:black")) > 0.5f);
        // A strong upper colour is also a strong colour of the whole outfit.
        QVERIFY(valueOf(set, BodyRegion::Whole, QStringLiteral("colour:") + upper) > 0.2f);
    }
}

void TestColourNaming::skinCuesDetectBareArmsAndLegs()
{
    const auto measure = [](bool sleeves, bool shorts, const cv::Scalar &upper) {
        PersonLook look;
        look.shortSleeves = sleeves;
        look.shorts = shorts;
        look.upper = upper;
        cv::Mat image, mask;
        drawPerson(look, &image, &mask);
        return AttributeExtractor().extract(image, mask);
    };
    const QString sleeves = QStringLiteral("garment:short-sleeves");
    const QString shorts = QStringLiteral("garment:shorts");
    const AttributeSet covered = measure(false, false, bgr(30, 60, 160));
    QCOMPARE(valueOf(covered, BodyRegion::Upper, sleeves), 0.f);
    QCOMPARE(valueOf(covered, BodyRegion::Lower, shorts), 0.f);
    const AttributeSet bare = measure(true, true, bgr(30, 60, 160));
    QVERIFY(valueOf(bare, BodyRegion::Upper, sleeves) > 0.7f);
    QVERIFY(valueOf(bare, BodyRegion::Lower, shorts) > 0.7f);
    // A skin-coloured shirt must not pass for bare arms: torso and arms cancel out.
    const AttributeSet beige = measure(false, false, kSkin);
    QVERIFY(valueOf(beige, BodyRegion::Upper, sleeves) < 0.2f);
}

void TestColourNaming::maskExcludesBackground()
{
    // A thin person on a saturated green wall: without the mask the wall leaks into the
    // upper stripe; with it, only the shirt counts.
    cv::Mat image(160, 60, CV_8UC3, bgr(0, 160, 0));
    cv::Mat mask = cv::Mat::zeros(image.size(), CV_8UC1);
    cv::rectangle(image, cv::Rect(25, 0, 10, 160), bgr(200, 20, 30), cv::FILLED);
    cv::rectangle(mask, cv::Rect(25, 0, 10, 160), cv::Scalar(255), cv::FILLED);
    const AttributeSet noMask = AttributeExtractor().extract(image, cv::Mat());
    const AttributeSet masked = AttributeExtractor().extract(image, mask);
    QVERIFY(valueOf(noMask, BodyRegion::Upper, QStringLiteral("colour:green")) > 0.3f);
    QCOMPARE(valueOf(masked, BodyRegion::Upper, QStringLiteral("colour:green")), -1.f);
    QVERIFY(valueOf(masked, BodyRegion::Upper, QStringLiteral("colour:red")) > 0.99f);
}

void TestColourNaming::tracklet_averagesDecodedCrops()
{
    // Two crops, each padded around the person box as the tracker stores them; the crop
    // with the higher quality dominates the mean.
    Tracklet tracklet;
    const std::pair<cv::Scalar, float> looks[] = { { bgr(200, 20, 30), 3.f }, { bgr(30, 60, 160), 1.f } };
    int64_t frame = 10;
    for (const auto &[upper, quality] : looks) {
        PersonLook look;
        look.upper = upper;
        cv::Mat person, mask;
        drawPerson(look, &person, &mask);
        cv::Mat padded(person.rows + 20, person.cols + 12, CV_8UC3, bgr(0, 200, 0)); // green padding
        person.copyTo(padded(cv::Rect(6, 10, person.cols, person.rows)));
        cv::Mat paddedMask = cv::Mat::zeros(padded.size(), CV_8UC1);
        mask.copyTo(paddedMask(cv::Rect(6, 10, person.cols, person.rows)));
        std::vector<uchar> jpeg, png;
        QVERIFY(cv::imencode(".jpg", padded, jpeg, { cv::IMWRITE_JPEG_QUALITY, 92 }));
        QVERIFY(cv::imencode(".png", paddedMask, png));
        const bool withMask = frame == 10; // one crop with its mask, one without
        Detection det;
        det.frame = frame;
        det.box = Box { 106, 210, float(person.cols), float(person.rows) };
        tracklet.detections.push_back(det);
        Crop crop;
        crop.frame = frame;
        crop.box = Box { 100, 200, float(padded.cols), float(padded.rows) };
        crop.quality = quality;
        crop.jpeg = QByteArray(reinterpret_cast<const char *>(jpeg.data()), qsizetype(jpeg.size()));
        if (withMask)
            crop.maskPng = QByteArray(reinterpret_cast<const char *>(png.data()), qsizetype(png.size()));
        tracklet.crops.push_back(crop);
        frame += 5;
    }
    const AttributeSet set = AttributeExtractor().extract(tracklet);
    const float red = valueOf(set, BodyRegion::Upper, QStringLiteral("colour:red"));
    const float blue = valueOf(set, BodyRegion::Upper, QStringLiteral("colour:blue"));
    QVERIFY2(red > 0.6f && red < 0.85f, qPrintable(QString::number(red)));
    QVERIFY2(blue > 0.1f && blue < 0.3f, qPrintable(QString::number(blue)));
    // The green padding lies outside the person box and must not be measured.
    QCOMPARE(valueOf(set, BodyRegion::Upper, QStringLiteral("colour:green")), -1.f);
}

void TestColourNaming::renderedPeopleAgreeWithTruth_data()
{
    QTest::addColumn<bool>("withMask");
    QTest::addColumn<double>("minUpper");
    QTest::addColumn<double>("minLower");
    QTest::addColumn<double>("minCues");
    // Minimums sit a little below what was measured (printed by the test).
    // Measured (seeds 31-33, 102 views): mask 0.922 / 0.931 / sleeves 0.961 / legs 0.941;
    // box only 0.824 / 0.853 / 0.951 / 0.941. Most colour misses are backpacks seen from
    // behind, which cover the upper garment.
    QTest::newRow("person mask") << true << 0.88 << 0.9 << 0.9;
    QTest::newRow("box only") << false << 0.78 << 0.8 << 0.9;
}

void TestColourNaming::renderedPeopleAgreeWithTruth()
{
    // The dominant colour named for the upper and lower stripes of rendered people, against
    // the colours they were drawn with. Views: up to 3 per person, fully visible, tall enough.
    QFETCH(bool, withMask);
    QFETCH(double, minUpper);
    QFETCH(double, minLower);
    QFETCH(double, minCues);
    int views = 0, upperOk = 0, lowerOk = 0, sleevesOk = 0, legsOk = 0;
    QStringList misses;
    for (const uint64_t seed : { 31u, 32u, 33u }) {
        SceneOptions options;
        options.seed = seed;
        options.people = 16;
        options.frames = 240;
        options.noise = true;
        const SceneRenderer scene(options);
        for (const IdentityTruth &who : scene.truth().identities) {
            int64_t lastUsed = -1000;
            int used = 0;
            for (const TruthBox &b : scene.truth().boxesOf(who.id)) {
                if (used == 3 || b.visible < 0.95f || b.box.h < 80 || b.frame - lastUsed < 20)
                    continue;
                cv::Mat image, identities;
                scene.renderFrame(b.frame, &image, &identities);
                const cv::Rect r
                    = cv::Rect(cvRound(b.box.x), cvRound(b.box.y), cvRound(b.box.w), cvRound(b.box.h))
                    & cv::Rect(0, 0, image.cols, image.rows);
                const cv::Mat mask = identities(r) == who.id;
                const AttributeSet set = AttributeExtractor().extract(image(r), withMask ? mask : cv::Mat());
                const QString upper = toString(who.appearance.upperColour);
                const QString lower = toString(who.appearance.visibleLowerColour());
                const QString gotUpper = dominant(set, BodyRegion::Upper),
                              gotLower = dominant(set, BodyRegion::Lower);
                // Bare arms: T-shirts and dresses; bare lower legs: shorts, skirts, dresses.
                const PersonAppearance &a = who.appearance;
                const bool bareLegs
                    = a.hasDress() || a.lower == LowerGarment::Shorts || a.lower == LowerGarment::Skirt;
                sleevesOk += (valueOf(set, BodyRegion::Upper, QStringLiteral("garment:short-sleeves")) > 0.5f)
                        == a.hasShortSleeves()
                    ? 1
                    : 0;
                legsOk
                    += (valueOf(set, BodyRegion::Lower, QStringLiteral("garment:shorts")) > 0.5f) == bareLegs
                    ? 1
                    : 0;
                upperOk += gotUpper == upper ? 1 : 0;
                lowerOk += gotLower == lower ? 1 : 0;
                if (gotUpper != upper)
                    misses << QStringLiteral("upper %1->%2").arg(upper, gotUpper);
                if (gotLower != lower)
                    misses << QStringLiteral("lower %1->%2").arg(lower, gotLower);
                ++views;
                ++used;
                lastUsed = b.frame;
            }
        }
    }
    const double upperRate = double(upperOk) / views, lowerRate = double(lowerOk) / views;
    const double sleevesRate = double(sleevesOk) / views, legsRate = double(legsOk) / views;
    qInfo("%s: %d views, upper %.3f, lower %.3f, short sleeves %.3f, bare legs %.3f; misses: %s",
        withMask ? "mask" : "box", views, upperRate, lowerRate, sleevesRate, legsRate,
        qPrintable(misses.join(QStringLiteral(", "))));
    QVERIFY2(sleevesRate >= minCues, qPrintable(QString::number(sleevesRate)));
    QVERIFY2(legsRate >= minCues, qPrintable(QString::number(legsRate)));
    QVERIFY(views >= 60);
    QVERIFY2(upperRate >= minUpper, qPrintable(QString::number(upperRate)));
    QVERIFY2(lowerRate >= minLower, qPrintable(QString::number(lowerRate)));
}

void TestColourNaming::trackerCropsOfRenderedPeople()
{
    // End to end: the tracker cuts padded crops (JPEG + mask PNG) from rendered frames; the
    // extractor decodes them, finds the person box inside the padding and averages.
    SceneOptions options;
    options.seed = 34;
    options.people = 16;
    options.frames = 240;
    options.noise = true;
    const SceneRenderer scene(options);
    Tracker tracker;
    std::vector<Tracklet> tracklets;
    std::map<std::pair<int64_t, int>, int> identityAt; // (frame, rounded x) -> identity
    for (int64_t f = 0; f < options.frames; ++f) {
        cv::Mat image, identities;
        scene.renderFrame(f, &image, &identities);
        std::vector<Detection> dets;
        for (const TruthBox &b : scene.truth().boxesInFrame(f))
            if (b.visible >= 0.5f && b.box.h >= 20) {
                dets.push_back(Detection { f, f / options.fps, b.box, 0.9f });
                identityAt[{ f, int(std::lround(b.box.x)) }] = b.identity;
            }
        tracker.update(Frame { image, f, f / options.fps }, dets, identities > 0);
        for (Tracklet &t : tracker.takeFinished())
            tracklets.push_back(std::move(t));
    }
    for (Tracklet &t : tracker.finish())
        tracklets.push_back(std::move(t));
    int judged = 0, upperOk = 0, lowerOk = 0;
    for (const Tracklet &t : tracklets) {
        if (t.crops.empty())
            continue;
        const int id
            = identityAt.at({ t.detections.front().frame, int(std::lround(t.detections.front().box.x)) });
        const PersonAppearance &a = scene.truth().identity(id)->appearance;
        const AttributeSet set = AttributeExtractor().extract(t);
        upperOk += dominant(set, BodyRegion::Upper) == toString(a.upperColour) ? 1 : 0;
        lowerOk += dominant(set, BodyRegion::Lower) == toString(a.visibleLowerColour()) ? 1 : 0;
        ++judged;
    }
    qInfo(
        "%zu tracklets, %d with crops: upper %d, lower %d agree", tracklets.size(), judged, upperOk, lowerOk);
    QVERIFY(judged >= 12);
    QVERIFY(upperOk >= int(0.75 * judged)); // measured 16 / 18
    QVERIFY(lowerOk >= int(0.75 * judged)); // measured 15 / 18
}

// Carried things seen by the detector become Whole-body accessory attributes with the lexicon's
// names; one sighting in a long tracklet is noise; a detector that did not look leaves them
// unmeasured (no attribute at all), not absent.
void TestColourNaming::carriedThingsBecomeAccessories()
{
    const auto valueOf = [](const AttributeSet &set, const QString &name) -> float {
        for (const AttributeValue &a : set)
            if (a.name == name && a.region == BodyRegion::Whole)
                return a.value;
        return -1;
    };
    Tracklet tracklet;
    for (int i = 0; i < 9; ++i) {
        Detection d;
        d.frame = i;
        d.carried.fill(0);
        if (i % 3 == 0) // the backpack is seen in a third of the frames, at 0.6
            d.carried[size_t(Carried::Backpack)] = 0.6f;
        if (i == 4) // a phone once: noise
            d.carried[size_t(Carried::Phone)] = 0.9f;
        tracklet.detections.push_back(d);
    }
    AttributeSet set;
    AttributeExtractor::addCarriedThings(tracklet, &set);
    QCOMPARE(valueOf(set, QStringLiteral("accessory:backpack")), 0.6f);
    QCOMPARE(valueOf(set, QStringLiteral("accessory:bag")), 0.6f); // a backpack is a bag
    QCOMPARE(valueOf(set, QStringLiteral("accessory:phone")), 0.f);
    QCOMPARE(valueOf(set, QStringLiteral("accessory:handbag")), 0.f); // looked for, not seen
    QCOMPARE(valueOf(set, QStringLiteral("accessory:shoulder bag")), 0.f);

    for (Detection &d : tracklet.detections)
        d.carried.fill(-1); // the background detector does not look for objects
    AttributeSet unmeasured;
    AttributeExtractor::addCarriedThings(tracklet, &unmeasured);
    QVERIFY(unmeasured.empty());
}

// A person box taller than the person (a yellow suitcase stands at the feet, inside the box):
// fixed fractions put the suitcase in the lower-body stripe and the trousers in the upper one;
// the pose's shoulders, hips and ankles put each garment where it is. Keypoints that leave the
// legs unseen on an otherwise clear body leave the feet unmeasured.
void TestColourNaming::poseMovesTheBodyZones()
{
    PersonLook look; // red top, blue trousers, black shoes
    cv::Mat person, mask;
    drawPerson(look, &person, &mask);
    cv::Mat box(220, 60, CV_8UC3);
    cv::randn(box, cv::Scalar(115, 115, 115), cv::Scalar(6, 6, 6));
    person.copyTo(box(cv::Rect(0, 0, 60, 160)));
    cv::rectangle(box, cv::Rect(8, 160, 44, 60), bgr(240, 200, 20), cv::FILLED); // the suitcase
    std::vector<uchar> jpeg;
    QVERIFY(cv::imencode(".jpg", box, jpeg, { cv::IMWRITE_JPEG_QUALITY, 95 }));

    const auto tracklet = [&](const std::optional<Pose> &p) { return oneCropTracklet(jpeg, Box { 40, 50, 60, 220 }, p); };
    // Keypoints where drawPerson puts the joints: shoulders at row 30, hips 86, knees 117, ankles 143.
    Pose pose;
    for (const auto &[k, x, y] : { std::tuple { Keypoint::Nose, 30.f, 18.f }, std::tuple { Keypoint::LeftShoulder, 42.f, 30.f },
             std::tuple { Keypoint::RightShoulder, 18.f, 30.f }, std::tuple { Keypoint::LeftHip, 38.f, 86.f },
             std::tuple { Keypoint::RightHip, 22.f, 86.f }, std::tuple { Keypoint::LeftKnee, 38.f, 117.f },
             std::tuple { Keypoint::RightKnee, 22.f, 117.f }, std::tuple { Keypoint::LeftAnkle, 38.f, 143.f },
             std::tuple { Keypoint::RightAnkle, 22.f, 143.f } })
        pose[k] = { x, y, 0.8f };

    const AttributeSet fixed = AttributeExtractor().extract(tracklet(std::nullopt));
    const AttributeSet posed = AttributeExtractor().extract(tracklet(pose));
    QCOMPARE(dominant(posed, BodyRegion::Upper), QStringLiteral("red"));
    QCOMPARE(dominant(posed, BodyRegion::Lower), QStringLiteral("blue"));
    QVERIFY2(dominant(fixed, BodyRegion::Lower) != QStringLiteral("blue"), qPrintable(dominant(fixed, BodyRegion::Lower)));
    QVERIFY(valueOf(fixed, BodyRegion::Upper, QStringLiteral("colour:blue")) > 0.2f);
    QVERIFY(valueOf(posed, BodyRegion::Upper, QStringLiteral("colour:blue")) < 0.05f);

    // Knees and ankles not seen below clear shoulders and hips: the feet are hidden, not black.
    Pose legsHidden = pose;
    for (const Keypoint k : { Keypoint::LeftKnee, Keypoint::RightKnee, Keypoint::LeftAnkle, Keypoint::RightAnkle })
        legsHidden[k].score = 0.05f;
    const AttributeSet hidden = AttributeExtractor().extract(tracklet(legsHidden));
    QCOMPARE(dominant(hidden, BodyRegion::Feet), QString());
    QCOMPARE(dominant(hidden, BodyRegion::Upper), QStringLiteral("red"));
}

// The CNN detector gives no foreground mask; the pose draws one. A person on a lawn, in a box
// wider than the person: without a pose the grass is named among the clothes' colours; with one,
// only the person counts. A pose too thin to draw a body from gives no mask.
void TestColourNaming::poseMaskKeepsTheBackgroundOut()
{
    PersonLook look; // red top, blue trousers, black shoes
    cv::Mat person, personMask;
    drawPerson(look, &person, &personMask);
    constexpr int kLeft = 25;
    cv::Mat box(160, 110, CV_8UC3);
    cv::randn(box, cv::Scalar(40, 140, 60), cv::Scalar(6, 6, 6)); // grass
    person.copyTo(box(cv::Rect(kLeft, 0, 60, 160)), personMask);
    std::vector<uchar> jpeg;
    QVERIFY(cv::imencode(".jpg", box, jpeg, { cv::IMWRITE_JPEG_QUALITY, 95 }));

    Pose pose; // where drawPerson puts the joints, moved by kLeft
    for (const auto &[k, x, y] : { std::tuple { Keypoint::Nose, 30.f, 18.f }, std::tuple { Keypoint::LeftEye, 34.f, 15.f },
             std::tuple { Keypoint::RightEye, 26.f, 15.f }, std::tuple { Keypoint::LeftShoulder, 42.f, 30.f },
             std::tuple { Keypoint::RightShoulder, 18.f, 30.f }, std::tuple { Keypoint::LeftElbow, 51.f, 55.f },
             std::tuple { Keypoint::RightElbow, 9.f, 55.f }, std::tuple { Keypoint::LeftWrist, 51.f, 78.f },
             std::tuple { Keypoint::RightWrist, 9.f, 78.f }, std::tuple { Keypoint::LeftHip, 38.f, 86.f },
             std::tuple { Keypoint::RightHip, 22.f, 86.f }, std::tuple { Keypoint::LeftKnee, 38.f, 117.f },
             std::tuple { Keypoint::RightKnee, 22.f, 117.f }, std::tuple { Keypoint::LeftAnkle, 38.f, 143.f },
             std::tuple { Keypoint::RightAnkle, 22.f, 143.f } })
        pose[k] = { x + kLeft, y, 0.8f };
    const Box personBox { 0, 0, 110, 160 };
    const cv::Mat drawn = poseMask(pose, personBox, box.size());
    QCOMPARE(drawn.size(), box.size());
    // Most of the person inside, most of the grass outside.
    cv::Mat placed = cv::Mat::zeros(box.size(), CV_8U);
    personMask.copyTo(placed(cv::Rect(kLeft, 0, 60, 160)));
    QVERIFY(cv::countNonZero(drawn & placed) > 0.8 * cv::countNonZero(placed));
    QVERIFY(cv::countNonZero(drawn & ~placed) < 0.2 * cv::countNonZero(~placed));

    const auto tracklet = [&](const std::optional<Pose> &p) { return oneCropTracklet(jpeg, Box { 40, 50, 110, 160 }, p); };
    const AttributeSet unmasked = AttributeExtractor().extract(tracklet(std::nullopt));
    const AttributeSet masked = AttributeExtractor().extract(tracklet(pose));
    for (const BodyRegion region : { BodyRegion::Upper, BodyRegion::Lower }) {
        const float before = valueOf(unmasked, region, QStringLiteral("colour:green"));
        const float after = valueOf(masked, region, QStringLiteral("colour:green"));
        qInfo("%s: green %.3f without the pose mask, %.3f with it", qPrintable(regionKey(region)), before, after);
        QVERIFY(before > 0.1f);
        QVERIFY(after < 0.6f * before);
    }
    QCOMPARE(dominant(masked, BodyRegion::Upper), QStringLiteral("red"));
    QCOMPARE(dominant(masked, BodyRegion::Lower), QStringLiteral("blue"));

    Pose thin; // a head and one shoulder: no body to draw
    for (const Keypoint k : { Keypoint::Nose, Keypoint::LeftEye, Keypoint::RightEye, Keypoint::LeftShoulder })
        thin[k] = pose[k];
    QVERIFY(poseMask(thin, personBox, box.size()).empty());
}

QTEST_GUILESS_MAIN(TestColourNaming)
#include "TestColourNaming.moc"
