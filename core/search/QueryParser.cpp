#include "QueryParser.h"

#include "QueryLexicon.h"

#include <QRegularExpression>

#include <algorithm>
#include <cstdlib>
#include <map>

namespace descry {

namespace {

using Kind = Lexeme::Kind;

constexpr float kGarmentWeight = 0.5f; // the garment type is a weaker cue than its colour
constexpr float kImpliedWeight = 0.5f; // "jeans" without a colour: most jeans are blue
constexpr float kToneOnlyWeight = 0.5f; // "a dark jacket": dark, but which colour?
constexpr float kPatternWeight = 0.5f; // a pattern, like the garment type, is a weaker cue than colour

struct Token {
    QString word;
    const Lexeme *lexeme = nullptr; // nullptr: unknown word
    bool negated = false;
};

struct Clause {
    std::vector<Token> tokens;
    QString endedBy; // the separator word that closed it
    bool leadingStop = false; // starts with "a", "the", ...: a new noun phrase, not a colour list
};

// Lower case, apostrophes and multi-word garments joined so that one token is one lexeme.
QString normalise(const QString &text)
{
    QString s = text.toLower();
    s.replace(QChar(0x2019), QLatin1Char('\''));
    static const std::pair<QRegularExpression, QString> joins[] = {
        { QRegularExpression(QStringLiteral("'s\\b")), QString() },
        { QRegularExpression(QStringLiteral("\\bt(?:ee)?[\\s-]?shirt")), QStringLiteral("tshirt") },
        { QRegularExpression(QStringLiteral("\\btank[\\s-]top")), QStringLiteral("tanktop") },
        { QRegularExpression(QStringLiteral("\\bflip[\\s-]flop")), QStringLiteral("flipflop") },
        { QRegularExpression(QStringLiteral("\\bshoulder[\\s-]bag")), QStringLiteral("shoulderbag") },
        { QRegularExpression(QStringLiteral("\\boff[\\s-]white")), QStringLiteral("offwhite") },
        { QRegularExpression(QStringLiteral("\\bhead[\\s-]to[\\s-]toe")), QStringLiteral("headtotoe") },
        // Shade names made of two words: "baby blue" is a light blue, not a child.
        { QRegularExpression(QStringLiteral("\\b(?:baby|sky|powder|ice)[\\s-](blue|pink)")), QStringLiteral("light \\1") },
        { QRegularExpression(QStringLiteral("\\b(?:navy|royal|midnight)[\\s-]blue")), QStringLiteral("navy") },
        // Only horizontal stripes are measured as stripes (PatternMeter).
        { QRegularExpression(QStringLiteral("\\bvertical(?:ly)?[\\s-]+strip\\w*")), QStringLiteral("patterned") },
        { QRegularExpression(QStringLiteral("\\bpin[\\s-]?strip\\w*")), QStringLiteral("patterned") },
    };
    for (const auto &[re, replacement] : joins)
        s.replace(re, replacement);
    return s;
}

std::vector<Clause> splitClauses(const QString &normalised, QStringList *unknown)
{
    static const QRegularExpression wordRe(QStringLiteral("[a-z]+|[,;.!?]"));
    std::vector<Clause> clauses(1);
    bool negatePending = false; // "not wearing red": the negation reaches over the separator
    auto it = wordRe.globalMatch(normalised);
    while (it.hasNext()) {
        Token t { it.next().captured(0), nullptr, false };
        t.lexeme = QueryLexicon::find(t.word);
        if (!t.lexeme) {
            if (t.word.size() > 1 && !unknown->contains(t.word))
                unknown->append(t.word);
            continue;
        }
        if (t.lexeme->kind == Kind::Separator) {
            negatePending = negatePending && clauses.back().tokens.empty();
            clauses.back().endedBy = t.word;
            clauses.emplace_back();
            continue;
        }
        if (t.lexeme->kind == Kind::Negation) {
            negatePending = true;
            continue;
        }
        if (t.lexeme->kind == Kind::Stop) {
            clauses.back().leadingStop = clauses.back().leadingStop || clauses.back().tokens.empty();
            continue;
        }
        t.negated = negatePending;
        clauses.back().tokens.push_back(t);
    }
    return clauses;
}

bool isColourWord(const Token &t)
{
    return t.lexeme->kind == Kind::Colour || t.lexeme->kind == Kind::Tone || t.lexeme->kind == Kind::Length;
}

// "red and white shirt": a clause of bare colour words lends them to the next clause when
// that one starts with a colour word too, so both colours reach the shirt. After "and" / "or"
// the colour words that end a longer clause go too: "a man in a red and navy jacket" (a comma
// there is more often a list of garments: "a woman in red, blue jeans").
void mergeColourLists(std::vector<Clause> *clauses)
{
    for (size_t i = clauses->size(); i-- > 1;) {
        Clause &prev = (*clauses)[i - 1];
        Clause &next = (*clauses)[i];
        const bool wordJoin = prev.endedBy == QLatin1String("and") || prev.endedBy == QLatin1String("or");
        const bool listJoin = wordJoin || prev.endedBy == QLatin1String(",");
        if (!listJoin || next.leadingStop || next.tokens.empty() || !isColourWord(next.tokens.front()))
            continue;
        auto trailing = prev.tokens.end();
        while (trailing != prev.tokens.begin() && isColourWord(*(trailing - 1)))
            --trailing;
        if (trailing == prev.tokens.end() || (trailing != prev.tokens.begin() && !wordJoin))
            continue;
        next.tokens.insert(next.tokens.begin(), trailing, prev.tokens.end());
        prev.tokens.erase(trailing, prev.tokens.end());
    }
}

bool isTarget(Kind k)
{
    return k == Kind::Garment || k == Kind::Hair || k == Kind::Accessory || k == Kind::Sleeves;
}

// A colour word with its tone: "dark grey" is between black and grey, "light grey" between
// grey and white; a tone alone ("a dark jacket") stands for the dark colours, weakly.
struct ColourWord {
    int position = 0;
    QString value;
    QString phrase;
    float weight = 1;
    bool negated = false;
};

std::vector<ColourWord> colourWords(const Clause &clause)
{
    std::vector<ColourWord> out;
    QString tone;
    for (int i = 0; i < int(clause.tokens.size()); ++i) {
        const Token &t = clause.tokens[size_t(i)];
        if (t.lexeme->kind == Kind::Tone) {
            const bool beforeColour = i + 1 < int(clause.tokens.size())
                && clause.tokens[size_t(i) + 1].lexeme->kind == Kind::Colour;
            if (beforeColour)
                tone = t.lexeme->value;
            else if (t.lexeme->value == QLatin1String("dark"))
                out.push_back({ i, QStringLiteral("black|grey"), t.word, kToneOnlyWeight, t.negated });
            continue;
        }
        if (t.lexeme->kind != Kind::Colour)
            continue;
        QString value = t.lexeme->value;
        if (value == QLatin1String("grey") && !tone.isEmpty())
            value
                = tone == QLatin1String("dark") ? QStringLiteral("black|grey") : QStringLiteral("grey|white");
        const QString phrase = i > 0 && clause.tokens[size_t(i) - 1].lexeme->kind == Kind::Tone
            ? clause.tokens[size_t(i) - 1].word + QLatin1Char(' ') + t.word
            : t.word;
        out.push_back({ i, value, phrase, t.lexeme->weight, t.negated });
        tone.clear();
    }
    return out;
}

// The target (garment, hair, accessory) a colour describes: the nearest one in its clause,
// the following one on a tie because English puts the adjective first. -1: none.
int nearestTarget(const Clause &clause, int position)
{
    int best = -1;
    for (int i = 0; i < int(clause.tokens.size()); ++i) {
        if (!isTarget(clause.tokens[size_t(i)].lexeme->kind))
            continue;
        const int d = std::abs(i - position);
        const int bestD = best < 0 ? INT32_MAX : std::abs(best - position);
        if (d < bestD || (d == bestD && i > position))
            best = i;
    }
    return best;
}

// "a black man": a colour right before a person word describes the person, not clothes.
bool describesPerson(const Clause &clause, int position)
{
    const size_t next = size_t(position) + 1;
    if (next >= clause.tokens.size())
        return false;
    const Kind k = clause.tokens[next].lexeme->kind;
    return k == Kind::Person || k == Kind::Gender || k == Kind::Age;
}

// "all black", "dressed in black", "black clothes": a colour next to a word for the whole outfit
// describes the outfit, even when hair or a garment is named nearby ("long blonde hair, all in black").
bool describesOutfit(const Clause &clause, int position)
{
    for (const int next : { position - 1, position + 1 })
        if (next >= 0 && next < int(clause.tokens.size()) && clause.tokens[size_t(next)].lexeme->kind == Kind::Whole)
            return true;
    return false;
}

class TermBuilder {
public:
    explicit TermBuilder(ParsedQuery *query)
        : m_query(query)
    { }

