#pragma once

#include <torch/types.h>

namespace descry {

// The training objectives of NAFS (seed 000, 3.3 "alignment objective"). Every loss takes a
// batch of B image/text pairs where pair i shows identity labels[i] (int64, (B)); pairs of the
// same identity count as matches, so q_ij = y_ij / sum_k y_ik is the true matching distribution.

// Cross-modal projection matching (Zhang & Lu, ECCV 2018), on the global features
// image (B, D) and text (B, D): p_ij = softmax_j(image_i . text_j/|text_j|) and the loss is
// mean_i KL(p_i || q_i), plus the same from text to image.
torch::Tensor cmpmLoss(const torch::Tensor &image, const torch::Tensor &text, const torch::Tensor &labels, double eps = 1e-8);

// Cross-modal projection classification: the image feature projected on the normalised text
// feature of its pair (and the text on the image) is classified into the training identities
// with a shared, column-normalised, bias-free classifier (D, C); cross-entropy of both.
torch::Tensor cmpcLoss(const torch::Tensor &image, const torch::Tensor &text, const torch::Tensor &labels,
    const torch::Tensor &classifier);

// Cross-scale alignment loss on the non-local similarities: imageToText and textToImage are
// (B, B) matrices, [i][j] = similarity of image i and text j. The same matching KL as CMPM is
// applied row-wise (images) to scale * imageToText and column-wise (texts) to
// scale * textToImage; `scale` turns cosine-range similarities into usable logits.
torch::Tensor csalLoss(const torch::Tensor &imageToText, const torch::Tensor &textToImage, const torch::Tensor &labels,
    double scale, double eps = 1e-8);

// Stripe grounding. attention (B, Nt, Ni): each text item's attention over its own image's items
// (pairedTextAttention); zones (B, Nt) int64: the body zone a token names (0 none, else a row of
// zoneMask); zoneMask (Z, Ni) float: row 0 marks every stripe (region and patch items, not the
// global one), row z the stripes of zone z. Per token with a zone: -log of the share of its
// stripe attention that falls in its zone; the mean over those tokens (0 when there are none).
torch::Tensor groundingLoss(const torch::Tensor &attention, const torch::Tensor &zones, const torch::Tensor &zoneMask,
    double eps = 1e-6);

// mean_i sum_j p_ij (log p_ij - log(q_ij + eps)) with p = softmax(logits, 1), q from labels.
torch::Tensor matchingKl(const torch::Tensor &logits, const torch::Tensor &labels, double eps = 1e-8);

} // namespace descry
