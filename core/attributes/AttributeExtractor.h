#pragma once

#include "Attributes.h"
#include "Tracklet.h"

#include <opencv2/core/mat.hpp>

namespace descry {

// Names colours the way people do: pixels are converted to CIELAB (perceptual), classified
// into the 11 basic colour terms, and each body stripe (head/hair, upper, lower, feet)
// reports the fraction of its foreground pixels per colour name. The stripes are fixed
// fractions of the person box, or follow the keypoints where the crop has a pose (BodyLayout).
class AttributeExtractor {
public:
    // Colour name of one BGR pixel (index into basicColourNames()).
    static int colourIndex(const cv::Vec3b &bgr);
    static QString colourName(const cv::Vec3b &bgr);

    // Attributes of one person crop; `mask` (CV_8U, 255 = person) may be empty; the body zones
    // where `layout` (from the person's pose) puts them, the standard fractions by default.
    AttributeSet extract(const cv::Mat &bgrCrop, const cv::Mat &mask, const BodyLayout &layout = {}) const;
    // Attributes of a tracklet: colours and garments averaged over its crops (decoded from their
    // JPEG bytes), and the things the detector saw the person carry (addCarriedThings).
    AttributeSet extract(const Tracklet &tracklet) const;
    static void addCarriedThings(const Tracklet &tracklet, AttributeSet *out);
};

} // namespace descry
