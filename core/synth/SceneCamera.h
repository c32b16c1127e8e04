#pragma once

#include "SceneOptions.h"

#include <opencv2/core/types.hpp>

#include <algorithm>

namespace descry {

// A point on the flat ground in metres: x to the camera's right, z away from the camera.
struct GroundPoint {
    double x = 0, z = 0;
};

// The fixed surveillance camera of a synthetic scene: a pinhole looking down at flat ground,
// set up from the options so that an average person (1.7 m) is `minHeight` pixels tall with
// the feet at farY() and `maxHeight` with the feet on the bottom edge. Straight walks on the
// ground therefore look right in the image: farther up is smaller and slower.
class SceneCamera {
public:
    static constexpr double kPersonHeight = 1.7; // metres

    explicit SceneCamera(const SceneOptions &o)
        : m_width(o.width)
        , m_height(o.height)
        , m_focal(o.width)
    {
        m_farY = std::min(0.55 * o.height, std::max(0.2 * o.height, 1.15 * o.minHeight + 2));
        // Pixels of person height per pixel of foot position below the horizon.
        m_slope = std::max(1e-3, static_cast<double>(o.maxHeight - o.minHeight) / (o.height - m_farY));
        m_horizonY = m_farY - o.minHeight / m_slope;
        m_cameraHeight = kPersonHeight / m_slope;
    }

    int width() const { return m_width; }
    int height() const { return m_height; }
    double farY() const { return m_farY; } // foot row of the far end of the ground
    double horizonY() const { return m_horizonY; } // may be above the frame (negative)
    double slope() const { return m_slope; }

    cv::Point2d project(GroundPoint g) const
    {
        return { m_width / 2.0 + m_focal * g.x / g.z, m_horizonY + m_focal * m_cameraHeight / g.z };
    }
    // The ground point seen at image point `p` (p.y must be below the horizon).
    GroundPoint ground(cv::Point2d p) const
    {
        const double z = m_focal * m_cameraHeight / std::max(1e-6, p.y - m_horizonY);
        return { (p.x - m_width / 2.0) * z / m_focal, z };
    }
    // Pixel height of a person `scale` times the average height with the feet at row footY.
    double personHeight(double footY, double scale = 1) const
    {
        return (footY - m_horizonY) * m_slope * scale;
    }
    // Pixels per metre of upright size at foot row footY.
    double pixelsPerMetre(double footY) const { return personHeight(footY) / kPersonHeight; }

private:
    int m_width, m_height;
    double m_focal;
    double m_farY = 0, m_slope = 0, m_horizonY = 0, m_cameraHeight = 0;
};

} // namespace descry
