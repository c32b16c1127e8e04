#pragma once

#include <algorithm>

namespace descry {

// An axis-aligned box in source-video pixels (top-left corner, width, height).
// Plain struct so it can cross from core to ui and into the gallery without OpenCV.
struct Box {
    float x = 0, y = 0, w = 0, h = 0;

    float area() const { return std::max(0.f, w) * std::max(0.f, h); }
    float right() const { return x + w; }
    float bottom() const { return y + h; }
    float centerX() const { return x + w / 2; }
    float centerY() const { return y + h / 2; }
    bool operator==(const Box &) const = default;
};

inline float intersectionArea(const Box &a, const Box &b)
{
    const float iw = std::min(a.right(), b.right()) - std::max(a.x, b.x);
    const float ih = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
    return (iw > 0 && ih > 0) ? iw * ih : 0.f;
}

inline float iou(const Box &a, const Box &b)
{
    const float inter = intersectionArea(a, b);
    const float uni = a.area() + b.area() - inter;
    return uni > 0 ? inter / uni : 0.f;
}

} // namespace descry
