#pragma once

#include "NafsConfig.h"
#include "NonLocalAlignment.h"
#include "StaircaseBackbone.h"
#include "TextEncoder.h"

#include <opencv2/core/mat.hpp>

#include <vector>

namespace descry {

// Image features of every scale in the joint space: items (B, Ni, D) = [global, region stripes
// top to bottom, patch stripes top to bottom]; global (B, D) is items[:, 0].
struct ImageFeatures {
    torch::Tensor items;
    torch::Tensor global() const;
};

// Which image items belong to which scale (for ablations and heatmaps).
struct ImageScales {
    int regionStripes = 3;
    int patchStripes = 6;
    int count() const { return 1 + regionStripes + patchStripes; }
    int firstRegion() const { return 1; }
    int firstPatch() const { return 1 + regionStripes; }
};

// The whole NAFS network: staircase backbone + per-scale projections, the locality-constrained
// text encoder, and the contextual non-local alignment. Scores follow the official code:
// global cosine + non-local similarity.
class NafsModelImpl : public torch::nn::Module {
public:
    NafsModelImpl(const NafsArchitecture &architecture, int vocabularySize);

    // images: (B, 3, H, W) float, normalised by normalizeImages().
    ImageFeatures encodeImages(const torch::Tensor &images);
    // (B, L) int64 each, from WordPieceTokenizer::sequence().
    TextFeatures encodeTexts(const torch::Tensor &ids, const torch::Tensor &attentionMask, const torch::Tensor &span);
    AlignmentScores align(const torch::Tensor &imageItems, const torch::Tensor &imageValid, const TextFeatures &text,
        bool keepWeights = false);
    // See NonLocalAlignmentImpl::pairedTextAttention.
    torch::Tensor pairedTextAttention(const torch::Tensor &imageItems, const torch::Tensor &imageValid, const TextFeatures &text);

    const NafsArchitecture &architecture() const { return m_architecture; }
    int vocabularySize() const { return m_vocabularySize; }
    ImageScales scales() const { return {m_architecture.regionStripes, m_architecture.patchStripes}; }

    // Cosine similarity of every image global feature with every text global feature (Bi, Bt).
    static torch::Tensor globalCosine(const torch::Tensor &imageGlobal, const torch::Tensor &textGlobal);

    // Groups whose learning rate the config scales (backbone + text encoder; a pretrained image
    // trunk on its own) and the rest.
    std::vector<torch::Tensor> encoderParameters() const;
    std::vector<torch::Tensor> trunkParameters() const;
    // The perception package's values of trunkParameters(), in the same order.
    std::vector<torch::Tensor> trunkPackageValues() const;
    std::vector<torch::Tensor> headParameters() const;

private:
    NafsArchitecture m_architecture;
    int m_vocabularySize;
    StaircaseBackbone m_backbone{nullptr};
    torch::nn::Linear m_globalProjection{nullptr}, m_regionProjection{nullptr}, m_patchProjection{nullptr};
    TextEncoder m_text{nullptr};
    NonLocalAlignment m_alignment{nullptr};
};
TORCH_MODULE(NafsModel);

// Person crops (BGR CV_8UC3, any size) resized to the model input, as (B, H, W, 3) uint8 RGB —
// the compact form the trainer keeps in memory.
torch::Tensor cropsToUint8(const std::vector<cv::Mat> &crops, int height, int width);
// (B, H, W, 3) uint8 RGB -> (B, 3, H, W) float normalised with the ImageNet mean and deviation.
torch::Tensor normalizeImages(const torch::Tensor &uint8Images);

} // namespace descry
