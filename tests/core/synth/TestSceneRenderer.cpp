#include "AttributeExtractor.h"
#include "CaptionWriter.h"
#include "EmptyScene.h"
#include "PedestrianPainter.h"
#include "PersonAppearance.h"
#include "QueryLexicon.h"
#include "Rng.h"
#include "SceneDataset.h"
#include "SceneRenderer.h"
#include "SceneTruth.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <chrono>
#include <cmath>
#include <functional>

using namespace descry;

namespace {

// A short, busy scene with every camera effect on: the hardest case for determinism.
SceneOptions busyScene(uint64_t seed)
{
    SceneOptions o;
    o.seed = seed;
    o.frames = 60;
    o.people = 10;
    o.lightingChange = true;
    o.noise = true;
    o.blur = true;
    return o;
}

bool sameBytes(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && a.isContinuous() && b.isContinuous()
        && std::equal(a.datastart, a.dataend, b.datastart);
}

cv::Rect toRect(const Box &b)
{
    return { static_cast<int>(b.x), static_cast<int>(b.y), static_cast<int>(b.w), static_cast<int>(b.h) };
}

// YOLOX-nano as exported upstream: 1x3x416x416 BGR 0..255 letterboxed with 114, output
// 1x3549x85 of raw grid offsets (cx, cy, log w, log h, objectness, 80 class scores) on grids of
// strides 8/16/32 -- not decoded to pixels (checked: values are small offsets).
std::vector<Box> yoloxPeople(cv::dnn::Net &net, const cv::Mat &image, float minScore)
{
    constexpr int kSize = 416;
    const double r = std::min(kSize / double(image.cols), kSize / double(image.rows));
    cv::Mat resized, padded(kSize, kSize, CV_8UC3, cv::Scalar(114, 114, 114));
    cv::resize(image, resized, cv::Size(int(std::lround(image.cols * r)), int(std::lround(image.rows * r))));
    resized.copyTo(padded(cv::Rect(0, 0, resized.cols, resized.rows)));
    net.setInput(cv::dnn::blobFromImage(padded, 1.0, cv::Size(), cv::Scalar(), false, false));
    cv::Mat out = net.forward();
    out = out.reshape(1, out.size[1]);
    std::vector<cv::Rect> rects;
    std::vector<float> scores;
    int row = 0;
    for (int stride : { 8, 16, 32 }) {
        const int grid = kSize / stride;
        for (int gy = 0; gy < grid; ++gy) {
            for (int gx = 0; gx < grid; ++gx, ++row) {
                const float *p = out.ptr<float>(row);
                const float score = p[4] * p[5]; // objectness x P(person)
                if (score < minScore)
                    continue;
                const double cx = (p[0] + gx) * stride, cy = (p[1] + gy) * stride;
                const double w = std::exp(p[2]) * stride, h = std::exp(p[3]) * stride;
                rects.emplace_back(int((cx - w / 2) / r), int((cy - h / 2) / r), int(w / r), int(h / r));
                scores.push_back(score);
            }
        }
    }
    std::vector<int> keep;
    cv::dnn::NMSBoxes(rects, scores, minScore, 0.45f, keep);
    std::vector<Box> boxes;
    for (int k : keep)
        boxes.push_back(
            Box { float(rects[k].x), float(rects[k].y), float(rects[k].width), float(rects[k].height) });
    return boxes;
}

} // namespace

class TestSceneRenderer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rngIsSplitMix64();
    void rngHelpersStayInRange();
    void vocabularyRoundTrips();
    void appearanceJsonRoundTrips();
    void renderedColoursKeepTheirNames();
    void painterMaskMatchesBoundsAndProportions_data();
    void painterMaskMatchesBoundsAndProportions();
    void clothDetailRecoloursWithoutMovingThePerson();
    void clothDetailKeepsTheSceneAndTellsThePattern();
    void cameraEffectsDegradeButKeepTheTruth();
    void emptySceneLeavesPeopleOut();
    void realBackgroundPlateKeepsThePeople();
    void extrasAreDrawnAndTold();
    void foregroundPropsHideWhoWalksBehind();
    void captionsMentionColoursAndVary();
    void sameSeedGivesIdenticalFramesAndTruth();
    void differentSeedGivesDifferentScene();
    void peopleSeedGivesTheSamePeopleElsewhere();
    void framesAreRandomAccess();
    void boxesMatchDrawnMasks();
    void occlusionIsRecorded();
    void truthJsonRoundTrips();
    void truthLoadRejectsBadFiles();
    void optionsValidate();
    void pedesDatasetLayout();
    void videoReadsBackWithFrameCount();
    void renderSpeed();
    void yoloxSeesRenderedPeople();
};

void TestSceneRenderer::rngIsSplitMix64()
{
    // Reference values of SplitMix64 for seed 0: the generator must never change silently,
    // or every stored scene and dataset would change with it.
    Rng rng(0);
    QCOMPARE(rng.next(), 0xE220A8397B1DCDAFull);
    QCOMPARE(rng.next(), 0x6E789E6AA1B965F4ull);
    QCOMPARE(rng.next(), 0x06C45D188009454Full);
}

void TestSceneRenderer::rngHelpersStayInRange()
{
    Rng rng(42);
    QSet<int> seen;
    for (int i = 0; i < 2000; ++i) {
        const int v = rng.uniformInt(-3, 3);
        QVERIFY(v >= -3 && v <= 3);
        seen.insert(v);
        const double r = rng.uniformReal(2.0, 5.0);
        QVERIFY(r >= 2.0 && r < 5.0);
        QVERIFY(rng.weightedIndex({ 0, 0, 1 }) == 2);
    }
    QCOMPARE(seen.size(), 7);
    QCOMPARE(rng.weightedIndex({ 0, 0 }), std::size_t(0));
    // Derived streams do not depend on the order they are derived in.
    const Rng base(7);
    Rng a = base.derive(1), b = base.derive(2);
    Rng b2 = base.derive(2), a2 = base.derive(1);
    QCOMPARE(a.next(), a2.next());
    QCOMPARE(b.next(), b2.next());
    QVERIFY(base.derive(1).next() != base.derive(2).next());
}

