#include "SceneRenderer.h"

#include "CaptionWriter.h"
#include "Rng.h"
#include "SceneBackground.h"
#include "SceneCamera.h"
#include "SceneProps.h"
#include "SceneDataset.h"
#include "SceneWalker.h"

#include <QDir>
#include <QFile>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace descry {

namespace {

// Keys of the independent random streams of a scene: adding a new use of randomness gets a
// new key, so existing scenes keep their look.
enum StreamKey : uint64_t {
    kBackground = 1,
    kWalkers = 2,
    kCaptions = 3,
    kLighting = 4,
    kNoise = 5,
    kNoiseBank = 6,
    kCloth = 7,
    kExtras = 8,
    kProps = 9
};

constexpr int kNoiseFields = 4;
constexpr int kNoiseMargin = 64; // noise fields are this much larger, for random offsets

// One person placed in one frame: pose, drawn sprite and its mask.
struct Placed {
    int id = 0;
    PedestrianPose pose;
    PersonSprite sprite;
    cv::Mat mask;
};

// A smooth dip of the global brightness: a cloud passing over the scene.
struct Dimming {
    double centre = 0, halfWidth = 1, depth = 0;

    double gainAt(double frame) const
    {
        const double u = (frame - centre) / halfWidth;
        return std::abs(u) >= 1 ? 1.0 : 1.0 - depth * 0.5 * (1 + std::cos(std::numbers::pi * u));
    }
};

// Sensor noise fields, about normally distributed around 128 (sum of four uniforms).
std::vector<cv::Mat> makeNoiseBank(const SceneOptions &options, Rng rng)
{
    std::vector<cv::Mat> bank;
    const double scale = options.noiseSigma / std::sqrt(4.0 / 12.0) / 65535.0;
    for (int i = 0; i < kNoiseFields; ++i) {
        cv::Mat field(options.height + kNoiseMargin, options.width + kNoiseMargin, CV_8UC3);
        for (int y = 0; y < field.rows; ++y) {
            uint8_t *p = field.ptr<uint8_t>(y);
            for (int x = 0; x < field.cols * 3; ++x) {
                const uint64_t bits = rng.next();
                const double sum = static_cast<double>(
                    (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48));
                p[x] = cv::saturate_cast<uint8_t>(128 + (sum - 2 * 65535.0) * scale);
            }
        }
        bank.push_back(field);
    }
    return bank;
}

} // namespace

struct SceneRenderer::Impl {
    explicit Impl(const SceneOptions &o)
        : options(o)
        , camera(o)
        , seed(o.seed)
    { }

    std::vector<Placed> place(int64_t index) const;
    void drawPeople(cv::Mat &image, const std::vector<Placed> &placed) const;
    cv::Mat identityMap(const std::vector<Placed> &placed) const;
    void applyCamera(cv::Mat &image, int64_t index) const;
    void makeWalkers();
    void computeTruth();

    SceneOptions options;
    SceneCamera camera;
    Rng seed;
    cv::Mat background;
    std::vector<ForegroundProp> props; // far to near
    std::vector<SceneWalker> walkers;
    SceneTruth truth;
    Dimming dimming;
    std::vector<cv::Mat> noiseBank;
};

void SceneRenderer::Impl::makeWalkers()
{
    const CaptionWriter writer;
    const Rng people = options.peopleSeed != 0 ? Rng(options.peopleSeed) : seed; // who walks
    for (int i = 0; i < options.people; ++i) {
        Rng rng = seed.derive(kWalkers, static_cast<uint64_t>(i));
        // The looks share the walk's stream unless the people come from a seed of their own
        // (which keeps every scene made before peopleSeed existed as it was).
        Rng looks = people.derive(kWalkers, static_cast<uint64_t>(i));
        PersonAppearance appearance = PersonAppearance::sample(options.peopleSeed != 0 ? looks : rng);
        if (options.clothDetail) {
            Rng clothRng = people.derive(kCloth, static_cast<uint64_t>(i));
            appearance.sampleCloth(clothRng);
        }
        if (options.extras) {
            Rng extrasRng = people.derive(kExtras, static_cast<uint64_t>(i));
            appearance.sampleExtras(extrasRng);
        }
        const double slot = (i + rng.uniform()) / options.people;
        walkers.push_back(SceneWalker::sample(i + 1, appearance, camera, options, slot, rng));

        IdentityTruth identity;
        identity.id = i + 1;
        identity.appearance = appearance;
        Rng captionRng = people.derive(kCaptions, static_cast<uint64_t>(i));
        identity.captions = writer.captions(appearance, captionRng, options.captionsPerIdentity);
        truth.identities.push_back(identity);
    }
}

