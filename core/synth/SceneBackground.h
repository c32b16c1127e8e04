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
    // A real empty scene `plate` (CV_8UC3) as the background (CV_8UC3, camera size): a random
    // part of it with the camera's aspect ratio (55-100 % of the largest such part), mirrored
    // half of the time, under a per-channel white-balance shift of up to ±10 % and an exposure
    // of 0.8-1.15. Uses only `rng`.
    static cv::Mat fromPlate(const cv::Mat &plate, const SceneCamera &camera, Rng &rng);
};

} // namespace descry