void TestSceneRenderer::vocabularyRoundTrips()
{
    QStringList colours;
    for (int i = 0; i <= int(BasicColour::Brown); ++i) {
        const auto c = BasicColour(i);
        colours << toString(c);
        BasicColour back {};
        QVERIFY(fromString(toString(c), &back));
        // QVERIFY, not QCOMPARE: QTest's toString() would find descry::toString by ADL.
        QVERIFY(back == c);
    }
    QCOMPARE(colours, basicColourNames());
    for (int i = 0; i <= int(UpperGarment::Dress); ++i) {
        UpperGarment back {};
        QVERIFY(fromString(toString(UpperGarment(i)), &back));
        QCOMPARE(int(back), i);
    }
    for (int i = 0; i <= int(Accessory::Handbag); ++i) {
        Accessory back {};
        QVERIFY(fromString(toString(Accessory(i)), &back));
        QCOMPARE(int(back), i);
    }
    QCOMPARE(toString(UpperGarment::TShirt), QStringLiteral("t-shirt"));
    QCOMPARE(toString(Accessory::ShoulderBag), QStringLiteral("shoulder bag"));
    LowerGarment lower {};
    QVERIFY(!fromString(QStringLiteral("kilt"), &lower));
}

void TestSceneRenderer::appearanceJsonRoundTrips()
{
    Rng rng(3);
    for (int i = 0; i < 50; ++i) {
        PersonAppearance a = PersonAppearance::sample(rng);
        if (i % 2)
            a.sampleCloth(rng);
        if (i % 3 == 0)
            a.sampleExtras(rng);
        PersonAppearance back;
        QString error;
        QVERIFY2(PersonAppearance::fromJson(a.toJson(), &back, &error), qPrintable(error));
        QVERIFY(back == a);
        if (a.hasDress())
            QVERIFY(a.visibleLowerColour() == a.upperColour);
    }
    PersonAppearance out;
    QString error;
    QVERIFY(!PersonAppearance::fromJson(QJsonObject { { "gender", "robot" } }, &out, &error));
    QVERIFY(!error.isEmpty());
}

void TestSceneRenderer::renderedColoursKeepTheirNames()
{
    // The palette's jitter must not cross a naming boundary of the project's colour namer,
    // or captions and truth attributes would disagree with what the pixels say.
    Rng rng(17);
    for (int c = 0; c <= int(BasicColour::Brown); ++c) {
        int named = 0;
        for (int i = 0; i < 300; ++i) {
            const Bgr bgr = renderColour(BasicColour(c), rng);
            named += AttributeExtractor::colourIndex(cv::Vec3b(bgr.b, bgr.g, bgr.r)) == c;
        }
        QVERIFY2(
            named >= 291, qPrintable(QStringLiteral("%1: %2/300").arg(toString(BasicColour(c))).arg(named)));
    }
}

void TestSceneRenderer::painterMaskMatchesBoundsAndProportions_data()
{
    QTest::addColumn<int>("facing");
    QTest::addColumn<double>("phase");
    QTest::newRow("front") << int(Facing::Front) << 0.0;
    QTest::newRow("back mid-step") << int(Facing::Back) << 0.25;
    QTest::newRow("left mid-step") << int(Facing::Left) << 0.25;
    QTest::newRow("right legs together") << int(Facing::Right) << 0.0;
}

void TestSceneRenderer::painterMaskMatchesBoundsAndProportions()
{
    QFETCH(int, facing);
    QFETCH(double, phase);
    Rng rng(11);
    for (int i = 0; i < 20; ++i) {
        PersonAppearance a = PersonAppearance::sample(rng);
        a.hat = HatType::None; // a hat adds to the height
        a.accessory = Accessory::None;
        cv::Mat image(300, 200, CV_8UC3, cv::Scalar(90, 120, 90));
        const cv::Mat before = image.clone();
        PedestrianPose pose;
        pose.foot = { 100.f, 260.f };
        pose.height = 200;
        pose.facing = Facing(facing);
        pose.phase = phase;
        cv::Mat mask;
        const cv::Rect bounds = PedestrianPainter(a).paint(image, pose, &mask);
        QCOMPARE(bounds, cv::boundingRect(mask));
        // The mask covers what was drawn: almost every mask pixel changed.
        cv::Mat changed;
        cv::absdiff(image, before, changed);
        cv::cvtColor(changed, changed, cv::COLOR_BGR2GRAY);
        const int drawn = cv::countNonZero((changed > 0) & mask);
        QVERIFY2(drawn > 0.97 * cv::countNonZero(mask), "mask pixels that were not drawn");
        // A pedestrian's proportions: about the nominal height; 2.8..5x as tall as wide from the
        // front, down to 1.6x in profile with the legs apart (a real stride is ~0.45x height).
        QVERIFY2(bounds.height > 186 && bounds.height < 208, qPrintable(QString::number(bounds.height)));
        const bool profile = pose.facing == Facing::Left || pose.facing == Facing::Right;
        const double aspect = double(bounds.height) / bounds.width;
        QVERIFY2(aspect > (profile ? 1.6 : 2.8) && aspect < 5.0, qPrintable(QString::number(aspect)));
        QVERIFY(std::abs(bounds.br().y - 260) <= 8); // stands on its feet
    }
}