std::vector<Placed> SceneRenderer::Impl::place(int64_t index) const
{
    const cv::Rect frame(0, 0, options.width, options.height);
    std::vector<Placed> placed;
    for (const SceneWalker &walker : walkers) {
        Placed p;
        p.id = walker.id();
        if (!walker.poseAt(static_cast<double>(index) / options.fps, camera, &p.pose))
            continue;
        p.sprite = walker.painter().draw(p.pose);
        if ((p.sprite.rect() & frame).empty())
            continue;
        p.mask = p.sprite.mask();
        placed.push_back(std::move(p));
    }
    // Far to near (feet higher up the frame are farther away): nearer people cover farther.
    std::stable_sort(placed.begin(), placed.end(), [](const Placed &a, const Placed &b) {
        return a.pose.foot.y != b.pose.foot.y ? a.pose.foot.y < b.pose.foot.y : a.id < b.id;
    });
    return placed;
}

// Calls `person` and `prop` far to near: both lists are sorted by the row of their feet.
template<typename PersonFn, typename PropFn>
void inDepthOrder(const std::vector<Placed> &placed, const std::vector<ForegroundProp> &props, PersonFn person,
    PropFn prop)
{
    size_t k = 0;
    for (const Placed &p : placed) {
        while (k < props.size() && props[k].baseY < p.pose.foot.y)
            prop(props[k++]);
        person(p);
    }
    while (k < props.size())
        prop(props[k++]);
}

void SceneRenderer::Impl::drawPeople(cv::Mat &image, const std::vector<Placed> &placed) const
{
    if (options.shadows)
        for (const Placed &p : placed)
            PedestrianPainter::paintShadow(image, p.pose);
    inDepthOrder(
        placed, props, [&](const Placed &p) { PedestrianPainter::composite(p.sprite, image); },
        [&](const ForegroundProp &p) { PedestrianPainter::composite(p.sprite, image); });
}

cv::Mat SceneRenderer::Impl::identityMap(const std::vector<Placed> &placed) const
{
    const cv::Rect frame(0, 0, options.width, options.height);
    cv::Mat map = cv::Mat::zeros(options.height, options.width, CV_8U);
    const auto stamp = [&](const PersonSprite &sprite, const cv::Mat &mask, int value) {
        const cv::Rect area = sprite.rect() & frame;
        if (!area.empty())
            map(area).setTo(value, mask(cv::Rect(area.tl() - sprite.origin, area.size())));
    };
    inDepthOrder(
        placed, props, [&](const Placed &p) { stamp(p.sprite, p.mask, p.id); },
        [&](const ForegroundProp &p) { stamp(p.sprite, p.mask, 0); });
    return map;
}

void SceneRenderer::Impl::applyCamera(cv::Mat &image, int64_t index) const
{
    if (options.lightingChange) {
        const double gain = dimming.gainAt(static_cast<double>(index));
        if (gain != 1.0)
            image.convertTo(image, -1, gain, 0);
    }
    if (options.lowLight < 1) {
        // Less light, then the camera lifting it back a little (gamma 0.8): darker and flatter.
        cv::Mat lut(1, 256, CV_8U);
        for (int v = 0; v < 256; ++v)
            lut.at<uint8_t>(v)
                = cv::saturate_cast<uint8_t>(255.0 * std::pow(v / 255.0 * options.lowLight, 0.8));
        cv::LUT(image, lut, image);
    }
    if (options.blur)
        cv::GaussianBlur(image, image, cv::Size(3, 3), 0.8);
    if (options.motionBlur > 1) {
        const cv::Mat kernel
            = cv::Mat::ones(1, options.motionBlur, CV_32F) / static_cast<float>(options.motionBlur);
        cv::filter2D(image, image, -1, kernel);
    }
    if (options.noise && !noiseBank.empty()) {
        Rng rng = seed.derive(kNoise, static_cast<uint64_t>(index));
        const cv::Mat &field = noiseBank[rng.index(noiseBank.size())];
        const cv::Rect window(
            rng.uniformInt(0, kNoiseMargin), rng.uniformInt(0, kNoiseMargin), options.width, options.height);
        cv::addWeighted(image, 1, field(window), 1, -128, image);
    }
    if (options.jpegQuality > 0) {
        std::vector<uchar> bytes;
        cv::imencode(".jpg", image, bytes, { cv::IMWRITE_JPEG_QUALITY, options.jpegQuality });
        image = cv::imdecode(bytes, cv::IMREAD_COLOR);
    }
}