    void add(BodyRegion region, const QString &attribute, const QString &phrase, float weight, bool negated)
    {
        const float w = negated ? -std::abs(weight) : weight;
        for (const QueryTerm &t : m_query->terms)
            if (t.region == region && t.attribute == attribute && (t.weight < 0) == (w < 0))
                return; // "forest green" or a repeated word: one term is enough
        m_query->terms.push_back({ region, attribute, phrase, w });
    }

private:
    ParsedQuery *m_query;
};

QString lengthIn(const Clause &clause, QString *word)
{
    for (const Token &t : clause.tokens)
        if (t.lexeme->kind == Kind::Length) {
            *word = t.word;
            return t.lexeme->value;
        }
    return {};
}

class ClauseParser {
public:
    ClauseParser(const Clause &clause, TermBuilder *out)
        : m_clause(clause)
        , m_out(out)
    {
        for (const ColourWord &c : colourWords(clause)) {
            if (describesPerson(clause, c.position))
                continue;
            const int target = describesOutfit(clause, c.position) ? -1 : nearestTarget(clause, c.position);
            if (target < 0)
                m_out->add(
                    BodyRegion::Whole, QStringLiteral("colour:") + c.value, c.phrase, c.weight, c.negated);
            else
                m_bound[target].push_back(c);
        }
        for (int i = 0; i < int(clause.tokens.size()); ++i) {
            if (clause.tokens[size_t(i)].lexeme->kind != Kind::Pattern)
                continue;
            const int target = nearestTarget(clause, i);
            if (target < 0)
                pattern(clause.tokens[size_t(i)], BodyRegion::Upper, QString()); // "with horizontal stripes"
            else
                m_patterns[target].push_back(i);
        }
    }

