#include "SyntheticPedes.h"

#include "EmptyScene.h"
#include "PersonDetector.h"
#include "Rng.h"
#include "SceneDataset.h"
#include "SceneRenderer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <opencv2/core/types.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <vector>

namespace descry {

namespace {

constexpr uint64_t kSceneStream = 0x53594E5448; // "SYNTH": the per-scene option streams
constexpr uint64_t kPlateStream = 0x504C415445; // "PLATE": which scenes stand on a real background
// A run of scenes that yield nobody means the options cannot make people visible: stop.
constexpr int kMaxEmptyScenes = 20;

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

struct FrameSize {
    int width, height;
};

// Where the person detector (NanoDet; nullptr without the perception package) finds people in
// a frame, each box grown by a fifth for hair, feet and shadow.
PeopleMask detectedPeople(PersonDetector *detector)
{
    if (!detector)
        return {};
    return [detector](const cv::Mat &image) {
        cv::Mat mask(image.size(), CV_8U, cv::Scalar(0));
        std::vector<Detection> found;
        QString ignored;
        Frame frame;
        frame.image = image;
        if (!detector->detect(frame, &found, &ignored))
            return mask;
        for (const Detection &d : found) {
            const Box &b = d.box;
            const cv::Rect grown(
                cvRound(b.x - 0.1 * b.w), cvRound(b.y - 0.1 * b.h), cvRound(1.2 * b.w), cvRound(1.2 * b.h));
            mask(grown & cv::Rect(0, 0, mask.cols, mask.rows)).setTo(255);
        }
        return mask;
    };
}

// The empty scene of each of `backgrounds` as `dir`/plates/NN-name.png.
bool writePlates(const QString &dir, const QStringList &backgrounds, QStringList *plates, QJsonArray *records,
    QString *error)
{
    if (backgrounds.isEmpty())
        return true;
    QString why;
    const std::unique_ptr<PersonDetector> detector = createPersonDetector(DetectorOptions {}, &why);
    if (!detector)
        qWarning("synth: no person detector (%s): background plates keep whoever stands still longest",
            qPrintable(why));
    const QDir folder(QDir(dir).filePath(QStringLiteral("plates")));
    if (!QDir().mkpath(folder.path()))
        return fail(error, QStringLiteral("cannot create %1").arg(folder.path()));
    for (const QString &source : backgrounds) {
        cv::Mat scene;
        if (detector)
            detector->reset();
        if (!emptySceneOf(source, kPlateSamples, detectedPeople(detector.get()), &scene, &why))
            return fail(error, QStringLiteral("background %1: %2").arg(source, why));
        if (scene.type() != CV_8UC3)
            return fail(error, QStringLiteral("background %1: not a colour image").arg(source));
        const QString name = QStringLiteral("%1-%2.png")
                                 .arg(plates->size(), 2, 10, QLatin1Char('0'))
                                 .arg(QFileInfo(source).completeBaseName());
        const QString path = QFileInfo(folder.filePath(name)).absoluteFilePath();
        if (!cv::imwrite(QFile::encodeName(path).toStdString(), scene))
            return fail(error, QStringLiteral("cannot write %1").arg(path));
        plates->append(path);
        records->append(QJsonObject { { QStringLiteral("source"), QFileInfo(source).fileName() },
            { QStringLiteral("plate"), QStringLiteral("plates/") + name },
            { QStringLiteral("people_masked_by"), detector ? detector->name() : QString() } });
    }
    return true;
}

} // namespace

SceneOptions syntheticSceneOptions(uint64_t seed, int index)
{
    Rng rng = Rng(seed).derive(kSceneStream, static_cast<uint64_t>(index));
    SceneOptions o;
    o.seed = rng.next();
    // Common surveillance resolutions (PAL D1, VGA, the renderer's default, qHD).
    static const std::vector<FrameSize> sizes { { 704, 576 }, { 640, 480 }, { 768, 576 }, { 960, 540 } };
    const FrameSize size = rng.choice(sizes);
    o.width = size.width;
    o.height = size.height;
    o.fps = 10;
    o.frames = 300;
    o.people = rng.uniformInt(3, 14);
    if (rng.chance(1.0 / 3)) {
        // A distant camera: everybody small.
        o.minHeight = rng.uniformInt(26, 40);
        o.maxHeight = rng.uniformInt(70, 120);
    } else {
        o.minHeight = rng.uniformInt(40, 80);
        o.maxHeight = rng.uniformInt(140, o.height * 6 / 10);
    }
    o.shadows = rng.chance(0.8);
    o.lightingChange = rng.chance(0.4);
    o.blur = rng.chance(0.35);
    o.noise = rng.chance(0.5);
    o.noiseSigma = rng.uniformReal(2, 7);
    o.captionsPerIdentity = 0; // the dataset writer writes its own captions per image
    // Drawn last, so every option above is what it was before these existed.
    o.lowLight = rng.chance(0.25) ? rng.uniformReal(0.4, 0.75) : 1.0;
    o.motionBlur = rng.chance(0.25) ? rng.uniformInt(3, 7) : 0;
    o.jpegQuality = rng.chance(0.6) ? rng.uniformInt(20, 70) : 0;
    o.clothDetail = true;
    o.extras = true;
    o.occluders = rng.chance(0.5) ? rng.uniformInt(1, 3) : 0;
    return o;
}

PedesDatasetOptions syntheticCropOptions(const SyntheticPedesOptions &options)
{
    PedesDatasetOptions crops;
    crops.viewsPerIdentity = options.viewsPerIdentity;
    crops.captionsPerImage = options.captionsPerImage;
    crops.minHeight = 32;
    return crops;
}

bool writeSyntheticPedes(const QString &dir, const SyntheticPedesOptions &options,
    const std::function<void(const SyntheticPedesProgress &)> &progress, SyntheticPedesSummary *summary,
    QString *error)
{
    if (options.identities < 1 || options.viewsPerIdentity < 1 || options.captionsPerImage < 1)
        return fail(
            error, QStringLiteral("synthetic dataset: identities, views and captions must be at least 1"));
    if (QDir(dir).exists() && !QDir(dir).isEmpty())
        return fail(error, QStringLiteral("%1 is not empty: choose a new folder for the dataset").arg(dir));
    if (!QDir().mkpath(dir))
        return fail(error, QStringLiteral("cannot create %1").arg(dir));

    QElapsedTimer clock;
    clock.start();
    QStringList plates;
    QJsonArray plateRecords;
    if (!writePlates(dir, options.backgrounds, &plates, &plateRecords, error))
        return false;
    PedesDatasetWriter writer(dir, syntheticCropOptions(options));
    QJsonArray scenes;
    int emptyInARow = 0;
    while (writer.identityCount() < options.identities) {
        SceneOptions scene = syntheticSceneOptions(options.seed, static_cast<int>(scenes.size()));
        if (options.plainLook) {
            scene.clothDetail = false;
            scene.extras = false;
            scene.occluders = 0;
            scene.lowLight = 1;
            scene.motionBlur = 0;
            scene.jpegQuality = 0;
        }
        Rng plateRng = Rng(options.seed).derive(kPlateStream, static_cast<uint64_t>(scenes.size()));
        if (!plates.isEmpty() && plateRng.chance(0.5))
            scene.backgroundPlate = plates.at(plateRng.uniformInt(0, static_cast<int>(plates.size()) - 1));
        // Fewer walkers in the last scenes, so that the dataset ends at exactly the asked count.
        scene.people = std::min(scene.people, options.identities - writer.identityCount());
        const int before = writer.identityCount();
        const SceneRenderer renderer(scene);
        if (!addSceneToDataset(writer, renderer, error))
            return false;
        scenes.append(scene.toJson());
        emptyInARow = writer.identityCount() == before ? emptyInARow + 1 : 0;
        if (emptyInARow >= kMaxEmptyScenes)
            return fail(error,
                QStringLiteral("synthetic dataset: %1 scenes in a row showed nobody well enough to crop")
                    .arg(kMaxEmptyScenes));
        if (progress) {
            SyntheticPedesProgress p;
            p.identities = writer.identityCount();
            p.total = options.identities;
            p.scenes = static_cast<int>(scenes.size());
            if (p.identities > 0)
                p.etaSeconds = clock.elapsed() / 1000.0 * (p.total - p.identities) / p.identities;
            progress(p);
        }
    }
    if (!writer.finish(error))
        return false;

    // What made the dataset, so a reader can reproduce or inspect it (no timings: the file is
    // as deterministic as the dataset).
    const QJsonObject about { { QStringLiteral("generator"), QStringLiteral("descry-cli synth") },
        { QStringLiteral("seed"), QString::number(options.seed) },
        { QStringLiteral("identities"), options.identities },
        { QStringLiteral("views_per_identity"), options.viewsPerIdentity },
        { QStringLiteral("captions_per_image"), options.captionsPerImage },
        { QStringLiteral("plain_look"), options.plainLook }, { QStringLiteral("backgrounds"), plateRecords },
        { QStringLiteral("images"), writer.imageCount() }, { QStringLiteral("scenes"), scenes } };
    QSaveFile file(QDir(dir).filePath(QStringLiteral("synth.json")));
    const QByteArray bytes = QJsonDocument(about).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));

    if (summary) {
        summary->identities = writer.identityCount();
        summary->images = writer.imageCount();
        summary->captions = writer.imageCount() * options.captionsPerImage;
        summary->scenes = static_cast<int>(scenes.size());
    }
    return true;
}

} // namespace descry