void TestSceneRenderer::clothDetailRecoloursWithoutMovingThePerson()
{
    Rng rng(23);
    PersonAppearance flat = PersonAppearance::sample(rng);
    flat.upper = UpperGarment::Shirt;
    flat.upperColour = BasicColour::Red;
    flat.palette.upper = canonicalColour(BasicColour::Red);
    PedestrianPose pose;
    pose.foot = { 100.f, 260.f };
    pose.height = 200;
    const PersonSprite plain = PedestrianPainter(flat).draw(pose);

    PersonAppearance striped = flat;
    striped.cloth.pattern = GarmentPattern::Striped;
    striped.cloth.patternColour = BasicColour::White;
    striped.palette.pattern = canonicalColour(BasicColour::White);
    striped.cloth.folds = 0.2f;
    striped.cloth.sideLight = 0.2f;
    striped.cloth.foldSeed = 5;
    const PersonSprite patterned = PedestrianPainter(striped).draw(pose);
    // Same person, same place: the mask and the coverage do not move.
    QCOMPARE(patterned.origin, plain.origin);
    cv::Mat alphaPlain, alphaPatterned;
    cv::extractChannel(plain.bgra, alphaPlain, 3);
    cv::extractChannel(patterned.bgra, alphaPatterned, 3);
    QVERIFY(sameBytes(alphaPlain, alphaPatterned));
    // The shirt now shows white stripes: in the chest band a good share of the person's pixels
    // name white, none did before.
    const auto whiteShare = [](const PersonSprite &sprite) {
        int white = 0, person = 0;
        for (int y = int(0.30 * 200); y < int(0.42 * 200); ++y)
            for (int x = 0; x < sprite.bgra.cols; ++x) {
                const cv::Vec4b p = sprite.bgra.at<cv::Vec4b>(y, x);
                if (p[3] < 250)
                    continue;
                ++person;
                white += AttributeExtractor::colourIndex(cv::Vec3b(p[0], p[1], p[2]))
                    == int(BasicColour::White);
            }
        return person > 0 ? double(white) / person : 0.0;
    };
    QCOMPARE(whiteShare(plain), 0.0);
    QVERIFY2(whiteShare(patterned) > 0.2, qPrintable(QString::number(whiteShare(patterned))));

    // A chest print seen from behind, without folds or side light: nothing changes.
    PersonAppearance logo = flat;
    logo.cloth.pattern = GarmentPattern::Logo;
    logo.palette.pattern = canonicalColour(BasicColour::Yellow);
    pose.facing = Facing::Back;
    QVERIFY(sameBytes(PedestrianPainter(logo).draw(pose).bgra, PedestrianPainter(flat).draw(pose).bgra));
    pose.facing = Facing::Front;
    QVERIFY(!sameBytes(PedestrianPainter(logo).draw(pose).bgra, plain.bgra));
}

void TestSceneRenderer::clothDetailKeepsTheSceneAndTellsThePattern()
{
    SceneOptions flatOptions = busyScene(41);
    flatOptions.people = 30;
    flatOptions.frames = 20;
    SceneOptions clothOptions = flatOptions;
    clothOptions.clothDetail = true;
    const SceneRenderer flat(flatOptions), cloth(clothOptions);
    // The same people walk the same paths: only their clothes' look changed.
    const SceneTruth &a = flat.truth(), &b = cloth.truth();
    QCOMPARE(a.identities.size(), b.identities.size());
    QVERIFY(!a.boxes.empty());
    QVERIFY(a.boxes == b.boxes);
    static const QRegularExpression patternWords(QStringLiteral(
        "strip|check|plaid|tartan|logo|print|graphic|writing|two-tone| and [a-z -]+ (t-shirt|tee|shirt|"
        "sweater|jumper|pullover|sweatshirt|jacket|windbreaker|coat|overcoat|parka|dress|sundress)"));
    int patterned = 0;
    for (size_t i = 0; i < a.identities.size(); ++i) {
        PersonAppearance withoutCloth = b.identities[i].appearance;
        withoutCloth.cloth = {};
        withoutCloth.palette.pattern = {};
        QVERIFY(withoutCloth == a.identities[i].appearance);
        const ClothDetail &c = b.identities[i].appearance.cloth;
        QVERIFY(c.folds > 0 && c.folds <= 0.3f && std::abs(c.sideLight) <= 0.25f);
        if (c.pattern == GarmentPattern::Plain) {
            QCOMPARE(b.identities[i].captions, a.identities[i].captions); // drawn exactly as before
            continue;
        }
        ++patterned;
        QVERIFY(c.patternColour != b.identities[i].appearance.upperColour);
        for (const QString &caption : b.identities[i].captions)
            QVERIFY2(caption.contains(patternWords), qPrintable(caption));
    }
    QVERIFY2(patterned >= 4 && patterned <= 18, qPrintable(QString::number(patterned)));
}

