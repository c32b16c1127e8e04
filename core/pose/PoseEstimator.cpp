#include "PoseEstimator.h"

#include "PerceptionPackage.h"
#include "TfjsInterpreter.h"
#include "TorchDevice.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

namespace descry {

PoseEstimator::PoseEstimator() = default;
PoseEstimator::~PoseEstimator() = default;

std::unique_ptr<PoseEstimator> PoseEstimator::load(Variant variant, QString *error)
{
    std::unique_ptr<PoseEstimator> estimator(new PoseEstimator);
    estimator->m_variant = variant;
    estimator->m_inputSize = variant == Variant::Lightning ? 192 : 256;
    estimator->m_graph
        = PerceptionPackage::load(variant == Variant::Lightning ? QStringLiteral("movenet-lightning")
                                                                : QStringLiteral("movenet-thunder"),
            error);
    if (!estimator->m_graph)
        return nullptr;
    estimator->m_interpreter = std::make_unique<TfjsInterpreter>(*estimator->m_graph, modelDevice());
    return estimator;
}

QString PoseEstimator::name() const
{
    return QStringLiteral("movenet-%1-%2")
        .arg(m_variant == Variant::Lightning ? QStringLiteral("lightning") : QStringLiteral("thunder"),
            PerceptionPackage::version());
}

bool PoseEstimator::estimate(const cv::Mat &bgrCrop, Pose *pose, QString *error)
{
    if (bgrCrop.empty() || bgrCrop.type() != CV_8UC3) {
        if (error)
            *error = QStringLiteral("the crop is not an 8-bit BGR image");
        return false;
    }
    // Pad to a square around the crop (MoveNet was trained on square, person-centred inputs).
    const int side = std::max(bgrCrop.cols, bgrCrop.rows);
    const int left = (side - bgrCrop.cols) / 2, top = (side - bgrCrop.rows) / 2;
    cv::Mat square;
    cv::copyMakeBorder(bgrCrop, square, top, side - bgrCrop.rows - top, left, side - bgrCrop.cols - left,
        cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::Mat input;
    cv::resize(square, input, cv::Size(m_inputSize, m_inputSize), 0, 0,
        side > m_inputSize ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::cvtColor(input, input, cv::COLOR_BGR2RGB);
    std::vector<torch::Tensor> out;
    try {
        c10::InferenceMode inference;
        const torch::Tensor x
            = torch::from_blob(input.data, { 1, m_inputSize, m_inputSize, 3 }, torch::kUInt8)
                  .to(modelDevice())
                  .to(torch::kInt32);
        if (!m_interpreter->run(
                { { QStringLiteral("input"), x } }, { QStringLiteral("Identity:0") }, &out, error))
            return false;
        out[0] = out[0].to(torch::kCPU, torch::kFloat32).contiguous().reshape({ kKeypoints, 3 });
    } catch (const c10::Error &e) {
        if (error)
            *error = torchErrorMessage(e);
        return false;
    }
    const float *p = out[0].data_ptr<float>();
    for (int k = 0; k < kKeypoints; ++k) { // (y, x, score), relative to the square input
        pose->keypoints[size_t(k)]
            = { p[3 * k + 1] * float(side) - float(left), p[3 * k] * float(side) - float(top), p[3 * k + 2] };
    }
    return true;
}

bool PoseEstimator::estimate(const QByteArray &encodedCrop, Pose *pose, QString *error)
{
    const cv::Mat buffer(1, int(encodedCrop.size()), CV_8UC1, const_cast<char *>(encodedCrop.constData()));
    const cv::Mat crop = encodedCrop.isEmpty() ? cv::Mat() : cv::imdecode(buffer, cv::IMREAD_COLOR);
    if (crop.empty()) {
        if (error)
            *error = QStringLiteral("the crop cannot be decoded");
        return false;
    }
    return estimate(crop, pose, error);
}

} // namespace descry
