#include "ColourNamer.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace descry {

namespace {

struct Lab {
    double L, a, b;
};

double srgbToLinear(double c)
{
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

// Same constants as OpenCV's float BGR2Lab (sRGB, D65), so a pixel named here agrees with
// cv::cvtColor on CV_32F images scaled to 0..1.
Lab toLab(const cv::Vec3b &bgr)
{
    const double r = srgbToLinear(bgr[2] / 255.0);
    const double g = srgbToLinear(bgr[1] / 255.0);
    const double b = srgbToLinear(bgr[0] / 255.0);
    const double x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.950456;
    const double y = 0.212671 * r + 0.715160 * g + 0.072169 * b;
    const double z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.088754;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
    const double L = y > 0.008856 ? 116.0 * std::cbrt(y) - 16.0 : 903.3 * y;
    return { L, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z)) };
}

// Hue on the sRGB hue circle in degrees [0, 360).
double srgbHue(const cv::Vec3b &bgr)
{
    const double r = bgr[2], g = bgr[1], b = bgr[0];
    const double mx = std::max({ r, g, b }), mn = std::min({ r, g, b });
    const double delta = mx - mn;
    if (delta <= 0)
        return 0;
    double h = 0;
    if (mx == r)
        h = 60.0 * std::fmod((g - b) / delta + 6.0, 6.0);
    else if (mx == g)
        h = 60.0 * ((b - r) / delta + 2.0);
    else
        h = 60.0 * ((r - g) / delta + 4.0);
    return h >= 360.0 ? h - 360.0 : h;
}

// Below this CIELAB chroma a pixel reads as black/grey/white. Raised for bright pixels
// (a sunlit white shirt keeps a faint tint) and for very dark ones (sensor noise).
double achromaticChroma(double L)
{
    return 10.0 + std::max(0.0, L - 75.0) * 0.4 + std::max(0.0, 15.0 - L) * 1.0;
}

int achromatic(double L)
{
    if (L < 26)
        return ColourNamer::Black;
    return L >= 80 ? ColourNamer::White : ColourNamer::Grey;
}

int redFamily(double L, double C)
{
    if (C < 25 && L < 70)
        return ColourNamer::Brown; // dusty rose-brown
    if (L >= 65 && C < 60)
        return ColourNamer::Pink; // light, not vivid red
    return ColourNamer::Red;
}

int orangeFamily(double L, double C)
{
    // Brown is dark or dull orange (saddle brown, tan, khaki-beige).
    if (L < 55 || C < 45 || (C < 55 && L < 70))
        return ColourNamer::Brown;
    return ColourNamer::Orange;
}

int yellowFamily(double L, double C, double hue)
{
    if (L >= 65)
        return C >= 35 ? ColourNamer::Yellow : ColourNamer::Brown;
    // Dark yellow is not perceived as yellow: olive reads green, mustard/ochre brown.
    return hue >= 52 ? ColourNamer::Green : ColourNamer::Brown;
}

int chromatic(double L, double C, double hue)
{
    if (hue >= 345 || hue < 13)
        return redFamily(L, C);
    if (hue < 42)
        return orangeFamily(L, C);
    if (hue < 70)
        return yellowFamily(L, C, hue);
    if (hue < 170)
        return ColourNamer::Green;
    if (hue < 255)
        return ColourNamer::Blue;
    if (hue < 318)
        return ColourNamer::Purple;
    return L < 35 ? ColourNamer::Red : ColourNamer::Pink; // wine / magenta-pink
}

std::vector<uint8_t> buildLookup()
{
    std::vector<uint8_t> table(64 * 64 * 64);
    for (int b = 0; b < 64; ++b)
        for (int g = 0; g < 64; ++g)
            for (int r = 0; r < 64; ++r) {
                const cv::Vec3b px(uchar(b * 4 + 2), uchar(g * 4 + 2), uchar(r * 4 + 2));
                uint8_t v = uint8_t(ColourNamer::classify(px));
                if (ColourNamer::isSkin(px))
                    v |= ColourNamer::kSkinBit;
                if (ColourNamer::isBlond(px))
                    v |= ColourNamer::kBlondBit;
                table[size_t((b << 12) | (g << 6) | r)] = v;
            }
    return table;
}

} // namespace

int ColourNamer::classify(const cv::Vec3b &bgr)
{
    const Lab lab = toLab(bgr);
    const double C = std::hypot(lab.a, lab.b);
    if (lab.L < 6)
        return Black;
    if (C < achromaticChroma(lab.L))
        return achromatic(lab.L);
    return chromatic(lab.L, C, srgbHue(bgr));
}

bool ColourNamer::isSkin(const cv::Vec3b &bgr)
{
    const double r = bgr[2], g = bgr[1], b = bgr[0];
    const double y = 0.299 * r + 0.587 * g + 0.114 * b;
    const double cr = (r - y) * 0.713 + 128.0;
    const double cb = (b - y) * 0.564 + 128.0;
    return y >= 40 && cr >= 133 && cr <= 173 && cb >= 77 && cb <= 127;
}

bool ColourNamer::isBlond(const cv::Vec3b &bgr)
{
    const Lab lab = toLab(bgr);
    const double C = std::hypot(lab.a, lab.b);
    const double hue = srgbHue(bgr);
    return lab.L >= 55 && C >= 12 && C <= 65 && hue >= 20 && hue < 60;
}

uint8_t ColourNamer::lookup(const cv::Vec3b &bgr)
{
    static const std::vector<uint8_t> table = buildLookup();
    return table[size_t(((bgr[0] >> 2) << 12) | ((bgr[1] >> 2) << 6) | (bgr[2] >> 2))];
}

} // namespace descry