void TestSceneRenderer::extrasAreDrawnAndTold()
{
    SceneOptions plainOptions = busyScene(43);
    plainOptions.people = 40;
    plainOptions.frames = 20;
    SceneOptions extrasOptions = plainOptions;
    extrasOptions.extras = true;
    const SceneRenderer plain(plainOptions), extras(extrasOptions);
    const SceneTruth &a = plain.truth(), &b = extras.truth();
    QCOMPARE(a.identities.size(), b.identities.size());
    static const QRegularExpression faceWords(QStringLiteral("glasses|spectacles|shades|mask"));
    static const QRegularExpression heldWords(
        QStringLiteral("phone|paper|documents|bag|umbrella|suitcase|luggage"));
    static const QRegularExpression lookWords(QStringLiteral("hood|scarf|beard|boots|curly|wavy|frizzy"));
    int withFace = 0, holding = 0, looks = 0, told = 0, captioned = 0;
    for (size_t i = 0; i < a.identities.size(); ++i) {
        const PersonAppearance &withExtras = b.identities[i].appearance;
        PersonAppearance without = withExtras;
        without.extras = {};
        QVERIFY(without == a.identities[i].appearance); // everything else as before
        if (withExtras.extras.isNone()) {
            QCOMPARE(b.identities[i].captions, a.identities[i].captions);
            continue;
        }
        withFace += withExtras.extras.face != FaceWear::None;
        holding += withExtras.extras.held != HeldItem::None;
        const PersonExtras &e = withExtras.extras;
        const bool look = e.hood || e.scarf || e.beard || e.boots || e.curly;
        looks += look;
        // Most captions say it (a witness does not always mention glasses or a phone).
        for (const QString &caption : b.identities[i].captions) {
            ++captioned;
            told += (e.face != FaceWear::None && caption.contains(faceWords))
                || (e.held != HeldItem::None && caption.contains(heldWords))
                || (look && caption.contains(lookWords));
        }
    }
    QVERIFY2(told >= 0.6 * captioned, qPrintable(QStringLiteral("%1 of %2").arg(told).arg(captioned)));
    QVERIFY2(withFace >= 3 && withFace <= 20 && holding >= 3 && holding <= 22 && looks >= 5,
        qPrintable(
            QStringLiteral("%1 with face wear, %2 holding something, %3 with a hood, scarf, beard, boots or "
                           "curls")
                .arg(withFace)
                .arg(holding)
                .arg(looks)));

    // Every kind is drawn: each changes the painted pixels of a front and a profile view.
    PersonAppearance person = a.identities[0].appearance;
    person.accessory = Accessory::None;
    person.hat = HatType::None;
    person.upper = UpperGarment::Jacket;
    person.lower = LowerGarment::Trousers;
    person.palette.upper = canonicalColour(BasicColour::Green);
    person.palette.lower = canonicalColour(BasicColour::Blue);
    person.palette.shoes = canonicalColour(BasicColour::White);
    for (const Facing facing : { Facing::Front, Facing::Right }) {
        PedestrianPose pose;
        pose.foot = { 60, 230 };
        pose.height = 200;
        pose.facing = facing;
        pose.phase = 0.3;
        cv::Mat base(240, 140, CV_8UC3, cv::Scalar(90, 90, 90));
        PedestrianPainter(person).paint(base, pose);
        const auto differs = [&](const PersonExtras &e) {
            PersonAppearance p = person;
            p.extras = e;
            cv::Mat img(240, 140, CV_8UC3, cv::Scalar(90, 90, 90));
            PedestrianPainter(p).paint(img, pose);
            return cv::norm(img, base, cv::NORM_L1) > 500;
        };
        for (const FaceWear face : { FaceWear::Glasses, FaceWear::Sunglasses, FaceWear::Mask }) {
            PersonExtras e;
            e.face = face;
            e.mask = canonicalColour(BasicColour::White);
            QVERIFY2(differs(e), qPrintable(toString(face)));
        }
        for (const HeldItem held : { HeldItem::Phone, HeldItem::Papers, HeldItem::ShoppingBag,
                 HeldItem::Umbrella, HeldItem::Suitcase }) {
            PersonExtras e;
            e.held = held;
            e.heldBgr = canonicalColour(held == HeldItem::Papers ? BasicColour::White : BasicColour::Red);
            QVERIFY2(differs(e), qPrintable(toString(held)));
        }
        const std::vector<std::pair<const char *, std::function<void(PersonExtras *)>>> looksToDraw {
            { "hood", [](PersonExtras *e) { e->hood = true; } },
            { "scarf",
                [](PersonExtras *e) {
                    e->scarf = true;
                    e->scarfBgr = canonicalColour(BasicColour::Red);
                } },
            { "beard", [](PersonExtras *e) { e->beard = true; } },
            { "boots", [](PersonExtras *e) { e->boots = true; } },
            { "curly", [](PersonExtras *e) { e->curly = true; } },
        };
        for (const auto &[name, set] : looksToDraw) {
            PersonExtras e;
            set(&e);
            QVERIFY2(differs(e), name);
        }
    }
}

void TestSceneRenderer::foregroundPropsHideWhoWalksBehind()
{
    SceneOptions open = busyScene(44);
    open.people = 20;
    open.frames = 80;
    SceneOptions cluttered = open;
    cluttered.occluders = 8;
    QVERIFY(cluttered.validate().isEmpty());
    SceneOptions back;
    QString error;
    QVERIFY2(SceneOptions::fromJson(cluttered.toJson(), &back, &error), qPrintable(error));
    QCOMPARE(back.occluders, 8);
    cluttered.occluders = 9;
    QVERIFY(!cluttered.validate().isEmpty());
    cluttered.occluders = 8;

    const SceneRenderer a(open), b(cluttered);
    const SceneTruth &ta = a.truth(), &tb = b.truth();
    QCOMPARE(ta.identities.size(), tb.identities.size());
    QCOMPARE(ta.boxes.size(), tb.boxes.size()); // the same people at the same places...
    int hidden = 0;
    for (size_t i = 0; i < ta.boxes.size(); ++i) {
        QCOMPARE(tb.boxes[i].box, ta.boxes[i].box);
        QVERIFY(tb.boxes[i].visible <= ta.boxes[i].visible + 1e-6f); // ...some of them less seen
        hidden += tb.boxes[i].visible < ta.boxes[i].visible - 0.05f;
    }
    QVERIFY2(hidden >= 10, qPrintable(QString::number(hidden)));

    // The props are drawn, and where one stands in front nobody is seen in the identity map.
    int seenPlain = 0, seenBusy = 0;
    for (int f = 0; f < open.frames; f += 8) {
        cv::Mat plain, busy, idsPlain, idsBusy;
        a.renderFrame(f, &plain, &idsPlain);
        b.renderFrame(f, &busy, &idsBusy);
        QVERIFY(cv::norm(plain, busy, cv::NORM_L1) > 1000);
        QVERIFY(cv::countNonZero(idsBusy) <= cv::countNonZero(idsPlain));
        seenPlain += cv::countNonZero(idsPlain);
        seenBusy += cv::countNonZero(idsBusy);
    }
    QVERIFY(seenBusy < seenPlain);
}

