#pragma once

#include "NafsConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace descry {

// Similarities of every image with every text, (Bi, Bt), from both directions, and, when asked
// for, the attention behind them: imageToTextWeights (Bi, Bt, Ni, Nt) — how much each image
// item (global, region stripes, patch stripes) attended to each text item (sentence,
// sub-sentences, words) — and textToImageWeights (Bi, Bt, Nt, Ni), the other way round. Rows
// of dropped (focal) or invalid items are zero. With the weights come the per-item relevances
// the two directions average: imageItemRelevance (Bi, Bt, Ni) and textItemRelevance (Bi, Bt, Nt),
// zero for invalid items, so an explanation can split the score by image scale exactly.
struct AlignmentScores {
    torch::Tensor imageToText;
    torch::Tensor textToImage;
    torch::Tensor imageToTextWeights;
    torch::Tensor textToImageWeights;
    torch::Tensor imageItemRelevance;
    torch::Tensor textItemRelevance;
    // The local similarity NAFS ranks by: the mean of both directions.
    torch::Tensor similarity() const;
};

// NAFS's contextual non-local attention (seed 000, 3.3). Image items I are projected to visual
// queries and values, text items T to text keys and values. Image->text: every visual query
// attends over all text items of every scale at once (cosine similarity, LeakyReLU, L2
// normalisation over the queries, softmax with inverse temperature lambda, focal attention that
// keeps only items weighted above the mean 1/n and renormalises); the attended text value is
// compared with the visual value by cosine, and the pair's similarity is the mean over image
// items. Text->image is the same with the roles swapped. Alignment is across scales: a word may
// attend to the whole-image feature as readily as to a patch stripe.
class NonLocalAlignmentImpl : public torch::nn::Module {
public:
    explicit NonLocalAlignmentImpl(const NafsArchitecture &architecture);

    // image (Bi, Ni, D), imageValid (Bi, Ni) bool; text (Bt, Nt, D), textValid (Bt, Nt) bool.
    // Invalid items take no part (used for padding and for scale ablations).
    AlignmentScores forward(const torch::Tensor &image, const torch::Tensor &imageValid, const torch::Tensor &text,
        const torch::Tensor &textValid, bool keepWeights = false);

    // Text -> image attention of matched pairs only, without focal dropping: text i attends over
    // the items of image i. image (B, Ni, D), text (B, Nt, D); returns (B, Nt, Ni). For the
    // stripe grounding loss, which needs a gradient on every stripe.
    torch::Tensor pairedTextAttention(const torch::Tensor &image, const torch::Tensor &imageValid, const torch::Tensor &text,
        const torch::Tensor &textValid);

    // The attention step shared by both directions, exposed for tests. similarity (.., Nq, Nc)
    // between queries and contexts (raw cosines); queryValid broadcastable to (.., Nq),
    // contextValid to (.., Nc). Returns the attention weights (.., Nq, Nc).
    static torch::Tensor attentionWeights(const torch::Tensor &similarity, const torch::Tensor &queryValid,
        const torch::Tensor &contextValid, double inverseTemperature, double leakySlope, bool focal);

private:
    NafsArchitecture m_architecture;
    torch::nn::Linear m_visualQuery{nullptr}, m_visualValue{nullptr}, m_textKey{nullptr}, m_textValue{nullptr};
};
TORCH_MODULE(NonLocalAlignment);

} // namespace descry
