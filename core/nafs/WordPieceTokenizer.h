#pragma once

#include "WordPieceVocabulary.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace descry {

// A text as token ids, with for every token where it came from: the index of its source word
// (in basicTokenize() order, punctuation included) and of its sub-sentence. Sub-sentences end
// at ',' '.' ';' '!' '?' (the delimiter belongs to the span it closes); the text encoder uses
// them for NAFS's locality-constrained attention.
struct WordPieceEncoding {
    std::vector<int> ids;
    std::vector<int> wordIndex;
    std::vector<int> subSentenceIndex;
};

// The model input: [CLS], then for each sub-sentence a [SUB] token followed by its tokens,
// then [SEP], padded with [PAD] (or truncated) to exactly maxLength positions.
struct WordPieceSequence {
    static constexpr int sentenceSpan = -1; // [CLS] and [SEP]: attend to the whole sentence
    static constexpr int paddingSpan = -2;
    std::vector<int> ids;
    std::vector<int> attentionMask; // 1 for real tokens, 0 for padding
    // Per position: the sub-sentence id of a [SUB] or text token, sentenceSpan or paddingSpan.
    std::vector<int> span;
    // Per position: the source word (basicTokenize() index) of a text token, -1 for [CLS], [SUB],
    // [SEP] and padding. Lets explanations name whole words rather than word pieces.
    std::vector<int> wordIndex;
};

// BERT-style WordPiece tokenizer over a WordPieceVocabulary: basic pre-tokenisation, then
// greedy longest-match-first pieces per word. A word longer than maxWordChars, or one holding a
// character the vocabulary cannot spell, becomes a single [UNK] without touching its neighbours.
class WordPieceTokenizer {
public:
    static constexpr int maxWordChars = 100;

    explicit WordPieceTokenizer(WordPieceVocabulary vocabulary);

    // Lower-cases, strips accents (NFD, drops non-spacing marks) and control characters, splits
    // on whitespace and makes every punctuation or symbol character its own word, as BERT does:
    // "A T-shirt, red." -> "a", "t", "-", "shirt", ",", "red", ".".
    static QStringList basicTokenize(const QString &text);
    static bool isSubSentenceDelimiter(const QString &word);

    WordPieceEncoding encode(const QString &text) const;
    // The token ids of one pre-tokenised word.
    std::vector<int> wordPieces(const QString &word) const;
    WordPieceSequence sequence(const QString &text, int maxLength) const;

    // Tokens of `ids`, for debugging and tests.
    QStringList tokens(const std::vector<int> &ids) const;
    const WordPieceVocabulary &vocabulary() const { return m_vocabulary; }

private:
    WordPieceVocabulary m_vocabulary;
};

} // namespace descry
