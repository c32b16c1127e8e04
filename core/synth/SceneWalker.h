#pragma once

#include "PedestrianPainter.h"
#include "SceneCamera.h"

#include <vector>

namespace descry {

class Rng;

// One walker's route and timing in a synthetic scene: enters at a frame border (or from
// behind the far hedge), may turn at a waypoint and pause there, and leaves by another
// border. Its pose at any frame is a closed-form function of the frame index, so frames can
// be rendered in any order.
class SceneWalker {
public:
    // One straight stretch of the route, walked (or stood, when from == to) in `seconds`.
    struct Stretch {
        GroundPoint from, to;
        double seconds = 0;
    };

    SceneWalker(int id, const PersonAppearance &appearance, std::vector<Stretch> route, double startSeconds,
        double strideMetres, double phase0);

    // A random walker whose route is seen in the frame for a good part of the clip. `slot` in
    // [0, 1) places its arrival within the times that allow that: walkers given evenly spread
    // slots arrive evenly through the clip instead of in random clumps.
    static SceneWalker sample(int id, const PersonAppearance &appearance, const SceneCamera &camera,
        const SceneOptions &options, double slot, Rng &rng);

    int id() const { return m_id; }
    const PedestrianPainter &painter() const { return m_painter; }
    double startSeconds() const { return m_start; }
    double durationSeconds() const;

    // Pose at `seconds` from the start of the clip; false when the walker is off the route
    // (not yet arrived or already gone).
    bool poseAt(double seconds, const SceneCamera &camera, PedestrianPose *pose) const;

private:
    int m_id;
    PedestrianPainter m_painter;
    std::vector<Stretch> m_route;
    double m_start;
    double m_stride; // metres per walk cycle (two steps)
    double m_phase0;
};

} // namespace descry
