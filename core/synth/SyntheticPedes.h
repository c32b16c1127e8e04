#pragma once

#include "PedesDatasetWriter.h"
#include "SceneOptions.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>

namespace descry {

// A synthetic training set for text-to-person models (descry-cli synth).
struct SyntheticPedesOptions {
    uint64_t seed = 1;
    int identities = 100; // exactly this many people in the dataset
    int viewsPerIdentity = 4; // images per person (fewer when a person is seen in fewer good frames)
    int captionsPerImage = 2;
    // Flat-painted clothes, no extras (glasses, masks, things in the hand) and clean cameras: the
    // look of datasets written before cloth detail, extras and the camera effects (low light,
    // motion blur, JPEG) existed — same people and places.
    bool plainLook = false;
    // Real footage (videos or photos) whose empty scenes (media/EmptyScene: the mode of
    // kPlateSamples frames, people masked out) are written to the dataset's plates/ folder and stand behind the
    // people of half of the scenes (SceneOptions::backgroundPlate); the rest keep the painted
    // walkway. The choice draws from a stream of its own: the same seed gives the same people.
    QStringList backgrounds;
};

inline constexpr int kPlateSamples = 60;

struct SyntheticPedesProgress {
    int identities = 0; // written so far
    int total = 0;
    int scenes = 0; // rendered so far
    double etaSeconds = -1; // unknown until the first scene is done
};

struct SyntheticPedesSummary {
    int identities = 0;
    int images = 0;
    int captions = 0;
    int scenes = 0;
};

// The options of scene `index` (0, 1, ...) of the synthetic dataset made from `seed`. Scenes
// differ the way surveillance footage does, all drawn from (seed, index): frame size, how large
// people appear (a third of the scenes are distant cameras where nobody is taller than about
// 120 px), crowding (more walkers, more occlusion), shadows, a lighting change, blur and sensor
// noise. The scene seed also varies the background (facade colour, windows, props, dirt).
// `people` is the scene's drawn walker count before the caller caps it.
SceneOptions syntheticSceneOptions(uint64_t seed, int index);

// The dataset writer's crop options used for synthetic datasets: views and captions from
// `options`, and smaller people kept than PedesDatasetWriter's default (surveillance crops are
// often under 100 px tall).
PedesDatasetOptions syntheticCropOptions(const SyntheticPedesOptions &options);

// Renders as many scenes as needed for exactly options.identities people and writes them to
// `dir` in the CUHK-PEDES layout (see PedesDatasetWriter: ids continue across scenes, the
// split is by identity), plus `dir`/synth.json with the options and every scene's options.
// `dir` must be new or empty. The same options give byte-identical files. `progress` (may be
// empty) is called after every scene.
bool writeSyntheticPedes(const QString &dir, const SyntheticPedesOptions &options,
    const std::function<void(const SyntheticPedesProgress &)> &progress, SyntheticPedesSummary *summary,
    QString *error);

} // namespace descry
