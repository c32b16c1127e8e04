#include "TokenBatch.h"

#include "WordPieceTokenizer.h"

#include <torch/torch.h>

namespace descry {

TokenBatch TokenBatch::select(const torch::Tensor &rows) const
{
    return { ids.index_select(0, rows), attentionMask.index_select(0, rows), span.index_select(0, rows) };
}

TokenBatch TokenBatch::to(const c10::Device &device) const
{
    return { ids.to(device), attentionMask.to(device), span.to(device) };
}

TokenBatch TokenBatch::trimmed() const
{
    const int64_t length = std::max<int64_t>(1, attentionMask.sum(1).max().item<int64_t>());
    return { ids.narrow(1, 0, length), attentionMask.narrow(1, 0, length), span.narrow(1, 0, length) };
}

TokenBatch tokenizeTexts(const WordPieceTokenizer &tokenizer, const QStringList &texts, int maxTokens)
{
    const int64_t n = texts.size();
    TokenBatch batch { torch::empty({ n, maxTokens }, torch::kLong),
        torch::empty({ n, maxTokens }, torch::kLong), torch::empty({ n, maxTokens }, torch::kLong) };
    auto ids = batch.ids.accessor<int64_t, 2>();
    auto mask = batch.attentionMask.accessor<int64_t, 2>();
    auto span = batch.span.accessor<int64_t, 2>();
    for (int64_t i = 0; i < n; ++i) {
        const WordPieceSequence s = tokenizer.sequence(texts.at(int(i)), maxTokens);
        for (int j = 0; j < maxTokens; ++j) {
            ids[i][j] = s.ids[size_t(j)];
            mask[i][j] = s.attentionMask[size_t(j)];
            span[i][j] = s.span[size_t(j)];
        }
    }
    return batch;
}

} // namespace descry
