#pragma once

#include "BodyPose.h"

#include <QByteArray>
#include <QString>

#include <opencv2/core/mat.hpp>

#include <memory>

namespace descry {

class TfjsGraph;
class TfjsInterpreter;

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
    // The same on an encoded crop (a tracklet's stored JPEG).
    bool estimate(const QByteArray &encodedCrop, Pose *pose, QString *error);

private:
    PoseEstimator();
    Variant m_variant = Variant::Lightning;
    int m_inputSize = 192;
    std::unique_ptr<TfjsGraph> m_graph;
    std::unique_ptr<TfjsInterpreter> m_interpreter;
};

} // namespace descry
