#pragma once

#include "NafsConfig.h"
#include "PretrainedTrunk.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <vector>

namespace descry {

// A ResNet BasicBlock: two 3x3 convolutions with batch norm, and a 1x1 projection on the
// shortcut when the shape changes.
class ResidualBlockImpl : public torch::nn::Module {
public:
    ResidualBlockImpl(int in, int out, int stride);
    torch::Tensor forward(const torch::Tensor &x);

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_shortcutConv{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr}, m_shortcutBn{nullptr};
};
TORCH_MODULE(ResidualBlock);

// One backbone stage: `blocks` ResidualBlocks, the first with `stride`. (A module of its own
// because nn::Sequential cannot nest in LibTorch 1.13.)
class ResidualStageImpl : public torch::nn::Module {
public:
    ResidualStageImpl(int in, int out, int blocks, int stride);
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::Sequential m_blocks;
};
TORCH_MODULE(ResidualStage);

// Image features of the three scales, each already pooled: global (B, C), region (B, R, C) and
// patch (B, P, C), stripes ordered top to bottom.
struct StaircaseFeatures {
    torch::Tensor global;
    torch::Tensor region;
    torch::Tensor patch;
};

// NAFS's staircase backbone (seed 000, 3.1): a ResNet-style global branch (stem, stage1..4, the
// last with stride 1), a region branch with its own stage3+stage4 on the stage2 output, cut
// into R horizontal stripes, and a patch branch with its own stage4 on the stage3 output, cut
// into P stripes. Each branch starts from an earlier stage, so finer scales see less of the
// image before they are cut.
//
// With a pretrained trunk (NafsArchitecture::trunk) the stem and stages 1-3 are the trunk's
// layers: the global branch is a stage on its stride-32 map, the region branch one on its
// stride-16 map and the patch branch one on its stride-8 map, so the staircase keeps its shape
// (finer scales start from earlier, less contextual features) on features learnt from real images.
//
// Split & shuffle: in training, the map entering the region (patch) branch is cut into R (P)
// horizontal stripes that are concatenated again in a random order, so a stripe's features
// cannot lean on its true neighbours and stay local. The branch output is cut the same way and
// put back into the original order before pooling (as the official NAFS code does), so stripe i
// always describes the i-th band of the body.
class StaircaseBackboneImpl : public torch::nn::Module {
public:
    explicit StaircaseBackboneImpl(const NafsArchitecture &architecture);
    StaircaseFeatures forward(const torch::Tensor &images);

    // The pretrained trunk's parameters (empty without one), trained at their own learning rate.
    std::vector<torch::Tensor> trunkParameters() const;
    // The perception package's values of trunkParameters(), in the same order.
    std::vector<torch::Tensor> trunkPackageValues() const;
    // Everything else of the backbone.
    std::vector<torch::Tensor> ownParameters() const;

    int outputChannels() const { return m_channels; }

    // Cuts x (B, C, H, W) into `stripes` bands of equal height and concatenates them in the order
    // `order` (a permutation of 0..stripes-1): band k of the result is band order[k] of x.
    static torch::Tensor permuteStripes(const torch::Tensor &x, const std::vector<int64_t> &order);
    // Average-pools each of `stripes` horizontal bands: (B, C, H, W) -> (B, stripes, C).
    static torch::Tensor poolStripes(const torch::Tensor &x, int stripes);

private:
    // Runs `branch` on x with split & shuffle (training) and returns its pooled stripes.
    torch::Tensor stripeBranch(const torch::Tensor &x, int stripes, const std::function<torch::Tensor(torch::Tensor)> &branch);

    NafsArchitecture m_architecture;
    int m_channels = 0;
    torch::nn::Conv2d m_stemConv{nullptr};
    torch::nn::BatchNorm2d m_stemBn{nullptr};
    ResidualStage m_stage1{nullptr}, m_stage2{nullptr}, m_stage3{nullptr}, m_stage4{nullptr};
    ResidualStage m_region3{nullptr}, m_region4{nullptr};
    ResidualStage m_patch4{nullptr};
    PretrainedTrunk m_trunk{nullptr};
};
TORCH_MODULE(StaircaseBackbone);

} // namespace descry
