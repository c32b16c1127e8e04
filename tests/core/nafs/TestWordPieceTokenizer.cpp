#include "CaptionWriter.h"
#include "PersonAppearance.h"
#include "Rng.h"
#include "WordPieceTokenizer.h"
#include "WordPieceVocabulary.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace descry;

namespace {

const QString wordListPath = QStringLiteral("/usr/share/dict/american-english");

// A small fixed corpus: every word here occurs at least twice except "umbrella".
QStringList smallCorpus()
{
    return {
        QStringLiteral("A man in a red coat, black trousers. He carries a bag."),
        QStringLiteral("A woman in a red coat and black trousers, carrying a bag."),
        QStringLiteral("The man wears a white T-shirt, blue jeans and a backpack."),
        QStringLiteral("The woman wears a white T-shirt, blue jeans and a backpack."),
        QStringLiteral("He carries an umbrella; she walks."),
        QStringLiteral("She walks with a backpack."),
    };
}

WordPieceVocabulary smallVocabulary()
{
    WordPieceVocabulary vocabulary;
    QString error;
    if (!vocabulary.build(smallCorpus(), WordPieceBuildOptions(), &error))
        qFatal("build failed: %s", qPrintable(error));
    return vocabulary;
}

QStringList generatedCaptions(uint64_t seed, int people, int perPerson)
{
    Rng rng(seed);
    CaptionWriter writer;
    QStringList captions;
    for (int i = 0; i < people; ++i)
        captions += writer.captions(PersonAppearance::sample(rng), rng, perPerson);
    return captions;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

std::vector<int> toVector(const QList<int> &list)
{
    return std::vector<int>(list.cbegin(), list.cend());
}

} // namespace

class TestWordPieceTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void basicTokenize_data();
    void basicTokenize();
    void specialTokenIds();
    void buildIsDeterministic();
    void buildWithWordList();
    void knownWordsAreOneToken_data();
    void knownWordsAreOneToken();
    void unknownWordSplitsIntoPieces();
    void unknownCharactersDegradeLocally_data();
    void unknownCharactersDegradeLocally();
    void subSentenceIndices();
    void sequenceLayout_data();
    void sequenceLayout();
    void saveLoadRoundTrip();
    void loadErrors_data();
    void loadErrors();
    void captionVocabularyCoversFreshCaptions();
};

void TestWordPieceTokenizer::basicTokenize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("hyphen") << QStringLiteral("A T-shirt") << QStringList { "a", "t", "-", "shirt" };
    QTest::newRow("punctuation") << QStringLiteral("red coat,black.  He")
                                 << QStringList { "red", "coat", ",", "black", ".", "he" };
    QTest::newRow("accents") << QStringLiteral("Café  BLONDE\thair")
                             << QStringList { "cafe", "blonde", "hair" };
    QTest::newRow("apostrophe") << QStringLiteral("man's bag") << QStringList { "man", "'", "s", "bag" };
    QTest::newRow("empty") << QStringLiteral(" \n ") << QStringList();
}

void TestWordPieceTokenizer::basicTokenize()
{
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    QCOMPARE(WordPieceTokenizer::basicTokenize(text), words);
}

void TestWordPieceTokenizer::specialTokenIds()
{
    const QStringList expected = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[SUB]" };
    for (const WordPieceVocabulary &vocabulary : { WordPieceVocabulary(), smallVocabulary() }) {
        for (int i = 0; i < int(expected.size()); ++i)
            QCOMPARE(vocabulary.id(expected.at(i)), i);
    }
    QCOMPARE(WordPieceVocabulary::Pad, 0);
    QCOMPARE(WordPieceVocabulary::Unk, 1);
    QCOMPARE(WordPieceVocabulary::Cls, 2);
    QCOMPARE(WordPieceVocabulary::Sep, 3);
    QCOMPARE(WordPieceVocabulary::Mask, 4);
    QCOMPARE(WordPieceVocabulary::Sub, 5);
}

void TestWordPieceTokenizer::buildIsDeterministic()
{
    const WordPieceVocabulary a = smallVocabulary();
    const WordPieceVocabulary b = smallVocabulary();
    QCOMPARE(a.tokens(), b.tokens());
    // The corpus order must not matter either: counts decide, ties break lexicographically.
    QStringList reversed = smallCorpus();
    std::reverse(reversed.begin(), reversed.end());
    WordPieceVocabulary c;
    QString error;
    QVERIFY2(c.build(reversed, WordPieceBuildOptions(), &error), qPrintable(error));
    QCOMPARE(c.tokens(), a.tokens());
    // The most frequent corpus word comes right after the alphabet, and "umbrella" (seen once)
    // is not a whole word.
    QVERIFY(a.id(QStringLiteral("a")) >= 0);
    QVERIFY(a.id(QStringLiteral("backpack")) > 0);
    QCOMPARE(a.id(QStringLiteral("umbrella")), -1);
}

