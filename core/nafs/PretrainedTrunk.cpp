#include "PretrainedTrunk.h"

#include "PerceptionPackage.h"
#include "TfjsGraph.h"
#include "TfjsInterpreter.h"

#include <torch/torch.h>

#include <functional>
#include <set>
#include <stdexcept>

namespace descry {

namespace {

const std::vector<TrunkSpec> &specs()
{
    static const std::vector<TrunkSpec> all {
        // NanoDet's backbone stages (CSP-style 3x3 convolutions, LeakyReLU 0.1), before the neck.
        { QStringLiteral("nanodet-backbone"), QStringLiteral("nanodet"),
            { QStringLiteral("PartitionedCall/onnx_tf_prefix_Concat_27"),
                QStringLiteral("PartitionedCall/onnx_tf_prefix_Concat_42"),
                QStringLiteral("PartitionedCall/onnx_tf_prefix_Concat_62") },
            { 128, 256, 512 }, { 8, 16, 32 }, {} },
        // The same after the PAN neck: 128 channels at every stride, coarse context added to fine.
        { QStringLiteral("nanodet-pan"), QStringLiteral("nanodet"),
            { QStringLiteral("PartitionedCall/onnx_tf_prefix_Add_107"),
                QStringLiteral("PartitionedCall/onnx_tf_prefix_Add_128"),
                QStringLiteral("PartitionedCall/onnx_tf_prefix_Add_149") },
            { 128, 128, 128 }, { 8, 16, 32 },
            { { QStringLiteral("PartitionedCall/Cast_1"), 16 },
                { QStringLiteral("PartitionedCall/Cast_3"), 8 },
                { QStringLiteral("PartitionedCall/Cast_5"), 16 },
                { QStringLiteral("PartitionedCall/Cast_7"), 32 } } },
    };
    return all;
}

// NanoDet's input: BGR pixels normalised with its own mean and deviation (NanoDetPersonDetector).
constexpr float kBgrMean[3] = { 103.53f, 116.28f, 123.675f };
constexpr float kBgrStd[3] = { 57.375f, 57.12f, 58.395f };
// normalizeImages(): RGB in [0, 1] normalised with the ImageNet mean and deviation.
constexpr float kRgbMean[3] = { 0.485f, 0.456f, 0.406f };
constexpr float kRgbStd[3] = { 0.229f, 0.224f, 0.225f };

QString parameterName(QString node)
{
    return node.replace(QLatin1Char('/'), QLatin1Char('_')).replace(QLatin1Char('.'), QLatin1Char('_'));
}

} // namespace

std::optional<TrunkSpec> PretrainedTrunkImpl::spec(const QString &name)
{
    for (const TrunkSpec &s : specs())
        if (s.name == name)
            return s;
    return std::nullopt;
}

QStringList PretrainedTrunkImpl::knownNames()
{
    QStringList names;
    for (const TrunkSpec &s : specs())
        names << s.name;
    return names;
}

PretrainedTrunkImpl::PretrainedTrunkImpl(const QString &name)
{
    const std::optional<TrunkSpec> found = spec(name);
    if (!found)
        throw std::runtime_error(QStringLiteral("unknown image trunk \"%1\" (known: %2)")
                                     .arg(name, knownNames().join(QStringLiteral(", ")))
                                     .toStdString());
    m_spec = *found;
    QString error;
    m_graph = PerceptionPackage::load(m_spec.network, &error);
    if (!m_graph)
        throw std::runtime_error(QStringLiteral("the image trunk %1 is built from the perception package: %2")
                                     .arg(name, error)
                                     .toStdString());
    // Every Const the outputs depend on; the float ones with more than one value are weights.
    std::set<QString> seen;
    std::function<void(const QString &)> visit = [&](const QString &tensor) {
        const QString nodeName = tensor.section(QLatin1Char(':'), 0, 0);
        if (!seen.insert(nodeName).second)
            return;
        const TfjsNode *node = m_graph->node(nodeName);
        if (!node)
            throw std::runtime_error(QStringLiteral("%1: no node %2 (another package version?)")
                                         .arg(m_graph->path(), nodeName)
                                         .toStdString());
        if (node->op == QLatin1String("Const")) {
            const torch::Tensor *value = m_graph->weight(nodeName);
            if (value && value->scalar_type() == torch::kFloat32 && value->numel() > 1)
                m_weights.emplace_back(
                    nodeName, register_parameter(parameterName(nodeName).toStdString(), value->clone()));
            return;
        }
        for (const QString &input : node->inputs)
            visit(input);
    };
    for (const QString &output : m_spec.outputs)
        visit(output);
}

PretrainedTrunkImpl::~PretrainedTrunkImpl() = default;

std::vector<torch::Tensor> PretrainedTrunkImpl::packageValues() const
{
    std::vector<torch::Tensor> values;
    for (const auto &[node, parameter] : m_weights)
        values.push_back(*m_graph->weight(node));
    return values;
}

std::vector<torch::Tensor> PretrainedTrunkImpl::forward(const torch::Tensor &images)
{
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(images.device());
    // x_bgr[c] = (x_rgb[2 - c] * std * 255 + mean * 255 - bgrMean[c]) / bgrStd[c]
    std::vector<float> scale(3), shift(3);
    for (int c = 0; c < 3; ++c) {
        const int rgb = 2 - c;
        scale[size_t(c)] = kRgbStd[rgb] * 255.0f / kBgrStd[c];
        shift[size_t(c)] = (kRgbMean[rgb] * 255.0f - kBgrMean[c]) / kBgrStd[c];
    }
    const torch::Tensor bgr = images.flip(1) * torch::tensor(scale, options).view({ 1, 3, 1, 1 })
        + torch::tensor(shift, options).view({ 1, 3, 1, 1 });
    if (!m_interpreter || m_interpreterDevice != images.device()) {
        m_interpreter = std::make_unique<TfjsInterpreter>(*m_graph, images.device());
        m_interpreterDevice = images.device();
    }
    std::map<QString, torch::Tensor> feeds { { QStringLiteral("input_1"), bgr } };
    for (const auto &[node, parameter] : m_weights)
        feeds.emplace(node, parameter);
    for (const auto &[node, stride] : m_spec.resizeSizes)
        feeds.emplace(
            node, torch::tensor({ images.size(2) / stride, images.size(3) / stride }, torch::kLong));
    std::vector<torch::Tensor> maps;
    QString error;
    if (!m_interpreter->run(feeds, m_spec.outputs, &maps, &error))
        throw std::runtime_error(error.toStdString());
    return maps;
}

} // namespace descry
