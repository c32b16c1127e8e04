#pragma once

#include "Box.h"

#include <QDataStream>

#include <opencv2/core/matx.hpp>

namespace descry {

// Constant-velocity Kalman filter on a box (centre x, centre y, width, height and their
// velocities), one step per processed frame. Noise scales with the box size, as in DeepSORT,
// so near and far people are tracked alike. Plain doubles in fixed order: deterministic, and
// serialisable bit for bit so a resumed tracker continues exactly.
class KalmanBoxFilter {
public:
    using State = cv::Matx<double, 8, 1>;
    using Covariance = cv::Matx<double, 8, 8>;

    KalmanBoxFilter() = default;
    explicit KalmanBoxFilter(const Box &box);

    void predict();
    void update(const Box &measured);

    Box box() const;
    // Velocity of the centre in pixels per processed frame.
    double velocityX() const { return m_x(4); }
    double velocityY() const { return m_x(5); }

    void write(QDataStream &out) const;
    void read(QDataStream &in);

private:
    State m_x = State::zeros();
    Covariance m_p = Covariance::zeros();
};

} // namespace descry
