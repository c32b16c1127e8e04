#include "IdentityClustering.h"

#include "NearestNeighbours.h"
#include "NeighbourAttention.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace descry {

namespace {

float dot(const float *a, const float *b, int dim)
{
    float sum = 0;
    for (int k = 0; k < dim; ++k)
        sum += a[k] * b[k];
    return sum;
}

using Pair = std::pair<int, int>; // (smaller, larger) item index

Pair ordered(int a, int b)
{
    return a < b ? Pair { a, b } : Pair { b, a };
}

// Pairs of items that can never be one person, sorted and each once.
using PairSet = std::vector<Pair>;

bool contains(const PairSet &set, const Pair &p)
{
    return std::binary_search(set.begin(), set.end(), p);
}

// Pairs of items that can never be one person: seen at the same time in one source, seen by two
// cameras too soon for the walk between them, or said different by an annotator.
PairSet cannotLinks(const std::vector<IdentityItem> &items, const std::vector<IdentityLink> &links, double tolerance,
    const std::vector<IdentityTransit> &transits)
{
    PairSet out;
    std::vector<int> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        return std::tie(items[size_t(a)].sourceId, items[size_t(a)].start, a)
            < std::tie(items[size_t(b)].sourceId, items[size_t(b)].start, b);
    });
    // A sweep per source: only tracklets that start before one ends can overlap it.
    for (size_t i = 0; i < order.size(); ++i) {
        const IdentityItem &a = items[size_t(order[i])];
        for (size_t j = i + 1; j < order.size(); ++j) {
            const IdentityItem &b = items[size_t(order[j])];
            if (b.sourceId != a.sourceId || b.start >= a.end - tolerance)
                break;
            if (IdentityClustering::simultaneous(a, b, tolerance))
                out.push_back(ordered(order[i], order[j]));
        }
    }
    // A sweep over the wall clock: only items that start within the longest transit of one's end
    // can be too close to it.
    if (!transits.empty()) {
        double longest = 0;
        for (const IdentityTransit &t : transits)
            longest = std::max(longest, t.minSeconds);
        std::vector<int> timed;
        for (size_t i = 0; i < items.size(); ++i)
            if (items[i].camera >= 0 && !std::isnan(items[i].wallStart))
                timed.push_back(int(i));
        std::sort(timed.begin(), timed.end(), [&](int a, int b) {
            return std::tie(items[size_t(a)].wallStart, a) < std::tie(items[size_t(b)].wallStart, b);
        });
        for (size_t i = 0; i < timed.size(); ++i) {
            const IdentityItem &a = items[size_t(timed[i])];
            for (size_t j = i + 1; j < timed.size(); ++j) {
                const IdentityItem &b = items[size_t(timed[j])];
                if (b.wallStart >= a.wallStart + (a.end - a.start) + longest)
                    break;
                if (IdentityClustering::tooSoon(a, b, transits))
                    out.push_back(ordered(timed[i], timed[j]));
            }
        }
    }
    for (const IdentityLink &link : links)
        if (!link.same && link.a != link.b)
            out.push_back(ordered(link.a, link.b));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// The annotators' "same person" links first, as groups of items (a union-find); a link that
