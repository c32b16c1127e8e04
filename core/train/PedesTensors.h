#pragma once

#include "NafsConfig.h"
#include "TokenBatch.h"

#include <QString>
#include <QStringList>

#include <torch/types.h>

#include <functional>

namespace descry {

class PedesDataset;
class WordPieceTokenizer;

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
