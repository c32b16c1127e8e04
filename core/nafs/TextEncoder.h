#pragma once

#include "NafsConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace descry {

// Multi-head self-attention with an explicit (B, L, L) boolean "may attend" mask, batch first.
class MaskedSelfAttentionImpl : public torch::nn::Module {
public:
    MaskedSelfAttentionImpl(int width, int heads, double dropout);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &allowed);

private:
    int m_heads;
    torch::nn::Linear m_qkv{nullptr}, m_out{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
};
TORCH_MODULE(MaskedSelfAttention);

// A pre-norm transformer encoder layer (pre-norm trains stably from scratch without warm
// restarts, which matters when nothing is pretrained).
class TransformerLayerImpl : public torch::nn::Module {
public:
    TransformerLayerImpl(int width, int heads, int feedForward, double dropout);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &allowed);

private:
    MaskedSelfAttention m_attention{nullptr};
    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::Linear m_ff1{nullptr}, m_ff2{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
};
TORCH_MODULE(TransformerLayer);

// Text features of every scale: one feature per sequence position, (B, L, D). Position 0 is
// the sentence [CLS], each [SUB] position a sub-sentence, the rest word pieces. `valid` (B, L)
// marks the positions that take part in alignment (not [PAD], not [SEP]).
struct TextFeatures {
    torch::Tensor items;
    torch::Tensor valid;
    torch::Tensor sentence() const;
};

// NAFS's locality-constrained text encoder (seed 000, 3.2), trained from scratch: token and
// position embeddings, a transformer encoder, and a projection to the joint feature size.
// Input is WordPieceTokenizer::sequence(): [CLS], per sub-sentence [SUB] + its tokens, [SEP].
// Locality constraint: a [SUB] position may attend only to positions of its own sub-sentence
// (its span), so its final state represents that sub-sentence; [CLS] and word positions attend
// to the whole sentence, as in BERT.
class TextEncoderImpl : public torch::nn::Module {
public:
    TextEncoderImpl(const NafsArchitecture &architecture, int vocabularySize);
    // ids, attentionMask, span: (B, L) int64 as produced by WordPieceSequence.
    TextFeatures forward(const torch::Tensor &ids, const torch::Tensor &attentionMask, const torch::Tensor &span);

    // The (B, L, L) mask of which position may attend to which (exposed for tests).
    static torch::Tensor localityMask(const torch::Tensor &ids, const torch::Tensor &attentionMask, const torch::Tensor &span);

private:
    torch::nn::Embedding m_tokens{nullptr}, m_positions{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    std::vector<TransformerLayer> m_layers;
    torch::nn::LayerNorm m_finalNorm{nullptr};
    torch::nn::Linear m_projection{nullptr};
};
TORCH_MODULE(TextEncoder);

} // namespace descry
