#include "SyntheticPedes.h"

#include "Rng.h"
#include "SceneDataset.h"
#include "SceneRenderer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <vector>

namespace descry {

namespace {

constexpr uint64_t kSceneStream = 0x53594E5448; // "SYNTH": the per-scene option streams
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
    PedesDatasetWriter writer(dir, syntheticCropOptions(options));
    QJsonArray scenes;
    int emptyInARow = 0;
    while (writer.identityCount() < options.identities) {
        SceneOptions scene = syntheticSceneOptions(options.seed, static_cast<int>(scenes.size()));
        if (options.plainLook) {
            scene.clothDetail = false;
            scene.lowLight = 1;
            scene.motionBlur = 0;
            scene.jpegQuality = 0;
        }
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
        { QStringLiteral("plain_look"), options.plainLook },
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
