#include "SceneProps.h"

#include "Rng.h"
#include "SceneCamera.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

using Kind = ForegroundProp::Kind;

// Colours as BGR with full coverage (the sprite is premultiplied: anti-aliased edges blend
// colour and coverage alike over the transparent sprite).
cv::Scalar opaque(int b, int g, int r, double shade = 1)
{
    return { std::clamp(b * shade, 0.0, 255.0), std::clamp(g * shade, 0.0, 255.0),
        std::clamp(r * shade, 0.0, 255.0), 255 };
}

// Draws in the prop's own units: x from 0 (left) to 1 (right), y from 0 (top) to 1 (base).
class PropCanvas {
public:
    explicit PropCanvas(cv::Mat &bgra)
        : m_img(bgra)
    { }
    cv::Point pt(double x, double y) const
    {
        return { static_cast<int>(std::lround(x * (m_img.cols - 1) * 16)),
            static_cast<int>(std::lround(y * (m_img.rows - 1) * 16)) };
    }
    void box(double x0, double y0, double x1, double y1, const cv::Scalar &colour) const
    {
        quad({ x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 }, colour);
    }
    void quad(cv::Point2d a, cv::Point2d b, cv::Point2d c, cv::Point2d d, const cv::Scalar &colour) const
    {
        const std::vector<cv::Point> pts { pt(a.x, a.y), pt(b.x, b.y), pt(c.x, c.y), pt(d.x, d.y) };
        cv::fillConvexPoly(m_img, pts, colour, cv::LINE_AA, 4);
    }
    void ellipse(double cx, double cy, double rx, double ry, const cv::Scalar &colour) const
    {
        const cv::Size axes(std::max(1, static_cast<int>(std::lround(rx * (m_img.cols - 1) * 16))),
            std::max(1, static_cast<int>(std::lround(ry * (m_img.rows - 1) * 16))));
        cv::ellipse(m_img, pt(cx, cy), axes, 0, 0, 360, colour, cv::FILLED, cv::LINE_AA, 4);
    }

private:
    cv::Mat &m_img;
};

// Width and height of each kind in person heights at its distance.
cv::Size2d sizeOf(Kind kind)
{
    switch (kind) {
    case Kind::Bench:
        return { 0.9, 0.42 };
    case Kind::Bin:
        return { 0.26, 0.5 };
    case Kind::Planter:
        return { 0.9, 0.45 };
    case Kind::Bollard:
        return { 0.08, 0.55 };
    case Kind::Car:
        return { 2.3, 0.8 };
    }
    return { 0.5, 0.5 };
}

