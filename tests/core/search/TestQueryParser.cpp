#include "QueryParser.h"

#include <QtTest>

using namespace descry;

namespace {

// "upper colour:red" for weight 1, "upper garment:coat@0.5", negative weights as "!head garment:hat@0.5".
QString describe(const QueryTerm &t)
{
    QString s = regionKey(t.region) + QLatin1Char(' ') + t.attribute;
    if (t.weight < 0)
        s.prepend(QLatin1Char('!'));
    if (std::abs(t.weight) != 1.f)
        s += QLatin1Char('@') + QString::number(double(std::abs(t.weight)));
    return s;
}

QStringList sorted(QStringList l)
{
    l.sort();
    return l;
}

} // namespace

class TestQueryParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesTerms_data();
    void parsesTerms();
    void reportsUnknownWords_data();
    void reportsUnknownWords();
    void keepsPhrases();
    void emptyQuery();
};

void TestQueryParser::parsesTerms_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");
    auto row = [](const char *tag, const char *query, QStringList expected) {
        QTest::newRow(tag) << QString::fromUtf8(query) << expected;
    };
    row("colour binds to its garment", "a red coat and black trousers",
        { "upper colour:red", "upper garment:coat@0.5", "lower colour:black", "lower garment:trousers@0.5" });
    row("colour after its garment", "a coat that is red", { "upper colour:red", "upper garment:coat@0.5" });
    row("colour without garment is the outfit", "wearing black", { "whole colour:black" });
    row("gender and outfit colour", "a woman in red", { "whole gender:woman", "whole colour:red" });
    row("the brief's example", "a woman in a red coat, black trousers, carrying a backpack",
        { "whole gender:woman", "upper colour:red", "upper garment:coat@0.5", "lower colour:black",
            "lower garment:trousers@0.5", "whole accessory:backpack" });
    row("no comma between garments", "red jacket blue jeans",
        { "upper colour:red", "upper garment:jacket@0.5", "lower colour:blue", "lower garment:jeans@0.5" });
    row("shades map to basic colours", "navy hoodie, maroon skirt, khaki shorts",
        { "upper colour:blue", "upper garment:hoodie@0.5", "lower colour:red", "lower garment:skirt@0.5",
            "lower colour:brown", "lower garment:shorts@0.5" });
    row("crimson burgundy violet lilac silver",
        "crimson cap, burgundy boots, violet top, lilac dress, silver jacket",
        { "head colour:red", "head garment:cap@0.5", "feet colour:red", "feet garment:boots@0.5",
            "upper colour:purple", "upper garment:top@0.5", "upper colour:purple", "lower colour:purple",
            "whole garment:dress@0.5", "upper colour:grey", "upper garment:jacket@0.5" });
    row("two shades between two basic terms", "teal shirt and beige trousers",
        { "upper colour:blue|green", "upper garment:shirt@0.5", "lower colour:brown|white",
            "lower garment:trousers@0.5" });
    row("dark and light grey", "dark grey coat, light grey trousers",
        { "upper colour:black|grey", "upper garment:coat@0.5", "lower colour:grey|white",
            "lower garment:trousers@0.5" });
    row("tone modifier keeps the colour", "light blue shirt with dark green pants",
        { "upper colour:blue", "upper garment:shirt@0.5", "lower colour:green",
            "lower garment:trousers@0.5" });
    row("dress covers upper and lower", "a yellow dress",
        { "upper colour:yellow", "lower colour:yellow", "whole garment:dress@0.5" });
    row("t-shirt spellings", "white T-Shirt", { "upper colour:white", "upper garment:t-shirt@0.5" });
    row("t shirt with a space", "grey t shirt", { "upper colour:grey", "upper garment:t-shirt@0.5" });
    row("plurals and case", "BLACK Sneakers and Red Hats",
        { "feet colour:black", "feet garment:shoes@0.5", "head colour:red", "head garment:hat@0.5" });
    row("punctuation", "man; green coat!! (blue jeans)",
        { "whole gender:man", "upper colour:green", "upper garment:coat@0.5", "lower colour:blue",
            "lower garment:jeans@0.5" });
    row("jeans imply blue", "man in jeans",
        { "whole gender:man", "lower garment:jeans@0.5", "lower colour:blue@0.5" });
    row("colour list on one garment", "red and white shirt",
        { "upper colour:red", "upper colour:white", "upper garment:shirt@0.5" });
    row("colour list does not cross an article", "wearing black and a red hat",
        { "whole colour:black", "head colour:red", "head garment:hat@0.5" });
    row("hair colour and length", "a girl with long blonde hair",
        { "whole gender:woman", "head hair:blonde", "head hair:long" });
    row("hair colour word", "short black hair", { "head hair:black", "head hair:short" });
    row("hyphenated hair", "grey-haired gentleman", { "head hair:grey", "whole gender:man" });
    row("brunette", "brunette lady", { "head hair:brown", "whole gender:woman" });
    row("negated accessory", "no bag", { "!whole accessory:bag" });
    row("negated garment", "a man without a hat", { "whole gender:man", "!head garment:hat@0.5" });
    row("negation reaches over a separator", "not wearing red", { "!whole colour:red" });
    row("negation is local to its clause", "no backpack and a blue coat",
        { "!whole accessory:backpack", "upper colour:blue", "upper garment:coat@0.5" });
    row("shoulder bag", "a man with a shoulder bag", { "whole gender:man", "whole accessory:shoulder bag" });
    row("accessories", "carrying a suitcase and an umbrella, rucksack, handbag",
        { "whole accessory:suitcase", "whole accessory:umbrella", "whole accessory:backpack",
            "whole accessory:handbag" });
    row("short sleeves measured", "short-sleeved shirt",
        { "upper garment:short-sleeves", "upper garment:shirt@0.5" });
    row("long sleeves is the negated cue", "long sleeves", { "!upper garment:short-sleeves" });
    row("shoes words", "brown boots and white trainers",
        { "feet colour:brown", "feet garment:boots@0.5", "feet colour:white", "feet garment:shoes@0.5" });
    row("suffix ish is weaker", "reddish jacket", { "upper colour:red@0.7", "upper garment:jacket@0.5" });
    row("all black outfit", "dressed all in black", { "whole colour:black" });
    row("a colour before a person word is not clothing", "a white man in a blue coat",
        { "whole gender:man", "upper colour:blue", "upper garment:coat@0.5" });
    row("gray spelling", "gray sweater", { "upper colour:grey", "upper garment:sweater@0.5" });
    row("dark alone is weak dark", "dark jacket",
        { "upper colour:black|grey@0.5", "upper garment:jacket@0.5" });
    row("shade between two families", "magenta top", { "upper colour:purple|pink", "upper garment:top@0.5" });
    row("indigo is the denim dye", "indigo jeans", { "lower colour:blue", "lower garment:jeans@0.5" });
    row("socks are on the feet", "white socks", { "feet colour:white", "feet garment:socks@0.5" });
    row("child", "a kid in a yellow raincoat",
        { "whole age:child", "upper colour:yellow", "upper garment:coat@0.5" });
    // From the team's real captions (models/queries/real-people.json, dev split).
    row("two colours of one garment after a noun", "a man in a red and navy padded jacket",
        { "whole gender:man", "upper colour:red", "upper colour:blue", "upper garment:jacket@0.5" });
    row("a comma still lists garments", "a woman in red, blue jeans",
        { "whole gender:woman", "whole colour:red", "lower colour:blue", "lower garment:jeans@0.5" });
    row("baby blue is a shade, not a child", "woman in baby blue coat",
        { "whole gender:woman", "upper colour:blue", "upper garment:coat@0.5" });
    row("all black next to hair", "woman with long blonde hair in all black",
        { "whole gender:woman", "head hair:blonde", "head hair:long", "whole colour:black" });
    row("carried papers take their colour", "a man in a black jacket holding white papers",
        { "whole gender:man", "upper colour:black", "upper garment:jacket@0.5", "whole accessory:papers" });
    // Patterns (PatternMeter measures the upper garment's stripes and checks).
    row("a striped garment", "a navy and black striped jumper",
        { "upper colour:blue", "upper colour:black", "upper garment:sweater@0.5", "upper pattern:striped@0.5" });
    row("stripes in a clause of their own are the top's", "a dark blue sweater with horizontal stripes",
        { "upper colour:blue", "upper garment:sweater@0.5", "upper pattern:striped@0.5" });
    row("plaid is checked", "red plaid shirt",
        { "upper colour:red", "upper garment:shirt@0.5", "upper pattern:checked@0.5" });
    row("a dress's pattern is measured on the upper body", "a floral dress",
        { "whole garment:dress@0.5", "upper pattern:patterned@0.5" });
    row("trousers keep their own pattern", "checked trousers",
        { "lower garment:trousers@0.5", "lower pattern:checked@0.5" });
    row("vertical stripes are a pattern, not stripes", "a shirt with vertical stripes",
        { "upper garment:shirt@0.5", "upper pattern:patterned@0.5" });
    row("a striped bag is not the clothes", "a striped bag", { "whole accessory:bag" });
    row("no pattern", "a plain jacket without stripes", { "upper garment:jacket@0.5", "!upper pattern:striped@0.5" });
}

