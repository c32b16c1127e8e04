#pragma once

#include "SceneTruth.h"

#include <QString>

#include <opencv2/core/mat.hpp>

#include <memory>

namespace descry {

// Renders a synthetic surveillance scene: a fixed camera over a walkway, `people` walkers of
// known appearance entering and leaving at different times, speeds and directions, drawn
// far to near so that nearer people occlude farther ones. Everything follows from the
// options and their seed: the same options give byte-identical frames and truth on this
// build, and any frame can be rendered on its own (random access).
//
// Pieces: PersonAppearance::sample (who), SceneWalker (where and when), PedestrianPainter
// (how a person is drawn), SceneBackground (the empty scene), CaptionWriter (what people
// say about them), SceneDataset (training data from the frames).
class SceneRenderer {
public:
    // Samples the walkers and computes the whole truth (about 0.2 s for 200 frames, 8 people).
    // `options` must pass SceneOptions::validate() (writeScene checks it).
    explicit SceneRenderer(const SceneOptions &options);
    ~SceneRenderer();
    SceneRenderer(const SceneRenderer &) = delete;
    SceneRenderer &operator=(const SceneRenderer &) = delete;

    const SceneOptions &options() const;
    // Ground truth of every frame, computed when the renderer is made.
    const SceneTruth &truth() const;
    // The empty scene (CV_8UC3), before lighting, blur and noise.
    const cv::Mat &background() const;

    // Frame `index` (CV_8UC3 BGR), or an empty Mat outside [0, frames).
    cv::Mat renderFrame(int64_t index) const;
    // Frame `index` with every person's mask: CV_8U, 0 = background, otherwise the walker's
    // identity id of the frontmost person at that pixel (ids are at most 250). Either output
    // may be null.
    void renderFrame(int64_t index, cv::Mat *image, cv::Mat *identityMap) const;

    // All frames as an MJPG .avi at options().fps.
    bool writeVideo(const QString &path, QString *error) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Writes a complete scene folder: `dir`/scene.avi, `dir`/truth.json and, when
// `withDataset`, a CUHK-PEDES style dataset in `dir`/pedes (see SceneDataset.h).
// `truth` (optional) receives the scene's truth.
bool writeScene(
    const SceneOptions &options, const QString &dir, bool withDataset, SceneTruth *truth, QString *error);

} // namespace descry
