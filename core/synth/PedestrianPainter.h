#pragma once

#include "PersonAppearance.h"

#include <opencv2/core/mat.hpp>

namespace descry {

// Which way a walker faces, as the camera sees it. Left/Right are profile views.
enum class Facing { Front, Back, Left, Right };

// Where and how one person stands in a frame.
struct PedestrianPose {
    cv::Point2f foot; // ground point midway between the feet, frame pixels (sub-pixel)
    float height = 100; // standing height from sole to crown in pixels (a hat adds to it)
    Facing facing = Facing::Front;
    double phase = 0; // walk cycle in [0, 1): one step of each leg; 0 = legs together
    double stride = 1; // swing amplitude: 1 walking, 0 standing still
};

// One drawn person: colour premultiplied by coverage, so sprites composite with soft
// (anti-aliased) edges and the coverage doubles as the person's mask.
struct PersonSprite {
    cv::Mat bgra; // CV_8UC4: B, G, R premultiplied by A; A = coverage 0..255
    cv::Point origin; // frame position of the sprite's top-left pixel (may be outside the frame)

    cv::Rect rect() const { return { origin.x, origin.y, bgra.cols, bgra.rows }; }
    // CV_8U sprite-sized mask, 255 where coverage >= 128 (the pixels that count as the person).
    cv::Mat mask() const;
    // Tight frame rectangle of the mask pixels that lie inside `clip` (frame coordinates; an
    // empty `clip` means no clipping). Empty when no mask pixel is there.
    cv::Rect maskBounds(const cv::Rect &clip = {}) const;
};

// Draws a synthetic pedestrian with OpenCV primitives (anti-aliased): skin head, hair or hat,
// torso in the upper garment, arms and legs swinging with the walk phase (profile views
// swing fore and aft with the far limbs shaded; front/back views lift the feet), garment
// lengths (short sleeves, shorts, skirt, coat), shoes and the accessory. Proportions follow
// a real pedestrian: head about 1/7.5 of the height, height about 3.5-4x the width.
class PedestrianPainter {
public:
    explicit PedestrianPainter(const PersonAppearance &appearance);

    const PersonAppearance &appearance() const { return m_appearance; }

    // The person drawn on a transparent sprite placed in frame coordinates.
    PersonSprite draw(const PedestrianPose &pose) const;

    // Draws `sprite` over `image` (CV_8UC3 BGR); parts outside the image are dropped.
    static void composite(const PersonSprite &sprite, cv::Mat &image);

    // A soft contact shadow on the ground under the feet, darkening `image` (drawn before
    // the person; not part of the person's mask, like real shadows are not).
    static void paintShadow(cv::Mat &image, const PedestrianPose &pose, double strength = 0.35);

    // Convenience: draw + composite. When `mask` is given it becomes an image-sized CV_8U
    // mask of the person (255 = person, inside the image only). Returns the mask's bounds
    // inside the image.
    cv::Rect paint(cv::Mat &image, const PedestrianPose &pose, cv::Mat *mask = nullptr) const;

private:
    PersonAppearance m_appearance;
};

} // namespace descry