// would put a cannot-link pair into one group is left out (the store refuses such links, but a
// chain of them may still conflict).
std::vector<int> linkedGroups(int n, const std::vector<IdentityLink> &links, const PairSet &cannot)
{
    std::vector<int> parent(static_cast<size_t>(n));
    std::iota(parent.begin(), parent.end(), 0);
    std::vector<std::vector<int>> members(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        members[size_t(i)] = { i };
    auto find = [&](int x) {
        while (parent[size_t(x)] != x)
            x = parent[size_t(x)] = parent[size_t(parent[size_t(x)])];
        return x;
    };
    for (const IdentityLink &link : links) {
        if (!link.same || link.a < 0 || link.b < 0 || link.a >= n || link.b >= n)
            continue;
        const int ra = find(link.a), rb = find(link.b);
        if (ra == rb)
            continue;
        bool conflict = false;
        for (int x : members[size_t(ra)])
            for (int y : members[size_t(rb)])
                conflict = conflict || contains(cannot, ordered(x, y));
        if (conflict)
            continue;
        parent[size_t(rb)] = ra;
        members[size_t(ra)].insert(members[size_t(ra)].end(), members[size_t(rb)].begin(), members[size_t(rb)].end());
        members[size_t(rb)].clear();
    }
    std::vector<int> group(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        group[size_t(i)] = find(i);
    return group;
}

// Each known pair with its affinity, once (a pair seen from both ends), in pair order.
std::vector<std::pair<Pair, double>> uniquePairs(std::vector<std::pair<Pair, double>> pairs)
{
    const auto samePair = [](const auto &a, const auto &b) { return a.first == b.first; };
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    pairs.erase(std::unique(pairs.begin(), pairs.end(), samePair), pairs.end());
    return pairs;
}

bool hasColours(const IdentityFeatures &features, int n, double colourWeight)
{
    return colourWeight > 0 && features.colourDim > 0 && features.hasColour.size() >= size_t(n);
}

// The pairs of neighbour lists with their scores, once each; a pair where one side has no colour
// descriptor gets the plain affinity instead (the model's cosine decides), since its vectors'
// inner product is not its affinity.
std::vector<std::pair<Pair, double>> listedPairs(
    const NeighbourLists &near, int k, const IdentityFeatures &features, double colourWeight)
{
    const bool withColour = hasColours(features, near.rows, colourWeight);
    std::vector<std::pair<Pair, double>> pairs;
    pairs.reserve(size_t(near.rows) * size_t(k));
    for (int i = 0; i < near.rows; ++i)
        for (int r = 0; r < std::min(k, near.k); ++r) {
            const int j = near.neighbour(i, r);
            if (j < 0)
                continue;
            const bool exact = !withColour || (features.hasColour[size_t(i)] && features.hasColour[size_t(j)]);
            pairs.emplace_back(ordered(i, j),
                exact ? double(near.similarity(i, r)) : IdentityClustering::affinity(features, i, j, colourWeight));
        }
    return uniquePairs(std::move(pairs));
}

// The item pairs whose affinity is known: each item's nearest `neighbours` by affinity vector, from
// all pairs up to exactNeighboursUpTo items and from the approximate neighbour graph past that.
// With neighbour attention the items' nearest attend to each other first, and the pairs are scored
// on the new vectors.
std::vector<std::pair<Pair, double>> knownPairs(
    const IdentityFeatures &features, int n, const IdentityClusteringOptions &options)
{
    int dim = 0;
    const std::vector<float> rows = IdentityClustering::affinityVectors(features, n, options.colourWeight, &dim);
    const int k = std::max({ options.neighbours, options.attentionNeighbours, 0 });
    NeighbourLists near = n > options.exactNeighboursUpTo ? approximateNeighbours(rows.data(), n, dim, k)
                                                          : exactNeighbours(rows.data(), n, dim, k);
    if (options.attentionNeighbours > 0) {
        const std::vector<float> attended
            = attendToNeighbours(rows.data(), n, dim, near, { options.attentionNeighbours, options.attentionTemperature });
        rescoreNeighbours(&near, attended.data(), dim);
    }
    return listedPairs(near, options.neighbours, features, options.colourWeight);
}

struct Edge {
    double sum = 0; // affinities of the known item pairs between two groups
    int32_t count = 0; // how many pairs are known
    bool cannot = false; // some pair may never be one person
};

struct Candidate {
    double linkage;
    int a, b;
    int versionA, versionB;
    bool operator<(const Candidate &o) const
    {
        // The highest linkage first; ties by the lower group ids, so the result never depends on
        // the heap's order.
        return std::tie(linkage, o.a, o.b) < std::tie(o.linkage, a, b);
    }
};

// Pairs that may never be one person are not edges: a crowded hour of one camera holds more of
// them than of nearest neighbours. A merge about to happen is checked against them instead (the
// items of the smaller group and their partners'), and a refused pair of groups becomes an edge
// marked `cannot`, which every later merge carries on.
class Agglomeration {
public:
    Agglomeration(const std::vector<int> &groupOfItem, const PairSet &cannot, const IdentityClusteringOptions &options)
        : m_options(options)
        , m_size(groupOfItem.size(), 0)
        , m_version(groupOfItem.size(), 0)
        , m_edges(groupOfItem.size())
        , m_mergedInto(groupOfItem.size(), -1)
        , m_groupOfItem(groupOfItem)
        , m_members(groupOfItem.size())
        , m_cannotStart(groupOfItem.size() + 1, 0)
    {
        for (size_t i = 0; i < groupOfItem.size(); ++i) {
            ++m_size[size_t(groupOfItem[i])];
            m_members[size_t(groupOfItem[i])].push_back(int(i));
        }
        // Each item's partners, both ways, as one array (compressed rows).
        for (const Pair &p : cannot) {
            ++m_cannotStart[size_t(p.first) + 1];
            ++m_cannotStart[size_t(p.second) + 1];
        }
        for (size_t i = 1; i < m_cannotStart.size(); ++i)
            m_cannotStart[i] += m_cannotStart[i - 1];
        m_cannotPartner.resize(m_cannotStart.back());
        std::vector<size_t> next(m_cannotStart.begin(), m_cannotStart.end() - 1);
        for (const Pair &p : cannot) {
            m_cannotPartner[next[size_t(p.first)]++] = p.second;
            m_cannotPartner[next[size_t(p.second)]++] = p.first;
        }
    }

    void addPair(int groupA, int groupB, double affinity)
    {
        if (groupA == groupB)
            return;
        for (const auto &[from, to] : { Pair { groupA, groupB }, Pair { groupB, groupA } }) {
            Edge &e = m_edges[size_t(from)][to];
            e.sum += affinity;
            e.count += 1;
        }
    }

    void run()
    {
        for (size_t a = 0; a < m_edges.size(); ++a)
            for (const auto &[b, edge] : m_edges[a])
                if (int(a) < b)
                    offer(int(a), b, edge);
        while (!m_queue.empty()) {
            const Candidate c = m_queue.top();
            m_queue.pop();
            if (m_size[size_t(c.a)] == 0 || m_size[size_t(c.b)] == 0 || m_version[size_t(c.a)] != c.versionA
                || m_version[size_t(c.b)] != c.versionB)
                continue; // one of the groups has changed since: its linkage was offered again
            if (mayNeverJoin(c.a, c.b)) {
                m_edges[size_t(c.a)][c.b].cannot = true;
                m_edges[size_t(c.b)][c.a].cannot = true;
                continue;
            }
            merge(c.a, c.b);
        }
    }

    // The group each initial group ended in.
    std::vector<int> finalGroups() const
    {
        std::vector<int> out(m_mergedInto.size());
        for (size_t g = 0; g < out.size(); ++g) {
            int x = int(g);
            while (m_mergedInto[size_t(x)] >= 0)
                x = m_mergedInto[size_t(x)];
            out[g] = x;
        }
        return out;
    }

private:
    // Whether some item of group a and some item of group b may never be one person.
    bool mayNeverJoin(int a, int b) const
    {
        if (m_members[size_t(a)].size() > m_members[size_t(b)].size())
            std::swap(a, b);
        for (int item : m_members[size_t(a)])
            for (size_t k = m_cannotStart[size_t(item)]; k < m_cannotStart[size_t(item) + 1]; ++k)
                if (m_groupOfItem[size_t(m_cannotPartner[k])] == b)
                    return true;
        return false;
    }

    double linkage(int a, int b, const Edge &edge) const
    {
        const double pairs = double(m_size[size_t(a)]) * double(m_size[size_t(b)]);
        return (edge.sum + (pairs - double(edge.count)) * m_options.absentAffinity) / pairs;
    }

    void offer(int a, int b, const Edge &edge)
    {
        if (edge.cannot)
            return;
        const double l = linkage(a, b, edge);
        if (l >= m_options.threshold)
            m_queue.push({ l, std::min(a, b), std::max(a, b), m_version[size_t(std::min(a, b))],
                m_version[size_t(std::max(a, b))] });
    }

    // Group b joins group a; their edges to every other group add up.
    void merge(int a, int b)
    {
        if (m_edges[size_t(a)].size() < m_edges[size_t(b)].size())
            std::swap(a, b); // the group with fewer edges moves
        std::unordered_map<int, Edge> moving = std::move(m_edges[size_t(b)]);
        m_edges[size_t(b)].clear();
        m_edges[size_t(a)].erase(b);
        for (const auto &[c, edge] : moving) {
            if (c == a)
                continue;
            Edge &ac = m_edges[size_t(a)][c];
            ac.sum += edge.sum;
            ac.count += edge.count;
            ac.cannot = ac.cannot || edge.cannot;
            m_edges[size_t(c)].erase(b);
            m_edges[size_t(c)][a] = ac;
        }
        m_size[size_t(a)] += m_size[size_t(b)];
        m_size[size_t(b)] = 0;
        for (int item : m_members[size_t(b)])
            m_groupOfItem[size_t(item)] = a;
        m_members[size_t(a)].insert(m_members[size_t(a)].end(), m_members[size_t(b)].begin(), m_members[size_t(b)].end());
        m_members[size_t(b)] = {};
        ++m_version[size_t(a)];
        m_mergedInto[size_t(b)] = a;
        for (const auto &[c, edge] : m_edges[size_t(a)])
            offer(a, c, edge);
    }

    IdentityClusteringOptions m_options;
    std::vector<int64_t> m_size; // items per group; 0 once merged away
    std::vector<int> m_version; // moves when a group grows, so older offers are recognised
    std::vector<std::unordered_map<int, Edge>> m_edges;
    std::vector<int> m_mergedInto;
    std::priority_queue<Candidate> m_queue;
    std::vector<int> m_groupOfItem;
    std::vector<std::vector<int>> m_members;
    std::vector<size_t> m_cannotStart; // item i's partners: m_cannotPartner[start[i] .. start[i + 1])
    std::vector<int> m_cannotPartner;
};

} // namespace

double IdentityClustering::affinity(const IdentityFeatures &features, int i, int j, double colourWeight)
{
    const int vd = features.visualDim;
    const double visual = dot(features.visual.data() + size_t(i) * size_t(vd), features.visual.data() + size_t(j) * size_t(vd), vd);
    const bool colour = colourWeight > 0 && features.colourDim > 0 && features.hasColour.size() > size_t(std::max(i, j))
        && features.hasColour[size_t(i)] && features.hasColour[size_t(j)];
    if (!colour)
        return visual;
    const int cd = features.colourDim;
    const double agreement
        = dot(features.colour.data() + size_t(i) * size_t(cd), features.colour.data() + size_t(j) * size_t(cd), cd);
    return (visual + colourWeight * agreement) / (1.0 + colourWeight);
}

std::vector<float> IdentityClustering::affinityVectors(const IdentityFeatures &features, int n, double colourWeight, int *dim)
{
    const bool withColour = hasColours(features, n, colourWeight);
    const int vd = features.visualDim, cd = withColour ? features.colourDim : 0;
    *dim = vd + cd;
    std::vector<float> out(size_t(n) * size_t(*dim), 0.f);
    const float visualScale = withColour ? float(1.0 / std::sqrt(1.0 + colourWeight)) : 1.f;
    const float colourScale = withColour ? float(std::sqrt(colourWeight / (1.0 + colourWeight))) : 0.f;
    for (int i = 0; i < n; ++i) {
        float *row = out.data() + size_t(i) * size_t(*dim);
        const bool colour = withColour && features.hasColour[size_t(i)];
        const float *v = features.visual.data() + size_t(i) * size_t(vd);
        for (int d = 0; d < vd; ++d)
            row[d] = colour ? v[d] * visualScale : v[d];
        if (colour) {
            const float *c = features.colour.data() + size_t(i) * size_t(cd);
            for (int d = 0; d < cd; ++d)
                row[vd + d] = c[d] * colourScale;
        }
    }
    return out;
}

bool IdentityClustering::tooSoon(
    const IdentityItem &a, const IdentityItem &b, const std::vector<IdentityTransit> &transits, double *gap, double *needed)
{
    if (a.camera < 0 || b.camera < 0 || a.camera == b.camera || std::isnan(a.wallStart) || std::isnan(b.wallStart))
        return false;
    const double aEnd = a.wallStart + (a.end - a.start), bEnd = b.wallStart + (b.end - b.start);
    const double between = std::max({ 0.0, b.wallStart - aEnd, a.wallStart - bEnd });
    for (const IdentityTransit &t : transits)
        if ((t.cameraA == a.camera && t.cameraB == b.camera) || (t.cameraA == b.camera && t.cameraB == a.camera)) {
            if (gap)
                *gap = between;
            if (needed)
                *needed = t.minSeconds;
            return between < t.minSeconds;
        }
    return false;
}

bool IdentityClustering::simultaneous(const IdentityItem &a, const IdentityItem &b, double toleranceSeconds)
{
    if (a.sourceId != b.sourceId)
        return false;
    return std::min(a.end, b.end) - std::max(a.start, b.start) > toleranceSeconds;
}

std::vector<int> IdentityClustering::cluster(const std::vector<IdentityItem> &items, const IdentityFeatures &features,
    const std::vector<IdentityLink> &links, const IdentityClusteringOptions &options)
{
    const int n = int(items.size());
    if (n == 0)
        return {};
    const PairSet cannot = cannotLinks(items, links, options.simultaneousSeconds, options.transits);
    const std::vector<int> group = linkedGroups(n, links, cannot);

    Agglomeration agglomeration(group, cannot, options);
    for (const auto &[pair, affinity] : knownPairs(features, n, options))
        agglomeration.addPair(group[size_t(pair.first)], group[size_t(pair.second)], affinity);
    agglomeration.run();
    const std::vector<int> finalGroup = agglomeration.finalGroups();

    // Labels in the order of each group's first item.
    std::vector<int> labelOfGroup(size_t(n), -1);
    std::vector<int> labels(static_cast<size_t>(n));
    int next = 0;
    for (int i = 0; i < n; ++i) {
        int &label = labelOfGroup[size_t(finalGroup[size_t(group[size_t(i)])])];
        if (label < 0)
            label = next++;
        labels[size_t(i)] = label;
    }
    return labels;
}

} // namespace descry