    void run()
    {
        for (int i = 0; i < int(m_clause.tokens.size()); ++i)
            token(i);
    }

private:
    void token(int i)
    {
        const Token &t = m_clause.tokens[size_t(i)];
        const Lexeme &l = *t.lexeme;
        const std::vector<ColourWord> &colours = m_bound[i];
        switch (l.kind) {
        case Kind::Garment:
            garment(t, colours, m_patterns[i]);
            break;
        case Kind::Sleeves:
            sleeves(t, colours);
            break;
        case Kind::Hair:
            hair(t, colours);
            break;
        case Kind::HairColour:
            m_out->add(BodyRegion::Head, QStringLiteral("hair:") + l.value, t.word, l.weight, t.negated);
            break;
        case Kind::Bald:
            m_out->add(BodyRegion::Head, QStringLiteral("hair:bald"), t.word, l.weight, t.negated);
            break;
        case Kind::Accessory:
            m_out->add(BodyRegion::Whole, QStringLiteral("accessory:") + l.value,
                withColours(colours, t.word), l.weight, t.negated);
            break;
        case Kind::Gender:
            m_out->add(BodyRegion::Whole, QStringLiteral("gender:") + l.value, t.word, l.weight, t.negated);
            break;
        case Kind::Age:
            m_out->add(BodyRegion::Whole, QStringLiteral("age:") + l.value, t.word, l.weight, t.negated);
            break;
        default:
            break;
        }
    }

