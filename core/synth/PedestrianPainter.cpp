#include "PedestrianPainter.h"

#include "ClothShader.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace descry {

namespace {

constexpr int kShift = 4; // fixed-point bits for sub-pixel drawing
constexpr double kOne = 1 << kShift;
constexpr double kTwoPi = 2 * std::numbers::pi;

// Body coordinates: x in units of the person's height, positive towards the person's front
// (profile) or the image right (front view); y from the crown (0) to the soles (1).
struct BodyPoint {
    double x = 0, y = 0;
};

BodyPoint lerp(BodyPoint a, BodyPoint b, double t)
{
    return { a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t };
}

// A point at `length` from `from` in direction `angle` (0 = straight down, positive = forward).
BodyPoint swing(BodyPoint from, double length, double angle)
{
    return { from.x + length * std::sin(angle), from.y + length * std::cos(angle) };
}

cv::Scalar colourOf(const Bgr &c, double shade = 1)
{
    return { std::min(255.0, c.b * shade), std::min(255.0, c.g * shade), std::min(255.0, c.r * shade), 255 };
}

// Maps body coordinates to the sprite and draws anti-aliased primitives on it.
class BodyCanvas {
public:
    BodyCanvas(cv::Mat &sprite, double centreX, double crownY, double height, double direction)
        : m_sprite(sprite)
        , m_cx(centreX)
        , m_top(crownY)
        , m_h(height)
        , m_dir(direction)
    { }

    cv::Point pt(BodyPoint p) const
    {
        return { static_cast<int>(std::lround((m_cx + m_dir * p.x * m_h) * kOne)),
            static_cast<int>(std::lround((m_top + p.y * m_h) * kOne)) };
    }
    int px(double v) const { return std::max(1, static_cast<int>(std::lround(v * m_h))); }
    double height() const { return m_h; }

    void limb(BodyPoint a, BodyPoint b, double thickness, const cv::Scalar &colour) const
    {
        cv::line(m_sprite, pt(a), pt(b), colour, px(thickness), cv::LINE_AA, kShift);
    }
    void ellipse(
        BodyPoint c, double ax, double ay, const cv::Scalar &colour, double start = 0, double end = 360) const
    {
        const cv::Size axes(std::max(1, static_cast<int>(std::lround(ax * m_h * kOne))),
            std::max(1, static_cast<int>(std::lround(ay * m_h * kOne))));
        // A mirrored body mirrors its partial arcs too.
        if (m_dir < 0 && (start != 0 || end != 360)) {
            const double s = 180 - end;
            end = 180 - start;
            start = s;
        }
        cv::ellipse(m_sprite, pt(c), axes, 0, start, end, colour, cv::FILLED, cv::LINE_AA, kShift);
    }
    // A straight-ended strip from a to b (a trouser leg cut off at the hem), widths at each end.
    void band(BodyPoint a, BodyPoint b, double widthA, double widthB, const cv::Scalar &colour) const
    {
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double len = std::max(1e-9, std::hypot(dx, dy));
        const double nx = -dy / len, ny = dx / len;
        polygon({ { a.x + nx * widthA / 2, a.y + ny * widthA / 2 },
                    { b.x + nx * widthB / 2, b.y + ny * widthB / 2 },
                    { b.x - nx * widthB / 2, b.y - ny * widthB / 2 },
                    { a.x - nx * widthA / 2, a.y - ny * widthA / 2 } },
            colour);
    }
    void polygon(std::initializer_list<BodyPoint> points, const cv::Scalar &colour) const
    {
        std::vector<cv::Point> pts;
        pts.reserve(points.size());
        for (const BodyPoint &p : points)
            pts.push_back(pt(p));
        cv::fillConvexPoly(m_sprite, pts, colour, cv::LINE_AA, kShift);
    }

private:
    cv::Mat &m_sprite;
    double m_cx, m_top, m_h, m_dir;
};

// The joints of one leg or arm for the current phase.
struct Limb {
    BodyPoint root, joint, end;
};

// Draws one pedestrian; split into body parts so each stays short and readable.
class FigureDrawer {
public:
    FigureDrawer(const PersonAppearance &a, const PedestrianPose &pose, const BodyCanvas &canvas)
        : m_a(a)
        , m_pose(pose)
        , m_c(canvas)
        , m_w(a.widthScale)
        , m_profile(pose.facing == Facing::Left || pose.facing == Facing::Right)
        , m_back(pose.facing == Facing::Back)
    {
        computeLegs();
    }

    void draw() const
    {
        if (m_profile)
            drawProfile();
        else
            drawFrontOrBack();
    }

private:
    // --- skeleton -------------------------------------------------------------------
    double legAngle(double phase) const { return 0.42 * m_pose.stride * std::sin(kTwoPi * phase); }

