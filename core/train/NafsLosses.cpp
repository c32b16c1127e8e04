#include "NafsLosses.h"

#include <torch/torch.h>

namespace descry {

namespace F = torch::nn::functional;

namespace {

torch::Tensor normalized(const torch::Tensor &x, int64_t dim)
{
    return F::normalize(x, F::NormalizeFuncOptions().p(2).dim(dim).eps(1e-12));
}

} // namespace

torch::Tensor matchingKl(const torch::Tensor &logits, const torch::Tensor &labels, double eps)
{
    const torch::Tensor match = labels.unsqueeze(1).eq(labels.unsqueeze(0)).to(logits.dtype());
    const torch::Tensor q = match / match.sum(1, true);
    const torch::Tensor logP = torch::log_softmax(logits, 1);
    return (logP.exp() * (logP - torch::log(q + eps))).sum(1).mean();
}

torch::Tensor cmpmLoss(const torch::Tensor &image, const torch::Tensor &text, const torch::Tensor &labels, double eps)
{
    const torch::Tensor imageOnText = torch::matmul(image, normalized(text, 1).t());
    const torch::Tensor textOnImage = torch::matmul(text, normalized(image, 1).t());
    return matchingKl(imageOnText, labels, eps) + matchingKl(textOnImage, labels, eps);
}

torch::Tensor cmpcLoss(const torch::Tensor &image, const torch::Tensor &text, const torch::Tensor &labels,
    const torch::Tensor &classifier)
{
    const torch::Tensor textUnit = normalized(text, 1);
    const torch::Tensor imageUnit = normalized(image, 1);
    const torch::Tensor imageProjected = (image * textUnit).sum(1, true) * textUnit;
    const torch::Tensor textProjected = (text * imageUnit).sum(1, true) * imageUnit;
    const torch::Tensor weights = normalized(classifier, 0);
    return F::cross_entropy(torch::matmul(imageProjected, weights), labels)
        + F::cross_entropy(torch::matmul(textProjected, weights), labels);
}

torch::Tensor csalLoss(const torch::Tensor &imageToText, const torch::Tensor &textToImage, const torch::Tensor &labels,
    double scale, double eps)
{
    return matchingKl(imageToText * scale, labels, eps) + matchingKl(textToImage.t() * scale, labels, eps);
}

torch::Tensor groundingLoss(const torch::Tensor &attention, const torch::Tensor &zones, const torch::Tensor &zoneMask,
    double eps)
{
    const int64_t b = attention.size(0), nt = attention.size(1), ni = attention.size(2);
    const torch::Tensor stripes = (attention * zoneMask[0]).sum(-1); // (B, Nt)
    const torch::Tensor inZone = (attention * zoneMask.index_select(0, zones.reshape({-1})).view({b, nt, ni})).sum(-1);
    const torch::Tensor named = zones.gt(0).to(attention.dtype());
    const torch::Tensor perToken = -torch::log((inZone + eps) / (stripes + eps));
    return (perToken * named).sum() / named.sum().clamp_min(1.0);
}

} // namespace descry
