#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace descry {

// How WordPieceVocabulary::build() chooses its tokens.
struct WordPieceBuildOptions {
    // A corpus word becomes a whole-word token when it occurs at least this often.
    int minCount = 2;
    // Upper bound on the vocabulary size. The special tokens and the character alphabet are
    // always kept, even when they alone exceed it; whole words and then pieces fill the rest.
    int maxVocabularySize = 8000;
    // Longest word prefix / suffix considered as a piece (in characters, without "##").
    int maxPieceChars = 8;
    // A piece must be seen at least this often (corpus words weighted by their count, each
    // word-list entry counted once).
    int minPieceCount = 2;
    // Optional English word list (one word per line, e.g. Debian's wamerican
    // /usr/share/dict/american-english). Its words feed the character alphabet and the piece
    // statistics, so that words never seen in captions still split into meaningful pieces.
    QString wordListPath;
};

// The token <-> id table of Descry's WordPiece text tokenizer (BERT style: a word starts with a
// plain token, continuation pieces carry a "##" prefix). Special tokens have fixed ids 0..5.
//
// build() is deterministic; its tokens, in id order:
//  1. the special tokens [PAD] [UNK] [CLS] [SEP] [MASK] [SUB];
//  2. the alphabet: a-z, 0-9, ASCII punctuation, and every other character seen in the corpus
//     or word list, each letter/digit also as "##c", so any word made of known characters
//     tokenises without [UNK];
//  3. corpus words with count >= minCount;
//  4. pieces: every word prefix ("shou") and suffix ("##ers") of 2..maxPieceChars characters,
//     counted over corpus words (weighted by count) and the word list (weight 1), kept when
//     seen >= minPieceCount times, until maxVocabularySize is reached.
// Within 2..4, tokens are ordered by count descending, then lexicographically (QString
// operator<), so the same corpus and options always give the identical vocabulary.
class WordPieceVocabulary {
public:
    enum SpecialToken : int { Pad = 0, Unk = 1, Cls = 2, Sep = 3, Mask = 4, Sub = 5 };
    static constexpr int specialTokenCount = 6;
    // "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[SUB]" in id order.
    static QStringList specialTokens();
    // The first line of a saved vocabulary file.
    static QString fileHeader();
    // The SHA-256 (hex) of the token lines, which a vocabulary file records after its header.
    static QString tokensDigest(const QStringList &tokens);

    // A vocabulary holding only the special tokens.
    WordPieceVocabulary();

    // Builds from caption texts (pre-tokenised with WordPieceTokenizer::basicTokenize). Fails
    // only when options.wordListPath is set but cannot be read.
    bool build(const QStringList &corpus, const WordPieceBuildOptions &options, QString *error);

    // Text file: the header line, then one token per line; a token's id is its line index
    // after the header (0-based). UTF-8.
    bool save(const QString &path, QString *error) const;
    bool load(const QString &path, QString *error);
    // The file format in memory (e.g. a vocabulary embedded in a TorchScript model); `origin`
    // names it in errors.
    bool parse(const QByteArray &text, const QString &origin, QString *error);
    QByteArray toText() const;

    int size() const { return int(m_tokens.size()); }
    // The id of `token`, -1 when absent.
    int id(const QString &token) const { return m_ids.value(token, -1); }
    bool contains(const QString &token) const { return m_ids.contains(token); }
    // The token with id `id`, empty when out of range.
    QString token(int id) const { return id >= 0 && id < size() ? m_tokens.at(id) : QString(); }
    const QStringList &tokens() const { return m_tokens; }

    bool operator==(const WordPieceVocabulary &other) const { return m_tokens == other.m_tokens; }

private:
    bool setTokens(const QStringList &tokens, QString *error);

    QStringList m_tokens;
    QHash<QString, int> m_ids;
};

} // namespace descry
