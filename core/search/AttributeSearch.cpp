#include "AttributeSearch.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace descry {

namespace {

// Colour shares saturate: a person whose upper body is 40 % red is a strong match for "red
// top" (the rest is arms, face, bag straps, background), 10 % is a weak one, 2 % is noise.
float saturate(float fraction)
{
    return 1.f - std::exp(-std::max(0.f, fraction - 0.02f) / 0.13f);
}

// Colour-like attribute values: the 11 basic terms and "blonde" (a hair colour of its own).
constexpr int kColourValues = 12;
constexpr int kRegions = 5;
constexpr int kFamilies = 2; // "colour:" and "hair:"

int colourValueIndex(QStringView v)
{
    static const QString blonde = QStringLiteral("blonde");
    const QStringList &names = basicColourNames();
    for (int i = 0; i < names.size(); ++i) {
        const QString &n = names.at(i);
        if (n.size() == v.size() && n.at(0) == v.at(0) && n.at(n.size() - 1) == v.at(v.size() - 1) && v == n)
            return i;
    }
    return v == blonde ? 11 : -1;
}

const QString &familyPrefix(int family)
{
    static const QString prefixes[kFamilies] = { QStringLiteral("colour:"), QStringLiteral("hair:") };
    return prefixes[family];
}

// Inline comparisons of short names: a libc memcmp call per attribute costs more than the
// comparison itself.
bool sameChars(const QChar *a, const QChar *b, qsizetype n)
{
    for (qsizetype i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

bool startsWith(const QString &name, const QString &prefix)
{
    return name.size() > prefix.size() && sameChars(name.constData(), prefix.constData(), prefix.size());
}

bool sameString(const QString &a, const QString &b)
{
    return a.size() == b.size() && sameChars(a.constData(), b.constData(), a.size());
}

// A query garment that the baseline measures through a proxy: the skin cues can tell bare
// legs (shorts or a skirt) and bare arms (short sleeves, a T-shirt), not the garment itself.
struct Proxy {
    const char *queried;
    BodyRegion region;
    const char *measured;
    const char *label;
};
constexpr Proxy kProxies[] = {
    { "garment:shorts", BodyRegion::Lower, "garment:shorts", "bare legs" },
    { "garment:skirt", BodyRegion::Lower, "garment:shorts", "bare legs" },
    { "garment:short-sleeves", BodyRegion::Upper, "garment:short-sleeves", "bare arms" },
    { "garment:t-shirt", BodyRegion::Upper, "garment:short-sleeves", "bare arms" },
};

// One query term, resolved once into what to look up in every tracklet's attributes.
struct Lookup {
    QString label; // how the measured value is described, e.g. "upper red/green"
    QString phrase; // the query words
    float weight = 1;
    bool fraction = false; // colour share (saturated) rather than a confidence
    std::vector<int> slots; // colour terms: shares that add up ("teal" -> blue + green)
    int familyBit = 0; // colour terms: region+family whose presence means "measured"
    int named = -1; // other terms: index into the named attributes
};

struct Named {
    BodyRegion region;
    QString name;
};

struct Scratch {
    std::vector<float> slots;
    std::vector<float> exact, anyRegion;
    std::vector<char> found;
};

QString percent(float v)
{
    return QString::number(int(std::lround(v * 100))) + QLatin1Char('%');
}

class ScoredQuery {
public:
    explicit ScoredQuery(const ParsedQuery &query)
    {
        for (const QueryTerm &t : query.terms)
            if (t.weight != 0)
                m_lookups.push_back(resolve(t));
    }

    float score(const AttributeSet &attributes, Scratch &scratch, QStringList *matched) const
    {
        const int families = gather(attributes, scratch);
        double sum = 0, weights = 0;
        for (const Lookup &l : m_lookups) {
            float value = 0;
            if (!measured(l, scratch, families, &value)) {
                if (matched)
                    *matched << l.phrase + QStringLiteral(": not measured");
                continue;
            }
            const float s = l.fraction ? saturate(value) : value;
            const float agreement = l.weight < 0 ? 1.f - s : s; // negated: absence matches
            sum += double(std::abs(l.weight)) * agreement;
            weights += std::abs(l.weight);
            if (matched)
                *matched << l.phrase + QStringLiteral(": ")
                        + (l.weight < 0 ? QStringLiteral("no ") : QString()) + l.label + QLatin1Char(' ')
                        + percent(value);
        }
        return weights > 0 ? float(sum / weights) : 0.f;
    }

private:
    Lookup resolve(const QueryTerm &term)
    {
        Lookup l;
        l.weight = term.weight;
        l.phrase = term.phrase.isEmpty() ? term.attribute : term.phrase;
        for (const Proxy &p : kProxies)
            if (term.attribute == QLatin1String(p.queried)) {
                l.label = QString::fromLatin1(p.label);
                l.named = namedIndex(p.region, QString::fromLatin1(p.measured));
                return l;
            }
        const qsizetype colon = term.attribute.indexOf(QLatin1Char(':'));
        const QString prefix = term.attribute.left(colon + 1);
        const QStringList values = term.attribute.mid(colon + 1).split(QLatin1Char('|'));
        const int family = prefix == QLatin1String("colour:") ? 0 : prefix == QLatin1String("hair:") ? 1 : -1;
        const bool colours = family >= 0 && std::all_of(values.begin(), values.end(), [](const QString &v) {
            return colourValueIndex(v) >= 0;
        });
        if (!colours) {
            l.label = term.attribute;
            l.named = namedIndex(term.region, term.attribute);
            return l;
        }
        const int region = int(term.region);
        for (const QString &v : values)
            l.slots.push_back(slotIndex(region, family, v));
        l.familyBit = 1 << (region * kFamilies + family);
        m_familyBits |= l.familyBit;
        l.fraction = true;
        const QString what = family == 1 ? QStringLiteral("hair") : regionKey(term.region);
        l.label = what + QLatin1Char(' ') + values.join(QLatin1Char('/'));
        return l;
    }

    int slotIndex(int region, int family, const QString &colour)
    {
        const QString name = familyPrefix(family) + colour;
        for (const ColourSlot &c : m_slots[region][family])
            if (c.name == name)
                return c.slot;
        m_slots[region][family].push_back({ name, m_slotCount });
        return m_slotCount++;
    }

    int namedIndex(BodyRegion region, const QString &name)
    {
        for (size_t i = 0; i < m_named.size(); ++i)
            if (m_named[i].region == region && m_named[i].name == name)
                return int(i);
        m_named.push_back({ region, name });
        for (int f = 0; f < kFamilies; ++f)
            m_namedInFamily[f] = m_namedInFamily[f] || startsWith(name, familyPrefix(f));
        return int(m_named.size()) - 1;
    }

    // One pass over a tracklet's attributes: colour shares into slots, other named values.
    // Returns the region+family bits that were measured at all. This is the hot loop of
    // rank(): the string data is only read when the region matters to the query, and sizes
    // (stored inline in QString) reject most names before their characters are compared.
    int gather(const AttributeSet &attributes, Scratch &s) const
    {
        s.slots.assign(size_t(m_slotCount), 0.f);
        s.exact.assign(m_named.size(), 0.f);
        s.anyRegion.assign(m_named.size(), -1.f);
        s.found.assign(m_named.size(), 0);
        int families = 0;
        for (const AttributeValue &a : attributes) {
            const int region = int(a.region);
            if (region < 0 || region >= kRegions)
                continue;
            if (colourFamily(a, region, s, &families))
                continue;
            for (size_t i = 0; i < m_named.size(); ++i) {
                if (!sameString(a.name, m_named[i].name))
                    continue;
                if (m_named[i].region == a.region) {
                    s.exact[i] = std::max(s.exact[i], a.value);
                    s.found[i] = 1;
                } else {
                    s.anyRegion[i] = std::max(s.anyRegion[i], a.value); // e.g. an accessory of the whole body
                }
            }
        }
        return families;
    }

    // True when `a` is a colour share of a family the query asks about in this region.
    bool colourFamily(const AttributeValue &a, int region, Scratch &s, int *families) const
    {
        for (int f = 0; f < kFamilies; ++f) {
            const int bit = 1 << (region * kFamilies + f);
            if (!(m_familyBits & bit) || !startsWith(a.name, familyPrefix(f)))
                continue;
            for (const ColourSlot &c : m_slots[region][f])
                if (sameString(a.name, c.name)) {
                    s.slots[size_t(c.slot)] += a.value;
                    *families |= bit;
                    return true;
                }
            // Another colour of the region: the region was measured, this term's colour is 0 %.
            // "hair:long" is not a colour: it says nothing about hair colour, and may be a term.
            // Once the family is known to be measured, only such a term needs the check.
            if ((*families & bit) && !m_namedInFamily[f])
                return true;
            if (colourValueIndex(QStringView(a.name).mid(familyPrefix(f).size())) < 0)
                return false;
            *families |= bit;
            return true;
        }
        return false;
    }

    static bool measured(const Lookup &l, const Scratch &s, int families, float *value)
    {
        if (l.named >= 0) {
            const auto i = size_t(l.named);
            if (!s.found[i] && s.anyRegion[i] < 0)
                return false;
            *value = std::clamp(s.found[i] ? s.exact[i] : s.anyRegion[i], 0.f, 1.f);
            return true;
        }
        if (!(families & l.familyBit))
            return false; // the region's colours were never seen
        float sum = 0;
        for (int slot : l.slots)
            sum += s.slots[size_t(slot)];
        *value = std::clamp(sum, 0.f, 1.f);
        return true;
    }

    std::vector<Lookup> m_lookups;
    std::vector<Named> m_named;
    struct ColourSlot {
        QString name; // e.g. "colour:red"
        int slot;
    };
    std::vector<ColourSlot> m_slots[kRegions][kFamilies];
    int m_slotCount = 0;
    int m_familyBits = 0;
    bool m_namedInFamily[kFamilies] = { false, false }; // a named term like "hair:long" exists
};

} // namespace

float AttributeSearch::score(
    const ParsedQuery &query, const AttributeSet &attributes, QStringList *matched) const
{
    Scratch scratch;
    return ScoredQuery(query).score(attributes, scratch, matched);
}

std::vector<AttributeMatch> AttributeSearch::rank(
    const ParsedQuery &query, const std::vector<TrackletAttributes> &gallery, int topK) const
{
    const ScoredQuery scored(query);
    // One pass, one thread: the loop is bound by memory (a QString per attribute); a second
    // thread measured no faster on the 2-core target machines.
    Scratch scratch;
    std::vector<float> scores(gallery.size());
    for (size_t i = 0; i < gallery.size(); ++i)
        scores[i] = scored.score(gallery[i].attributes, scratch, nullptr);

    std::vector<size_t> order(gallery.size());
    std::iota(order.begin(), order.end(), size_t(0));
    // Total order (score desc, id asc, position asc): the result never depends on the sort.
    const auto better = [&](size_t a, size_t b) {
        if (scores[a] != scores[b])
            return scores[a] > scores[b];
        if (gallery[a].trackletId != gallery[b].trackletId)
            return gallery[a].trackletId < gallery[b].trackletId;
        return a < b;
    };
    const size_t k = topK <= 0 ? order.size() : std::min(order.size(), size_t(topK));
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k), order.end(), better);

    std::vector<AttributeMatch> out;
    out.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const TrackletAttributes &t = gallery[order[i]];
        AttributeMatch m;
        m.trackletId = t.trackletId;
        m.score = scored.score(t.attributes, scratch, &m.matched); // readable strings only for the few shown
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace descry
