#pragma once

#include <QString>

#include <opencv2/core/mat.hpp>

#include <array>
#include <memory>

namespace descry {

class TfjsGraph;
class TfjsInterpreter;

// The 17 COCO keypoints, in MoveNet's order.
enum class Keypoint {
    Nose,
    LeftEye,
    RightEye,
    LeftEar,
    RightEar,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle
};
constexpr int kKeypoints = 17;
const char *keypointName(Keypoint k); // "nose", "left_shoulder", ...

struct KeypointEstimate {
    float x = 0, y = 0; // crop pixels
    float score = 0; // MoveNet's confidence in [0, 1]
};

struct Pose {
    std::array<KeypointEstimate, kKeypoints> keypoints {};
    const KeypointEstimate &operator[](Keypoint k) const { return keypoints[size_t(k)]; }
};

// MoveNet single-pose (lightning: 192 px input, thunder: 256) on one person crop: the crop is
// padded to a square around its centre (aspect kept), resized, and given as RGB 0..255; the graph
// normalises and decodes itself. Keypoints come back in the crop's pixels.
class PoseEstimator {
public:
    enum class Variant { Lightning, Thunder };
    // Null with `error` naming the file and what to do (see PerceptionPackage).
    static std::unique_ptr<PoseEstimator> load(Variant variant, QString *error);
    ~PoseEstimator();

    QString name() const; // "movenet-lightning-3.0.4"
    // False with `error` when the crop is empty or the network fails.
    bool estimate(const cv::Mat &bgrCrop, Pose *pose, QString *error);

private:
    PoseEstimator();
    Variant m_variant = Variant::Lightning;
    int m_inputSize = 192;
    std::unique_ptr<TfjsGraph> m_graph;
    std::unique_ptr<TfjsInterpreter> m_interpreter;
};

} // namespace descry
