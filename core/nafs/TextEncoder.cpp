#include "TextEncoder.h"

#include "WordPieceVocabulary.h"

#include <torch/torch.h>

#include <cmath>

namespace descry {

namespace nn = torch::nn;

MaskedSelfAttentionImpl::MaskedSelfAttentionImpl(int width, int heads, double dropout)
    : m_heads(heads)
{
    m_qkv = register_module("qkv", nn::Linear(width, 3 * width));
    m_out = register_module("out", nn::Linear(width, width));
    m_dropout = register_module("dropout", nn::Dropout(dropout));
}

torch::Tensor MaskedSelfAttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &allowed)
{
    const int64_t batch = x.size(0), length = x.size(1), width = x.size(2);
    const int64_t headWidth = width / m_heads;
    // (B, L, 3, H, d) -> three (B, H, L, d)
    const torch::Tensor qkv = m_qkv(x).view({batch, length, 3, m_heads, headWidth}).permute({2, 0, 3, 1, 4});
    const torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(headWidth));
    scores = scores.masked_fill(allowed.logical_not().unsqueeze(1), -1e9);
    const torch::Tensor weights = m_dropout(torch::softmax(scores, -1));
    const torch::Tensor context = torch::matmul(weights, v).transpose(1, 2).reshape({batch, length, width});
    return m_out(context);
}

TransformerLayerImpl::TransformerLayerImpl(int width, int heads, int feedForward, double dropout)
{
    m_attention = register_module("attention", MaskedSelfAttention(width, heads, dropout));
    m_norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({width})));
    m_norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({width})));
    m_ff1 = register_module("ff1", nn::Linear(width, feedForward));
    m_ff2 = register_module("ff2", nn::Linear(feedForward, width));
    m_dropout = register_module("dropout", nn::Dropout(dropout));
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor &x, const torch::Tensor &allowed)
{
    torch::Tensor y = x + m_dropout(m_attention(m_norm1(x), allowed));
    return y + m_dropout(m_ff2(m_dropout(torch::gelu(m_ff1(m_norm2(y))))));
}

torch::Tensor TextFeatures::sentence() const
{
    return items.select(1, 0);
}

TextEncoderImpl::TextEncoderImpl(const NafsArchitecture &a, int vocabularySize)
{
    m_tokens = register_module("tokens", nn::Embedding(vocabularySize, a.textWidth));
    m_positions = register_module("positions", nn::Embedding(a.maxTokens, a.textWidth));
    m_dropout = register_module("dropout", nn::Dropout(a.dropout));
    for (int i = 0; i < a.textLayers; ++i)
        m_layers.push_back(register_module(
            "layer" + std::to_string(i), TransformerLayer(a.textWidth, a.textHeads, a.textFeedForward, a.dropout)));
    m_finalNorm = register_module("final_norm", nn::LayerNorm(nn::LayerNormOptions({a.textWidth})));
    m_projection = register_module("projection", nn::Linear(a.textWidth, a.embedding));
}

torch::Tensor TextEncoderImpl::localityMask(
    const torch::Tensor &ids, const torch::Tensor &attentionMask, const torch::Tensor &span)
{
    const torch::Tensor keyValid = attentionMask.to(torch::kBool).unsqueeze(1); // (B, 1, L)
    const torch::Tensor isSub = ids.eq(WordPieceVocabulary::Sub).unsqueeze(2); // (B, L, 1)
    const torch::Tensor sameSpan = span.unsqueeze(2).eq(span.unsqueeze(1)); // (B, L, L)
    return keyValid.logical_and(isSub.logical_not().logical_or(sameSpan));
}

TextFeatures TextEncoderImpl::forward(const torch::Tensor &ids, const torch::Tensor &attentionMask, const torch::Tensor &span)
{
    const int64_t length = ids.size(1);
    const torch::Tensor positions = torch::arange(length, ids.options()).unsqueeze(0);
    torch::Tensor x = m_dropout(m_tokens(ids) + m_positions(positions));
    const torch::Tensor allowed = localityMask(ids, attentionMask, span);
    for (TransformerLayer &layer : m_layers)
        x = layer(x, allowed);
    TextFeatures features;
    features.items = m_projection(m_finalNorm(x));
    features.valid = attentionMask.to(torch::kBool).logical_and(ids.ne(WordPieceVocabulary::Sep));
    return features;
}

} // namespace descry
