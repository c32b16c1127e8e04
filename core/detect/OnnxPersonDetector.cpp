#include "OnnxPersonDetector.h"

#include <QFileInfo>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr int kCocoClasses = coco::kClasses;
constexpr int kPersonClass = coco::kPerson;
constexpr float kNmsIou = 0.45f;
constexpr int kStrides[] = { 8, 16, 32 };
// Square input sizes tried in order until the network accepts one (416 is what the shipped
// benchmark models use; 320 and 640 are the other common exports).
constexpr int kInputSizes[] = { 416, 320, 640 };
// NanoDet was trained on BGR normalised with ImageNet statistics (in 0..255 units).
const cv::Scalar kNanoDetMean(103.53, 116.28, 123.675);
const cv::Scalar kNanoDetInvStd(1 / 57.375, 1 / 57.12, 1 / 58.395);

// Rows x columns view of an output of shape 1 x N x C (or N x C).
cv::Mat asTable(const cv::Mat &output)
{
    const int columns = output.size[output.dims - 1];
    return cv::Mat(int(output.total() / size_t(columns)), columns, CV_32F, output.data);
}

int gridCells(int inputSize, int stride)
{
    const int side = (inputSize + stride - 1) / stride;
    return side * side;
}

QString shapesText(const std::vector<cv::Mat> &outputs)
{
    QStringList shapes;
    for (const cv::Mat &output : outputs) {
        QStringList dims;
        for (int d = 0; d < output.dims; ++d)
            dims.append(QString::number(output.size[d]));
        shapes.append(dims.join(QLatin1Char('x')));
    }
    return shapes.join(QStringLiteral(", "));
}

} // namespace

std::unique_ptr<OnnxPersonDetector> OnnxPersonDetector::load(
    const QString &path, float minScore, QString *error)
{
    auto fail = [&](const QString &message) -> std::unique_ptr<OnnxPersonDetector> {
        if (error)
            *error = message;
        return nullptr;
    };
    if (!QFileInfo(path).isFile())
        return fail(QStringLiteral("detector model not found: %1").arg(path));
    // Detection shares two cores with decoding and tracking; more threads only contend.
    cv::setNumThreads(2);
    std::unique_ptr<OnnxPersonDetector> detector(new OnnxPersonDetector);
    try {
        detector->m_net = cv::dnn::readNetFromONNX(path.toStdString());
    } catch (const cv::Exception &e) {
        return fail(
            QStringLiteral("cannot load detector model %1: %2").arg(path, QString::fromStdString(e.msg)));
    }
    if (detector->m_net.empty())
        return fail(QStringLiteral("cannot load detector model %1: empty network").arg(path));
    detector->m_outputNames = detector->m_net.getUnconnectedOutLayersNames();
    detector->m_minScore = minScore;
    detector->m_name = QStringLiteral("onnx:%1").arg(QFileInfo(path).completeBaseName());

    // The output layout (and the input size the graph was exported for) is found by running
    // it once on a grey image: shapes tell YOLOX from NanoDet.
    QString reason = QStringLiteral("the network did not run");
    for (int size : kInputSizes) {
        detector->m_inputSize = size;
        std::vector<cv::Mat> outputs;
        const cv::Mat probe(size, size, CV_8UC3, cv::Scalar::all(114));
        if (detector->run(probe, &outputs, &reason) && detector->inspect(outputs, &reason))
            return detector;
    }
    return fail(QStringLiteral("unsupported detector model %1: %2").arg(path, reason));
}

bool OnnxPersonDetector::inspect(const std::vector<cv::Mat> &outputs, QString *error)
{
    const int yoloxCells
        = gridCells(m_inputSize, 8) + gridCells(m_inputSize, 16) + gridCells(m_inputSize, 32);
    if (outputs.size() == 1 && outputs[0].size[outputs[0].dims - 1] == 5 + kCocoClasses) {
        const cv::Mat table = asTable(outputs[0]);
        if (table.rows != yoloxCells) {
            *error = QStringLiteral("YOLOX-like output with %1 rows, expected %2")
                         .arg(table.rows)
                         .arg(yoloxCells);
            return false;
        }
        // Raw YOLOX centres are offsets within a cell (about -1..2); decoded ones are pixels.
        double minX = 0, maxX = 0;
        cv::minMaxLoc(cv::abs(table.col(0)), &minX, &maxX);
        m_yoloxDecoded = maxX > 8;
        m_format = Format::Yolox;
        return true;
    }
    m_heads.clear();
    for (int stride : kStrides) {
        Head head;
        head.stride = stride;
        head.gridWidth = (m_inputSize + stride - 1) / stride;
        head.cells = gridCells(m_inputSize, stride);
        for (int i = 0; i < int(outputs.size()); ++i) {
            const cv::Mat table = asTable(outputs[size_t(i)]);
            if (table.rows != head.cells)
                continue;
            if (table.cols == kCocoClasses)
                head.classOutput = i;
            else if (table.cols % 4 == 0 && table.cols >= 8) {
                head.boxOutput = i;
                m_regBins = table.cols / 4;
            }
        }
        if (head.classOutput < 0 || head.boxOutput < 0) {
            *error = QStringLiteral("unrecognised output layout (%1)").arg(shapesText(outputs));
            return false;
        }
        m_heads.push_back(head);
    }
    // Exports differ on whether the sigmoid is inside the graph; probabilities stay in 0..1.
    m_classLogits = false;
    for (const Head &head : m_heads) {
        double lo = 0, hi = 0;
        cv::minMaxLoc(asTable(outputs[size_t(head.classOutput)]), &lo, &hi);
        m_classLogits = m_classLogits || lo < 0 || hi > 1;
    }
    m_format = Format::NanoDet;
    return true;
}