    Limb profileLeg(double phase) const
    {
        const double thigh = legAngle(phase);
        // The knee bends while the foot swings forward through the air.
        const double bend = 0.65 * m_pose.stride * std::max(0.0, std::cos(kTwoPi * phase));
        const BodyPoint hip { 0, 0.5 };
        const BodyPoint knee = swing(hip, 0.235, thigh);
        return { hip, knee, swing(knee, 0.225, thigh - bend) };
    }

    Limb frontLeg(double side, double phase) const
    {
        // Seen from the front the forward foot is nearer (lower in the image), the back
        // foot farther and lifted; from behind it is the other way round.
        const double s = std::sin(kTwoPi * phase) * m_pose.stride * (m_back ? -1 : 1);
        const BodyPoint hip { side * 0.048 * m_w, 0.5 };
        const BodyPoint ankle { side * 0.046 * m_w, 0.955 + 0.016 * s - 0.02 * std::max(0.0, -s) };
        const BodyPoint knee { side * 0.05 * m_w, 0.5 + (ankle.y - 0.5) * 0.5 - 0.01 * std::max(0.0, -s) };
        return { hip, knee, ankle };
    }

    void computeLegs()
    {
        if (m_profile) {
            m_legs[0] = profileLeg(m_pose.phase);
            m_legs[1] = profileLeg(m_pose.phase + 0.5);
        } else {
            m_legs[0] = frontLeg(-1, m_pose.phase);
            m_legs[1] = frontLeg(+1, m_pose.phase + 0.5);
        }
        // The body sits on its lowest foot: the hips drop a little mid-stride, as they do.
        const double lowest = std::max(m_legs[0].end.y, m_legs[1].end.y);
        m_bob = 0.955 - lowest;
        for (Limb &leg : m_legs) {
            leg.root.y += m_bob;
            leg.joint.y += m_bob;
            leg.end.y += m_bob;
        }
    }

    BodyPoint body(double x, double y) const { return { x, y + m_bob }; }

    Limb profileArm(double phase) const
    {
        // Arms swing against the leg on the same side.
        const double upper = -0.32 * m_pose.stride * std::sin(kTwoPi * phase);
        const BodyPoint shoulder = body(0, 0.19);
        const BodyPoint elbow = swing(shoulder, 0.16, upper);
        return { shoulder, elbow, swing(elbow, 0.15, upper + 0.2 + 0.25 * std::max(0.0, -upper)) };
    }

    Limb frontArm(double side, double phase) const
    {
        const double sw = shoulderHalfWidth();
        const double lift = 0.03 * m_pose.stride * std::max(0.0, std::sin(kTwoPi * phase));
        const BodyPoint shoulder = body(side * (sw - 0.014), 0.192);
        const BodyPoint elbow = body(side * (sw + 0.006), 0.345);
        return { shoulder, elbow, body(side * (sw - 0.004 - lift * 0.3), 0.485 - lift) };
    }

    double shoulderHalfWidth() const { return 0.112 * m_w; }

    // --- garments and parts ----------------------------------------------------------
    cv::Scalar skin(double shade = 1) const { return colourOf(m_a.palette.skin, shade); }
    cv::Scalar upper(double shade = 1) const { return colourOf(m_a.palette.upper, shade); }
    cv::Scalar lower(double shade = 1) const { return colourOf(m_a.palette.lower, shade); }

    bool legsBare() const
    {
        return m_a.hasDress() || m_a.lower == LowerGarment::Skirt || m_a.lower == LowerGarment::Shorts;
    }

    void drawLeg(const Limb &leg, double shade) const
    {
        const double thigh = (m_profile ? 0.078 : 0.084) * m_w;
        const double shin = (m_profile ? 0.062 : 0.066) * m_w;
        const cv::Scalar cloth = legsBare() ? skin(shade) : lower(shade);
        m_c.limb(leg.root, leg.joint, thigh, cloth);
        m_c.limb(leg.joint, leg.end, shin, cloth);
        if (!m_a.hasDress() && m_a.lower == LowerGarment::Shorts)
            m_c.band(leg.root, lerp(leg.root, leg.joint, 0.62), thigh * 1.15, thigh * 1.2, lower(shade));
        drawShoe(leg.end, shade);
    }

    // Fills the crotch between the thighs of trousers and shorts seen from front or back.
    void drawPelvisFront() const
    {
        if (m_a.hasDress() || m_a.lower == LowerGarment::Skirt)
            return;
        const double half = 0.094 * m_w;
        m_c.polygon({ body(-half, 0.48), body(half, 0.48), body(half * 0.9, 0.57), body(-half * 0.9, 0.57) },
            lower());
    }

