#pragma once

#include <QStringList>

#include <torch/types.h>

namespace descry {

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

} // namespace descry
