#include "TrunkBenchmark.h"

#include "ColourStripes.h"
#include "NafsModel.h"
#include "PedesDataset.h"
#include "PretrainedTrunk.h"

#include <QElapsedTimer>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <cmath>

namespace descry {

namespace {

constexpr int kBatch = 32;

// Rows of `features` (n x dim) scaled to unit length.
void normaliseRows(std::vector<float> *features, int dim)
{
    for (size_t start = 0; start + size_t(dim) <= features->size(); start += size_t(dim)) {
        double norm = 0;
        for (int c = 0; c < dim; ++c)
            norm += double((*features)[start + size_t(c)]) * (*features)[start + size_t(c)];
        const float scale = norm > 0 ? float(1.0 / std::sqrt(norm)) : 0.0f;
        for (int c = 0; c < dim; ++c)
            (*features)[start + size_t(c)] *= scale;
    }
}

// Stripe-pooled map (B, C, H, W) -> (B, stripes * C), each stripe's vector of unit length.
torch::Tensor stripeFeatures(const torch::Tensor &map, int stripes)
{
    const torch::Tensor pooled = torch::adaptive_avg_pool2d(map, { stripes, 1 }).squeeze(3).transpose(1, 2);
    return torch::nn::functional::normalize(pooled, torch::nn::functional::NormalizeFuncOptions().dim(2))
        .flatten(1);
}

// Two feature sets of the same images side by side, each part weighing the same.
std::vector<float> concatenate(
    const std::vector<float> &a, int dimA, const std::vector<float> &b, int dimB, int n)
{
    std::vector<float> out;
    out.reserve(size_t(n) * size_t(dimA + dimB));
    for (int i = 0; i < n; ++i) {
        out.insert(out.end(), a.begin() + long(i) * dimA, a.begin() + long(i + 1) * dimA);
        out.insert(out.end(), b.begin() + long(i) * dimB, b.begin() + long(i + 1) * dimB);
    }
    normaliseRows(&out, dimA + dimB);
    return out;
}

} // namespace

QJsonObject TrunkBenchRow::toJson() const
{
    QJsonObject json = metrics.toJson();
    json[QStringLiteral("trunk")] = trunk;
    json[QStringLiteral("features")] = features;
    json[QStringLiteral("height")] = height;
    json[QStringLiteral("width")] = width;
    json[QStringLiteral("ms_per_crop")] = msPerCrop;
    return json;
}

bool benchmarkTrunks(const TrunkBenchRequest &request, std::vector<TrunkBenchRow> *rows, QString *error)
{
    PedesDataset dataset;
    if (!dataset.load(request.dataDir, error))
        return false;
    std::vector<cv::Mat> crops;
    std::vector<int> labels;
    for (const PedesSample &s : dataset.samples(request.split)) {
        if (request.limit > 0 && int(crops.size()) >= request.limit)
            break;
        cv::Mat image = cv::imread(s.imagePath.toStdString(), cv::IMREAD_COLOR);
        if (image.empty()) {
            *error = QStringLiteral("cannot read image %1").arg(s.imagePath);
            return false;
        }
        crops.push_back(image);
        labels.push_back(s.identity);
    }
    const int n = int(crops.size());
    if (n < 2) {
        *error = QStringLiteral("%1: the split \"%2\" has fewer than 2 images")
                     .arg(request.dataDir, request.split);
        return false;
    }
    rows->clear();
    const int stripes = request.stripes;
    std::vector<float> histogram;
    for (const cv::Mat &crop : crops) {
        const std::vector<float> h = ColourStripes::describe(crop, stripes);
        histogram.insert(histogram.end(), h.begin(), h.end());
    }
    const int histogramDim = int(histogram.size()) / n;
    TrunkBenchRow hsv;
    hsv.features = QStringLiteral("hsv histogram");
    hsv.metrics = imageToImageMetrics(histogram, labels, histogramDim, nullptr, hsv.features);
    rows->push_back(hsv);

    const torch::Device device(torch::kCPU);
    for (const QString &name : request.trunks) {
        PretrainedTrunk trunk(nullptr);
        try {
            trunk = PretrainedTrunk(name);
        } catch (const std::exception &e) {
            *error = QString::fromStdString(e.what());
            return false;
        }
        trunk->eval();
        for (const auto &[height, width] : request.sizes) {
            if (height % 32 != 0 || width % 32 != 0) {
                *error = QStringLiteral("crop size %1x%2: both sides must be multiples of 32")
                             .arg(height)
                             .arg(width);
                return false;
            }
            std::vector<torch::Tensor> levels(3);
            {
                // One batch first, so the timing leaves out the allocator's and kernels' warm-up.
                torch::InferenceMode inference;
                const std::vector<cv::Mat> first(crops.begin(), crops.begin() + std::min(n, kBatch));
                trunk->forward(normalizeImages(cropsToUint8(first, height, width)).to(device));
            }
            QElapsedTimer timer;
            qint64 trunkNs = 0;
            for (int start = 0; start < n; start += kBatch) {
                const std::vector<cv::Mat> batch(
                    crops.begin() + start, crops.begin() + std::min(n, start + kBatch));
                const torch::Tensor images = normalizeImages(cropsToUint8(batch, height, width));
                torch::InferenceMode inference;
                timer.start();
                const std::vector<torch::Tensor> maps = trunk->forward(images.to(device));
                trunkNs += timer.nsecsElapsed();
                for (size_t l = 0; l < 3; ++l) {
                    const torch::Tensor f = stripeFeatures(maps[l], stripes).contiguous();
                    levels[l] = levels[l].defined() ? torch::cat({ levels[l], f }) : f;
                }
            }
            auto toVector = [](const torch::Tensor &t) {
                const torch::Tensor c = t.contiguous();
                return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
            };
            auto addRow = [&](const QString &features, std::vector<float> values, int dim) {
                normaliseRows(&values, dim);
                TrunkBenchRow row;
                row.trunk = name;
                row.features = features;
                row.height = height;
                row.width = width;
                row.msPerCrop = double(trunkNs) / 1e6 / n;
                row.metrics = imageToImageMetrics(values, labels, dim, nullptr,
                    QStringLiteral("%1 %2 at %3x%4").arg(name, features).arg(height).arg(width));
                rows->push_back(row);
            };
            const std::vector<int> strides = trunk->trunkSpec().strides;
            for (size_t l = 0; l < 3; ++l)
                addRow(
                    QStringLiteral("stride %1").arg(strides[l]), toVector(levels[l]), int(levels[l].size(1)));
            const torch::Tensor joined = torch::cat({ levels[0], levels[1], levels[2] }, 1);
            const int dim = int(joined.size(1));
            std::vector<float> trunkAll = toVector(joined);
            normaliseRows(&trunkAll, dim);
            addRow(QStringLiteral("strides 8+16+32"), trunkAll, dim);
            addRow(QStringLiteral("hsv + strides 8+16+32"),
                concatenate(histogram, histogramDim, trunkAll, dim, n), histogramDim + dim);
        }
    }
    return true;
}

} // namespace descry