void paint(Kind kind, const PropCanvas &c, Rng &rng)
{
    switch (kind) {
    case Kind::Bench: {
        const bool painted = rng.chance(0.4);
        const cv::Scalar wood = painted ? opaque(40, 90, 30) : opaque(40, 75, 120, rng.uniformReal(0.8, 1.1));
        const cv::Scalar metal = opaque(45, 45, 48);
        c.box(0.06, 0.62, 0.11, 1.0, metal);
        c.box(0.89, 0.62, 0.94, 1.0, metal);
        c.box(0.1, 0.05, 0.14, 0.6, metal);
        c.box(0.86, 0.05, 0.9, 0.6, metal);
        c.box(0.0, 0.05, 1.0, 0.2, wood);
        c.box(0.0, 0.25, 1.0, 0.38, wood);
        c.box(0.0, 0.55, 1.0, 0.66, wood);
        return;
    }
    case Kind::Bin: {
        static const cv::Scalar colours[] { opaque(40, 70, 30), opaque(60, 60, 62), opaque(28, 28, 30),
            opaque(120, 70, 30) };
        const cv::Scalar body = colours[rng.index(std::size(colours))];
        c.box(0.06, 0.12, 0.94, 1.0, body);
        c.box(0.0, 0.04, 1.0, 0.14, body * 0.8 + cv::Scalar(0, 0, 0, 51));
        c.box(0.3, 0.3, 0.7, 0.36, opaque(20, 20, 20));
        return;
    }
    case Kind::Planter: {
        const double grey = rng.uniformReal(110, 170);
        c.box(0.0, 0.45, 1.0, 1.0, opaque(int(grey), int(grey), int(grey + 5)));
        c.box(0.0, 0.45, 1.0, 0.52, opaque(int(grey), int(grey), int(grey + 5), 1.15));
        for (int k = 0; k < 4; ++k)
            c.ellipse(0.15 + 0.23 * k, 0.36, 0.16, 0.3,
                opaque(30, 95 + 12 * k % 30, 40, rng.uniformReal(0.7, 1.1)));
        return;
    }
    case Kind::Bollard: {
        const cv::Scalar body = rng.chance(0.5) ? opaque(30, 30, 32) : opaque(140, 140, 145);
        c.box(0.0, 0.08, 1.0, 1.0, body);
        c.ellipse(0.5, 0.08, 0.5, 0.08, body);
        c.box(0.0, 0.2, 1.0, 0.28, opaque(220, 220, 225));
        return;
    }
    case Kind::Car: {
        static const cv::Scalar colours[] { opaque(235, 235, 235), opaque(30, 30, 32), opaque(150, 150, 155),
            opaque(140, 40, 20), opaque(30, 30, 170), opaque(40, 90, 40), opaque(180, 140, 60) };
        const cv::Scalar paintColour = colours[rng.index(std::size(colours))];
        const cv::Scalar glass = opaque(70, 60, 55);
        c.quad({ 0.22, 0.02 }, { 0.72, 0.02 }, { 0.84, 0.42 }, { 0.12, 0.42 }, paintColour);
        c.quad({ 0.25, 0.07 }, { 0.46, 0.07 }, { 0.46, 0.38 }, { 0.17, 0.38 }, glass);
        c.quad({ 0.49, 0.07 }, { 0.69, 0.07 }, { 0.79, 0.38 }, { 0.49, 0.38 }, glass);
        c.box(0.0, 0.4, 1.0, 0.84, paintColour);
        c.box(0.0, 0.62, 1.0, 0.66, paintColour * 0.75 + cv::Scalar(0, 0, 0, 64));
        c.ellipse(0.2, 0.86, 0.08, 0.14, opaque(20, 20, 20));
        c.ellipse(0.8, 0.86, 0.08, 0.14, opaque(20, 20, 20));
        return;
    }
    }
}

} // namespace

std::vector<ForegroundProp> placeForegroundProps(const SceneCamera &camera, int count, Rng &rng)
{
    std::vector<ForegroundProp> props;
    const double nearest = camera.height() - 2;
    const double farthest = camera.farY() + 0.35 * (nearest - camera.farY());
    for (int i = 0; i < count; ++i) {
        ForegroundProp p;
        p.kind = static_cast<Kind>(rng.weightedIndex({ 0.25, 0.2, 0.2, 0.2, 0.15 }));
        p.baseY = static_cast<float>(rng.uniformReal(farthest, nearest));
        const double person = camera.personHeight(p.baseY);
        const cv::Size2d size = sizeOf(p.kind);
        const int w = std::max(3, static_cast<int>(std::lround(size.width * person)));
        const int h = std::max(3, static_cast<int>(std::lround(size.height * person)));
        const int x = rng.uniformInt(-w / 3, camera.width() - 2 * w / 3);
        p.sprite.bgra = cv::Mat::zeros(h, w, CV_8UC4);
        p.sprite.origin = { x, static_cast<int>(std::lround(p.baseY)) - h };
        paint(p.kind, PropCanvas(p.sprite.bgra), rng);
        p.mask = p.sprite.mask();
        props.push_back(std::move(p));
    }
    std::stable_sort(props.begin(), props.end(),
        [](const ForegroundProp &a, const ForegroundProp &b) { return a.baseY < b.baseY; });
    return props;
}

} // namespace descry
