#pragma once

#include "BodyPose.h"

#include <opencv2/core/mat.hpp>

namespace descry {

// A person mask drawn from the pose: the torso between shoulders and hips, the limbs as thick
// strokes between their joints, the head around its keypoints, each sized by the person's box
// height (clothes are wider than bones) and grown a little. The CNN detector gives no foreground
// mask; this one keeps the floor and the wall beside a person out of the colour names. Empty
// when the pose does not show the body well enough to draw it (no confident shoulder or hip,
// fewer than 8 confident keypoints). CV_8U, `size` (the crop's), 255 = person.
cv::Mat poseMask(const Pose &pose, const Box &person, cv::Size size);

} // namespace descry