void TestSceneRenderer::captionsMentionColoursAndVary()
{
    Rng rng(5);
    const CaptionWriter writer;
    int distinctTotal = 0, wellFormed = 0, total = 0;
    for (int i = 0; i < 200; ++i) {
        const PersonAppearance a = PersonAppearance::sample(rng);
        Rng captionRng(1000 + i), again(1000 + i);
        const QStringList captions = writer.captions(a, captionRng, 4);
        QCOMPARE(captions, writer.captions(a, again, 4)); // deterministic
        distinctTotal += int(QSet<QString>(captions.begin(), captions.end()).size());
        for (const QString &c : captions) {
            QString lowered = c.toLower();
            lowered.replace(QStringLiteral("off-white"), QStringLiteral("offwhite"));
            const QStringList words
                = lowered.split(QRegularExpression(QStringLiteral("[^a-z]+")), Qt::SkipEmptyParts);
            // Every colour word maps back to its basic term ("navy" -> blue; "dark" stands for black).
            auto names = [&](BasicColour colour) {
                return std::any_of(words.begin(), words.end(), [&](const QString &w) {
                    const Lexeme *l = QueryLexicon::find(w);
                    if (!l)
                        return false;
                    if (l->kind == Lexeme::Kind::Tone)
                        return colour == BasicColour::Black && l->value == QLatin1String("dark");
                    return l->kind == Lexeme::Kind::Colour && l->value.split(u'|').contains(toString(colour));
                });
            };
            QVERIFY2(names(a.upperColour), qPrintable(c));
            QVERIFY2(names(a.visibleLowerColour()), qPrintable(c));
            wellFormed += c.endsWith(u'.') && c.front().isUpper();
            ++total;
            QVERIFY2(!c.contains(QStringLiteral("  ")) && !c.contains(QStringLiteral(" .")), qPrintable(c));
            if (a.hasDress())
                QVERIFY2(
                    words.contains(QStringLiteral("dress")) || words.contains(QStringLiteral("sundress")),
                    qPrintable(c));
        }
    }
    QVERIFY2(distinctTotal >= 790, "captions of one person should nearly always differ");
    // Typing slips are rare: most captions start with a capital and end with a full stop.
    QVERIFY2(wellFormed > 0.6 * total && wellFormed < total, qPrintable(QString::number(wellFormed)));
}

void TestSceneRenderer::sameSeedGivesIdenticalFramesAndTruth()
{
    const SceneRenderer a(busyScene(21)), b(busyScene(21));
    QVERIFY(a.truth() == b.truth());
    QVERIFY(!a.truth().boxes.empty());
    for (int64_t f : { 0, 17, 31, 59 })
        QVERIFY2(sameBytes(a.renderFrame(f), b.renderFrame(f)), qPrintable(QString::number(f)));
}

void TestSceneRenderer::differentSeedGivesDifferentScene()
{
    const SceneRenderer a(busyScene(21)), b(busyScene(22));
    QVERIFY(!(a.truth().identities == b.truth().identities));
    QVERIFY(!sameBytes(a.background(), b.background()));
    QVERIFY(!sameBytes(a.renderFrame(10), b.renderFrame(10)));
}

void TestSceneRenderer::peopleSeedGivesTheSamePeopleElsewhere()
{
    // Two cameras of one multi-camera scene: the same people (looks, captions), other paths and
    // backgrounds; the options say so in their JSON.
    SceneOptions first = busyScene(21), second = busyScene(22);
    first.peopleSeed = second.peopleSeed = 777;
    first.clothDetail = second.clothDetail = true;
    const SceneRenderer a(first), b(second);
    QCOMPARE(a.truth().identities.size(), b.truth().identities.size());
    for (size_t i = 0; i < a.truth().identities.size(); ++i) {
        QVERIFY(a.truth().identities[i].appearance == b.truth().identities[i].appearance);
        QCOMPARE(a.truth().identities[i].captions, b.truth().identities[i].captions);
    }
    QVERIFY(!(a.truth().boxes == b.truth().boxes));
    QVERIFY(!sameBytes(a.background(), b.background()));
    SceneOptions back;
    QString error;
    QVERIFY2(SceneOptions::fromJson(first.toJson(), &back, &error), qPrintable(error));
    QCOMPARE(back.peopleSeed, uint64_t(777));
    QVERIFY(back == first);
    // Without a people seed the scene is the one its seed always gave.
    QVERIFY(!busyScene(21).toJson().contains(QStringLiteral("peopleSeed")));
    const SceneRenderer c(busyScene(21)), d(busyScene(21));
    QVERIFY(c.truth() == d.truth());
    QVERIFY(!(c.truth().identities == a.truth().identities));
}

void TestSceneRenderer::framesAreRandomAccess()
{
    const SceneRenderer a(busyScene(8)), b(busyScene(8));
    for (int64_t f = 0; f < 30; ++f)
        a.renderFrame(f);
    QVERIFY(sameBytes(a.renderFrame(40), b.renderFrame(40)));
    QVERIFY(sameBytes(a.renderFrame(3), b.renderFrame(3)));
    QVERIFY(a.renderFrame(-1).empty());
    QVERIFY(a.renderFrame(60).empty());
}

