#include "WordPieceVocabulary.h"

#include <QCryptographicHash>

#include "WordPieceTokenizer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSaveFile>
#include <QSet>
#include <QTextStream>

#include <algorithm>
#include <utility>
#include <vector>

namespace descry {

namespace {

using Counts = QHash<QString, qint64>;

const QString continuation = QStringLiteral("##");

// Count descending, then lexicographic: the one ordering every build step uses.
QStringList ranked(const Counts &counts)
{
    std::vector<std::pair<QString, qint64>> items;
    items.reserve(size_t(counts.size()));
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        items.emplace_back(it.key(), it.value());
    std::sort(items.begin(), items.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    QStringList out;
    out.reserve(qsizetype(items.size()));
    for (const auto &item : items)
        out.append(item.first);
    return out;
}

// Lone surrogates cannot be written as UTF-8; words holding them degrade to [UNK] instead.
bool usableCharacter(QChar c)
{
    return !c.isSurrogate() && !c.isSpace() && !c.isNull();
}

bool readWordList(const QString &path, Counts *words, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot read word list %1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream in(&file);
    QString line;
    while (in.readLineInto(&line)) {
        for (const QString &word : WordPieceTokenizer::basicTokenize(line))
            (*words)[word] += 1;
    }
    return true;
}

// Adds each word's characters (and "##c" for letters and digits) with the word's weight.
void countCharacters(const Counts &words, Counts *characters)
{
    for (auto it = words.cbegin(); it != words.cend(); ++it) {
        for (QChar c : it.key()) {
            if (!usableCharacter(c))
                continue;
            (*characters)[QString(c)] += it.value();
            if (c.isLetterOrNumber())
                (*characters)[continuation + c] += it.value();
        }
    }
}

// The guaranteed alphabet, so plain ASCII text never produces [UNK] whatever the corpus.
void addAsciiAlphabet(Counts *characters)
{
    for (char c = 33; c < 127; ++c) {
        const QChar ch = QLatin1Char(c);
        if (ch.isUpper())
            continue; // text is lower-cased before lookup
        (*characters)[QString(ch)] += 0;
        if (ch.isLetterOrNumber())
            (*characters)[continuation + ch] += 0;
    }
}

void countPieces(const Counts &words, int maxPieceChars, Counts *pieces)
{
    for (auto it = words.cbegin(); it != words.cend(); ++it) {
        const QString &word = it.key();
        const qsizetype longest = std::min<qsizetype>(word.size() - 1, maxPieceChars);
        for (qsizetype n = 2; n <= longest; ++n) {
            (*pieces)[word.left(n)] += it.value();
            (*pieces)[continuation + word.right(n)] += it.value();
        }
    }
}

} // namespace

QStringList WordPieceVocabulary::specialTokens()
{
    return { QStringLiteral("[PAD]"), QStringLiteral("[UNK]"), QStringLiteral("[CLS]"),
        QStringLiteral("[SEP]"), QStringLiteral("[MASK]"), QStringLiteral("[SUB]") };
}

QString WordPieceVocabulary::tokensDigest(const QStringList &tokens)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(tokens.join(QLatin1Char('\n')).toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString WordPieceVocabulary::fileHeader()
{
    return QStringLiteral("#descry-wordpiece-vocabulary 1");
}

WordPieceVocabulary::WordPieceVocabulary()
{
    setTokens(specialTokens(), nullptr);
}

bool WordPieceVocabulary::build(
    const QStringList &corpus, const WordPieceBuildOptions &options, QString *error)
{
    Counts corpusWords;
    for (const QString &text : corpus) {
        for (const QString &word : WordPieceTokenizer::basicTokenize(text))
            corpusWords[word] += 1;
    }
    Counts listWords;
    if (!options.wordListPath.isEmpty() && !readWordList(options.wordListPath, &listWords, error))
        return false;

    Counts characters;
    addAsciiAlphabet(&characters);
    countCharacters(corpusWords, &characters);
    countCharacters(listWords, &characters);

    QStringList tokens = specialTokens();
    QSet<QString> taken(tokens.cbegin(), tokens.cend());
    auto append = [&](const QString &token) {
        if (tokens.size() >= options.maxVocabularySize || taken.contains(token))
            return;
        tokens.append(token);
        taken.insert(token);
    };
    for (const QString &c : ranked(characters)) {
        tokens.append(c); // the alphabet ignores the size limit: it is what avoids [UNK]
        taken.insert(c);
    }
    Counts frequentWords;
    for (auto it = corpusWords.cbegin(); it != corpusWords.cend(); ++it) {
        if (it.value() >= options.minCount)
            frequentWords.insert(it.key(), it.value());
    }
    for (const QString &word : ranked(frequentWords))
        append(word);

    Counts pieces;
    countPieces(corpusWords, options.maxPieceChars, &pieces);
    countPieces(listWords, options.maxPieceChars, &pieces);
    pieces.removeIf([&](const auto &item) { return item.value() < options.minPieceCount; });
    for (const QString &piece : ranked(pieces))
        append(piece);
    return setTokens(tokens, error);
}

bool WordPieceVocabulary::setTokens(const QStringList &tokens, QString *error)
{
    const QStringList specials = specialTokens();
    for (int i = 0; i < specialTokenCount; ++i) {
        if (tokens.size() <= i || tokens.at(i) != specials.at(i)) {
            if (error)
                *error = QStringLiteral("special token %1 missing at id %2").arg(specials.at(i)).arg(i);
            return false;
        }
    }
    QHash<QString, int> ids;
    ids.reserve(tokens.size());
    for (int i = 0; i < int(tokens.size()); ++i) {
        const QString &token = tokens.at(i);
        if (token.isEmpty() || token.contains(QLatin1Char('\n'))) {
            if (error)
                *error = QStringLiteral("invalid (empty) token at id %1").arg(i);
            return false;
        }
        if (ids.contains(token)) {
            if (error)
                *error = QStringLiteral("duplicate token \"%1\" at ids %2 and %3")
                             .arg(token)
                             .arg(ids.value(token))
                             .arg(i);
            return false;
        }
        ids.insert(token, i);
    }
    m_tokens = tokens;
    m_ids = std::move(ids);
    return true;
}

bool WordPieceVocabulary::save(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot write vocabulary %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(toText());
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write vocabulary %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool WordPieceVocabulary::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot read vocabulary %1: %2").arg(path, file.errorString());
        return false;
    }
    return parse(file.readAll(), path, error);
}

bool WordPieceVocabulary::parse(const QByteArray &text, const QString &origin, QString *error)
{
    QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast(); // the final newline
    if (lines.isEmpty()) {
        if (error)
            *error = QStringLiteral("vocabulary %1 is empty").arg(origin);
        return false;
    }
    if (lines.first() != fileHeader()) {
        if (error)
            *error = QStringLiteral("vocabulary %1 does not start with \"%2\"").arg(origin, fileHeader());
        return false;
    }
    lines.removeFirst();
    // "#sha256 HEX" (files written since vocabularies carry their hash): the tokens must be the
    // ones written. Tokens never hold a space, so the line cannot be a token.
    if (!lines.isEmpty() && lines.first().startsWith(QLatin1String("#sha256 "))) {
        const QString recorded = lines.takeFirst().mid(8).trimmed();
        if (recorded != tokensDigest(lines)) {
            if (error)
                *error = QStringLiteral("vocabulary %1 is damaged: its tokens do not match the SHA-256 it records; "
                                        "restore the models folder")
                             .arg(origin);
            return false;
        }
    }
    QString reason;
    if (!setTokens(lines, &reason)) {
        if (error)
            *error = QStringLiteral("vocabulary %1: %2").arg(origin, reason);
        return false;
    }
    return true;
}

QByteArray WordPieceVocabulary::toText() const
{
    return (QStringList { fileHeader(), QStringLiteral("#sha256 ") + tokensDigest(m_tokens) } + m_tokens)
               .join(QLatin1Char('\n'))
               .toUtf8()
        + '\n';
}

} // namespace descry
