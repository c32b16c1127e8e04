#pragma once

#include "CocoDetections.h"
#include "PersonDetector.h"

#include <opencv2/dnn.hpp>

#include <string>

namespace descry {

// Person detector running a COCO object detector exported to ONNX through OpenCV's dnn module.
// Two output layouts are recognised by shape, so users can bring either model:
//  - YOLOX: one output 1 x N x 85 (cx, cy, w, h, objectness, 80 class scores) per grid cell of
//    strides 8/16/32, raw (grid offsets, log sizes) or already decoded to input pixels;
//  - NanoDet (GFL head): per stride a 1 x N x 80 class output and a 1 x N x 4*(reg_max+1)
//    distance-distribution output.
// Person is COCO class 0. Stateless across frames, so warmupFrames() is 0.
class OnnxPersonDetector : public PersonDetector {
public:
    // Loads and test-runs the model; nullptr with `error` set when it is missing, corrupt or of
    // an unknown layout.
    static std::unique_ptr<OnnxPersonDetector> load(const QString &path, float minScore, QString *error);

    QString name() const override { return m_name; }
    void reset() override { }
    bool detect(const Frame &frame, std::vector<Detection> *out, QString *error) override;

private:
    enum class Format { Yolox, NanoDet };
    struct Head { // one NanoDet pyramid level: output indices and its stride
        int classOutput = -1, boxOutput = -1, stride = 0, gridWidth = 0, cells = 0;
    };

    OnnxPersonDetector() = default;
    bool inspect(const std::vector<cv::Mat> &outputs, QString *error);
    cv::Mat makeInput(const cv::Mat &image, float *scale) const;
    bool run(const cv::Mat &input, std::vector<cv::Mat> *outputs, QString *error);
    void decodeYolox(const cv::Mat &output, std::vector<ObjectCandidate> *out) const;
    void decodeNanoDet(const std::vector<cv::Mat> &outputs, std::vector<ObjectCandidate> *out) const;

    cv::dnn::Net m_net;
    std::vector<std::string> m_outputNames;
    QString m_name;
    Format m_format = Format::Yolox;
    bool m_yoloxDecoded = false; // exported with decoding inside the graph
    bool m_classLogits = false; // NanoDet class scores before the sigmoid
    int m_regBins = 8; // NanoDet reg_max + 1
    std::vector<Head> m_heads;
    int m_inputSize = 416;
    float m_minScore = 0.35f;
};

} // namespace descry
