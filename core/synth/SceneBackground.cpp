#include "SceneBackground.h"

#include "Rng.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace descry {

namespace {

constexpr int kShift = 4;
constexpr double kOne = 1 << kShift;

cv::Scalar rgb(double r, double g, double b)
{
    return { b, g, r };
}

cv::Point fixedPoint(cv::Point2d p)
{
    return { static_cast<int>(std::lround(p.x * kOne)), static_cast<int>(std::lround(p.y * kOne)) };
}

void line(cv::Mat &img, cv::Point2d a, cv::Point2d b, const cv::Scalar &colour, int thickness)
{
    cv::line(img, fixedPoint(a), fixedPoint(b), colour, std::max(1, thickness), cv::LINE_AA, kShift);
}

void rect(cv::Mat &img, cv::Point2d topLeft, cv::Point2d bottomRight, const cv::Scalar &colour)
{
    const std::vector<cv::Point> pts { fixedPoint(topLeft), fixedPoint({ bottomRight.x, topLeft.y }),
        fixedPoint(bottomRight), fixedPoint({ topLeft.x, bottomRight.y }) };
    cv::fillConvexPoly(img, pts, colour, cv::LINE_AA, kShift);
}

// Height of the hedge top above the far edge of the ground, in pixels.
double hedgeTopY(const SceneCamera &camera)
{
    return camera.farY() - 1.1 * camera.pixelsPerMetre(camera.farY());
}

void paintFacade(cv::Mat &img, const SceneCamera &camera, Rng &rng)
{
    const int bottom = std::max(1, static_cast<int>(std::ceil(hedgeTopY(camera))) + 1);
    const std::vector<cv::Scalar> walls { rgb(184, 172, 150), rgb(150, 150, 156), rgb(158, 104, 84),
        rgb(200, 196, 186) };
    const cv::Scalar wall = rng.choice(walls);
    img(cv::Rect(0, 0, img.cols, std::min(img.rows, bottom))).setTo(wall);
    // Windows: rows of dark panes with lighter frames, sized like the hedge's metre scale.
    const double ppm = camera.pixelsPerMetre(camera.farY());
    const double paneW = 1.2 * ppm, paneH = 1.4 * ppm, gapX = 1.1 * ppm, gapY = 1.3 * ppm;
    const cv::Scalar pane = rgb(58, 66, 78), frame = rgb(225, 225, 220);
    const double offset = rng.uniformReal(0, paneW + gapX);
    for (double y = bottom - paneH - 0.9 * ppm; y > -paneH; y -= paneH + gapY) {
        for (double x = -offset; x < img.cols; x += paneW + gapX) {
            rect(img, { x - 2, y - 2 }, { x + paneW + 2, y + paneH + 2 }, frame);
            rect(img, { x, y }, { x + paneW, y + paneH }, pane * rng.uniformReal(0.85, 1.2));
        }
    }
}

void paintHedge(cv::Mat &img, const SceneCamera &camera, Rng &rng)
{
    const double top = hedgeTopY(camera);
    rect(img, { -1, top }, { img.cols + 1.0, camera.farY() + 1 }, rgb(52, 84, 46));
    // Leafy bumps along the top edge.
    const double ppm = camera.pixelsPerMetre(camera.farY());
    for (double x = 0; x < img.cols; x += ppm * rng.uniformReal(0.3, 0.6)) {
        const double r = ppm * rng.uniformReal(0.15, 0.3);
        cv::circle(img, fixedPoint({ x, top + r * 0.5 }), static_cast<int>(r * kOne),
            rgb(48, 80, 42) * rng.uniformReal(0.85, 1.15), cv::FILLED, cv::LINE_AA, kShift);
    }
}

// Grass, the curbs and the paved walkway, decided per pixel from its ground position.
void paintGround(cv::Mat &img, const SceneCamera &camera)
{
    const double halfWidth = SceneBackground::walkwayHalfWidth(camera);
    const cv::Vec3d grass(70, 128, 96), paving(160, 168, 172), curb(188, 192, 194);
    const int y0 = std::max(0, static_cast<int>(std::floor(camera.farY())));
    for (int y = y0; y < img.rows; ++y) {
        cv::Vec3b *row = img.ptr<cv::Vec3b>(y);
        const double z = camera.ground({ 0, y + 0.5 }).z;
        const double metresPerPixel = z / camera.width(); // focal length is the frame width
        for (int x = 0; x < img.cols; ++x) {
            const double gx = std::abs(camera.ground({ x + 0.5, y + 0.5 }).x);
            // Soft one-pixel transitions between materials (no aliased staircase edges).
            const double toCurb = std::clamp((gx - halfWidth) / metresPerPixel + 0.5, 0.0, 1.0);
            const double toGrass = std::clamp((gx - halfWidth - 0.15) / metresPerPixel + 0.5, 0.0, 1.0);
            const cv::Vec3d c = paving * (1 - toCurb) + curb * (toCurb - toGrass) + grass * toGrass;
            row[x] = cv::Vec3b(cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
                cv::saturate_cast<uint8_t>(c[2]));
        }
    }
}

// Joints between paving slabs: across the walkway every metre, along it in four lanes.
void paintTileLines(cv::Mat &img, const SceneCamera &camera)
{
    const double halfWidth = SceneBackground::walkwayHalfWidth(camera);
    const double zFar = camera.ground({ 0, camera.farY() }).z;
    const double zNear = camera.ground({ 0, camera.height() + 0.0 }).z;
    const cv::Scalar joint = rgb(140, 138, 132);
    for (double z = std::floor(zNear); z <= zFar; z += 1.0) {
        if (z <= 0.1)
            continue;
        line(img, camera.project({ -halfWidth, z }), camera.project({ halfWidth, z }), joint, 1);
    }
    for (int lane = 1; lane < 4; ++lane) {
        const double x = -halfWidth + lane * halfWidth / 2;
        line(img, camera.project({ x, zFar }), camera.project({ x, std::max(0.2, zNear * 0.9) }), joint, 1);
    }
}

struct Prop {
    enum Kind { Lamp, Bench, Bin } kind;
    GroundPoint at;
};

void paintLamp(cv::Mat &img, const SceneCamera &camera, GroundPoint at)
{
    const cv::Point2d foot = camera.project(at);
    const double ppm = camera.pixelsPerMetre(foot.y);
    const cv::Point2d top(foot.x, foot.y - 4.2 * ppm);
    line(img, foot, top, rgb(60, 62, 66), static_cast<int>(std::lround(0.12 * ppm)));
    cv::ellipse(img, fixedPoint(top),
        cv::Size(static_cast<int>(0.22 * ppm * kOne), static_cast<int>(0.1 * ppm * kOne)), 0, 0, 360,
        rgb(40, 42, 46), cv::FILLED, cv::LINE_AA, kShift);
}

void paintBench(cv::Mat &img, const SceneCamera &camera, GroundPoint at, const cv::Scalar &wood)
{
    const cv::Point2d foot = camera.project(at);
    const double ppm = camera.pixelsPerMetre(foot.y);
    const double w = 1.6 * ppm;
    const cv::Scalar metal = rgb(50, 50, 54);
    rect(img, { foot.x - w / 2 + 0.1 * ppm, foot.y - 0.45 * ppm }, { foot.x - w / 2 + 0.18 * ppm, foot.y },
        metal);
    rect(img, { foot.x + w / 2 - 0.18 * ppm, foot.y - 0.45 * ppm }, { foot.x + w / 2 - 0.1 * ppm, foot.y },
        metal);
    rect(img, { foot.x - w / 2, foot.y - 0.5 * ppm }, { foot.x + w / 2, foot.y - 0.42 * ppm }, wood);
    rect(img, { foot.x - w / 2, foot.y - 0.9 * ppm }, { foot.x + w / 2, foot.y - 0.72 * ppm }, wood * 0.9);
    rect(img, { foot.x - w / 2 + 0.1 * ppm, foot.y - 0.9 * ppm },
        { foot.x - w / 2 + 0.16 * ppm, foot.y - 0.45 * ppm }, metal);
    rect(img, { foot.x + w / 2 - 0.16 * ppm, foot.y - 0.9 * ppm },
        { foot.x + w / 2 - 0.1 * ppm, foot.y - 0.45 * ppm }, metal);
}

void paintBin(cv::Mat &img, const SceneCamera &camera, GroundPoint at)
{
    const cv::Point2d foot = camera.project(at);
    const double ppm = camera.pixelsPerMetre(foot.y);
    rect(img, { foot.x - 0.25 * ppm, foot.y - 0.9 * ppm }, { foot.x + 0.25 * ppm, foot.y }, rgb(46, 70, 58));
    rect(img, { foot.x - 0.28 * ppm, foot.y - 0.95 * ppm }, { foot.x + 0.28 * ppm, foot.y - 0.85 * ppm },
        rgb(36, 52, 44));
}

// A few props along both sides of the walkway, drawn far to near.
void paintProps(cv::Mat &img, const SceneCamera &camera, Rng &rng)
{
    const double halfWidth = SceneBackground::walkwayHalfWidth(camera);
    const double zFar = camera.ground({ 0, camera.farY() + 2 }).z;
    // Props stay in the far part: near the camera they would be huge bars across the view.
    const double zNear = camera.ground({ 0, camera.farY() + 0.45 * (camera.height() - camera.farY()) }).z;
    std::vector<Prop> props;
    for (double side : { -1.0, 1.0 }) {
        for (double z = zNear + rng.uniformReal(0, 4); z < zFar; z += rng.uniformReal(8, 14))
            props.push_back({ Prop::Lamp, { side * (halfWidth + 0.35), z } });
        const int benches = rng.uniformInt(0, 2);
        for (int i = 0; i < benches; ++i)
            props.push_back({ Prop::Bench,
                { side * (halfWidth + rng.uniformReal(1.2, 2.2)), rng.uniformReal(zNear, zFar) } });
        if (rng.chance(0.6))
            props.push_back({ Prop::Bin, { side * (halfWidth + 0.8), rng.uniformReal(zNear, zFar) } });
    }
    std::sort(props.begin(), props.end(), [](const Prop &a, const Prop &b) { return a.at.z > b.at.z; });
    const cv::Scalar wood = rng.chance(0.5) ? rgb(120, 84, 52) : rgb(96, 100, 104);
    for (const Prop &p : props) {
        switch (p.kind) {
        case Prop::Lamp:
            paintLamp(img, camera, p.at);
            break;
        case Prop::Bench:
            paintBench(img, camera, p.at, wood);
            break;
        case Prop::Bin:
            paintBin(img, camera, p.at);
            break;
        }
    }
}

// Uneven light and dirt (smooth multiplicative blotches) plus per-pixel grain.
void applyTexture(cv::Mat &img, Rng &rng)
{
    cv::Mat coarse(img.rows / 24 + 3, img.cols / 24 + 3, CV_32F);
    for (int y = 0; y < coarse.rows; ++y)
        for (int x = 0; x < coarse.cols; ++x)
            coarse.at<float>(y, x) = static_cast<float>(rng.uniformReal(0.9, 1.08));
    cv::Mat shade;
    cv::resize(coarse, shade, img.size(), 0, 0, cv::INTER_CUBIC);
    for (int y = 0; y < img.rows; ++y) {
        cv::Vec3b *row = img.ptr<cv::Vec3b>(y);
        const float *s = shade.ptr<float>(y);
        // The far end is a little brighter (sky light), the near ground slightly darker.
        const float vertical = 1.03f - 0.08f * static_cast<float>(y) / static_cast<float>(img.rows);
        uint64_t bits = 0;
        for (int x = 0; x < img.cols; ++x) {
            if ((x & 7) == 0)
                bits = rng.next();
            const float grain = static_cast<float>(static_cast<int>(bits & 0xFF) % 13 - 6);
            bits >>= 8;
            for (int c = 0; c < 3; ++c)
                row[x][c] = cv::saturate_cast<uint8_t>(row[x][c] * s[x] * vertical + grain);
        }
    }
}

} // namespace

