#include "IdentityClustering.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

using namespace descry;

namespace {

std::vector<float> unit(std::vector<float> v)
{
    double norm = 0;
    for (float x : v)
        norm += double(x) * x;
    for (float &x : v)
        x = float(x / std::sqrt(norm));
    return v;
}

// Rows of unit vectors; colour rows too when given (an empty row: no colour descriptor).
IdentityFeatures features(const std::vector<std::vector<float>> &visual, const std::vector<std::vector<float>> &colour = {})
{
    IdentityFeatures f;
    f.visualDim = int(visual.front().size());
    for (const auto &v : visual) {
        const std::vector<float> u = unit(v);
        f.visual.insert(f.visual.end(), u.begin(), u.end());
    }
    if (!colour.empty()) {
        f.colourDim = 0;
        for (const auto &c : colour)
            f.colourDim = std::max(f.colourDim, int(c.size()));
        for (const auto &c : colour) {
            f.hasColour.push_back(c.empty() ? 0 : 1);
            const std::vector<float> u = c.empty() ? std::vector<float>(size_t(f.colourDim), 0.f) : unit(c);
            f.colour.insert(f.colour.end(), u.begin(), u.end());
        }
    }
    return f;
}

// Tracklets of one source, one after another (never seen at once).
std::vector<IdentityItem> oneAfterAnother(int n)
{
    std::vector<IdentityItem> items;
    for (int i = 0; i < n; ++i)
        items.push_back({ i + 1, 1, 10.0 * i, 10.0 * i + 5 });
    return items;
}

// The grouping as a set of sets of item indices, whatever the labels.
std::set<std::set<int>> partition(const std::vector<int> &labels)
{
    std::map<int, std::set<int>> groups;
    for (size_t i = 0; i < labels.size(); ++i)
        groups[labels[i]].insert(int(i));
    std::set<std::set<int>> out;
    for (const auto &entry : groups)
        out.insert(entry.second);
    return out;
}

// Average linkage the plain way: every pair of groups, every time (what the sparse, heap-driven
// implementation must equal when every tracklet keeps all others as neighbours).
std::set<std::set<int>> referenceAverageLinkage(
    const std::vector<IdentityItem> &items, const IdentityFeatures &f, const IdentityClusteringOptions &o)
{
    const int n = int(items.size());
    std::vector<std::vector<int>> groups;
    for (int i = 0; i < n; ++i)
        groups.push_back({ i });
    for (;;) {
        double best = -1e9;
        int ba = -1, bb = -1;
        for (size_t a = 0; a < groups.size(); ++a)
            for (size_t b = a + 1; b < groups.size(); ++b) {
                double sum = 0;
                bool cannot = false;
                for (int x : groups[a])
                    for (int y : groups[b]) {
                        sum += IdentityClustering::affinity(f, x, y, o.colourWeight);
                        cannot = cannot || IdentityClustering::simultaneous(items[size_t(x)], items[size_t(y)], o.simultaneousSeconds);
                    }
                const double mean = sum / double(groups[a].size() * groups[b].size());
                if (!cannot && mean > best) {
                    best = mean;
                    ba = int(a);
                    bb = int(b);
                }
            }
        if (ba < 0 || best < o.threshold)
            break;
        groups[size_t(ba)].insert(groups[size_t(ba)].end(), groups[size_t(bb)].begin(), groups[size_t(bb)].end());
        groups.erase(groups.begin() + bb);
    }
    std::set<std::set<int>> out;
    for (const auto &g : groups)
        out.insert(std::set<int>(g.begin(), g.end()));
    return out;
}

} // namespace