void TestSceneRenderer::boxesMatchDrawnMasks()
{
    SceneOptions o;
    o.seed = 4;
    o.frames = 120;
    o.people = 12;
    o.shadows = false;
    const SceneRenderer renderer(o);
    const SceneTruth &truth = renderer.truth();
    QVERIFY(truth.boxes.size() > 200);
    const cv::Rect frame(0, 0, o.width, o.height);
    for (const TruthBox &b : truth.boxes) {
        QVERIFY(b.box.w > 0 && b.box.h > 0);
        QVERIFY((toRect(b.box) & frame) == toRect(b.box));
        QVERIFY(b.visible >= 0 && b.visible <= 1);
    }
    for (const IdentityTruth &identity : truth.identities) {
        QCOMPARE(identity.captions.size(), o.captionsPerIdentity);
        QVERIFY2(identity.firstFrame >= 0, "every walker is seen");
        QVERIFY(identity.lastFrame >= identity.firstFrame);
    }
    int checked = 0;
    for (int64_t f = 0; f < o.frames; f += 7) {
        cv::Mat image, ids;
        renderer.renderFrame(f, &image, &ids);
        for (const TruthBox &b : truth.boxesInFrame(f)) {
            const cv::Rect seen = cv::boundingRect(ids == b.identity);
            if (b.visible >= 0.999f) { // nothing hidden: the box is exactly the drawn mask
                QCOMPARE(seen, toRect(b.box));
                ++checked;
            } else if (!seen.empty()) { // the visible part lies inside the whole-person box
                QCOMPARE(seen & toRect(b.box), seen);
            }
        }
        // Everything drawn is a person: changed pixels lie in the masks or on their
        // anti-aliased rim (no shadows, noise or lighting in this scene). The frame border is
        // left out: there a person just outside the frame may show only a rim.
        cv::Mat diff, rim;
        cv::absdiff(image, renderer.background(), diff);
        cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
        cv::dilate(ids > 0, rim, cv::Mat::ones(5, 5, CV_8U));
        const cv::Rect inner(3, 3, o.width - 6, o.height - 6);
        QCOMPARE(cv::countNonZero(((diff > 0) & ~rim)(inner)), 0);
    }
    QVERIFY(checked > 40);
}

void TestSceneRenderer::occlusionIsRecorded()
{
    SceneOptions o;
    o.seed = 4;
    o.frames = 120;
    o.people = 12;
    const SceneRenderer renderer(o);
    int occludedInside = 0;
    for (const TruthBox &b : renderer.truth().boxes) {
        const bool inside
            = b.box.x > 0 && b.box.y > 0 && b.box.x + b.box.w < o.width && b.box.y + b.box.h < o.height;
        if (inside && b.visible < 0.9f)
            ++occludedInside;
    }
    QVERIFY2(occludedInside > 0, "walkers cross each other");
}

void TestSceneRenderer::truthJsonRoundTrips()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const SceneRenderer renderer(busyScene(33));
    const QString path = dir.filePath(QStringLiteral("truth.json"));
    QString error;
    QVERIFY2(renderer.truth().save(path, &error), qPrintable(error));
    SceneTruth loaded;
    QVERIFY2(SceneTruth::load(path, &loaded, &error), qPrintable(error));
    QVERIFY(loaded == renderer.truth());
    QCOMPARE(loaded.options.seed, uint64_t(33));
    QVERIFY(loaded.identity(3) != nullptr);
    QVERIFY(loaded.identity(99) == nullptr);
    // Options alone reproduce the scene.
    const SceneRenderer again(loaded.options);
    QVERIFY(again.truth() == loaded);
}

void TestSceneRenderer::truthLoadRejectsBadFiles()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    SceneTruth out;
    QString error;
    QVERIFY(!SceneTruth::load(path, &out, &error)); // missing
    QVERIFY(error.contains(QStringLiteral("bad.json")));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"format\": \"descry-scene-truth\", \"version\": 1, \"boxes\": [[1, 2, 3]]}");
    file.close();
    error.clear();
    QVERIFY(!SceneTruth::load(path, &out, &error));
    QVERIFY(!error.isEmpty());
}

void TestSceneRenderer::cameraEffectsDegradeButKeepTheTruth()
{
    SceneOptions clean;
    clean.seed = 8;
    clean.frames = 12;
    clean.people = 6;
    const SceneRenderer reference(clean);
    const cv::Mat a = reference.renderFrame(6);
    const auto horizontalDetail = [](const cv::Mat &image) {
        cv::Mat grey, dx;
        cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
        cv::Sobel(grey, dx, CV_32F, 1, 0);
        return cv::mean(cv::abs(dx))[0];
    };
    struct Effect {
        const char *name;
        std::function<void(SceneOptions *)> set;
        std::function<bool(const cv::Mat &)> seen;
    };
    const std::vector<Effect> effects {
        { "low light", [](SceneOptions *o) { o->lowLight = 0.4; },
            [&](const cv::Mat &b) { return cv::mean(b)[1] < 0.7 * cv::mean(a)[1]; } },
        { "motion blur", [](SceneOptions *o) { o->motionBlur = 7; },
            [&](const cv::Mat &b) { return horizontalDetail(b) < 0.7 * horizontalDetail(a); } },
        { "jpeg", [](SceneOptions *o) { o->jpegQuality = 20; },
            [&](const cv::Mat &b) { return !sameBytes(a, b) && cv::PSNR(a, b) > 25; } },
    };
    for (const Effect &e : effects) {
        SceneOptions o = clean;
        e.set(&o);
        QVERIFY2(o.validate().isEmpty(), e.name);
        const SceneRenderer degraded(o);
        QVERIFY2(degraded.truth().boxes == reference.truth().boxes, e.name); // the people are where they were
        QVERIFY2(e.seen(degraded.renderFrame(6)), e.name);
    }
}

