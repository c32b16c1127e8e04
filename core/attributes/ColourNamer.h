#pragma once

#include <opencv2/core/matx.hpp>

#include <cstdint>

namespace descry {

// Per-pixel colour naming into the 11 basic colour terms (indices into basicColourNames()),
// plus a skin-tone test. Lightness and chroma come from CIELAB (float conversion, L 0..100);
// the hue family comes from the sRGB hue circle, because CIELAB's hue angle is bent exactly
// where naming boundaries lie (pure sRGB blue and medium purple share h = 306 deg, red and
// orange-red differ by 5 deg), while the sRGB hue separates them cleanly.
class ColourNamer {
public:
    enum Index { Black, White, Grey, Red, Orange, Yellow, Green, Blue, Purple, Pink, Brown, Count };

    // Exact classification of one BGR pixel.
    static int classify(const cv::Vec3b &bgr);
    // Chai & Ngan's YCrCb skin box: cheap, and good enough to compare two body parts.
    static bool isSkin(const cv::Vec3b &bgr);
    // True for light, yellowish-to-orange pixels that read as blond hair.
    static bool isBlond(const cv::Vec3b &bgr);

    // Fast lookup for whole images: 6 bits per channel, computed once from classify().
    // Low 4 bits: colour index; bit 4: skin; bit 5: blond.
    static uint8_t lookup(const cv::Vec3b &bgr);
    static constexpr uint8_t kColourMask = 0x0f;
    static constexpr uint8_t kSkinBit = 0x10;
    static constexpr uint8_t kBlondBit = 0x20;
};

} // namespace descry