class TestIdentityClustering : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void groupsEachPersonsTracklets()
    {
        const auto f = features({ { 1, 0.1f, 0 }, { 0.1f, 1, 0 }, { 1, 0, 0.1f }, { 0, 1, 0.1f }, { 1, 0.05f, 0.05f } });
        const std::vector<int> labels = IdentityClustering::cluster(oneAfterAnother(5), f, {}, {});
        QCOMPARE(labels, (std::vector<int> { 0, 1, 0, 1, 0 }));
    }

    void neverGroupsTrackletsSeenAtOnce()
    {
        const auto f = features({ { 1, 0 }, { 1, 0 } });
        // One video, both on screen from 10 s to 12 s: two people however alike.
        const std::vector<IdentityItem> atOnce { { 1, 1, 0, 12 }, { 2, 1, 10, 20 } };
        QCOMPARE(IdentityClustering::cluster(atOnce, f, {}, {}), (std::vector<int> { 0, 1 }));
        // The same times in two videos, or one ending as the other starts (a track broken and
        // started again): one person.
        const std::vector<IdentityItem> twoVideos { { 1, 1, 0, 12 }, { 2, 2, 10, 20 } };
        QCOMPARE(IdentityClustering::cluster(twoVideos, f, {}, {}), (std::vector<int> { 0, 0 }));
        const std::vector<IdentityItem> handOver { { 1, 1, 0, 10.1 }, { 2, 1, 10, 20 } };
        QCOMPARE(IdentityClustering::cluster(handOver, f, {}, {}), (std::vector<int> { 0, 0 }));
        // The constraint binds whole groups: c looks like both, but a and b were seen at once.
        const auto g = features({ { 1, 0 }, { 1, 0 }, { 1, 0 } });
        const std::vector<IdentityItem> three { { 1, 1, 0, 12 }, { 2, 1, 10, 20 }, { 3, 1, 30, 40 } };
        const std::vector<int> labels = IdentityClustering::cluster(three, g, {}, {});
        QVERIFY(labels[0] != labels[1]);
        QVERIFY(labels[2] == labels[0] || labels[2] == labels[1]);
    }

    void neverGroupsTrackletsTooCloseForTheWalk()
    {
        const auto f = features({ { 1, 0 }, { 1, 0 }, { 1, 0 } });
        // Camera 0 from 10:00:00 to 10:00:10 (wall clock 36000 s), camera 1 from 10:00:35: 25 s
        // between them, where the walk takes at least 60 s.
        std::vector<IdentityItem> items { { 1, 1, 0, 10, 0, 36000 }, { 2, 2, 5, 15, 1, 36035 } };
        IdentityClusteringOptions o;
        o.transits = { { 1, 0, 60 } }; // either order
        QCOMPARE(IdentityClustering::cluster(items, f, {}, o), (std::vector<int> { 0, 1 }));
        double gap = 0, needed = 0;
        QVERIFY(IdentityClustering::tooSoon(items[1], items[0], o.transits, &gap, &needed));
        QCOMPARE(gap, 25.0);
        QCOMPARE(needed, 60.0);
        // A minute and a half later: one person.
        items[1].wallStart = 36095;
        QCOMPARE(IdentityClustering::cluster(items, f, {}, o), (std::vector<int> { 0, 0 }));
        // No transit for the pair, or a source whose recording time is unknown: no constraint.
        items[1].wallStart = 36035;
        QCOMPARE(IdentityClustering::cluster(items, f, {}, {}), (std::vector<int> { 0, 0 }));
        items[1].wallStart = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(IdentityClustering::cluster(items, f, {}, o), (std::vector<int> { 0, 0 }));
        // The sweep reaches past items that start between: a third camera-0 tracklet later on.
        items[1].wallStart = 36035;
        items.push_back({ 3, 1, 20, 25, 0, 36020 });
        const std::vector<int> labels = IdentityClustering::cluster(items, f, {}, o);
        QVERIFY(labels[1] != labels[0]);
        QVERIFY(labels[1] != labels[2]);
    }

    void thresholdStopsMerging()
    {
        // cosine 0.5
        const auto f = features({ { 1, 0 }, { 0.5f, std::sqrt(0.75f) } });
        IdentityClusteringOptions o;
        o.attentionNeighbours = 0;
        o.threshold = 0.6;
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(2), f, {}, o), (std::vector<int> { 0, 1 }));
        o.threshold = 0.4;
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(2), f, {}, o), (std::vector<int> { 0, 0 }));
    }

    void averageNotSingleLinkage()
    {
        // b is between a and c (cosine 0.71 to each), a and c are unlike (0): single linkage would
        // chain all three; the mean of {a, b} to c is 0.35.
        const auto f = features({ { 1, 0 }, { 1, 1 }, { 0, 1 } });
        IdentityClusteringOptions o;
        o.attentionNeighbours = 0;
        o.threshold = 0.6;
        const std::vector<int> labels = IdentityClustering::cluster(oneAfterAnother(3), f, {}, o);
        QCOMPARE(labels, (std::vector<int> { 0, 0, 1 }));
    }

    void annotatorsLinksWin()
    {
        const auto f = features({ { 1, 0 }, { 0, 1 }, { 1, 0 }, { 1, 0 } });
        const std::vector<IdentityItem> items { { 1, 1, 0, 5 }, { 2, 1, 10, 15 }, { 3, 1, 20, 25 }, { 4, 1, 24, 30 } };
        // Alone: 0, 2 alike; 3 was seen with 2; 1 is unlike everyone.
        QCOMPARE(IdentityClustering::cluster(items, f, {}, {}), (std::vector<int> { 0, 1, 0, 2 }));
        // "Same" joins unlike tracklets; "different" parts alike ones.
        QCOMPARE(IdentityClustering::cluster(items, f, { { 0, 1, true }, { 0, 2, false } }, {}),
            (std::vector<int> { 0, 0, 1, 2 }));
        // A "same" link between tracklets seen at once is not followed.
        QCOMPARE(IdentityClustering::cluster(items, f, { { 2, 3, true } }, {}), (std::vector<int> { 0, 1, 0, 2 }));
    }

    void colourWeighsIn()
    {
        // Alike to the model, unlike in colour.
        const auto f = features({ { 1, 0 }, { 1, 0.1f } }, { { 1, 0, 0 }, { 0, 0, 1 } });
        IdentityClusteringOptions o;
        o.attentionNeighbours = 0;
        o.colourWeight = 0;
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(2), f, {}, o), (std::vector<int> { 0, 0 }));
        o.colourWeight = 2;
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(2), f, {}, o), (std::vector<int> { 0, 1 }));
        // Without a colour descriptor on one side, the model's cosine decides.
        const auto g = features({ { 1, 0 }, { 1, 0.1f } }, { { 1, 0, 0 }, {} });
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(2), g, {}, o), (std::vector<int> { 0, 0 }));
        o.attentionNeighbours = IdentityClusteringOptions {}.attentionNeighbours; // so with attention
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(2), g, {}, o), (std::vector<int> { 0, 0 }));
        QVERIFY(std::abs(IdentityClustering::affinity(f, 0, 1, 2) - (0.995 + 0) / 3) < 1e-3);
    }

    void neighbourAttentionBringsAnOutlyingViewHome()
    {
        // Two close views of one person, a third one turned away (cosine 0.75 and 0.71 to them),
        // and somebody else. Plain, at 0.80 the third view stays alone; after attention its
        // neighbours pull it in, and the other person stays apart.
        const auto f = features({ { 1, 0, 0 }, { 0.95f, 0.31f, 0 }, { 0.75f, 0, 0.66f }, { 0, 1, 0 } });
        IdentityClusteringOptions o;
        o.threshold = 0.80;
        o.attentionNeighbours = 0;
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(4), f, {}, o), (std::vector<int> { 0, 0, 1, 2 }));
        o.attentionNeighbours = 5;
        o.attentionTemperature = 0.2;
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(4), f, {}, o), (std::vector<int> { 0, 0, 0, 1 }));
    }

    void equalsPlainAverageLinkage_data()
    {
        QTest::addColumn<int>("seed");
        QTest::addColumn<double>("threshold");
        QTest::newRow("seed 1, 0.5") << 1 << 0.5;
        QTest::newRow("seed 2, 0.7") << 2 << 0.7;
        QTest::newRow("seed 3, 0.3") << 3 << 0.3;
    }

    void equalsPlainAverageLinkage()
    {
        QFETCH(int, seed);
        QFETCH(double, threshold);
        std::mt19937 rng(static_cast<uint32_t>(seed));
        std::normal_distribution<float> noise(0.f, 0.35f);
        std::uniform_real_distribution<double> when(0, 100);
        const int n = 36, dim = 8, people = 5;
        std::vector<std::vector<float>> centres(people, std::vector<float>(dim));
        for (auto &c : centres)
            for (float &x : c)
                x = noise(rng) / 0.35f;
        std::vector<std::vector<float>> visual, colour;
        std::vector<IdentityItem> items;
        for (int i = 0; i < n; ++i) {
            std::vector<float> v = centres[size_t(i % people)];
            for (float &x : v)
                x += noise(rng);
            visual.push_back(v);
            std::vector<float> c(4);
            for (float &x : c)
                x = std::abs(noise(rng)) + (i % people == 0 ? 1.f : 0.f);
            colour.push_back(i % 7 == 0 ? std::vector<float>{} : c);
            const double start = when(rng);
            items.push_back({ i + 1, 1 + i % 3, start, start + 2 + when(rng) / 10 });
        }
        const auto f = features(visual, colour);
        IdentityClusteringOptions o;
        o.threshold = threshold;
        o.neighbours = n; // every pair known: exact
        o.attentionNeighbours = 0; // the plain affinity, as the reference computes it
        const std::vector<int> labels = IdentityClustering::cluster(items, f, {}, o);
        QCOMPARE(partition(labels), referenceAverageLinkage(items, f, o));
        // The approximate neighbour graph (large galleries) finds every pair at this size, so the
        // grouping is the same.
        IdentityClusteringOptions graph = o;
        graph.exactNeighboursUpTo = 0;
        QCOMPARE(partition(IdentityClustering::cluster(items, f, {}, graph)), referenceAverageLinkage(items, f, o));
        for (size_t a = 0; a < items.size(); ++a)
            for (size_t b = a + 1; b < items.size(); ++b)
                if (IdentityClustering::simultaneous(items[a], items[b], o.simultaneousSeconds))
                    QVERIFY(labels[a] != labels[b]);
        // With few neighbours (absent pairs count as 0 in the mean) the constraint still binds.
        o.neighbours = 3;
        const std::vector<int> sparse = IdentityClustering::cluster(items, f, {}, o);
        for (size_t a = 0; a < items.size(); ++a)
            for (size_t b = a + 1; b < items.size(); ++b)
                if (IdentityClustering::simultaneous(items[a], items[b], o.simultaneousSeconds))
                    QVERIFY(sparse[a] != sparse[b]);
    }

    void nothingToGroup()
    {
        QVERIFY(IdentityClustering::cluster({}, {}, {}, {}).empty());
        QCOMPARE(IdentityClustering::cluster(oneAfterAnother(1), features({ { 1 } }), {}, {}), (std::vector<int> { 0 }));
    }
};

QTEST_GUILESS_MAIN(TestIdentityClustering)
#include "TestIdentityClustering.moc"