    void drawShoe(BodyPoint ankle, double shade) const
    {
        const cv::Scalar colour = colourOf(m_a.palette.shoes, shade);
        if (m_a.extras.boots) // the shaft, over the trouser hem or the bare shin
            m_c.limb({ ankle.x, ankle.y - 0.055 }, { ankle.x + (m_profile ? 0.01 : 0.0), ankle.y + 0.015 },
                (m_profile ? 0.066 : 0.07) * m_w, colour);
        if (m_profile)
            m_c.ellipse({ ankle.x + 0.022, ankle.y + 0.025 }, 0.05, 0.024, colour);
        else
            m_c.ellipse({ ankle.x, ankle.y + 0.024 }, 0.034, 0.024, colour);
    }

    void drawArm(const Limb &arm, double shade) const
    {
        const double width = 0.054 * std::sqrt(m_w);
        const cv::Scalar sleeve = upper(shade);
        if (m_a.hasShortSleeves()) {
            m_c.limb(arm.root, arm.joint, width * 0.92, skin(shade));
            m_c.limb(arm.joint, arm.end, width * 0.85, skin(shade));
            m_c.limb(arm.root, lerp(arm.root, arm.joint, 0.5), width * 1.05, sleeve);
        } else {
            m_c.limb(arm.root, arm.joint, width, sleeve);
            m_c.limb(arm.joint, arm.end, width * 0.92, sleeve);
        }
        const BodyPoint hand = lerp(arm.joint, arm.end, 1.12);
        m_c.ellipse(hand, 0.022, 0.026, skin(shade));
    }

    // Hem of the upper garment: coats and dresses reach over the thighs.
    double hemY() const
    {
        if (m_a.upper == UpperGarment::Coat)
            return 0.74;
        return m_a.upper == UpperGarment::Jacket ? 0.53 : 0.52;
    }

    void drawTorsoFront() const
    {
        const double sw = shoulderHalfWidth();
        const double hip = 0.098 * m_w;
        const double hem = hemY();
        const double hemHalf = hem > 0.6 ? 0.118 * m_w : hip;
        m_c.limb(body(0, 0.115), body(0, 0.18), 0.046, skin());
        m_c.polygon({ body(-sw, 0.2), body(sw, 0.2), body(0.095 * m_w, 0.38), body(hip, 0.5),
                        body(hemHalf, hem), body(-hemHalf, hem), body(-hip, 0.5), body(-0.095 * m_w, 0.38) },
            upper());
        m_c.ellipse(body(0, 0.2), sw, 0.032, upper(), 180, 360);
        drawGarmentDetailFront(sw, hem);
        if (m_a.hasDress() || (m_a.lower == LowerGarment::Skirt))
            drawSkirtFront();
    }

    void drawGarmentDetailFront(double sw, double hem) const
    {
        if (m_back)
            return;
        const double lineWidth = 0.008;
        switch (m_a.upper) {
        case UpperGarment::Jacket:
        case UpperGarment::Coat:
            m_c.limb(body(0, 0.2), body(0, hem - 0.01), lineWidth, upper(0.65));
            m_c.polygon({ body(-0.04, 0.17), body(0, 0.24), body(0.04, 0.17) }, upper(0.8));
            break;
        case UpperGarment::Shirt:
            m_c.polygon({ body(-0.035, 0.17), body(0, 0.215), body(0.035, 0.17) }, upper(1.15));
            break;
        case UpperGarment::Sweater:
            m_c.limb(body(-0.09 * m_w, hem - 0.012), body(0.09 * m_w, hem - 0.012), 0.016, upper(0.8));
            break;
        case UpperGarment::TShirt:
        case UpperGarment::Dress:
            m_c.ellipse(body(0, 0.175), 0.03, 0.014, skin(), 0, 180);
            break;
        }
        (void)sw;
    }

    void drawSkirtFront() const
    {
        const double hem = m_a.hasDress() ? 0.73 : 0.69;
        const double half = (m_a.hasDress() ? 0.135 : 0.128) * m_w;
        m_c.polygon({ body(-0.096 * m_w, 0.46), body(0.096 * m_w, 0.46), body(half, hem), body(-half, hem) },
            lower());
    }

