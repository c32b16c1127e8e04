#include "NanoDetPersonDetector.h"

#include "PerceptionPackage.h"
#include "TfjsInterpreter.h"
#include "TorchDevice.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cmath>

namespace descry {

namespace {

constexpr int kInputSize = 416;
constexpr float kNmsIou = 0.45f;
constexpr int kRegBins = 11; // 4 sides x 11 bins = the 44 box logits per cell
constexpr int kWanted[]
    = { coco::kPerson, coco::kBackpack, coco::kUmbrella, coco::kHandbag, coco::kSuitcase, coco::kCellPhone };
const QStringList kScoreOutputs { QStringLiteral("Identity:0"), QStringLiteral("Identity_1:0"),
    QStringLiteral("Identity_2:0") };
const QStringList kBoxOutputs { QStringLiteral("Identity_3:0"), QStringLiteral("Identity_4:0"),
    QStringLiteral("Identity_5:0") };

// Scale to fit `size` x `size`, keep the aspect ratio, pad right and bottom with zeros (the
// normalised mean would be -1.8..-2.1, the padding NanoDet's training used is black).
cv::Mat letterbox(const cv::Mat &image, int size, double *scale)
{
    *scale = std::min(double(size) / image.cols, double(size) / image.rows);
    const cv::Size fitted(std::max(1, int(std::lround(image.cols * *scale))),
        std::max(1, int(std::lround(image.rows * *scale))));
    cv::Mat input(size, size, CV_8UC3, cv::Scalar::all(0));
    cv::resize(image, input(cv::Rect(cv::Point(0, 0), fitted)), fitted, 0, 0, cv::INTER_AREA);
    return input;
}

// The whole frame, then (for large frames) 2 x 2 tiles overlapping by a fifth of a tile.
std::vector<cv::Rect> searchRegions(cv::Size frame, int tileFrom)
{
    std::vector<cv::Rect> regions { cv::Rect(cv::Point(0, 0), frame) };
    if (tileFrom <= 0 || std::max(frame.width, frame.height) < tileFrom)
        return regions;
    const int w = int(std::ceil(frame.width * 0.6)), h = int(std::ceil(frame.height * 0.6));
    for (int y : { 0, frame.height - h })
        for (int x : { 0, frame.width - w })
            regions.emplace_back(x, y, w, h);
    return regions;
}

// A box a tile cuts: it reaches an edge of the tile inside the frame. The part of a person a
// tile shows is a box of its own, and without this rule every person larger than the tiles'
// overlap, tracked across a tile edge, became an extra tracklet of half a person (measured on
// vtest.avi scaled 2.5x: 55 tracklets against 44 without tiles). Such a person lies whole in
// the neighbouring tile or, when larger than the overlap, is big enough for the whole-frame pass.
bool cutByTileEdge(const cv::Rect2d &box, const cv::Rect &region, cv::Size frame)
{
    const double mx = 0.01 * region.width, my = 0.01 * region.height;
    return (region.x > 0 && box.x <= region.x + mx)
        || (region.x + region.width < frame.width && box.x + box.width >= region.x + region.width - mx)
        || (region.y > 0 && box.y <= region.y + my)
        || (region.y + region.height < frame.height && box.y + box.height >= region.y + region.height - my);
}

} // namespace

NanoDetPersonDetector::NanoDetPersonDetector() = default;
NanoDetPersonDetector::~NanoDetPersonDetector() = default;

std::unique_ptr<NanoDetPersonDetector> NanoDetPersonDetector::load(
    const NanoDetParams &params, QString *error)
{
    std::unique_ptr<NanoDetPersonDetector> detector(new NanoDetPersonDetector);
    detector->m_params = params;
    detector->m_graph = PerceptionPackage::load(QStringLiteral("nanodet"), error);
    if (!detector->m_graph)
        return nullptr;
    detector->m_interpreter = std::make_unique<TfjsInterpreter>(*detector->m_graph, modelDevice());
    // One pass on a black frame proves the graph runs and has the outputs decoding expects.
    std::vector<Detection> none;
    const Frame probe { cv::Mat(kInputSize, kInputSize, CV_8UC3, cv::Scalar::all(0)), 0, 0 };
    QString why;
    if (!detector->detect(probe, &none, &why)) {
        if (error)
            *error = QStringLiteral("the NanoDet network of %1 did not run: %2")
                         .arg(PerceptionPackage::folder(), why);
        return nullptr;
    }
    return detector;
}

QString NanoDetPersonDetector::name() const
{
    // Everything that changes which boxes come out is in the name (it keys resume and re-ingest).
    return QStringLiteral("nanodet-%1-m%2-t%3e")
        .arg(PerceptionPackage::version())
        .arg(double(m_params.minScore))
        .arg(m_params.tileFrom);
}

bool NanoDetPersonDetector::detectIn(
    const cv::Mat &image, const cv::Rect &region, std::vector<ObjectCandidate> *out, QString *error)
{
    double scale = 1;
    const cv::Mat input = letterbox(image(region), kInputSize, &scale);
    std::vector<torch::Tensor> outputs;
    try {
        c10::InferenceMode inference;
        torch::Tensor x = torch::from_blob(input.data, { kInputSize, kInputSize, 3 }, torch::kUInt8)
                              .to(modelDevice())
                              .to(torch::kFloat32);
        const auto options = torch::TensorOptions().device(modelDevice());
        x = (x - torch::tensor({ 103.53f, 116.28f, 123.675f }, options))
            / torch::tensor({ 57.375f, 57.12f, 58.395f }, options);
        x = x.permute({ 2, 0, 1 }).unsqueeze(0).contiguous();
        if (!m_interpreter->run(
                { { QStringLiteral("input_1"), x } }, kScoreOutputs + kBoxOutputs, &outputs, error))
            return false;
        for (torch::Tensor &t : outputs)
            t = t.to(torch::kCPU, torch::kFloat32).contiguous();
    } catch (const c10::Error &e) {
        if (error)
            *error = torchErrorMessage(e);
        return false;
    }
    std::vector<ObjectCandidate> found;
    for (int i = 0; i < 3; ++i) {
        const torch::Tensor &scores = outputs[size_t(i)];
        const torch::Tensor &boxes = outputs[size_t(i) + 3];
        GflLevel level;
        level.cells = int(scores.size(1));
        level.gridWidth = int(std::lround(std::sqrt(double(level.cells))));
        level.stride = kInputSize / level.gridWidth;
        if (scores.dim() != 3 || scores.size(2) != coco::kClasses || boxes.size(1) != level.cells
            || boxes.size(2) != 4 * kRegBins || level.gridWidth * level.gridWidth != level.cells) {
            if (error)
                *error = QStringLiteral("unexpected NanoDet output shapes (level %1)").arg(i);
            return false;
        }
        level.classScores = scores.data_ptr<float>();
        level.distances = boxes.data_ptr<float>();
        level.bins = kRegBins;
        decodeGflLevel(level, kWanted, std::min(m_params.minScore, m_params.carriedMinScore), &found);
    }
    for (ObjectCandidate &c : found) {
        if (c.score < (c.cocoClass == coco::kPerson ? m_params.minScore : m_params.carriedMinScore))
            continue;
        c.box = cv::Rect2d(c.box.x / scale + region.x, c.box.y / scale + region.y, c.box.width / scale,
            c.box.height / scale);
        if (!cutByTileEdge(c.box, region, image.size()))
            out->push_back(c);
    }
    return true;
}

bool NanoDetPersonDetector::detect(const Frame &frame, std::vector<Detection> *out, QString *error)
{
    out->clear();
    if (frame.image.empty() || frame.image.type() != CV_8UC3) {
        if (error)
            *error = QStringLiteral("frame %1 is not an 8-bit BGR image").arg(frame.index);
        return false;
    }
    std::vector<ObjectCandidate> candidates;
    for (const cv::Rect &region : searchRegions(frame.image.size(), m_params.tileFrom))
        if (!detectIn(frame.image, region, &candidates, error))
            return false;
    const std::vector<ObjectCandidate> kept = suppressOverlaps(candidates, kNmsIou);
    *out = personDetections(kept, 1, {}, frame.image.size(), frame.index, frame.time);
    attachCarriedObjects(kept, out);
    return true;
}

} // namespace descry
