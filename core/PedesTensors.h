#pragma once

#include "NafsConfig.h"

#include <QString>
#include <QStringList>

#include <torch/types.h>

#include <functional>

namespace descry {

class PedesDataset;
class WordPieceTokenizer;

// Tokenised texts as model input, (N, L) int64 each (see WordPieceSequence).
struct TokenBatch {
    torch::Tensor ids;
    torch::Tensor attentionMask;
    torch::Tensor span;
    TokenBatch select(const torch::Tensor &rows) const;
    TokenBatch to(const c10::Device &device) const;
    // Without the trailing columns that are padding in every row (the pairwise alignment costs
    // grow with the sequence length, and most captions are much shorter than maxTokens).
    TokenBatch trimmed() const;
};

TokenBatch tokenizeTexts(const WordPieceTokenizer &tokenizer, const QStringList &texts, int maxTokens);
// (N, L) int64: the BodyZone each token's word names (BodyZones.h), aligned with tokenizeTexts.
torch::Tensor tokenizeBodyZones(const WordPieceTokenizer &tokenizer, const QStringList &texts, int maxTokens);

// One split of a dataset in memory, ready for training or evaluation: every image at the model
// input size as (N, H, W, 3) uint8 RGB with its contiguous identity label, and every caption
// tokenised with the index of the image it describes.
struct PedesTensors {
    torch::Tensor images; // (N, H, W, 3) uint8
    torch::Tensor labels; // (N) int64
    std::vector<int> identities; // (N) the dataset's own ids
    QStringList imagePaths; // (N)
    TokenBatch captions; // (M, L)
    torch::Tensor captionZones; // (M, L) int64: BodyZone of each token (BodyZones.h)
    torch::Tensor captionImage; // (M) int64: the image each caption describes
    QStringList captionTexts; // (M)
    int identityCount = 0;
};

// Loads `split` of `dataset`. progress(done, total) is called while images are read.
bool loadPedesTensors(const PedesDataset &dataset, const QString &split, const NafsArchitecture &architecture,
    const WordPieceTokenizer &tokenizer, PedesTensors *out, QString *error,
    const std::function<void(int, int)> &progress = {});

} // namespace descry