    void drawTorsoProfile() const
    {
        const double w = m_w;
        const double hem = hemY();
        const double hemBack = hem > 0.6 ? -0.08 * w : -0.062 * w;
        const double hemFront = hem > 0.6 ? 0.075 * w : 0.058 * w;
        m_c.limb(body(0.004, 0.11), body(0, 0.18), 0.045, skin());
        m_c.polygon(
            { body(-0.056 * w, 0.19), body(0.05 * w, 0.19), body(0.064 * w, 0.28), body(0.052 * w, 0.42),
                body(hemFront, hem), body(hemBack, hem), body(-0.058 * w, 0.44), body(-0.064 * w, 0.27) },
            upper());
        m_c.ellipse(body(-0.003, 0.2), 0.056 * w, 0.03, upper(), 180, 360);
        if (m_a.hasDress() || m_a.lower == LowerGarment::Skirt) {
            const double skirtHem = m_a.hasDress() ? 0.73 : 0.69;
            m_c.polygon({ body(-0.06 * w, 0.46), body(0.055 * w, 0.46), body(0.09 * w, skirtHem),
                            body(-0.1 * w, skirtHem) },
                lower());
        }
    }

    // Hair that falls behind the shoulders (front view) or down the back (back/profile).
    void drawLongHair() const
    {
        if (m_a.hairLength != HairLength::Long)
            return;
        const cv::Scalar hair = colourOf(m_a.palette.hair);
        if (m_profile)
            m_c.polygon({ body(-0.052, 0.05), body(0.0, 0.05), body(-0.02, 0.25), body(-0.064, 0.25) }, hair);
        else
            m_c.polygon(
                { body(-0.058, 0.06), body(0.058, 0.06), body(0.064, 0.26), body(-0.064, 0.26) }, hair);
    }

    void drawHead() const
    {
        const cv::Scalar hair = colourOf(m_a.palette.hair);
        if (m_a.extras.curly && !m_a.extras.hood) {
            // Curls: a bumpy outline around the crown and the sides.
            for (int k = 0; k < 7; ++k) {
                const double angle = kTwoPi * (0.55 + 0.4 * k / 6.0);
                m_c.ellipse(
                    body(0.05 * std::cos(angle) - (m_profile ? 0.01 : 0.0), 0.064 + 0.058 * std::sin(angle)),
                    0.022, 0.022, hair);
            }
        }
        if (m_a.extras.hood) {
            // The hood up: the garment around the head, the face showing from the front.
            const cv::Scalar hood = upper(0.92);
            if (m_profile) {
                m_c.ellipse(body(-0.006, 0.066), 0.06, 0.07, hood);
                m_c.ellipse(body(0.03, 0.078), 0.028, 0.045, skin());
            } else {
                m_c.ellipse(body(0, 0.064), 0.062, 0.072, hood);
                if (!m_back)
                    m_c.ellipse(body(0, 0.08), 0.04, 0.05, skin());
            }
            drawBeard();
            drawHat();
            return;
        }
        if (m_profile) {
            m_c.ellipse(body(0.006, 0.068), 0.049, 0.062, skin());
            m_c.ellipse(body(0.053, 0.074), 0.011, 0.011, skin());
            m_c.ellipse(body(-0.012, 0.055), 0.048, 0.05, hair);
        } else if (m_back) {
            m_c.ellipse(body(0, 0.066), 0.05, 0.063, hair);
        } else {
            m_c.ellipse(body(0, 0.062), 0.053, 0.062, hair);
            m_c.ellipse(body(0, 0.075), 0.046, 0.055, skin());
            if (m_c.height() >= 90) {
                m_c.ellipse(body(-0.018, 0.07), 0.006, 0.005, colourOf(m_a.palette.hair, 0.6));
                m_c.ellipse(body(0.018, 0.07), 0.006, 0.005, colourOf(m_a.palette.hair, 0.6));
            }
        }
        drawBeard();
        drawHat();
    }

    void drawBeard() const
    {
        if (!m_a.extras.beard || m_back)
            return;
        const cv::Scalar beard = colourOf(m_a.palette.hair, 0.9);
        if (m_profile)
            m_c.ellipse(body(0.022, 0.104), 0.03, 0.022, beard);
        else
            m_c.ellipse(body(0, 0.106), 0.04, 0.024, beard);
    }

    void drawScarf() const
    {
        if (!m_a.extras.scarf)
            return;
        const cv::Scalar scarf = colourOf(m_a.extras.scarfBgr);
        const double sw = shoulderHalfWidth();
        m_c.limb(body(-sw * 0.5, 0.16), body(sw * 0.5, 0.16), 0.04, scarf);
        if (m_profile)
            m_c.limb(body(0.03, 0.16), body(0.04, 0.3), 0.028, colourOf(m_a.extras.scarfBgr, 0.85));
        else if (!m_back)
            m_c.limb(body(sw * 0.2, 0.16), body(sw * 0.25, 0.32), 0.03, colourOf(m_a.extras.scarfBgr, 0.85));
    }

