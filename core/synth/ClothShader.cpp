#include "ClothShader.h"

#include "Rng.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

// Pattern geometry in units of the body height (a stripe is about 3 cm on a 1.75 m person).
constexpr double kStripe = 0.018;
constexpr double kCheck = 0.03;
constexpr double kTwoToneFrom = 0.36; // crown = 0, soles = 1: below the chest
constexpr double kLogoHalfWidth = 0.035, kLogoTop = 0.25, kLogoBottom = 0.31;

// Whether the pattern's second colour shows at body point (u, v).
bool patternAt(GarmentPattern pattern, double u, double v, bool front)
{
    switch (pattern) {
    case GarmentPattern::Striped:
        return static_cast<int>(std::floor(v / kStripe)) % 2 != 0;
    case GarmentPattern::Checked:
        return (static_cast<int>(std::floor(v / kCheck)) + static_cast<int>(std::floor(u / kCheck) + 1000))
            % 2
            != 0;
    case GarmentPattern::Logo:
        return front && std::abs(u) < kLogoHalfWidth && v > kLogoTop && v < kLogoBottom;
    case GarmentPattern::TwoTone:
        return v > kTwoToneFrom;
    case GarmentPattern::Plain:
        break;
    }
    return false;
}

// A smooth random field in [-1, 1] over the sprite, fixed by `seed`: a coarse grid of random
// values, enlarged with cubic interpolation (folds are a few per garment, not noise).
cv::Mat foldField(cv::Size size, uint32_t seed)
{
    Rng rng(seed);
    cv::Mat coarse(9, 4, CV_32F);
    for (int y = 0; y < coarse.rows; ++y)
        for (int x = 0; x < coarse.cols; ++x)
            coarse.at<float>(y, x) = static_cast<float>(rng.uniformReal(-1, 1));
    cv::Mat field;
    cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
    return field;
}

float luminance(const cv::Vec4b &p)
{
    return static_cast<float>(p[0] + p[1] + p[2]);
}

} // namespace

AppearancePalette ClothShader::labelPalette()
{
    AppearancePalette p;
    p.skin = p.hair = p.hat = p.shoes = p.accessory = p.pattern = { 0, 0, 255 };
    p.upper = { 255, 0, 0 };
    p.lower = { 0, 255, 0 };
    return p;
}

cv::Mat ClothShader::partsOf(const cv::Mat &labelSprite)
{
    cv::Mat parts(labelSprite.size(), CV_8U, cv::Scalar(Background));
    for (int y = 0; y < labelSprite.rows; ++y) {
        const cv::Vec4b *p = labelSprite.ptr<cv::Vec4b>(y);
        uint8_t *out = parts.ptr<uint8_t>(y);
        for (int x = 0; x < labelSprite.cols; ++x) {
            if (p[x][3] < 128)
                continue;
            if (p[x][0] >= p[x][1] && p[x][0] > p[x][2])
                out[x] = Upper;
            else if (p[x][1] > p[x][0] && p[x][1] > p[x][2])
                out[x] = Lower;
            else
                out[x] = Other;
        }
    }
    return parts;
}

void ClothShader::apply(cv::Mat &bgra, const cv::Mat &parts, const PersonAppearance &a, const BodyFrame &body)
{
    const ClothDetail &cloth = a.cloth;
    if (cloth.isFlat() || bgra.empty())
        return;
    const cv::Mat folds = cloth.folds > 0 ? foldField(bgra.size(), cloth.foldSeed) : cv::Mat();
    const Bgr base = a.palette.upper, second = a.palette.pattern;
    const float baseLuminance = std::max(1.0f, static_cast<float>(base.b + base.g + base.r));
    const double h = std::max(1.0, body.height);
    // Patterns finer than 2 pixels would alias into noise: a small person's pattern blurs into
    // its mix of colours, as a real one does at that size, so it is drawn as that mix.
    const bool resolved
        = (body.height * (cloth.pattern == GarmentPattern::Checked ? kCheck : kStripe)) >= 2.0;
    for (int y = 0; y < bgra.rows; ++y) {
        cv::Vec4b *p = bgra.ptr<cv::Vec4b>(y);
        const uint8_t *part = parts.ptr<uint8_t>(y);
        const double v = (y + 0.5 - body.crownY) / h;
        for (int x = 0; x < bgra.cols; ++x) {
            if (p[x][3] == 0)
                continue;
            const double u = (x + 0.5 - body.centreX) / h;
            if (part[x] == Upper && cloth.pattern != GarmentPattern::Plain) {
                float mix = patternAt(cloth.pattern, u, v, body.front) ? 1.0f : 0.0f;
                if (!resolved
                    && (cloth.pattern == GarmentPattern::Striped || cloth.pattern == GarmentPattern::Checked))
                    mix = 0.5f;
                if (mix > 0) {
                    // Keep the drawing's own shading (darker far arm, collar lines) on the new colour.
                    const float alpha = p[x][3] / 255.0f;
                    const float shade = std::clamp(luminance(p[x]) / (baseLuminance * alpha), 0.4f, 1.4f);
                    const uint8_t target[3] = { second.b, second.g, second.r };
                    for (int c = 0; c < 3; ++c)
                        p[x][c] = cv::saturate_cast<uint8_t>(
                            (1 - mix) * p[x][c] + mix * target[c] * shade * alpha);
                }
            }
            float gain = 1.0f + cloth.sideLight * static_cast<float>(std::clamp(u / 0.15, -1.0, 1.0));
            if (!folds.empty() && (part[x] == Upper || part[x] == Lower))
                gain *= 1.0f + cloth.folds * folds.at<float>(y, x);
            for (int c = 0; c < 3; ++c)
                p[x][c] = cv::saturate_cast<uint8_t>(p[x][c] * gain);
        }
    }
}

} // namespace descry