void TestQueryParser::parsesTerms()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    const ParsedQuery parsed = QueryParser().parse(query);
    QStringList got;
    for (const QueryTerm &t : parsed.terms)
        got << describe(t);
    expected.removeDuplicates();
    QCOMPARE(sorted(got), sorted(expected));
}

void TestQueryParser::reportsUnknownWords_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("unknown");
    QTest::newRow("all known") << "a man in a red coat" << QStringList {};
    QTest::newRow("materials are not measured") << "brown leather jacket" << QStringList { "leather" };
    QTest::newRow("unknown kept once, in order")
        << "tall man, tall woman, limping" << QStringList { "tall", "limping" };
    QTest::newRow("misspelling") << "a red jakcet" << QStringList { "jakcet" };
}

void TestQueryParser::reportsUnknownWords()
{
    QFETCH(QString, query);
    QFETCH(QStringList, unknown);
    QCOMPARE(QueryParser().parse(query).unknownWords, unknown);
}

void TestQueryParser::keepsPhrases()
{
    const ParsedQuery q = QueryParser().parse(QStringLiteral("dark blue jeans and a coat that is red"));
    QStringList phrases;
    for (const QueryTerm &t : q.terms)
        if (t.attribute.startsWith(QLatin1String("colour:")))
            phrases << t.phrase;
    QCOMPARE(phrases, (QStringList { "dark blue jeans", "red coat" }));
    QCOMPARE(q.text, QStringLiteral("dark blue jeans and a coat that is red"));
}

void TestQueryParser::emptyQuery()
{
    const ParsedQuery q = QueryParser().parse(QString());
    QVERIFY(q.terms.empty());
    QVERIFY(q.unknownWords.isEmpty());
}

QTEST_GUILESS_MAIN(TestQueryParser)
#include "TestQueryParser.moc"
