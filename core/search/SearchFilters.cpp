#include "SearchFilters.h"

#include "QueryParser.h"

namespace descry {

namespace {

constexpr float kColourShareThreshold = 0.15f;
constexpr float kConfidenceThreshold = 0.5f;

bool allBasicColours(const QString &values)
{
    const QStringList parts = values.split(QLatin1Char('|'));
    for (const QString &v : parts)
        if (!basicColourNames().contains(v))
            return false;
    return !parts.isEmpty();
}

QString termText(const QueryTerm &t)
{
    return regionKey(t.region) + QLatin1Char(' ') + t.attribute;
}

} // namespace

QString AttributeChip::kind() const
{
    return attribute.section(QLatin1Char(':'), 0, 0);
}

bool AttributeChip::isColourShare() const
{
    const QString k = kind();
    return (k == QLatin1String("colour") || k == QLatin1String("hair"))
        && allBasicColours(attribute.section(QLatin1Char(':'), 1));
}

float AttributeChip::defaultThreshold() const
{
    return isColourShare() ? kColourShareThreshold : kConfidenceThreshold;
}

QString AttributeChip::describe() const
{
    return QStringLiteral("%1 %2 >= %3")
        .arg(regionKey(region), attribute)
        .arg(double(threshold()), 0, 'g', 3);
}

bool AttributeChip::parse(const QString &text, AttributeChip *out, QString *error)
{
    const QString trimmed = text.trimmed().toLower();
    const QStringList parts = trimmed.split(QLatin1Char(':'));
    QString regionWord;
    QString words = trimmed;
    if (parts.size() >= 2) {
        regionWord = parts.first().trimmed();
        words = trimmed.section(QLatin1Char(':'), 1).trimmed();
    }
    BodyRegion region = BodyRegion::Whole;
    const bool hair = regionWord == QLatin1String("hair");
    if (!regionWord.isEmpty() && !hair && !regionFromKey(regionWord, &region)) {
        *error = QStringLiteral(
            "attribute '%1': '%2' is not a body region; use head, hair, upper, lower, feet or whole, "
            "e.g. upper:red")
                     .arg(text, regionWord);
        return false;
    }
    if (words.isEmpty()) {
        *error = QStringLiteral("attribute '%1' names no attribute, e.g. upper:red, lower:shorts, backpack")
                     .arg(text);
        return false;
    }
    AttributeChip chip;
    chip.label = text.trimmed();
    if (parts.size() >= 3 && !hair) {
        // The raw form names a stored attribute as it is: REGION:KIND:VALUE.
        chip.region = region;
        chip.attribute = words;
        *out = chip;
        return true;
    }
    const ParsedQuery parsed = QueryParser().parse(words);
    if (parsed.terms.size() != 1 || parsed.terms.front().weight < 0) {
        QStringList found;
        for (const QueryTerm &t : parsed.terms)
            found << termText(t);
        *error = parsed.terms.empty()
            ? QStringLiteral(
                "attribute '%1': the query lexicon does not know '%2'; use a colour (upper:red), a measured "
                "garment (lower:shorts, upper:short sleeves), a hair colour (hair:blonde) or a bag")
                  .arg(text, words)
            : QStringLiteral("attribute '%1' names %2 (%3); give one attribute per chip, e.g. upper:red")
                  .arg(text)
                  .arg(parsed.terms.size() == 1
                          ? QStringLiteral("a negation")
                          : QString::number(parsed.terms.size()) + QStringLiteral(" attributes"),
                      found.join(QStringLiteral(", ")));
        return false;
    }
    const QueryTerm &term = parsed.terms.front();
    chip.region = term.region;
    chip.attribute = term.attribute;
    if (term.attribute.startsWith(QLatin1String("colour:"))) {
        // A bare colour word: the lexicon cannot know which body part, the chip's region says.
        chip.region = hair ? BodyRegion::Head : region;
        if (hair)
            chip.attribute = QStringLiteral("hair:") + term.attribute.section(QLatin1Char(':'), 1);
    } else if (hair && !term.attribute.startsWith(QLatin1String("hair:"))) {
        *error = QStringLiteral("attribute '%1': '%2' is not a hair attribute; e.g. hair:blonde, hair:black")
                     .arg(text, words);
        return false;
    }
    *out = chip;
    return true;
}

} // namespace descry
