#include "StaircaseBackbone.h"

#include <torch/torch.h>

namespace descry {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv(int in, int out, int kernel, int stride)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

} // namespace

ResidualBlockImpl::ResidualBlockImpl(int in, int out, int stride)
{
    m_conv1 = register_module("conv1", conv(in, out, 3, stride));
    m_bn1 = register_module("bn1", nn::BatchNorm2d(out));
    m_conv2 = register_module("conv2", conv(out, out, 3, 1));
    m_bn2 = register_module("bn2", nn::BatchNorm2d(out));
    if (in != out || stride != 1) {
        m_shortcutConv = register_module("shortcut_conv", conv(in, out, 1, stride));
        m_shortcutBn = register_module("shortcut_bn", nn::BatchNorm2d(out));
    }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor &x)
{
    torch::Tensor y = torch::relu(m_bn1(m_conv1(x)));
    y = m_bn2(m_conv2(y));
    const torch::Tensor shortcut = m_shortcutConv ? m_shortcutBn(m_shortcutConv(x)) : x;
    return torch::relu(y + shortcut);
}

ResidualStageImpl::ResidualStageImpl(int in, int out, int blocks, int stride)
{
    for (int i = 0; i < blocks; ++i)
        m_blocks->push_back(ResidualBlock(i == 0 ? in : out, out, i == 0 ? stride : 1));
    register_module("blocks", m_blocks);
}

torch::Tensor ResidualStageImpl::forward(torch::Tensor x)
{
    return m_blocks->forward(x);
}

StaircaseBackboneImpl::StaircaseBackboneImpl(const NafsArchitecture &a)
    : m_architecture(a)
    , m_channels(a.widths[3])
{
    const std::vector<int> &w = a.widths;
    const std::vector<int> &b = a.blocks;
    if (!a.trunk.isEmpty()) {
        m_trunk = register_module("trunk", PretrainedTrunk(a.trunk));
        const std::vector<int> &c = m_trunk->trunkSpec().channels;
        m_stage4 = register_module("stage4", ResidualStage(c[2], w[3], b[3], 1));
        m_region4 = register_module("region4", ResidualStage(c[1], w[3], b[3], 1));
        m_patch4 = register_module("patch4", ResidualStage(c[0], w[3], b[3], 1));
        return;
    }
    m_stemConv = register_module("stem_conv", conv(3, w[0], 3, 2));
    m_stemBn = register_module("stem_bn", nn::BatchNorm2d(w[0]));
    m_stage1 = register_module("stage1", ResidualStage(w[0], w[0], b[0], 1));
    m_stage2 = register_module("stage2", ResidualStage(w[0], w[1], b[1], 2));
    m_stage3 = register_module("stage3", ResidualStage(w[1], w[2], b[2], 2));
    m_stage4 = register_module("stage4", ResidualStage(w[2], w[3], b[3], 1));
    m_region3 = register_module("region3", ResidualStage(w[1], w[2], b[2], 2));
    m_region4 = register_module("region4", ResidualStage(w[2], w[3], b[3], 1));
    m_patch4 = register_module("patch4", ResidualStage(w[2], w[3], b[3], 1));
}

torch::Tensor StaircaseBackboneImpl::permuteStripes(const torch::Tensor &x, const std::vector<int64_t> &order)
{
    const std::vector<torch::Tensor> bands = x.chunk(int64_t(order.size()), 2);
    std::vector<torch::Tensor> reordered;
    reordered.reserve(order.size());
    for (int64_t k : order)
        reordered.push_back(bands[size_t(k)]);
    return torch::cat(reordered, 2);
}

torch::Tensor StaircaseBackboneImpl::poolStripes(const torch::Tensor &x, int stripes)
{
    // (B, C, H, W) -> (B, C, stripes, 1) -> (B, stripes, C)
    return torch::adaptive_avg_pool2d(x, { stripes, 1 }).squeeze(3).transpose(1, 2);
}

torch::Tensor StaircaseBackboneImpl::stripeBranch(
    const torch::Tensor &x, int stripes, const std::function<torch::Tensor(torch::Tensor)> &branch)
{
    if (!is_training() || !m_architecture.splitShuffle || stripes < 2)
        return poolStripes(branch(x), stripes);
    // torch::randperm draws from the global generator, which the trainer seeds.
    const torch::Tensor perm = torch::randperm(stripes, torch::kLong);
    std::vector<int64_t> order(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + stripes);
    std::vector<int64_t> inverse(size_t(stripes), 0);
    for (int k = 0; k < stripes; ++k)
        inverse[size_t(order[size_t(k)])] = k;
    const torch::Tensor out = branch(permuteStripes(x, order));
    return poolStripes(permuteStripes(out, inverse), stripes);
}

std::vector<torch::Tensor> StaircaseBackboneImpl::trunkParameters() const
{
    return m_trunk ? m_trunk->parameters() : std::vector<torch::Tensor> {};
}

std::vector<torch::Tensor> StaircaseBackboneImpl::trunkPackageValues() const
{
    return m_trunk ? m_trunk->packageValues() : std::vector<torch::Tensor> {};
}

std::vector<torch::Tensor> StaircaseBackboneImpl::ownParameters() const
{
    std::vector<torch::Tensor> own;
    for (const auto &child : named_children())
        if (child.key() != "trunk")
            for (const torch::Tensor &p : child.value()->parameters())
                own.push_back(p);
    return own;
}

StaircaseFeatures StaircaseBackboneImpl::forward(const torch::Tensor &images)
{
    if (m_trunk) {
        const std::vector<torch::Tensor> maps = m_trunk(images);
        StaircaseFeatures f;
        f.global = torch::adaptive_avg_pool2d(m_stage4(maps[2]), { 1, 1 }).flatten(1);
        f.region = stripeBranch(
            maps[1], m_architecture.regionStripes, [this](torch::Tensor t) { return m_region4(t); });
        f.patch = stripeBranch(
            maps[0], m_architecture.patchStripes, [this](torch::Tensor t) { return m_patch4(t); });
        return f;
    }
    const torch::Tensor s1 = m_stage1(torch::relu(m_stemBn(m_stemConv(images))));
    const torch::Tensor s2 = m_stage2(s1);
    const torch::Tensor s3 = m_stage3(s2);
    const torch::Tensor s4 = m_stage4(s3);
    StaircaseFeatures f;
    f.global = torch::adaptive_avg_pool2d(s4, { 1, 1 }).flatten(1);
    f.region = stripeBranch(
        s2, m_architecture.regionStripes, [this](torch::Tensor t) { return m_region4(m_region3(t)); });
    f.patch = stripeBranch(s3, m_architecture.patchStripes, [this](torch::Tensor t) { return m_patch4(t); });
    return f;
}

} // namespace descry