    static QString withColours(const std::vector<ColourWord> &colours, const QString &noun)
    {
        QStringList words;
        for (const ColourWord &c : colours)
            words << c.phrase;
        words << noun;
        return words.join(QLatin1Char(' '));
    }

    void colourTerms(
        const std::vector<ColourWord> &colours, const std::vector<BodyRegion> &regions, const QString &noun)
    {
        for (const ColourWord &c : colours)
            for (BodyRegion r : regions)
                m_out->add(r, QStringLiteral("colour:") + c.value, c.phrase + QLatin1Char(' ') + noun,
                    c.weight, c.negated);
    }

    void garment(const Token &t, const std::vector<ColourWord> &colours, const std::vector<int> &patterns)
    {
        const Lexeme &l = *t.lexeme;
        colourTerms(colours, l.regions, t.word);
        const BodyRegion region = l.regions.size() == 1 ? l.regions.front() : BodyRegion::Whole;
        const float weight = l.value == QLatin1String("short-sleeves") ? 1.f : kGarmentWeight;
        m_out->add(region, QStringLiteral("garment:") + l.value, t.word, weight, t.negated);
        // The pattern of a dress or a suit is measured where it shows most: on the upper body.
        const bool upper = std::find(l.regions.begin(), l.regions.end(), BodyRegion::Upper) != l.regions.end();
        for (const int p : patterns)
            pattern(m_clause.tokens[size_t(p)], upper ? BodyRegion::Upper : l.regions.front(), t.word);
        if (l.value == QLatin1String("jeans") && colours.empty() && !t.negated)
            m_out->add(BodyRegion::Lower, QStringLiteral("colour:blue"), t.word, kImpliedWeight, false);
    }

    // "short sleeves" are measured (bare arms); "long sleeves" is the same cue, negated.
    void sleeves(const Token &t, const std::vector<ColourWord> &colours)
    {
        colourTerms(colours, t.lexeme->regions, t.word);
        QString lengthWord;
        const QString length = lengthIn(m_clause, &lengthWord);
        if (length.isEmpty())
            return;
        const bool longSleeves = length == QLatin1String("long");
        m_out->add(BodyRegion::Upper, QStringLiteral("garment:short-sleeves"),
            lengthWord + QLatin1Char(' ') + t.word, 1.f, t.negated != longSleeves);
    }

    void hair(const Token &t, const std::vector<ColourWord> &colours)
    {
        for (const ColourWord &c : colours)
            m_out->add(BodyRegion::Head, QStringLiteral("hair:") + c.value,
                c.phrase + QLatin1Char(' ') + t.word, c.weight, c.negated);
        QString lengthWord;
        const QString length = lengthIn(m_clause, &lengthWord);
        if (!length.isEmpty())
            m_out->add(BodyRegion::Head, QStringLiteral("hair:") + length,
                lengthWord + QLatin1Char(' ') + t.word, 1.f, t.negated);
    }

    // A pattern word of a garment (or of no word: the upper garment); a striped bag or hat is
    // not measured and not taken for the clothes.
    void pattern(const Token &t, BodyRegion region, const QString &noun)
    {
        const QString phrase = noun.isEmpty() ? t.word : t.word + QLatin1Char(' ') + noun;
        m_out->add(region, QStringLiteral("pattern:") + t.lexeme->value, phrase, kPatternWeight, t.negated);
    }

    const Clause &m_clause;
    TermBuilder *m_out;
    std::map<int, std::vector<ColourWord>> m_bound; // target token -> colours describing it
    std::map<int, std::vector<int>> m_patterns; // target token -> pattern words describing it
};

} // namespace

ParsedQuery QueryParser::parse(const QString &text) const
{
    ParsedQuery query;
    query.text = text;
    std::vector<Clause> clauses = splitClauses(normalise(text), &query.unknownWords);
    mergeColourLists(&clauses);
    TermBuilder builder(&query);
    for (const Clause &clause : clauses) {
        ClauseParser parser(clause, &builder);
        parser.run();
    }
    return query;
}

} // namespace descry
