#include "WordPieceTokenizer.h"

#include <algorithm>
#include <utility>

namespace descry {

WordPieceTokenizer::WordPieceTokenizer(WordPieceVocabulary vocabulary)
    : m_vocabulary(std::move(vocabulary))
{ }

QStringList WordPieceTokenizer::basicTokenize(const QString &text)
{
    const QString normalised = text.normalized(QString::NormalizationForm_D).toLower();
    QStringList words;
    QString current;
    auto flush = [&] {
        if (!current.isEmpty())
            words.append(current);
        current.clear();
    };
    for (QChar c : normalised) {
        if (c.category() == QChar::Mark_NonSpacing)
            continue;
        if (c.isSpace()) {
            flush();
        } else if (c.isPunct() || c.isSymbol()) {
            flush();
            words.append(QString(c));
        } else if (!c.isNonCharacter() && c.category() != QChar::Other_Control && c != QChar::Null) {
            current.append(c);
        }
    }
    flush();
    return words;
}

bool WordPieceTokenizer::isSubSentenceDelimiter(const QString &word)
{
    static const QStringList delimiters = { QStringLiteral(","), QStringLiteral("."), QStringLiteral(";"),
        QStringLiteral("!"), QStringLiteral("?") };
    return delimiters.contains(word);
}

std::vector<int> WordPieceTokenizer::wordPieces(const QString &word) const
{
    if (word.size() > maxWordChars)
        return { WordPieceVocabulary::Unk };
    std::vector<int> ids;
    qsizetype start = 0;
    while (start < word.size()) {
        // Longest match first: shrink the candidate from the end until the vocabulary has it.
        int found = -1;
        qsizetype end = word.size();
        for (; end > start; --end) {
            QString piece = word.mid(start, end - start);
            if (start > 0)
                piece.prepend(QStringLiteral("##"));
            found = m_vocabulary.id(piece);
            if (found >= 0)
                break;
        }
        if (found < 0)
            return { WordPieceVocabulary::Unk };
        ids.push_back(found);
        start = end;
    }
    return ids;
}

WordPieceEncoding WordPieceTokenizer::encode(const QString &text) const
{
    WordPieceEncoding out;
    const QStringList words = basicTokenize(text);
    int subSentence = 0;
    bool closed = false; // the current sub-sentence ended at a delimiter
    for (int w = 0; w < int(words.size()); ++w) {
        const bool delimiter = isSubSentenceDelimiter(words.at(w));
        // Only a real word opens the next span, so "red., blue" has no empty sub-sentence.
        if (closed && !delimiter) {
            ++subSentence;
            closed = false;
        }
        for (int id : wordPieces(words.at(w))) {
            out.ids.push_back(id);
            out.wordIndex.push_back(w);
            out.subSentenceIndex.push_back(subSentence);
        }
        closed = closed || delimiter;
    }
    return out;
}

WordPieceSequence WordPieceTokenizer::sequence(const QString &text, int maxLength) const
{
    WordPieceSequence out;
    if (maxLength <= 0)
        return out;
    const WordPieceEncoding encoding = encode(text);
    const auto push = [&out](int id, int span, int word) {
        out.ids.push_back(id);
        out.span.push_back(span);
        out.wordIndex.push_back(word);
    };
    push(WordPieceVocabulary::Cls, WordPieceSequence::sentenceSpan, -1);
    for (size_t i = 0; i < encoding.ids.size(); ++i) {
        const int span = encoding.subSentenceIndex[i];
        if (i == 0 || span != encoding.subSentenceIndex[i - 1])
            push(WordPieceVocabulary::Sub, span, -1);
        push(encoding.ids[i], span, encoding.wordIndex[i]);
    }
    // Truncate leaving room for [SEP]; a [SUB] whose tokens were all cut goes too.
    const size_t room = size_t(std::max(maxLength - 1, 1));
    if (out.ids.size() > room) {
        out.ids.resize(room);
        out.span.resize(room);
        out.wordIndex.resize(room);
    }
    if (out.ids.size() > 1 && out.ids.back() == WordPieceVocabulary::Sub) {
        out.ids.pop_back();
        out.span.pop_back();
        out.wordIndex.pop_back();
    }
    if (int(out.ids.size()) < maxLength)
        push(WordPieceVocabulary::Sep, WordPieceSequence::sentenceSpan, -1);
    out.attentionMask.assign(out.ids.size(), 1);
    out.ids.resize(size_t(maxLength), WordPieceVocabulary::Pad);
    out.span.resize(size_t(maxLength), WordPieceSequence::paddingSpan);
    out.wordIndex.resize(size_t(maxLength), -1);
    out.attentionMask.resize(size_t(maxLength), 0);
    return out;
}

QStringList WordPieceTokenizer::tokens(const std::vector<int> &ids) const
{
    QStringList out;
    out.reserve(qsizetype(ids.size()));
    for (int id : ids)
        out.append(m_vocabulary.token(id));
    return out;
}

} // namespace descry