    void drawHat() const
    {
        const cv::Scalar hat = colourOf(m_a.palette.hat);
        const double front = m_profile ? 0.012 : 0;
        switch (m_a.hat) {
        case HatType::None:
            return;
        case HatType::Cap:
            m_c.ellipse(body(front * 0.5, 0.04), 0.054, 0.042, hat, 180, 360);
            if (m_profile)
                m_c.limb(body(0.03, 0.038), body(0.085, 0.042), 0.014, hat);
            else if (!m_back)
                m_c.ellipse(body(0, 0.04), 0.05, 0.012, colourOf(m_a.palette.hat, 0.8));
            return;
        case HatType::Beanie:
            m_c.ellipse(body(front * 0.3, 0.042), 0.055, 0.052, hat, 180, 360);
            m_c.limb(body(-0.05, 0.04), body(0.05, 0.04), 0.02, colourOf(m_a.palette.hat, 0.85));
            return;
        case HatType::Hat:
            m_c.ellipse(body(0, 0.035), 0.088, 0.015, colourOf(m_a.palette.hat, 0.85));
            m_c.polygon(
                { body(-0.044, -0.02), body(0.044, -0.02), body(0.048, 0.035), body(-0.048, 0.035) }, hat);
            return;
        }
    }

    // --- accessories ------------------------------------------------------------------
    cv::Scalar bag(double shade = 1) const { return colourOf(m_a.palette.accessory, shade); }

    void drawBackpackBehind() const
    {
        // From the front only the straps show (drawn later); in profile the pack sticks
        // out behind the back; from behind it covers most of the torso.
        if (m_a.accessory != Accessory::Backpack)
            return;
        if (m_profile) {
            m_c.polygon(
                { body(-0.045, 0.2), body(-0.13, 0.21), body(-0.14, 0.43), body(-0.045, 0.44) }, bag());
            m_c.limb(body(-0.13, 0.22), body(-0.13, 0.42), 0.012, bag(0.75));
        }
    }

    void drawBackpackFront() const
    {
        if (m_a.accessory != Accessory::Backpack)
            return;
        const double sw = shoulderHalfWidth();
        if (m_back) {
            // Straps over the shoulders, then the pack: about two thirds of the back's width,
            // so the garment still shows around it.
            m_c.limb(body(-sw * 0.6, 0.19), body(-sw * 0.6, 0.4), 0.016, bag(0.85));
            m_c.limb(body(sw * 0.6, 0.19), body(sw * 0.6, 0.4), 0.016, bag(0.85));
            m_c.polygon(
                { body(-0.066, 0.22), body(0.066, 0.22), body(0.072, 0.43), body(-0.072, 0.43) }, bag());
            m_c.polygon(
                { body(-0.056, 0.34), body(0.056, 0.34), body(0.06, 0.42), body(-0.06, 0.42) }, bag(0.8));
        } else if (m_profile) {
            m_c.limb(body(0.01, 0.19), body(0.035, 0.36), 0.014, bag(0.8));
        } else {
            m_c.limb(body(-sw * 0.55, 0.18), body(-sw * 0.6, 0.4), 0.018, bag(0.85));
            m_c.limb(body(sw * 0.55, 0.18), body(sw * 0.6, 0.4), 0.018, bag(0.85));
        }
    }

    void drawShoulderBag() const
    {
        if (m_a.accessory != Accessory::ShoulderBag)
            return;
        const double sw = shoulderHalfWidth();
        if (m_profile) {
            m_c.limb(body(0.0, 0.19), body(-0.01, 0.45), 0.012, bag(0.8));
            m_c.polygon({ body(-0.06, 0.43), body(0.05, 0.43), body(0.05, 0.56), body(-0.06, 0.56) }, bag());
            return;
        }
        m_c.limb(body(-sw * 0.7, 0.18), body(sw + 0.02, 0.46), 0.013, bag(0.8));
        m_c.polygon(
            { body(sw - 0.03, 0.44), body(sw + 0.07, 0.44), body(sw + 0.07, 0.57), body(sw - 0.03, 0.57) },
            bag());
    }

    void drawHandbag(const Limb &arm) const
    {
        if (m_a.accessory != Accessory::Handbag)
            return;
        const BodyPoint hand = lerp(arm.joint, arm.end, 1.12);
        m_c.limb(hand, { hand.x, hand.y + 0.03 }, 0.01, bag(0.7));
        m_c.polygon({ { hand.x - 0.04, hand.y + 0.03 }, { hand.x + 0.04, hand.y + 0.03 },
                        { hand.x + 0.048, hand.y + 0.11 }, { hand.x - 0.048, hand.y + 0.11 } },
            bag());
    }

