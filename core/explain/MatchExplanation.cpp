#include "MatchExplanation.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>

namespace descry {

namespace {

bool isWordLike(const QString &word)
{
    return std::any_of(word.cbegin(), word.cend(), [](QChar c) { return c.isLetterOrNumber(); });
}

// Words as a reader wrote them: "t", "-", "shirt" back to "t-shirt" (basicTokenize splits
// punctuation off). Returns, per source word, the index of the merged word it belongs to, -1
// for punctuation, and the merged texts.
std::vector<int> mergeWords(const QStringList &words, QStringList *merged)
{
    std::vector<int> to(size_t(words.size()), -1);
    for (int w = 0; w < words.size(); ++w) {
        const QString &word = words.at(w);
        const bool joiner = (word == QLatin1String("-") || word == QLatin1String("'")) && w > 0
            && w + 1 < words.size() && to[size_t(w - 1)] >= 0 && isWordLike(words.at(w + 1));
        if (joiner) {
            (*merged)[to[size_t(w - 1)]] += word + words.at(w + 1);
            to[size_t(w)] = to[size_t(w + 1)] = to[size_t(w - 1)];
            ++w;
            continue;
        }
        if (!isWordLike(word))
            continue;
        to[size_t(w)] = int(merged->size());
        merged->append(word);
    }
    return to;
}

} // namespace

QString imageScaleKey(ImageScale scale)
{
    switch (scale) {
    case ImageScale::Global:
        return QStringLiteral("global");
    case ImageScale::Region:
        return QStringLiteral("region");
    case ImageScale::Patch:
        break;
    }
    return QStringLiteral("patch");
}

QString ImageStripe::label() const
{
    if (scale == ImageScale::Global)
        return QStringLiteral("global");
    const int total = int(std::lround(1.0 / double(std::max(1e-6f, bottom - top))));
    return QStringLiteral("%1 %2/%3").arg(imageScaleKey(scale)).arg(index + 1).arg(total);
}

MatchExplanation MatchExplanation::build(
    const QueryEmbedding &query, const AttentionMap &attention, int regionStripes, int patchStripes)
{
    MatchExplanation e;
    e.query = query.text;
    e.stripes.push_back({ImageScale::Global, 0, 0.f, 1.f});
    for (int i = 0; i < regionStripes; ++i)
        e.stripes.push_back({ImageScale::Region, i, float(i) / float(regionStripes), float(i + 1) / float(regionStripes)});
    for (int i = 0; i < patchStripes; ++i)
        e.stripes.push_back({ImageScale::Patch, i, float(i) / float(patchStripes), float(i + 1) / float(patchStripes)});
    const int ni = attention.imageItems, nt = attention.textItems;
    if (ni != int(e.stripes.size()) || nt != query.items)
        return e; // another model's layout: no units, nothing to draw

    // Units: the sentence, each sub-sentence, each word (its pieces together).
    QStringList mergedWords;
    const std::vector<int> wordUnitOf = mergeWords(query.words, &mergedWords);
    std::map<int, TextUnit> subSentences;
    std::vector<TextUnit> words(size_t(mergedWords.size()));
    for (int j = 0; j < nt; ++j) {
        const TextScale scale = query.scales[size_t(j)];
        if (scale == TextScale::Sentence) {
            e.units.push_back({TextScale::Sentence, query.text.simplified(), {j}});
        } else if (scale == TextScale::SubSentence) {
            subSentences[query.spanOf[size_t(j)]].items.push_back(j);
        } else {
            const int word = query.wordOf[size_t(j)];
            if (word < 0 || word >= int(wordUnitOf.size()) || wordUnitOf[size_t(word)] < 0)
                continue; // [SEP], punctuation
            words[size_t(wordUnitOf[size_t(word)])].items.push_back(j);
        }
    }
    // A sub-sentence reads as its words.
    for (auto &[span, unit] : subSentences) {
        QStringList text;
        int lastWord = -1;
        for (int j = 0; j < nt; ++j) {
            const int word = query.wordOf[size_t(j)];
            if (query.spanOf[size_t(j)] != span || word < 0 || wordUnitOf[size_t(word)] < 0)
                continue;
            if (wordUnitOf[size_t(word)] != lastWord)
                text.append(mergedWords.at(wordUnitOf[size_t(word)]));
            lastWord = wordUnitOf[size_t(word)];
        }
        unit.scale = TextScale::SubSentence;
        unit.text = text.join(QLatin1Char(' '));
        if (!unit.text.isEmpty())
            e.units.push_back(unit);
    }
    for (size_t w = 0; w < words.size(); ++w) {
        if (words[w].items.empty())
            continue; // cut off by the model's token limit
        words[w].scale = TextScale::Word;
        words[w].text = mergedWords.at(int(w));
        e.units.push_back(words[w]);
    }

    const size_t nu = e.units.size();
    e.unitToStripe.assign(nu * size_t(ni), 0.f);
    e.stripeToUnit.assign(size_t(ni) * nu, 0.f);
    for (size_t u = 0; u < nu; ++u) {
        const std::vector<int> &items = e.units[u].items;
        for (int j : items)
            for (int a = 0; a < ni; ++a) {
                e.unitToStripe[u * size_t(ni) + size_t(a)] += attention.textToImage[size_t(j) * size_t(ni) + size_t(a)] / float(items.size());
                e.stripeToUnit[size_t(a) * nu + u] += attention.imageToText[size_t(a) * size_t(nt) + size_t(j)];
            }
    }

    if (int(attention.imageItemRelevance.size()) == ni && int(attention.textItemRelevance.size()) == nt) {
        // local = mean_a relI[a] / 2 + mean_b relT[b] / 2; the text half goes to the image items
        // each text item attended to, in proportion to its attention (rows sum to 1).
        e.stripeContribution.assign(size_t(ni), 0.f);
        for (int a = 0; a < ni; ++a)
            e.stripeContribution[size_t(a)] = 0.5f * attention.imageItemRelevance[size_t(a)] / float(ni);
        for (int b = 0; b < nt; ++b)
            for (int a = 0; a < ni; ++a)
                e.stripeContribution[size_t(a)] += 0.5f * attention.textItemRelevance[size_t(b)] / float(nt)
                    * attention.textToImage[size_t(b) * size_t(ni) + size_t(a)];
    }
    return e;
}

float MatchExplanation::attentionOn(int unit, ImageScale scale) const
{
    float sum = 0;
    for (int s = 0; s < stripeCount(); ++s)
        if (stripes[size_t(s)].scale == scale)
            sum += attention(unit, s);
    return sum;
}

float MatchExplanation::verticalCentre(int unit) const
{
    double weight = 0, centre = 0;
    for (int s = 0; s < stripeCount(); ++s) {
        const ImageStripe &stripe = stripes[size_t(s)];
        if (stripe.scale == ImageScale::Global)
            continue;
        weight += attention(unit, s);
        centre += double(attention(unit, s)) * (stripe.top + stripe.bottom) / 2;
    }
    return weight > 1e-6 ? float(centre / weight) : -1.f;
}

std::array<float, BodyLayout::ZoneCount> MatchExplanation::attentionByZone(
    int unit, const CropBody &body, float cropHeight) const
{
    std::array<float, BodyLayout::ZoneCount> shares {};
    if (unit < 0 || unit >= unitCount() || body.person.h <= 0 || cropHeight <= 0)
        return shares;
    const BodyLayout layout = body.layout();
    for (int s = 0; s < stripeCount(); ++s) {
        const ImageStripe &stripe = stripes[size_t(s)];
        if (stripe.scale == ImageScale::Global)
            continue;
        // The stripe in fractions of the person's height.
        const float top = (stripe.top * cropHeight - body.person.y) / body.person.h;
        const float bottom = (stripe.bottom * cropHeight - body.person.y) / body.person.h;
        if (bottom <= top)
            continue;
        for (int z = 0; z < BodyLayout::ZoneCount; ++z) {
            const float overlap = std::min(bottom, layout.bounds[size_t(z) + 1]) - std::max(top, layout.bounds[size_t(z)]);
            if (overlap > 0 && layout.visible[size_t(z)])
                shares[size_t(z)] += attention(unit, s) * overlap / (bottom - top);
        }
    }
    float total = 0;
    for (float v : shares)
        total += v;
    for (float &v : shares)
        v = total > 1e-6f ? v / total : 0.f;
    return shares;
}

float MatchExplanation::scaleContribution(ImageScale scale) const
{
    float sum = scale == ImageScale::Global ? globalCosine : 0.f;
    for (size_t s = 0; s < stripeContribution.size(); ++s)
        if (stripes[s].scale == scale)
            sum += stripeContribution[s];
    return sum;
}

int MatchExplanation::findUnit(const QString &text, TextScale scale) const
{
    for (int u = 0; u < unitCount(); ++u)
        if (units[size_t(u)].scale == scale && units[size_t(u)].text.compare(text, Qt::CaseInsensitive) == 0)
            return u;
    return -1;
}

QJsonObject MatchExplanation::toJson() const
{
    auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
    QJsonArray stripeArray;
    for (int s = 0; s < stripeCount(); ++s) {
        const ImageStripe &stripe = stripes[size_t(s)];
        QJsonObject o{{QStringLiteral("label"), stripe.label()}, {QStringLiteral("scale"), imageScaleKey(stripe.scale)},
            {QStringLiteral("top"), round3(stripe.top)}, {QStringLiteral("bottom"), round3(stripe.bottom)}};
        if (hasContributions())
            o[QStringLiteral("contribution")] = round3(stripeContribution[size_t(s)]);
        stripeArray.append(o);
    }
    QJsonArray unitArray;
    for (int u = 0; u < unitCount(); ++u) {
        const TextUnit &unit = units[size_t(u)];
        QJsonArray row;
        for (int s = 0; s < stripeCount(); ++s)
            row.append(round3(attention(u, s)));
        const QString scale = unit.scale == TextScale::Sentence ? QStringLiteral("sentence")
            : unit.scale == TextScale::SubSentence              ? QStringLiteral("sub-sentence")
                                                                : QStringLiteral("word");
        unitArray.append(QJsonObject{{QStringLiteral("text"), unit.text}, {QStringLiteral("scale"), scale},
            {QStringLiteral("attention"), row}, {QStringLiteral("verticalCentre"), round3(verticalCentre(u))},
            {QStringLiteral("onGlobal"), round3(attentionOn(u, ImageScale::Global))},
            {QStringLiteral("onRegions"), round3(attentionOn(u, ImageScale::Region))},
            {QStringLiteral("onPatches"), round3(attentionOn(u, ImageScale::Patch))}});
    }
    QJsonObject scores{{QStringLiteral("score"), round3(score)}, {QStringLiteral("globalCosine"), round3(globalCosine)},
        {QStringLiteral("localSimilarity"), round3(localSimilarity)}};
    if (attributeScore >= 0) {
        scores[QStringLiteral("attributeScore")] = round3(attributeScore);
        scores[QStringLiteral("attributeWeight")] = round3(attributeWeight);
    }
    if (hasContributions())
        for (ImageScale scale : {ImageScale::Global, ImageScale::Region, ImageScale::Patch})
            scores[imageScaleKey(scale)] = round3(scaleContribution(scale));
    return QJsonObject{{QStringLiteral("query"), query}, {QStringLiteral("model"), modelId},
        {QStringLiteral("tracklet"), qint64(trackletId)}, {QStringLiteral("scores"), scores},
        {QStringLiteral("stripes"), stripeArray}, {QStringLiteral("units"), unitArray}};
}

} // namespace descry