void TestWordPieceTokenizer::buildWithWordList()
{
    if (!QFile::exists(wordListPath))
        QSKIP("no English word list (Debian package wamerican)");
    WordPieceBuildOptions options;
    options.wordListPath = wordListPath;
    options.maxVocabularySize = 4000;
    WordPieceVocabulary a, b;
    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(a.build(smallCorpus(), options, &error), qPrintable(error));
    qInfo("vocabulary with the word list built in %lld ms", timer.elapsed());
    QVERIFY2(b.build(smallCorpus(), options, &error), qPrintable(error));
    QCOMPARE(a.tokens(), b.tokens());
    QCOMPARE(a.size(), 4000);
    QVERIFY(a.contains(QStringLiteral("##ing")));
    const WordPieceTokenizer tokenizer(a);
    const std::vector<int> pieces = tokenizer.wordPieces(QStringLiteral("unbuttoned"));
    QVERIFY(pieces.size() > 1);
    QVERIFY(std::find(pieces.cbegin(), pieces.cend(), int(WordPieceVocabulary::Unk)) == pieces.cend());

    options.wordListPath = QStringLiteral("/nonexistent/words");
    QVERIFY(!a.build(smallCorpus(), options, &error));
    QVERIFY(error.contains(QStringLiteral("/nonexistent/words")));
}

void TestWordPieceTokenizer::knownWordsAreOneToken_data()
{
    QTest::addColumn<QString>("word");
    for (const char *word : { "man", "woman", "coat", "trousers", "backpack", "carries", "shirt", "," })
        QTest::newRow(word) << QString::fromLatin1(word);
}

void TestWordPieceTokenizer::knownWordsAreOneToken()
{
    QFETCH(QString, word);
    const WordPieceTokenizer tokenizer(smallVocabulary());
    const WordPieceEncoding encoding = tokenizer.encode(word.toUpper());
    QCOMPARE(encoding.ids.size(), size_t(1));
    QCOMPARE(tokenizer.tokens(encoding.ids).first(), word);
}

void TestWordPieceTokenizer::unknownWordSplitsIntoPieces()
{
    const WordPieceTokenizer tokenizer(smallVocabulary());
    const std::vector<int> ids = tokenizer.wordPieces(QStringLiteral("umbrellas"));
    const QStringList pieces = tokenizer.tokens(ids);
    QVERIFY2(pieces.size() > 1, qPrintable(pieces.join(' ')));
    QVERIFY(!pieces.contains(QStringLiteral("[UNK]")));
    QVERIFY(!pieces.first().startsWith(QStringLiteral("##")));
    for (qsizetype i = 1; i < pieces.size(); ++i)
        QVERIFY(pieces.at(i).startsWith(QStringLiteral("##")));
    QString joined = pieces.join(QString());
    QCOMPARE(joined.remove(QStringLiteral("##")), QStringLiteral("umbrellas"));
    // Greedy longest match: "backpacks" is the whole word plus one piece.
    QCOMPARE(tokenizer.tokens(tokenizer.wordPieces(QStringLiteral("backpacks"))),
        QStringList({ "backpack", "##s" }));
}

void TestWordPieceTokenizer::unknownCharactersDegradeLocally_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::newRow("cyrillic letter") << QString::fromUtf8("a red coat\u0436 bag")
                                     << QStringList { "a", "red", "[UNK]", "bag" };
    QTest::newRow("symbol word") << QString::fromUtf8("red \u2603 coat")
                                 << QStringList { "red", "[UNK]", "coat" };
    QTest::newRow("too long") << (QStringLiteral("man ") + QString(101, QLatin1Char('a'))
        + QStringLiteral(" bag"))
                              << QStringList { "man", "[UNK]", "bag" };
}

void TestWordPieceTokenizer::unknownCharactersDegradeLocally()
{
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);
    const WordPieceTokenizer tokenizer(smallVocabulary());
    QCOMPARE(tokenizer.tokens(tokenizer.encode(text).ids), tokens);
}