void TestSceneRenderer::emptySceneLeavesPeopleOut()
{
    // Five frames of a grey floor; a dark person stands on one spot in three of them, so the
    // median and the mode both keep them, unless the frames' people masks leave them out.
    std::vector<cv::Mat> frames, masks;
    const cv::Rect spot(4, 4, 6, 10);
    for (int k = 0; k < 5; ++k) {
        frames.emplace_back(24, 16, CV_8UC3, cv::Scalar(120, 130, 140));
        masks.emplace_back(24, 16, CV_8U, cv::Scalar(0));
        if (k < 3) {
            frames.back()(spot).setTo(cv::Scalar(20, 20, 25 + k));
            masks.back()(spot).setTo(255);
        }
    }
    QCOMPARE(perPixelMedian(frames).at<cv::Vec3b>(8, 6)[0], uchar(20));
    QCOMPARE(perPixelMode(frames, 36).at<cv::Vec3b>(8, 6)[0], uchar(20));
    const cv::Mat empty = perPixelMode(frames, 36, masks);
    QCOMPARE(empty.at<cv::Vec3b>(8, 6), cv::Vec3b(120, 130, 140));
    QCOMPARE(empty.at<cv::Vec3b>(0, 0), cv::Vec3b(120, 130, 140));

    // A rendered clip: its empty scene is the painted background, without the walkers.
    QTemporaryDir dir;
    SceneOptions o;
    o.seed = 21;
    o.frames = 60;
    o.people = 6;
    QString error;
    QVERIFY2(writeScene(o, dir.path(), false, nullptr, &error), qPrintable(error));
    cv::Mat scene;
    QVERIFY2(
        emptySceneOf(dir.filePath(QStringLiteral("scene.avi")), 30, {}, &scene, &error), qPrintable(error));
    const SceneRenderer renderer(o);
    const auto meanError = [&](const cv::Mat &m) {
        return cv::norm(m, renderer.background(), cv::NORM_L1) / double(m.total() * 3);
    };
    QVERIFY2(meanError(scene) < 4, qPrintable(QString::number(meanError(scene))));
    // Where somebody walks in a frame, the empty scene shows the ground, not them.
    cv::Mat busy, ids;
    renderer.renderFrame(30, &busy, &ids);
    const cv::Mat people = ids > 0;
    QVERIFY(cv::countNonZero(people) > 500);
    const auto errorOnPeople = [&](const cv::Mat &m) {
        cv::Mat diff;
        cv::absdiff(m, renderer.background(), diff);
        return cv::sum(cv::mean(diff, people))[0] / 3;
    };
    QVERIFY2(errorOnPeople(scene) < 8 && errorOnPeople(busy) > 3 * errorOnPeople(scene),
        qPrintable(QStringLiteral("%1 vs %2").arg(errorOnPeople(scene)).arg(errorOnPeople(busy))));
    QVERIFY(!emptySceneOf(dir.filePath(QStringLiteral("missing.avi")), 30, {}, &scene, &error));
    QVERIFY(error.contains(QStringLiteral("missing.avi")));
}

void TestSceneRenderer::realBackgroundPlateKeepsThePeople()
{
    QTemporaryDir dir;
    const QString platePath = dir.filePath(QStringLiteral("plate.png"));
    const cv::Scalar plateColour(40, 160, 90);
    QVERIFY(cv::imwrite(platePath.toStdString(), cv::Mat(300, 500, CV_8UC3, plateColour)));
    SceneOptions painted;
    painted.seed = 5;
    painted.frames = 20;
    painted.people = 5;
    SceneOptions real = painted;
    real.backgroundPlate = platePath;
    QVERIFY(real.validate().isEmpty());
    SceneOptions back;
    QString error;
    QVERIFY2(SceneOptions::fromJson(real.toJson(), &back, &error), qPrintable(error));
    QCOMPARE(back, real);

    const SceneRenderer a(painted), b(real);
    QVERIFY(a.truth().boxes == b.truth().boxes); // the same people in the same places
    cv::Scalar mean, deviation;
    cv::meanStdDev(b.background(), mean, deviation);
    for (int c = 0; c < 3; ++c) {
        // White balance and exposure move each channel by at most 0.8 x 0.9 .. 1.15 x 1.1.
        QVERIFY2(mean[c] > 0.7 * plateColour[c] && mean[c] < 1.3 * plateColour[c],
            qPrintable(QString::number(mean[c])));
        QVERIFY(deviation[c] < 1);
    }
    cv::meanStdDev(a.background(), mean, deviation);
    QVERIFY(deviation[1] > 5); // the painted walkway has structure

    real.backgroundPlate = dir.filePath(QStringLiteral("nowhere.png"));
    QVERIFY(real.validate().contains(QStringLiteral("nowhere.png")));
}

void TestSceneRenderer::optionsValidate()
{
    SceneOptions o;
    QVERIFY(o.validate().isEmpty());
    SceneOptions back;
    QString error;
    o.lowLight = 0.6;
    o.motionBlur = 5;
    o.jpegQuality = 40;
    o.clothDetail = true;
    o.seed = 0xFFFFFFFFFFFFFFF1ull; // beyond a double's 53 bits
    QVERIFY2(SceneOptions::fromJson(o.toJson(), &back, &error), qPrintable(error));
    QVERIFY(back == o);
    for (auto spoil :
        std::vector<std::function<void(SceneOptions *)>> { [](SceneOptions *x) { x->lowLight = 0; },
            [](SceneOptions *x) { x->motionBlur = 40; }, [](SceneOptions *x) { x->jpegQuality = 2; } }) {
        SceneOptions bad = o;
        spoil(&bad);
        QVERIFY(!bad.validate().isEmpty());
    }
    o.maxHeight = o.minHeight - 1;
    QVERIFY(!o.validate().isEmpty());
    QVERIFY(!SceneOptions::fromJson(QJsonObject { { "width", "wide" } }, &back, &error));
}