    // --- glasses, masks, things in the hand ------------------------------------------------
    void drawFaceWear() const
    {
        const PersonExtras &e = m_a.extras;
        if (e.face == FaceWear::None || m_back)
            return;
        const cv::Scalar frame(28, 28, 30);
        if (e.face == FaceWear::Mask) {
            const cv::Scalar mask = colourOf(e.mask);
            if (m_profile) {
                m_c.ellipse(body(0.03, 0.094), 0.03, 0.024, mask);
                m_c.limb(body(0.02, 0.085), body(-0.03, 0.07), 0.006, colourOf(e.mask, 0.85));
            } else {
                m_c.ellipse(body(0, 0.097), 0.037, 0.024, mask);
                m_c.limb(body(-0.04, 0.088), body(-0.048, 0.075), 0.005, colourOf(e.mask, 0.85));
                m_c.limb(body(0.04, 0.088), body(0.048, 0.075), 0.005, colourOf(e.mask, 0.85));
            }
            return;
        }
        // Glasses: dark frames around lenses that show the skin; sunglasses: dark lenses.
        const bool dark = e.face == FaceWear::Sunglasses;
        if (m_profile) {
            m_c.limb(body(0.036, 0.07), body(-0.012, 0.067), 0.006, frame);
            m_c.ellipse(body(0.04, 0.071), 0.01, 0.009, frame);
            if (!dark)
                m_c.ellipse(body(0.041, 0.071), 0.006, 0.005, skin(1.08));
            return;
        }
        for (const double side : { -1.0, 1.0 }) {
            m_c.ellipse(body(side * 0.019, 0.07), 0.014, 0.01, frame);
            if (!dark)
                m_c.ellipse(body(side * 0.019, 0.07), 0.009, 0.006, skin(1.08));
        }
        m_c.limb(body(-0.006, 0.069), body(0.006, 0.069), 0.004, frame);
    }

    // The thing in the hand at the end of `arm`.
    void drawHeldItem(const Limb &arm) const
    {
        const PersonExtras &e = m_a.extras;
        const BodyPoint hand = lerp(arm.joint, arm.end, 1.12);
        const cv::Scalar colour = colourOf(e.heldBgr);
        switch (e.held) {
        case HeldItem::None:
            return;
        case HeldItem::Phone:
            m_c.polygon({ { hand.x - 0.011, hand.y - 0.03 }, { hand.x + 0.011, hand.y - 0.03 },
                            { hand.x + 0.011, hand.y + 0.012 }, { hand.x - 0.011, hand.y + 0.012 } },
                colour);
            return;
        case HeldItem::Papers:
            m_c.polygon({ { hand.x - 0.035, hand.y - 0.05 }, { hand.x + 0.03, hand.y - 0.055 },
                            { hand.x + 0.035, hand.y + 0.035 }, { hand.x - 0.03, hand.y + 0.04 } },
                colour);
            m_c.limb({ hand.x - 0.02, hand.y - 0.02 }, { hand.x + 0.02, hand.y - 0.022 }, 0.003,
                colourOf(e.heldBgr, 0.7));
            return;
        case HeldItem::ShoppingBag:
            m_c.limb(hand, { hand.x - 0.03, hand.y + 0.04 }, 0.006, colourOf(e.heldBgr, 0.7));
            m_c.limb(hand, { hand.x + 0.03, hand.y + 0.04 }, 0.006, colourOf(e.heldBgr, 0.7));
            m_c.polygon({ { hand.x - 0.055, hand.y + 0.04 }, { hand.x + 0.055, hand.y + 0.04 },
                            { hand.x + 0.06, hand.y + 0.19 }, { hand.x - 0.06, hand.y + 0.19 } },
                colour);
            return;
        case HeldItem::Umbrella: {
            // Closed and hanging, its tip swinging a little behind the hand.
            const BodyPoint tip { hand.x - (m_profile ? 0.06 : 0.0), std::min(0.96, hand.y + 0.36) };
            m_c.limb(hand, tip, 0.012, colourOf(e.heldBgr, 0.8));
            m_c.band(lerp(hand, tip, 0.12), lerp(hand, tip, 0.85), 0.03, 0.012, colour);
            m_c.limb({ hand.x - 0.012, hand.y - 0.02 }, hand, 0.01, cv::Scalar(30, 30, 30));
            return;
        }
        case HeldItem::Suitcase: {
            // Rolled on its wheels: behind the walker in profile, beside the leg otherwise.
            const double x = m_profile ? -0.17 : hand.x + 0.02;
            const double half = m_profile ? 0.07 : 0.055;
            m_c.limb(hand, { x + (m_profile ? 0.05 : 0.0), 0.7 + m_bob }, 0.008, cv::Scalar(40, 40, 42));
            m_c.polygon(
                { body(x - half, 0.7), body(x + half, 0.7), body(x + half, 0.94), body(x - half, 0.94) },
                colour);
            m_c.limb(body(x - half * 0.6, 0.75), body(x - half * 0.6, 0.9), 0.006, colourOf(e.heldBgr, 0.75));
            return;
        }
        }
    }