void TestWordPieceTokenizer::subSentenceIndices()
{
    const WordPieceTokenizer tokenizer(smallVocabulary());
    const WordPieceEncoding e
        = tokenizer.encode(QStringLiteral("A man in a red coat, black trousers. He carries a bag"));
    QCOMPARE(tokenizer.tokens(e.ids),
        QStringList({ "a", "man", "in", "a", "red", "coat", ",", "black", "trousers", ".", "he", "carries",
            "a", "bag" }));
    QCOMPARE(e.subSentenceIndex, toVector({ 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2 }));
    QCOMPARE(e.wordIndex, toVector({ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 }));

    // Pieces share their word's index; repeated delimiters open no empty sub-sentence.
    const WordPieceEncoding f = tokenizer.encode(QStringLiteral("umbrellas!? red"));
    QVERIFY(f.ids.size() > 3);
    const size_t n = f.ids.size();
    QCOMPARE(f.wordIndex[n - 3], 1);
    QCOMPARE(f.wordIndex[n - 1], 3);
    for (size_t i = 0; i + 1 < n; ++i) {
        QCOMPARE(f.subSentenceIndex[i], 0);
        if (i + 3 < n)
            QCOMPARE(f.wordIndex[i], 0);
    }
    QCOMPARE(f.subSentenceIndex[n - 1], 1);
}

void TestWordPieceTokenizer::sequenceLayout_data()
{
    const int cls = WordPieceVocabulary::Cls, sub = WordPieceVocabulary::Sub;
    const int sep = WordPieceVocabulary::Sep, pad = WordPieceVocabulary::Pad;
    const int s = WordPieceSequence::sentenceSpan, p = WordPieceSequence::paddingSpan;
    const WordPieceVocabulary v = smallVocabulary();
    const int red = v.id("red"), coat = v.id("coat"), comma = v.id(","), black = v.id("black"),
              bag = v.id("bag");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<QList<int>>("ids");
    QTest::addColumn<QList<int>>("spans");
    QTest::addColumn<int>("realTokens");
    QTest::addColumn<QList<int>>("words");
    const QString text = QStringLiteral("red coat, black bag");
    // Words of the text: red 0, coat 1, ',' 2, black 3, bag 4; -1 for the special tokens.
    QTest::newRow("padded") << text << 12
                            << QList<int> { cls, sub, red, coat, comma, sub, black, bag, sep, pad, pad, pad }
                            << QList<int> { s, 0, 0, 0, 0, 1, 1, 1, s, p, p, p } << 9
                            << QList<int> { -1, -1, 0, 1, 2, -1, 3, 4, -1, -1, -1, -1 };
    QTest::newRow("exact") << text << 9 << QList<int> { cls, sub, red, coat, comma, sub, black, bag, sep }
                           << QList<int> { s, 0, 0, 0, 0, 1, 1, 1, s } << 9
                           << QList<int> { -1, -1, 0, 1, 2, -1, 3, 4, -1 };
    QTest::newRow("truncated") << text << 8 << QList<int> { cls, sub, red, coat, comma, sub, black, sep }
                               << QList<int> { s, 0, 0, 0, 0, 1, 1, s } << 8
                               << QList<int> { -1, -1, 0, 1, 2, -1, 3, -1 };
    // A [SUB] whose tokens were all cut is dropped rather than left empty.
    QTest::newRow("dangling sub") << text << 7 << QList<int> { cls, sub, red, coat, comma, sep, pad }
                                  << QList<int> { s, 0, 0, 0, 0, s, p } << 6
                                  << QList<int> { -1, -1, 0, 1, 2, -1, -1 };
    QTest::newRow("empty text") << QString() << 4 << QList<int> { cls, sep, pad, pad }
                                << QList<int> { s, s, p, p } << 2 << QList<int> { -1, -1, -1, -1 };
}

void TestWordPieceTokenizer::sequenceLayout()
{
    QFETCH(QString, text);
    QFETCH(int, maxLength);
    QFETCH(QList<int>, ids);
    QFETCH(QList<int>, spans);
    QFETCH(int, realTokens);
    QFETCH(QList<int>, words);
    const WordPieceTokenizer tokenizer(smallVocabulary());
    const WordPieceSequence sequence = tokenizer.sequence(text, maxLength);
    QCOMPARE(sequence.ids, toVector(ids));
    QCOMPARE(sequence.span, toVector(spans));
    QCOMPARE(sequence.wordIndex, toVector(words));
    QCOMPARE(sequence.attentionMask.size(), size_t(maxLength));
    QCOMPARE(int(std::count(sequence.attentionMask.cbegin(), sequence.attentionMask.cend(), 1)), realTokens);
}

void TestWordPieceTokenizer::saveLoadRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    WordPieceVocabulary saved = smallVocabulary();
    // A non-ASCII character must survive the UTF-8 file.
    QStringList corpus = smallCorpus();
    corpus << QString::fromUtf8("\u0436\u0436 \u0436\u0436");
    QString error;
    QVERIFY2(saved.build(corpus, WordPieceBuildOptions(), &error), qPrintable(error));
    QVERIFY(saved.contains(QString::fromUtf8("\u0436")));
    const QString path = dir.filePath(QStringLiteral("vocab.txt"));
    QVERIFY2(saved.save(path, &error), qPrintable(error));
    WordPieceVocabulary loaded;
    QVERIFY2(loaded.load(path, &error), qPrintable(error));
    QCOMPARE(loaded.tokens(), saved.tokens());
    QCOMPARE(loaded.id(QStringLiteral("backpack")), saved.id(QStringLiteral("backpack")));
}

