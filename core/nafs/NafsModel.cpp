#include "NafsModel.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

namespace descry {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

torch::Tensor ImageFeatures::global() const
{
    return items.select(1, 0);
}

NafsModelImpl::NafsModelImpl(const NafsArchitecture &a, int vocabularySize)
    : m_architecture(a)
    , m_vocabularySize(vocabularySize)
{
    m_backbone = register_module("backbone", StaircaseBackbone(a));
    const int channels = m_backbone->outputChannels();
    m_globalProjection = register_module("global_projection", nn::Linear(channels, a.embedding));
    m_regionProjection = register_module("region_projection", nn::Linear(channels, a.embedding));
    m_patchProjection = register_module("patch_projection", nn::Linear(channels, a.embedding));
    m_text = register_module("text", TextEncoder(a, vocabularySize));
    m_alignment = register_module("alignment", NonLocalAlignment(a));
}

ImageFeatures NafsModelImpl::encodeImages(const torch::Tensor &images)
{
    const StaircaseFeatures f = m_backbone(images);
    ImageFeatures features;
    features.items = torch::cat({ m_globalProjection(f.global).unsqueeze(1), m_regionProjection(f.region),
                                    m_patchProjection(f.patch) },
        1);
    return features;
}

TextFeatures NafsModelImpl::encodeTexts(
    const torch::Tensor &ids, const torch::Tensor &attentionMask, const torch::Tensor &span)
{
    return m_text(ids, attentionMask, span);
}

AlignmentScores NafsModelImpl::align(const torch::Tensor &imageItems, const torch::Tensor &imageValid,
    const TextFeatures &text, bool keepWeights)
{
    return m_alignment(imageItems, imageValid, text.items, text.valid, keepWeights);
}

torch::Tensor NafsModelImpl::pairedTextAttention(
    const torch::Tensor &imageItems, const torch::Tensor &imageValid, const TextFeatures &text)
{
    return m_alignment->pairedTextAttention(imageItems, imageValid, text.items, text.valid);
}

torch::Tensor NafsModelImpl::globalCosine(const torch::Tensor &imageGlobal, const torch::Tensor &textGlobal)
{
    const auto options = F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12);
    return torch::matmul(F::normalize(imageGlobal, options), F::normalize(textGlobal, options).t());
}

std::vector<torch::Tensor> NafsModelImpl::encoderParameters() const
{
    std::vector<torch::Tensor> params = m_backbone->ownParameters();
    const std::vector<torch::Tensor> text = m_text->parameters();
    params.insert(params.end(), text.begin(), text.end());
    return params;
}

std::vector<torch::Tensor> NafsModelImpl::trunkParameters() const
{
    return m_backbone->trunkParameters();
}

std::vector<torch::Tensor> NafsModelImpl::trunkPackageValues() const
{
    return m_backbone->trunkPackageValues();
}

std::vector<torch::Tensor> NafsModelImpl::headParameters() const
{
    std::vector<torch::Tensor> params;
    for (const auto *module :
        { m_globalProjection.get(), m_regionProjection.get(), m_patchProjection.get() }) {
        const std::vector<torch::Tensor> p = module->parameters();
        params.insert(params.end(), p.begin(), p.end());
    }
    const std::vector<torch::Tensor> a = m_alignment->parameters();
    params.insert(params.end(), a.begin(), a.end());
    return params;
}

torch::Tensor cropsToUint8(const std::vector<cv::Mat> &crops, int height, int width)
{
    torch::Tensor out = torch::empty({ int64_t(crops.size()), height, width, 3 }, torch::kUInt8);
    for (size_t i = 0; i < crops.size(); ++i) {
        cv::Mat resized, rgb;
        const cv::Mat &crop = crops[i];
        // INTER_AREA when shrinking keeps thin stripes of colour; linear when enlarging.
        const int interpolation = crop.rows > height ? cv::INTER_AREA : cv::INTER_LINEAR;
        cv::resize(crop, resized, cv::Size(width, height), 0, 0, interpolation);
        cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
        out[int64_t(i)].copy_(torch::from_blob(rgb.data, { height, width, 3 }, torch::kUInt8));
    }
    return out;
}

torch::Tensor normalizeImages(const torch::Tensor &uint8Images)
{
    static const torch::Tensor mean = torch::tensor({ 0.485f, 0.456f, 0.406f }).view({ 1, 3, 1, 1 });
    static const torch::Tensor std = torch::tensor({ 0.229f, 0.224f, 0.225f }).view({ 1, 3, 1, 1 });
    const torch::Tensor x = uint8Images.permute({ 0, 3, 1, 2 }).to(torch::kFloat32).div(255.0);
    return (x - mean.to(x.device())) / std.to(x.device());
}

} // namespace descry
