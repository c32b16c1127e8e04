#pragma once

#include <QString>
#include <QStringList>

#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <optional>
#include <vector>

namespace descry {

class TfjsGraph;
class TfjsInterpreter;

// A real-image network of the perception package whose multi-scale feature maps feed the NAFS
// branches in place of the from-scratch stem and stages (issue 13).
struct TrunkSpec {
    QString name; // as written in a model config ("nanodet-backbone")
    QString network; // the package's network ("nanodet")
    QStringList outputs; // graph tensors at strides 8, 16 and 32 (NCHW in these graphs)
    std::vector<int> channels; // of each output
    std::vector<int> strides { 8, 16, 32 };
    // Const nodes holding the output size of a resize, baked in for the network's input size
    // (416 x 416): fed with (H / stride, W / stride) of the actual input.
    std::vector<std::pair<QString, int>> resizeSizes;
};

// The lower layers of a pretrained TensorFlow.js graph as a trainable LibTorch module: every
// float weight the chosen outputs depend on (convolution filters and biases; batch norm is folded
// into them in these graphs) becomes a parameter initialised from the package's values, and the
// graph runs on them through TfjsInterpreter, so gradients reach them and a fine-tuned model's
// weights file carries its own copy. The graph's structure still comes from the package, which
// must be installed (scripts/fetch-perception-models.sh) to build such a model.
class PretrainedTrunkImpl : public torch::nn::Module {
public:
    // Throws std::runtime_error with a message that says what to do when the name is unknown or
    // the package is missing.
    explicit PretrainedTrunkImpl(const QString &name);
    ~PretrainedTrunkImpl() override;

    static std::optional<TrunkSpec> spec(const QString &name);
    static QStringList knownNames();

    // images: (B, 3, H, W) float, ImageNet-normalised RGB (normalizeImages()); H and W multiples
    // of 32. Returns the maps at strides 8, 16 and 32, (B, C, H / s, W / s) each.
    std::vector<torch::Tensor> forward(const torch::Tensor &images);

    const TrunkSpec &trunkSpec() const { return m_spec; }
    // The package's own value of each parameter, in parameters() order: what training started
    // from, and what a weights file's trunk is stored relative to (NafsWeights).
    std::vector<torch::Tensor> packageValues() const;

private:
    TrunkSpec m_spec;
    std::unique_ptr<TfjsGraph> m_graph;
    std::unique_ptr<TfjsInterpreter> m_interpreter; // made for the device of the images it runs on
    c10::Device m_interpreterDevice { c10::DeviceType::CPU };
    std::vector<std::pair<QString, torch::Tensor>> m_weights; // graph Const node -> parameter
};
TORCH_MODULE(PretrainedTrunk);

} // namespace descry
