#pragma once

#include <opencv2/core/mat.hpp>

namespace descry {

// Whether a garment carries a pattern, measured on the pixels of one body zone: horizontal
// stripes ("a navy and black striped jumper") and checks or plaid. Both are repetition, so both
// are read from the autocorrelation of the zone's high-passed lightness (folds and side light
// are slower than any pattern and are filtered out):
// - stripes: the rows' mean lightness repeats (positive correlation one period away, negative
//   half a period away) and the rows explain most of the zone's fine detail;
// - checks: the pattern repeats one period away both across and down, and does not stay the
//   same half a period across (which stripes do: a stripe is constant along itself).
// Scores are 0..1 and scaled by contrast: faint repetition (knit, JPEG blocks, quilting under
// flat light) scores low. Repetition needs room: a zone fewer than kMinRows rows or kMinColumns
// columns tall or wide is not measured.
struct PatternScores {
    float striped = -1; // < 0: not measured
    float checked = -1;
    bool measured() const { return striped >= 0; }
};

class PatternMeter {
public:
    static constexpr int kMinRows = 12;
    static constexpr int kMinColumns = 10;

    // `bgr`: 8-bit BGR image; `fg`: CV_8U (255 = person) of the same size, or empty; `zone`: the
    // rectangle of the body zone, clipped to the image.
    static PatternScores measure(const cv::Mat &bgr, const cv::Mat &fg, const cv::Rect &zone);
};

} // namespace descry