void TestWordPieceTokenizer::loadErrors_data()
{
    const QByteArray header = WordPieceVocabulary::fileHeader().toUtf8() + '\n';
    const QByteArray specials = WordPieceVocabulary::specialTokens().join('\n').toUtf8() + '\n';
    QTest::addColumn<QByteArray>("content"); // written to the file unless null
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing file") << QByteArray() << "cannot read";
    QTest::newRow("empty file") << QByteArray("") << "is empty";
    QTest::newRow("no header") << specials << "does not start with";
    QTest::newRow("wrong version") << QByteArray("#descry-wordpiece-vocabulary 2\n") + specials
                                   << "does not start with";
    QTest::newRow("header only") << header << "special token [PAD] missing at id 0";
    QTest::newRow("special missing") << header + QByteArray("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nred\n")
                                     << "special token [SUB] missing at id 5";
    QTest::newRow("duplicate") << header + specials + "red\nred\n"
                               << "duplicate token \"red\"";
    QTest::newRow("empty line") << header + specials + "red\n\nblue\n"
                                << "invalid (empty) token at id 7";
    // The hash line a saved vocabulary carries, over other tokens than the file holds.
    const QStringList written = WordPieceVocabulary::specialTokens() + QStringList { QStringLiteral("red") };
    QTest::newRow("damaged token") << header + "#sha256 " + WordPieceVocabulary::tokensDigest(written).toUtf8() + '\n'
            + specials + "rde\n"
                                   << "is damaged";
}

void TestWordPieceTokenizer::loadErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("vocab.txt"));
    if (!content.isNull())
        writeFile(path, content);
    WordPieceVocabulary vocabulary = smallVocabulary();
    const QStringList before = vocabulary.tokens();
    QString error;
    QVERIFY(!vocabulary.load(path, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QCOMPARE(vocabulary.tokens(), before); // a failed load leaves the vocabulary as it was
}

void TestWordPieceTokenizer::captionVocabularyCoversFreshCaptions()
{
    const QStringList corpus = generatedCaptions(1, 100, 5); // 500 captions
    QCOMPARE(corpus.size(), 500);
    WordPieceVocabulary vocabulary;
    QString error;
    QVERIFY2(vocabulary.build(corpus, WordPieceBuildOptions(), &error), qPrintable(error));
    const WordPieceTokenizer tokenizer(vocabulary);

    const QStringList fresh = generatedCaptions(2, 100, 2);
    QElapsedTimer timer;
    timer.start();
    qint64 tokenCount = 0;
    for (const QString &caption : fresh) {
        const WordPieceEncoding encoding = tokenizer.encode(caption);
        tokenCount += qint64(encoding.ids.size());
        const QStringList words = WordPieceTokenizer::basicTokenize(caption);
        for (size_t i = 0; i < encoding.ids.size(); ++i) {
            QVERIFY2(encoding.ids[i] != WordPieceVocabulary::Unk,
                qPrintable(
                    QStringLiteral("[UNK] for \"%1\" in: %2").arg(words.at(encoding.wordIndex[i]), caption)));
        }
    }
    const qint64 encodeNs = timer.nsecsElapsed();
    // The ASCII alphabet alone already rules out [UNK]; the real check is that the caption
    // vocabulary is nearly closed: a fresh seed's words are whole-word tokens but for rare
    // shade names and the writer's deliberate typing slips ("jeens"), which split into pieces.
    int splitWords = 0, wordCount = 0;
    QStringList examples;
    for (const QString &caption : fresh) {
        for (const QString &word : WordPieceTokenizer::basicTokenize(caption)) {
            ++wordCount;
            if (tokenizer.wordPieces(word).size() != 1) {
                ++splitWords;
                examples << word;
            }
        }
    }
    QVERIFY2(splitWords <= wordCount / 200, qPrintable(QStringLiteral("%1 of %2: %3").arg(splitWords).arg(wordCount).arg(examples.join(QLatin1Char(' ')))));
    const double seconds = std::max(double(encodeNs) * 1e-9, 1e-9);
    qInfo("vocabulary from 500 captions: %d tokens; %lld tokens encoded at %.0f tokens/s", vocabulary.size(),
        tokenCount, double(tokenCount) / seconds);
}

QTEST_GUILESS_MAIN(TestWordPieceTokenizer)
#include "TestWordPieceTokenizer.moc"