void TestSceneRenderer::pedesDatasetLayout()
{
    QTemporaryDir dir;
    SceneOptions o;
    o.seed = 9;
    o.frames = 100;
    o.people = 8;
    const SceneRenderer renderer(o);
    QString error;
    QVERIFY2(writePedesDataset(renderer, dir.path(), &error), qPrintable(error));

    QFile file(dir.filePath(QStringLiteral("reid_raw.json")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    QVERIFY(doc.isArray());
    const QJsonArray entries = doc.array();
    QVERIFY(entries.size() >= 8);
    QSet<int> ids;
    const QSet<QString> splits { QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test") };
    for (const QJsonValue &v : entries) {
        const QJsonObject e = v.toObject();
        const int id = e.value(QStringLiteral("id")).toInt();
        QVERIFY(id >= 1);
        ids.insert(id);
        const QString filePath = e.value(QStringLiteral("file_path")).toString();
        QVERIFY2(filePath.startsWith(QString::number(id) + u'/') && filePath.endsWith(QStringLiteral(".jpg")),
            qPrintable(filePath));
        const cv::Mat crop
            = cv::imread(QFile::encodeName(dir.filePath(QStringLiteral("imgs/") + filePath)).toStdString());
        QVERIFY2(!crop.empty() && crop.rows >= 40 && crop.rows > crop.cols, qPrintable(filePath));
        const QJsonArray captions = e.value(QStringLiteral("captions")).toArray();
        QCOMPARE(captions.size(), 2);
        for (const QJsonValue &c : captions)
            QVERIFY(c.toString().size() > 20);
        QVERIFY(splits.contains(e.value(QStringLiteral("split")).toString()));
    }
    // Dataset ids are 1..n without gaps, several views each.
    QCOMPARE(ids.size(), *std::max_element(ids.begin(), ids.end()));
    QVERIFY(entries.size() >= 2 * ids.size());
}

void TestSceneRenderer::videoReadsBackWithFrameCount()
{
    QTemporaryDir dir;
    SceneOptions o;
    o.seed = 12;
    o.frames = 15;
    o.people = 4;
    SceneTruth truth;
    QString error;
    QVERIFY2(writeScene(o, dir.path(), false, &truth, &error), qPrintable(error));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("truth.json"))));
    cv::VideoCapture capture(QFile::encodeName(dir.filePath(QStringLiteral("scene.avi"))).toStdString());
    QVERIFY(capture.isOpened());
    QCOMPARE(int(capture.get(cv::CAP_PROP_FRAME_WIDTH)), o.width);
    QCOMPARE(int(capture.get(cv::CAP_PROP_FRAME_HEIGHT)), o.height);
    int frames = 0;
    cv::Mat frame;
    const SceneRenderer renderer(o);
    while (capture.read(frame)) {
        // MJPG is lossy: the decoded frame is close to the rendered one, not equal.
        if (frames == 7) {
            const double meanError
                = cv::norm(frame, renderer.renderFrame(7), cv::NORM_L1) / double(frame.total() * 3);
            QVERIFY2(meanError < 6, qPrintable(QString::number(meanError)));
        }
        ++frames;
    }
    QCOMPARE(frames, o.frames);
}

void TestSceneRenderer::renderSpeed()
{
    const SceneRenderer renderer(busyScene(2));
    const auto start = std::chrono::steady_clock::now();
    for (int64_t f = 0; f < 60; ++f)
        renderer.renderFrame(f);
    const double ms
        = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / 60;
    qInfo("render: %.2f ms per 768x576 frame (10 people, noise, blur, lighting)", ms);
    QVERIFY2(ms < 50, "far slower than the 10 ms target even on a loaded machine");
}

void TestSceneRenderer::yoloxSeesRenderedPeople()
{
    const QString model = test::sharedFile(QStringLiteral("models/yolox_nano.onnx"));
    if (model.isEmpty())
        QSKIP("models/yolox_nano.onnx not available");
    cv::dnn::Net net = cv::dnn::readNetFromONNX(QFile::encodeName(model).toStdString());
    SceneOptions o = busyScene(1);
    o.frames = 200;
    const SceneRenderer renderer(o);
    int found = 0, total = 0;
    for (int64_t f = 5; f < o.frames; f += 15) {
        const std::vector<Box> detections = yoloxPeople(net, renderer.renderFrame(f), 0.3f);
        for (const TruthBox &t : renderer.truth().boxesInFrame(f)) {
            if (t.visible < 0.8f || t.box.h < 50)
                continue;
            ++total;
            for (const Box &d : detections) {
                if (iou(d, t.box) >= 0.5f) {
                    ++found;
                    break;
                }
            }
        }
    }
    const double recall = double(found) / std::max(1, total);
    qInfo("YOLOX-nano recall on rendered people (visible >= 0.8, h >= 50, IoU >= 0.5, score >= 0.3): %d/%d = "
          "%.2f",
        found, total, recall);
    QVERIFY(total >= 30);
    QVERIFY2(recall >= 0.7, "rendered people should look like people to a COCO detector");
}

QTEST_GUILESS_MAIN(TestSceneRenderer)
#include "TestSceneRenderer.moc"
