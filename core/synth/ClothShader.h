#pragma once

#include "PersonAppearance.h"

#include <opencv2/core/mat.hpp>

namespace descry {

// Where a drawn person's body lies on its sprite, for cloth that follows the body.
struct BodyFrame {
    double centreX = 0; // sprite x of the body's vertical axis
    double crownY = 0; // sprite y of the top of the head
    double height = 1; // standing height in pixels
    bool front = true; // seen from the front (a chest print shows)
};

// Gives a flat-painted synthetic person's clothes what real cloth has (PersonAppearance's
// ClothDetail): a pattern on the upper garment in a second colour, folds (low-frequency
// shading of every garment, the same on every frame) and light from one side. The drawing
// stays where it is: only colours of pixels the person covers change, so masks and boxes keep
// their meaning. Works on premultiplied colour (PersonSprite), before the painter's volume
// shading.
class ClothShader {
public:
    enum Part : uint8_t { Background = 0, Other = 1, Upper = 2, Lower = 3 };

    // The palette that draws each part in its own pure channel (upper blue, lower green, the
    // rest red), so that a second drawing of the same pose says which part each pixel is.
    static AppearancePalette labelPalette();
    // CV_8U parts (Part) of a sprite drawn with labelPalette() (CV_8UC4, premultiplied).
    static cv::Mat partsOf(const cv::Mat &labelSprite);

    // Applies `cloth` to `bgra` (CV_8UC4 premultiplied) where `parts` (CV_8U) says a garment is.
    static void apply(
        cv::Mat &bgra, const cv::Mat &parts, const PersonAppearance &appearance, const BodyFrame &body);
};

} // namespace descry