// Letterbox: scale to fit, keep the aspect ratio, pad right and bottom (as both models were
// trained), so mapping back is a single division.
cv::Mat OnnxPersonDetector::makeInput(const cv::Mat &image, float *scale) const
{
    *scale = std::min(float(m_inputSize) / float(image.cols), float(m_inputSize) / float(image.rows));
    const cv::Size fitted(std::max(1, int(std::lround(image.cols * *scale))),
        std::max(1, int(std::lround(image.rows * *scale))));
    const bool nanoDet = m_format == Format::NanoDet;
    cv::Mat input(m_inputSize, m_inputSize, CV_8UC3, cv::Scalar::all(nanoDet ? 0 : 114));
    cv::resize(image, input(cv::Rect(cv::Point(0, 0), fitted)), fitted, 0, 0, cv::INTER_LINEAR);
    return input;
}

bool OnnxPersonDetector::run(const cv::Mat &input, std::vector<cv::Mat> *outputs, QString *error)
{
    try {
        cv::Mat blob;
        if (m_format == Format::NanoDet) {
            cv::Mat normalised;
            input.convertTo(normalised, CV_32F);
            cv::subtract(normalised, kNanoDetMean, normalised);
            cv::multiply(normalised, kNanoDetInvStd, normalised);
            blob = cv::dnn::blobFromImage(normalised);
        } else {
            blob = cv::dnn::blobFromImage(input);
        }
        m_net.setInput(blob);
        m_net.forward(*outputs, m_outputNames);
    } catch (const cv::Exception &e) {
        *error = QStringLiteral("the network failed to run: %1").arg(QString::fromStdString(e.msg));
        return false;
    }
    return true;
}

void OnnxPersonDetector::decodeYolox(const cv::Mat &output, std::vector<ObjectCandidate> *out) const
{
    const cv::Mat table = asTable(output);
    int row = 0;
    for (int stride : kStrides) {
        const int side = (m_inputSize + stride - 1) / stride;
        for (int cell = 0; cell < side * side; ++cell, ++row) {
            const float *p = table.ptr<float>(row);
            const float score = p[4] * p[5 + kPersonClass];
            if (score < m_minScore)
                continue;
            float cx = p[0], cy = p[1], w = p[2], h = p[3];
            if (!m_yoloxDecoded) {
                cx = (cx + float(cell % side)) * float(stride);
                cy = (cy + float(cell / side)) * float(stride);
                w = std::exp(w) * float(stride);
                h = std::exp(h) * float(stride);
            }
            out->push_back({ cv::Rect2d(cx - w / 2, cy - h / 2, w, h), score, kPersonClass });
        }
    }
}

void OnnxPersonDetector::decodeNanoDet(const std::vector<cv::Mat> &outputs, std::vector<ObjectCandidate> *out) const
{
    constexpr int person[] = { kPersonClass };
    for (const Head &head : m_heads) {
        GflLevel level;
        level.classScores = asTable(outputs[size_t(head.classOutput)]).ptr<float>();
        level.distances = asTable(outputs[size_t(head.boxOutput)]).ptr<float>();
        level.cells = head.cells;
        level.gridWidth = head.gridWidth;
        level.stride = head.stride;
        level.bins = m_regBins;
        level.logits = m_classLogits;
        decodeGflLevel(level, person, m_minScore, out);
    }
}

bool OnnxPersonDetector::detect(const Frame &frame, std::vector<Detection> *out, QString *error)
{
    out->clear();
    if (frame.image.empty() || frame.image.type() != CV_8UC3) {
        if (error)
            *error = QStringLiteral("frame %1 is not an 8-bit BGR image").arg(frame.index);
        return false;
    }
    float scale = 1;
    const cv::Mat input = makeInput(frame.image, &scale);
    std::vector<cv::Mat> outputs;
    QString reason;
    if (!run(input, &outputs, &reason)) {
        if (error)
            *error = reason;
        return false;
    }
    std::vector<ObjectCandidate> candidates;
    if (m_format == Format::Yolox)
        decodeYolox(outputs[0], &candidates);
    else
        decodeNanoDet(outputs, &candidates);
    *out = personDetections(suppressOverlaps(candidates, kNmsIou), scale, {}, frame.image.size(), frame.index,
        frame.time);
    return true;
}

} // namespace descry