double SceneBackground::walkwayHalfWidth(const SceneCamera &camera)
{
    // 30 % of the frame width either side of the centre on the bottom row.
    const GroundPoint edge = camera.ground({ camera.width() * 0.8, static_cast<double>(camera.height()) });
    return edge.x;
}

cv::Mat SceneBackground::paint(const SceneCamera &camera, Rng &rng)
{
    cv::Mat img(camera.height(), camera.width(), CV_8UC3, cv::Scalar(0, 0, 0));
    paintFacade(img, camera, rng);
    paintGround(img, camera);
    paintHedge(img, camera, rng);
    paintTileLines(img, camera);
    paintProps(img, camera, rng);
    applyTexture(img, rng);
    return img;
}

cv::Mat SceneBackground::fromPlate(const cv::Mat &plate, const SceneCamera &camera, Rng &rng)
{
    CV_Assert(plate.type() == CV_8UC3 && !plate.empty());
    const double aspect = double(camera.width()) / camera.height();
    // The largest part of the plate with the camera's aspect ratio, then a random share of it.
    const double fullWidth = std::min(double(plate.cols), plate.rows * aspect);
    const double scale = rng.uniformReal(0.55, 1.0);
    const int w = std::max(1, static_cast<int>(std::lround(fullWidth * scale)));
    const int h = std::clamp(static_cast<int>(std::lround(w / aspect)), 1, plate.rows);
    const int x = rng.uniformInt(0, plate.cols - w);
    const int y = rng.uniformInt(0, plate.rows - h);
    cv::Mat img;
    cv::resize(plate(cv::Rect(x, y, w, h)), img, cv::Size(camera.width(), camera.height()), 0, 0,
        w > camera.width() ? cv::INTER_AREA : cv::INTER_LINEAR);
    if (rng.chance(0.5))
        cv::flip(img, img, 1);
    const double exposure = rng.uniformReal(0.8, 1.15);
    cv::Scalar gain;
    for (int c = 0; c < 3; ++c)
        gain[c] = exposure * rng.uniformReal(0.9, 1.1);
    cv::multiply(img, gain, img);
    return img;
}

} // namespace descry
