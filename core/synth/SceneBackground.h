#pragma once

#include "SceneCamera.h"

#include <opencv2/core/mat.hpp>

namespace descry {

class Rng;

// The empty scene seen by a fixed camera: a building facade and a hedge at the far end, a
// paved walkway in perspective between strips of grass, lamp posts, benches and bins, with
// low-frequency shading and fine grain so it is not a flat colour (background subtraction
// and detectors both behave differently on flat synthetic colour).
class SceneBackground {
public:
    // Half width of the walkway in metres (it runs away from the camera, centred).
    static double walkwayHalfWidth(const SceneCamera &camera);

    // Paints the background (CV_8UC3, camera size). Uses only `rng`.
    static cv::Mat paint(const SceneCamera &camera, Rng &rng);
};

} // namespace descry
