#include "SceneWalker.h"

#include "Rng.h"
#include "SceneBackground.h"

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

enum class Edge { Left, Right, Bottom, Far };

GroundPoint lerp(GroundPoint a, GroundPoint b, double t)
{
    return { a.x + (b.x - a.x) * t, a.z + (b.z - a.z) * t };
}

double distance(GroundPoint a, GroundPoint b)
{
    return std::hypot(b.x - a.x, b.z - a.z);
}

// Where a route starts or ends on `edge`: just outside the frame, so that walkers walk in
// and out rather than pop, except at the far end where they come from behind the hedge.
GroundPoint pointOnEdge(Edge edge, const SceneCamera &camera, const SceneOptions &options, Rng &rng)
{
    const double halfWidth = SceneBackground::walkwayHalfWidth(camera);
    const double farY = camera.farY(), h = camera.height();
    switch (edge) {
    case Edge::Left:
    case Edge::Right: {
        const double y = rng.uniformReal(farY + 0.04 * (h - farY), h - 0.02 * (h - farY));
        const double margin = 0.35 * camera.personHeight(y, 1.1) + 2;
        const double x = edge == Edge::Left ? -margin : camera.width() + margin;
        return camera.ground({ x, y });
    }
    case Edge::Bottom: {
        // Far enough below the frame for the head to be out of sight too.
        const double slope = std::min(camera.slope(), 0.9);
        const double y = h + options.maxHeight / (1 - slope) + 4;
        return { rng.uniformReal(-0.9, 0.9) * halfWidth, camera.ground({ 0, y }).z };
    }
    case Edge::Far:
        return { rng.uniformReal(-0.8, 0.8) * halfWidth, camera.ground({ 0, farY }).z };
    }
    return {};
}

Edge pickEdge(Rng &rng, int excluded)
{
    std::vector<double> weights { 0.3, 0.3, 0.25, 0.15 };
    if (excluded >= 0)
        weights[static_cast<std::size_t>(excluded)] = 0;
    return static_cast<Edge>(rng.weightedIndex(weights));
}

std::vector<SceneWalker::Stretch> sampleRoute(
    const SceneCamera &camera, const SceneOptions &options, Rng &rng)
{
    const Edge entry = pickEdge(rng, -1);
    const Edge exit = pickEdge(rng, static_cast<int>(entry));
    std::vector<GroundPoint> points { pointOnEdge(entry, camera, options, rng) };
    bool pause = false;
    if (rng.chance(0.45)) {
        const double farY = camera.farY(), h = camera.height();
        points.push_back(camera.ground({ rng.uniformReal(0.2, 0.8) * camera.width(),
            rng.uniformReal(farY + 0.15 * (h - farY), h - 0.1 * (h - farY)) }));
        pause = rng.chance(0.2);
    }
    points.push_back(pointOnEdge(exit, camera, options, rng));

    const double speed = rng.uniformReal(1.0, 1.6); // metres per second
    std::vector<SceneWalker::Stretch> route;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        route.push_back({ points[i], points[i + 1], distance(points[i], points[i + 1]) / speed });
        if (pause && i == 0)
            route.push_back({ points[1], points[1], rng.uniformReal(1.5, 5.0) });
    }
    return route;
}

// The first and last route time (seconds) at which the walker's upper body is in the frame.
bool inFrameInterval(const SceneWalker &walker, const SceneCamera &camera, double *first, double *last)
{
    bool seen = false;
    const double duration = walker.durationSeconds();
    for (double t = 0; t <= duration; t += 0.2) {
        PedestrianPose pose;
        if (!walker.poseAt(walker.startSeconds() + t, camera, &pose))
            continue;
        const bool inside = pose.foot.x >= 0 && pose.foot.x <= camera.width()
            && pose.foot.y - 0.5 * pose.height <= camera.height();
        if (!inside)
            continue;
        if (!seen)
            *first = t;
        *last = t;
        seen = true;
    }
    return seen;
}

Facing facingFor(GroundPoint at, GroundPoint direction, const SceneCamera &camera)
{
    // Compare the walking direction with the line of sight: towards the camera shows the
    // front, away the back, across a profile.
    const double norm = std::max(1e-9, std::hypot(at.x, at.z));
    const double along = (direction.x * at.x + direction.z * at.z) / norm;
    if (along < -0.7071)
        return Facing::Front;
    if (along > 0.7071)
        return Facing::Back;
    const cv::Point2d p0 = camera.project(at);
    const cv::Point2d p1 = camera.project({ at.x + 0.05 * direction.x, at.z + 0.05 * direction.z });
    return p1.x >= p0.x ? Facing::Right : Facing::Left;
}

} // namespace

SceneWalker::SceneWalker(int id, const PersonAppearance &appearance, std::vector<Stretch> route,
    double startSeconds, double strideMetres, double phase0)
    : m_id(id)
    , m_painter(appearance)
    , m_route(std::move(route))
    , m_start(startSeconds)
    , m_stride(std::max(0.1, strideMetres))
    , m_phase0(phase0)
{ }

SceneWalker SceneWalker::sample(int id, const PersonAppearance &appearance, const SceneCamera &camera,
    const SceneOptions &options, double slot, Rng &rng)
{
    const double stride = 1.45 * appearance.heightScale * rng.uniformReal(0.92, 1.08);
    const double phase0 = rng.uniform();
    const double clip = options.frames / options.fps;
    for (int attempt = 0;; ++attempt) {
        SceneWalker walker(id, appearance, sampleRoute(camera, options, rng), 0, stride, phase0);
        double first = 0, last = 0;
        if (!inFrameInterval(walker, camera, &first, &last) && attempt < 20)
            continue;
        // Start so that at least half of the in-frame stretch (or half the clip) is seen.
        const double need = std::min(last - first, clip) * 0.5;
        const double earliest = need - last, latest = std::max(earliest, clip - need - first);
        walker.m_start = earliest + (latest - earliest) * std::clamp(slot, 0.0, 1.0);
        return walker;
    }
}

double SceneWalker::durationSeconds() const
{
    double total = 0;
    for (const Stretch &s : m_route)
        total += s.seconds;
    return total;
}

bool SceneWalker::poseAt(double seconds, const SceneCamera &camera, PedestrianPose *pose) const
{
    double t = seconds - m_start;
    if (t < 0 || m_route.empty())
        return false;
    double walked = 0;
    GroundPoint heading { 0, -1 };
    for (const Stretch &s : m_route) {
        const double length = distance(s.from, s.to);
        if (length > 1e-9)
            heading = { (s.to.x - s.from.x) / length, (s.to.z - s.from.z) / length };
        if (t > s.seconds) {
            t -= s.seconds;
            walked += length;
            continue;
        }
        const double frac = s.seconds > 0 ? t / s.seconds : 1;
        const GroundPoint at = lerp(s.from, s.to, frac);
        walked += length * frac;
        const cv::Point2d foot = camera.project(at);
        pose->foot = cv::Point2f(static_cast<float>(foot.x), static_cast<float>(foot.y));
        pose->height = static_cast<float>(camera.personHeight(foot.y, m_painter.appearance().heightScale));
        pose->facing = facingFor(at, heading, camera);
        const double cycles = m_phase0 + walked / m_stride;
        pose->phase = cycles - std::floor(cycles);
        pose->stride = length > 1e-9 ? 1 : 0;
        return true;
    }
    return false;
}

} // namespace descry