void SceneRenderer::Impl::computeTruth()
{
    truth.options = options;
    const cv::Rect frame(0, 0, options.width, options.height);
    for (int64_t f = 0; f < options.frames; ++f) {
        const std::vector<Placed> placed = place(f);
        const cv::Mat map = identityMap(placed);
        for (const Placed &p : placed) {
            const cv::Rect box = p.sprite.maskBounds(frame);
            const int total = cv::countNonZero(p.mask);
            if (box.empty() || total == 0)
                continue;
            const int seen = cv::countNonZero(map(p.sprite.rect() & frame) == p.id);
            truth.boxes.push_back({ f, p.id,
                Box { static_cast<float>(box.x), static_cast<float>(box.y), static_cast<float>(box.width),
                    static_cast<float>(box.height) },
                static_cast<float>(seen) / static_cast<float>(total) });
            IdentityTruth &identity = truth.identities[static_cast<std::size_t>(p.id - 1)];
            if (identity.firstFrame < 0)
                identity.firstFrame = f;
            identity.lastFrame = f;
        }
    }
    std::stable_sort(truth.boxes.begin(), truth.boxes.end(), [](const TruthBox &a, const TruthBox &b) {
        return a.frame != b.frame ? a.frame < b.frame : a.identity < b.identity;
    });
}

SceneRenderer::SceneRenderer(const SceneOptions &options)
    : d(std::make_unique<Impl>(options))
{
    Q_ASSERT_X(options.validate().isEmpty(), "SceneRenderer", qPrintable(options.validate()));
    Rng backgroundRng = d->seed.derive(kBackground);
    const cv::Mat plate = options.backgroundPlate.isEmpty()
        ? cv::Mat()
        : cv::imread(QFile::encodeName(options.backgroundPlate).toStdString(), cv::IMREAD_COLOR);
    if (!options.backgroundPlate.isEmpty() && plate.empty())
        qWarning("scene: the background plate %s is not an image; painting the scene instead",
            qPrintable(options.backgroundPlate));
    d->background = plate.empty() ? SceneBackground::paint(d->camera, backgroundRng)
                                  : SceneBackground::fromPlate(plate, d->camera, backgroundRng);
    Rng propRng = d->seed.derive(kProps);
    d->props = placeForegroundProps(d->camera, options.occluders, propRng);
    d->makeWalkers();
    Rng lightRng = d->seed.derive(kLighting);
    d->dimming.centre = lightRng.uniformReal(0.3, 0.7) * options.frames;
    d->dimming.halfWidth = std::max(1.0, lightRng.uniformReal(0.15, 0.25) * options.frames);
    d->dimming.depth = lightRng.uniformReal(0.22, 0.32);
    if (options.noise)
        d->noiseBank = makeNoiseBank(options, d->seed.derive(kNoiseBank));
    d->computeTruth();
}

SceneRenderer::~SceneRenderer() = default;

const SceneOptions &SceneRenderer::options() const
{
    return d->options;
}

const SceneTruth &SceneRenderer::truth() const
{
    return d->truth;
}

const cv::Mat &SceneRenderer::background() const
{
    return d->background;
}

cv::Mat SceneRenderer::renderFrame(int64_t index) const
{
    cv::Mat image;
    renderFrame(index, &image, nullptr);
    return image;
}

void SceneRenderer::renderFrame(int64_t index, cv::Mat *image, cv::Mat *identityMap) const
{
    if (index < 0 || index >= d->options.frames) {
        if (image)
            *image = cv::Mat();
        if (identityMap)
            *identityMap = cv::Mat();
        return;
    }
    const std::vector<Placed> placed = d->place(index);
    if (image) {
        *image = d->background.clone();
        d->drawPeople(*image, placed);
        d->applyCamera(*image, index);
    }
    if (identityMap)
        *identityMap = d->identityMap(placed);
}

bool SceneRenderer::writeVideo(const QString &path, QString *error) const
{
    cv::VideoWriter writer(QFile::encodeName(path).toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
        d->options.fps, cv::Size(d->options.width, d->options.height));
    if (!writer.isOpened()) {
        if (error)
            *error = QStringLiteral("cannot open %1 for writing MJPG video").arg(path);
        return false;
    }
    for (int64_t f = 0; f < d->options.frames; ++f)
        writer.write(renderFrame(f));
    writer.release();
    if (!QFile::exists(path)) {
        if (error)
            *error = QStringLiteral("video %1 was not written").arg(path);
        return false;
    }
    return true;
}

bool writeScene(
    const SceneOptions &options, const QString &dir, bool withDataset, SceneTruth *truth, QString *error)
{
    const QString invalid = options.validate();
    if (!invalid.isEmpty()) {
        if (error)
            *error = invalid;
        return false;
    }
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    const SceneRenderer renderer(options);
    const QDir folder(dir);
    if (!renderer.writeVideo(folder.filePath(QStringLiteral("scene.avi")), error))
        return false;
    if (!renderer.truth().save(folder.filePath(QStringLiteral("truth.json")), error))
        return false;
    if (withDataset && !writePedesDataset(renderer, folder.filePath(QStringLiteral("pedes")), error))
        return false;
    if (truth)
        *truth = renderer.truth();
    return true;
}

} // namespace descry