    // --- views ------------------------------------------------------------------------
    void drawProfile() const
    {
        constexpr double far = 0.72;
        const Limb farArm = profileArm(m_pose.phase);
        const Limb nearArm = profileArm(m_pose.phase + 0.5);
        drawArm(farArm, far);
        if (m_a.accessory == Accessory::Handbag)
            drawHeldItem(farArm);
        drawLeg(m_legs[0], far);
        drawLeg(m_legs[1], 1);
        drawTorsoProfile();
        drawBackpackBehind();
        drawLongHair();
        drawShoulderBag();
        drawBackpackFront();
        drawArm(nearArm, 1);
        drawHandbag(nearArm);
        if (m_a.accessory != Accessory::Handbag)
            drawHeldItem(nearArm);
        drawScarf();
        drawHead();
        drawFaceWear();
    }

    void drawFrontOrBack() const
    {
        const Limb left = frontArm(-1, m_pose.phase + 0.5);
        const Limb right = frontArm(+1, m_pose.phase);
        if (!m_back)
            drawLongHair();
        drawLeg(m_legs[0], 1);
        drawLeg(m_legs[1], 1);
        drawPelvisFront();
        drawTorsoFront();
        if (m_back)
            drawLongHair();
        drawBackpackFront();
        drawArm(left, 1);
        drawArm(right, 1);
        drawShoulderBag();
        drawHandbag(right);
        drawHeldItem(left);
        drawScarf();
        drawHead();
        drawFaceWear();
    }

    const PersonAppearance &m_a;
    const PedestrianPose &m_pose;
    const BodyCanvas &m_c;
    double m_w;
    bool m_profile;
    bool m_back;
    Limb m_legs[2];
    double m_bob = 0;
};

// Flat fills read as cut-outs; real bodies are round and lit from above. Darkens pixels
// near the silhouette (by their distance to it) and towards the feet, so the figure gets
// some volume. Works on premultiplied colour, so alpha and the mask are unchanged.
void shadeVolume(cv::Mat &bgra, double height)
{
    cv::Mat alpha, inside, distance;
    cv::extractChannel(bgra, alpha, 3);
    cv::threshold(alpha, inside, 127, 255, cv::THRESH_BINARY);
    cv::distanceTransform(inside, distance, cv::DIST_L2, 3);
    const float roundness = static_cast<float>(std::max(1.5, 0.035 * height));
    for (int y = 0; y < bgra.rows; ++y) {
        cv::Vec4b *p = bgra.ptr<cv::Vec4b>(y);
        const float *d = distance.ptr<float>(y);
        const float vertical = 1.04f - 0.12f * static_cast<float>(y) / static_cast<float>(bgra.rows);
        for (int x = 0; x < bgra.cols; ++x) {
            if (p[x][3] == 0)
                continue;
            const float edge = std::min(1.f, d[x] / roundness);
            const float gain = vertical * (0.72f + 0.28f * std::sqrt(edge));
            for (int c = 0; c < 3; ++c)
                p[x][c] = cv::saturate_cast<uint8_t>(p[x][c] * gain);
        }
    }
}

} // namespace

cv::Mat PersonSprite::mask() const
{
    cv::Mat alpha;
    if (bgra.empty())
        return alpha;
    cv::extractChannel(bgra, alpha, 3);
    cv::threshold(alpha, alpha, 127, 255, cv::THRESH_BINARY);
    return alpha;
}

cv::Rect PersonSprite::maskBounds(const cv::Rect &clip) const
{
    const cv::Rect area = clip.empty() ? rect() : (rect() & clip);
    if (area.empty())
        return {};
    const cv::Mat m = mask();
    const cv::Rect local = cv::boundingRect(m(cv::Rect(area.tl() - origin, area.size())));
    return local.empty() ? cv::Rect() : cv::Rect(local.tl() + area.tl(), local.size());
}

PedestrianPainter::PedestrianPainter(const PersonAppearance &appearance)
    : m_appearance(appearance)
{ }

