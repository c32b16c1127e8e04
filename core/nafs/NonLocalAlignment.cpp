#include "NonLocalAlignment.h"

#include <torch/torch.h>

namespace descry {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

constexpr double kEps = 1e-8;

torch::Tensor l2Normalize(const torch::Tensor &x)
{
    return F::normalize(x, F::NormalizeFuncOptions().p(2).dim(-1).eps(kEps));
}

// Mean of values (.., N) over the items marked in valid (.., N).
torch::Tensor maskedMean(const torch::Tensor &values, const torch::Tensor &valid)
{
    const torch::Tensor weights = valid.to(values.dtype()).expand_as(values);
    return (values * weights).sum(-1) / weights.sum(-1).clamp_min(1.0);
}

} // namespace

torch::Tensor AlignmentScores::similarity() const
{
    return (imageToText + textToImage) * 0.5;
}

NonLocalAlignmentImpl::NonLocalAlignmentImpl(const NafsArchitecture &a)
    : m_architecture(a)
{
    m_visualQuery = register_module("visual_query", nn::Linear(a.embedding, a.embedding));
    m_visualValue = register_module("visual_value", nn::Linear(a.embedding, a.embedding));
    m_textKey = register_module("text_key", nn::Linear(a.embedding, a.embedding));
    m_textValue = register_module("text_value", nn::Linear(a.embedding, a.embedding));
}

torch::Tensor NonLocalAlignmentImpl::attentionWeights(const torch::Tensor &similarity, const torch::Tensor &queryValid,
    const torch::Tensor &contextValid, double inverseTemperature, double leakySlope, bool focal)
{
    const torch::Tensor queryMask = queryValid.unsqueeze(-1); // (.., Nq, 1)
    const torch::Tensor contextMask = contextValid.unsqueeze(-2); // (.., 1, Nc)
    // LeakyReLU, then L2 normalisation over the queries (SCAN's clipped l2 norm, as NAFS uses):
    // a context item that every query likes stands out less than one that a few queries like.
    torch::Tensor s = F::leaky_relu(similarity, F::LeakyReLUFuncOptions().negative_slope(leakySlope));
    s = s.masked_fill(queryMask.logical_not(), 0.0);
    s = s / (s.norm(2, {-2}, true) + kEps);
    torch::Tensor logits = (s * inverseTemperature).masked_fill(contextMask.logical_not(), -1e9);
    torch::Tensor weights = torch::softmax(logits, -1);
    if (focal) {
        // Focal attention: keep the contexts weighted above the uniform 1/n, renormalise.
        const torch::Tensor n = contextMask.to(weights.dtype()).sum(-1, true);
        // (>= rather than >, so that uniform attention keeps every item instead of none.)
        const torch::Tensor keep = (weights * n).ge(1.0 - 1e-6).logical_and(contextMask);
        weights = weights * keep.to(weights.dtype());
        weights = weights / (weights.sum(-1, true) + kEps);
    }
    return weights.masked_fill(queryMask.logical_not().logical_or(contextMask.logical_not()), 0.0);
}

torch::Tensor NonLocalAlignmentImpl::pairedTextAttention(
    const torch::Tensor &image, const torch::Tensor &imageValid, const torch::Tensor &text, const torch::Tensor &textValid)
{
    const torch::Tensor vq = l2Normalize(m_visualQuery(image)); // (B, Ni, D)
    const torch::Tensor tk = l2Normalize(m_textKey(text)); // (B, Nt, D)
    const torch::Tensor cosine = torch::matmul(tk, vq.transpose(-1, -2)); // (B, Nt, Ni)
    return attentionWeights(cosine, textValid, imageValid, m_architecture.inverseTemperature, m_architecture.leakySlope, false);
}

AlignmentScores NonLocalAlignmentImpl::forward(const torch::Tensor &image, const torch::Tensor &imageValid,
    const torch::Tensor &text, const torch::Tensor &textValid, bool keepWeights)
{
    const double lambda = m_architecture.inverseTemperature;
    const double slope = m_architecture.leakySlope;
    const bool focal = m_architecture.focalAttention;
    const torch::Tensor vq = l2Normalize(m_visualQuery(image)).unsqueeze(1); // (Bi, 1, Ni, D)
    const torch::Tensor vv = m_visualValue(image).unsqueeze(1); // (Bi, 1, Ni, D)
    const torch::Tensor tk = l2Normalize(m_textKey(text)).unsqueeze(0); // (1, Bt, Nt, D)
    const torch::Tensor tv = m_textValue(text).unsqueeze(0); // (1, Bt, Nt, D)
    const torch::Tensor iValid = imageValid.unsqueeze(1); // (Bi, 1, Ni)
    const torch::Tensor tValid = textValid.unsqueeze(0); // (1, Bt, Nt)

    const torch::Tensor cosine = torch::matmul(vq, tk.transpose(-1, -2)); // (Bi, Bt, Ni, Nt)

    AlignmentScores scores;
    // Image -> text: each visual query gathers the text values it attends to.
    const torch::Tensor alpha = attentionWeights(cosine, iValid, tValid, lambda, slope, focal);
    const torch::Tensor attendedText = torch::matmul(alpha, tv); // (Bi, Bt, Ni, D)
    const torch::Tensor relevanceI = F::cosine_similarity(vv, attendedText, F::CosineSimilarityFuncOptions().dim(-1).eps(kEps));
    scores.imageToText = maskedMean(relevanceI, iValid);

    // Text -> image: each text key gathers the visual values it attends to.
    const torch::Tensor beta = attentionWeights(cosine.transpose(-1, -2), tValid, iValid, lambda, slope, focal);
    const torch::Tensor attendedImage = torch::matmul(beta, vv); // (Bi, Bt, Nt, D)
    const torch::Tensor relevanceT = F::cosine_similarity(tv, attendedImage, F::CosineSimilarityFuncOptions().dim(-1).eps(kEps));
    scores.textToImage = maskedMean(relevanceT, tValid);

    if (keepWeights) {
        scores.imageToTextWeights = alpha;
        scores.textToImageWeights = beta;
        scores.imageItemRelevance = relevanceI * iValid.to(relevanceI.dtype());
        scores.textItemRelevance = relevanceT * tValid.to(relevanceT.dtype());
    }
    return scores;
}

} // namespace descry
