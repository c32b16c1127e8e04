#include "KalmanBoxFilter.h"

#include <opencv2/core.hpp>

#include <algorithm>

namespace descry {

namespace {

// DeepSORT's weights, relative to the box size. The velocity noise is twice DeepSORT's
// because processed frames may be several source frames apart (detection stride).
constexpr double kPositionWeight = 1.0 / 20.0;
constexpr double kVelocityWeight = 1.0 / 80.0;

using Diagonal = cv::Matx<double, 8, 1>;

cv::Matx<double, 8, 8> diagonal(const Diagonal &stds)
{
    cv::Matx<double, 8, 8> m = cv::Matx<double, 8, 8>::zeros();
    for (int i = 0; i < 8; ++i)
        m(i, i) = stds(i) * stds(i);
    return m;
}

} // namespace

KalmanBoxFilter::KalmanBoxFilter(const Box &box)
{
    const double w = std::max(1.f, box.w), h = std::max(1.f, box.h);
    m_x = State(box.centerX(), box.centerY(), w, h, 0, 0, 0, 0);
    const double p = 2 * kPositionWeight, v = 10 * kVelocityWeight;
    m_p = diagonal(Diagonal(p * h, p * h, p * w, p * h, v * h, v * h, v * w, v * h));
}

void KalmanBoxFilter::predict()
{
    const double w = m_x(2), h = m_x(3);
    for (int i = 0; i < 4; ++i)
        m_x(i) += m_x(i + 4);
    // A box never shrinks below a pixel, whatever the size velocity says.
    for (int i = 2; i < 4; ++i)
        if (m_x(i) < 1) {
            m_x(i) = 1;
            m_x(i + 4) = 0;
        }
    cv::Matx<double, 8, 8> f = cv::Matx<double, 8, 8>::eye();
    for (int i = 0; i < 4; ++i)
        f(i, i + 4) = 1;
    const double p = kPositionWeight, v = kVelocityWeight;
    const cv::Matx<double, 8, 8> q
        = diagonal(Diagonal(p * h, p * h, p * w, p * h, v * h, v * h, v * w, v * h));
    m_p = f * m_p * f.t() + q;
}

void KalmanBoxFilter::update(const Box &measured)
{
    const double h = m_x(3), w = m_x(2);
    const cv::Matx<double, 4, 1> z(
        measured.centerX(), measured.centerY(), std::max(1.f, measured.w), std::max(1.f, measured.h));
    cv::Matx<double, 4, 8> hm = cv::Matx<double, 4, 8>::zeros();
    for (int i = 0; i < 4; ++i)
        hm(i, i) = 1;
    const double p = kPositionWeight;
    cv::Matx<double, 4, 4> r = cv::Matx<double, 4, 4>::zeros();
    const double stds[4] = { p * h, p * h, p * w, p * h };
    for (int i = 0; i < 4; ++i)
        r(i, i) = stds[i] * stds[i];
    const cv::Matx<double, 4, 4> s = hm * m_p * hm.t() + r;
    const cv::Matx<double, 8, 4> k = m_p * hm.t() * s.inv(cv::DECOMP_CHOLESKY);
    const cv::Matx<double, 4, 1> innovation = z - hm * m_x;
    m_x = m_x + k * innovation;
    m_p = (cv::Matx<double, 8, 8>::eye() - k * hm) * m_p;
}

Box KalmanBoxFilter::box() const
{
    const float w = float(m_x(2)), h = float(m_x(3));
    return Box { float(m_x(0)) - w / 2, float(m_x(1)) - h / 2, w, h };
}

void KalmanBoxFilter::write(QDataStream &out) const
{
    for (int i = 0; i < 8; ++i)
        out << m_x(i);
    for (int i = 0; i < 64; ++i)
        out << m_p.val[i];
}

void KalmanBoxFilter::read(QDataStream &in)
{
    for (int i = 0; i < 8; ++i)
        in >> m_x(i);
    for (int i = 0; i < 64; ++i)
        in >> m_p.val[i];
}

} // namespace descry
