#pragma once

#include "PedestrianPainter.h"

#include <vector>

namespace descry {

class Rng;
class SceneCamera;

// A thing standing on the ground between the camera and the walkers: a bench, a bin, a
// planter, a bollard or a parked car, sized for its distance. Drawn in depth order with the
// people (nearer = base lower in the frame), so it hides the legs or the body of whoever walks
// behind it, and the truth's visible fractions say so.
struct ForegroundProp {
    enum class Kind { Bench, Bin, Planter, Bollard, Car };
    Kind kind = Kind::Bench;
    float baseY = 0; // frame row of the prop's foot line: its depth
    PersonSprite sprite; // premultiplied BGRA, as people are drawn
    cv::Mat mask; // sprite.mask(), kept: every frame's identity map needs it
};

// `count` props on the nearer two thirds of the ground, sorted far to near. Uses only `rng`.
std::vector<ForegroundProp> placeForegroundProps(const SceneCamera &camera, int count, Rng &rng);

} // namespace descry
