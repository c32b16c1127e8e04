#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>

namespace descry {

// What a synthetic surveillance scene looks like. Everything the renderer draws follows from
// these options (the seed included), so a scene is reproduced exactly from them.
struct SceneOptions {
    uint64_t seed = 1;
    // Who walks: the walkers' looks and captions come from this seed instead of `seed` (0: from
    // `seed`), so scenes with other seeds but the same peopleSeed show the same people on other
    // paths, under other cameras: a multi-camera scene with known identities.
    uint64_t peopleSeed = 0;
    int width = 768;
    int height = 576;
    double fps = 10;
    int frames = 200;
    int people = 8; // distinct walkers over the whole clip (not all visible at once)
    int minHeight = 50; // pixel height of an average person at the far end of the walkway
    int maxHeight = 190; // ... and at the bottom edge of the frame
    bool shadows = true; // soft contact shadows under the feet
    bool lightingChange = false; // a slow global dimming and recovery (a passing cloud)
    bool noise = false; // sensor noise, different in every frame
    bool blur = false; // slight optical blur
    double noiseSigma = 4; // grey levels, when `noise`
    int captionsPerIdentity = 3;
    // Cloth that is not flat paint: patterns, folds, side light (PersonAppearance::sampleCloth,
    // from a stream of its own, so the rest of the scene is the same with or without it).
    bool clothDetail = false;
    // Glasses, sunglasses, face masks and things in the hand (PersonAppearance::sampleExtras,
    // from a stream of its own like the cloth).
    bool extras = false;
    // Things standing between the camera and the walkers (benches, bins, planters, bollards,
    // parked cars: SceneProps), hiding whoever passes behind them; 0..8.
    int occluders = 0;
    // Cameras at their worst (all off by default): exposure gain with a gamma lift, as dusk or a
    // dim corridor looks after the camera's auto-gain (1: none; 0.4: dark); a horizontal motion
    // blur of this many pixels (0: none); every frame re-encoded as JPEG at this quality, the
    // blocking and ringing of recorded CCTV (0: none, else 5..100).
    double lowLight = 1;
    int motionBlur = 0;
    int jpegQuality = 0;
    // A real empty scene (an image file: `synth --background` writes the empty scenes of real
    // footage) as the background instead of the painted walkway: a random part of it, maybe
    // mirrored, under a random white balance and exposure. Empty: the painted scene.
    QString backgroundPlate;

    bool operator==(const SceneOptions &) const = default;

    QJsonObject toJson() const;
    // Missing keys keep their defaults; wrong types or impossible values are errors.
    static bool fromJson(const QJsonObject &json, SceneOptions *out, QString *error);
    // Why these options cannot be rendered, or empty when they can.
    QString validate() const;
};

} // namespace descry