PersonSprite PedestrianPainter::draw(const PedestrianPose &pose) const
{
    const double h = std::max(4.0, static_cast<double>(pose.height));
    // Room for swinging arms, bags, a brimmed hat and anti-aliased edges.
    const int left = static_cast<int>(std::floor(pose.foot.x - 0.3 * h)) - 2;
    const int top = static_cast<int>(std::floor(pose.foot.y - 1.06 * h)) - 2;
    const int right = static_cast<int>(std::ceil(pose.foot.x + 0.3 * h)) + 2;
    const int bottom = static_cast<int>(std::ceil(pose.foot.y + 0.02 * h)) + 2;

    PersonSprite sprite;
    sprite.origin = { left, top };
    sprite.bgra = cv::Mat::zeros(bottom - top, right - left, CV_8UC4);
    const double direction = (pose.facing == Facing::Left || pose.facing == Facing::Back) ? -1 : 1;
    const double centreX = pose.foot.x - left, crownY = pose.foot.y - h - top;
    const BodyCanvas canvas(sprite.bgra, centreX, crownY, h, direction);
    FigureDrawer(m_appearance, pose, canvas).draw();
    if (!m_appearance.cloth.isFlat()) {
        // The same pose once more in label colours says which garment each pixel shows.
        cv::Mat labels = cv::Mat::zeros(sprite.bgra.size(), CV_8UC4);
        PersonAppearance labelled = m_appearance;
        labelled.palette = ClothShader::labelPalette();
        labelled.extras.mask = labelled.extras.heldBgr = labelled.extras.scarfBgr
            = labelled.palette.skin; // "other", not a garment
        FigureDrawer(labelled, pose, BodyCanvas(labels, centreX, crownY, h, direction)).draw();
        ClothShader::apply(sprite.bgra, ClothShader::partsOf(labels), m_appearance,
            { centreX, crownY, h, pose.facing == Facing::Front });
    }
    shadeVolume(sprite.bgra, h);
    return sprite;
}

void PedestrianPainter::composite(const PersonSprite &sprite, cv::Mat &image)
{
    CV_Assert(image.type() == CV_8UC3 && sprite.bgra.type() == CV_8UC4);
    const cv::Rect area = sprite.rect() & cv::Rect(0, 0, image.cols, image.rows);
    for (int y = area.y; y < area.y + area.height; ++y) {
        const cv::Vec4b *src = sprite.bgra.ptr<cv::Vec4b>(y - sprite.origin.y) + (area.x - sprite.origin.x);
        cv::Vec3b *dst = image.ptr<cv::Vec3b>(y) + area.x;
        for (int x = 0; x < area.width; ++x) {
            const int a = src[x][3];
            if (a == 0)
                continue;
            const int keep = 255 - a;
            for (int c = 0; c < 3; ++c)
                dst[x][c] = cv::saturate_cast<uint8_t>(src[x][c] + (dst[x][c] * keep + 127) / 255);
        }
    }
}

void PedestrianPainter::paintShadow(cv::Mat &image, const PedestrianPose &pose, double strength)
{
    const double h = pose.height;
    const cv::Point2f centre(pose.foot.x + static_cast<float>(0.04 * h), pose.foot.y);
    const cv::Rect box(
        cv::Point(static_cast<int>(centre.x - 0.22 * h) - 1, static_cast<int>(centre.y - 0.05 * h) - 1),
        cv::Point(static_cast<int>(centre.x + 0.22 * h) + 2, static_cast<int>(centre.y + 0.05 * h) + 2));
    const cv::Rect area = box & cv::Rect(0, 0, image.cols, image.rows);
    if (area.empty())
        return;
    // Darken by a smooth elliptic falloff (no hard edge a background model would latch onto).
    const double ax = 0.2 * h, ay = 0.035 * h;
    for (int y = area.y; y < area.y + area.height; ++y) {
        cv::Vec3b *row = image.ptr<cv::Vec3b>(y);
        for (int x = area.x; x < area.x + area.width; ++x) {
            const double dx = (x - centre.x) / ax, dy = (y - centre.y) / ay;
            const double r2 = dx * dx + dy * dy;
            if (r2 >= 1)
                continue;
            const double keep = 1 - strength * (1 - r2);
            for (int c = 0; c < 3; ++c)
                row[x][c] = static_cast<uint8_t>(row[x][c] * keep);
        }
    }
}

cv::Rect PedestrianPainter::paint(cv::Mat &image, const PedestrianPose &pose, cv::Mat *mask) const
{
    const PersonSprite sprite = draw(pose);
    composite(sprite, image);
    const cv::Rect frame(0, 0, image.cols, image.rows);
    const cv::Rect area = sprite.rect() & frame;
    if (mask) {
        *mask = cv::Mat::zeros(image.size(), CV_8U);
        if (!area.empty())
            sprite.mask()(cv::Rect(area.tl() - sprite.origin, area.size())).copyTo((*mask)(area));
    }
    return sprite.maskBounds(frame);
}

} // namespace descry
