#include "IdentityBenchmark.h"

#include "ColourStripes.h"
#include "IdentityClustering.h"
#include "Gallery.h"
#include "IdentityGrouper.h"
#include "SceneEvaluation.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace descry {

namespace {

QJsonObject scoresJson(const BCubedScores &s)
{
    return { { QStringLiteral("precision"), s.precision }, { QStringLiteral("recall"), s.recall },
        { QStringLiteral("f1"), s.f1 }, { QStringLiteral("tracklets"), s.items }, { QStringLiteral("groups"), s.groups },
        { QStringLiteral("people"), s.people } };
}

} // namespace

QJsonObject IdentityBenchRow::toJson() const
{
    return { { QStringLiteral("threshold"), threshold }, { QStringLiteral("colour_weight"), colourWeight },
        { QStringLiteral("constraints"), constraints }, { QStringLiteral("identities"), identities },
        { QStringLiteral("dev"), scoresJson(dev) }, { QStringLiteral("test"), scoresJson(test) },
        { QStringLiteral("all"), scoresJson(all) } };
}

bool benchmarkIdentities(Gallery &gallery, const QString &modelId, const std::vector<LabelledPerson> &people,
    const IdentityBenchOptions &options, IdentityBenchResult *result, QString *error)
{
    *result = {};
    result->modelId = modelId;
    IdentityGrouper grouper(gallery, modelId);
    if (!grouper.load(error))
        return false;
    const std::map<int64_t, int> personOf = personOfTracklet(gallery, people, &result->notes);
    if (grouper.withoutVectors() > 0)
        result->notes.append(QStringLiteral("%1 tracklets have no vectors of model %2 and are left out")
                                 .arg(grouper.withoutVectors())
                                 .arg(modelId));
    result->tracklets = int(grouper.items().size());
    // The labelled tracklets in grouping order, with their person and split.
    std::vector<int64_t> labelled;
    std::vector<int> person;
    std::vector<uint8_t> dev, test;
    std::set<int> seenPeople;
    for (const IdentityItem &item : grouper.items())
        if (const auto it = personOf.find(item.trackletId); it != personOf.end()) {
            labelled.push_back(item.trackletId);
            person.push_back(it->second);
            dev.push_back(people[size_t(it->second)].split == QLatin1String("dev") ? 1 : 0);
            test.push_back(people[size_t(it->second)].split == QLatin1String("test") ? 1 : 0);
            seenPeople.insert(it->second);
        }
    result->labelled = int(labelled.size());
    result->people = int(seenPeople.size());
    if (labelled.empty()) {
        *error = QStringLiteral("no tracklet of the gallery is named by the caption set's spans (%1)")
                     .arg(result->notes.join(QStringLiteral("; ")));
        return false;
    }

    std::vector<int> own(labelled.size());
    for (size_t i = 0; i < own.size(); ++i)
        own[i] = int(i);
    result->singletons = { 1.0, 0, true, int(result->tracklets), bcubed(own, person, dev), bcubed(own, person, test),
        bcubed(own, person) };

    QElapsedTimer timer;
    int groupings = 0;
    double bestF1 = -1;
    for (const bool constraints : { true, false })
        for (const double weight : options.colourWeights)
            for (const double threshold : options.thresholds) {
                IdentityClusteringOptions o;
                o.threshold = threshold;
                o.colourWeight = weight;
                if (!constraints)
                    o.simultaneousSeconds = std::numeric_limits<double>::infinity();
                timer.start();
                const std::map<int64_t, int> labels = grouper.cluster(o);
                result->msPerGrouping += double(timer.nsecsElapsed()) / 1e6;
                ++groupings;
                IdentityBenchRow row { threshold, weight, constraints, 0, {}, {}, {} };
                std::set<int> distinct;
                for (const auto &entry : labels)
                    distinct.insert(entry.second);
                row.identities = int(distinct.size());
                std::vector<int> group;
                for (int64_t id : labelled)
                    group.push_back(labels.at(id));
                row.dev = bcubed(group, person, dev);
                row.test = bcubed(group, person, test);
                row.all = bcubed(group, person);
                if (constraints && row.dev.f1 > bestF1) {
                    bestF1 = row.dev.f1;
                    result->best = int(result->rows.size());
                }
                result->rows.push_back(row);
            }
    result->msPerGrouping = groupings > 0 ? result->msPerGrouping / groupings : 0;
    return true;
}

IdentityCostResult benchmarkIdentityCost(int tracklets, uint32_t seed)
{
    constexpr int kVisualDim = 128, kColourDim = ColourStripes::kDim, kPerPerson = 5, kSources = 10;
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.f, 1.f);
    std::uniform_real_distribution<double> when(0, 3600), length(5, 30);
    const int people = std::max(1, tracklets / kPerPerson);
    auto unitRow = [](std::vector<float> *v, size_t from, int dim) {
        double norm = 0;
        for (int k = 0; k < dim; ++k)
            norm += double((*v)[from + size_t(k)]) * (*v)[from + size_t(k)];
        for (int k = 0; k < dim; ++k)
            (*v)[from + size_t(k)] = float((*v)[from + size_t(k)] / std::sqrt(std::max(norm, 1e-20)));
    };
    std::vector<float> visualCentre(size_t(people) * kVisualDim), colourCentre(size_t(people) * kColourDim);
    for (float &x : visualCentre)
        x = gauss(rng);
    for (float &x : colourCentre)
        x = std::abs(gauss(rng));
    IdentityFeatures f;
    f.visualDim = kVisualDim;
    f.colourDim = kColourDim;
    std::vector<IdentityItem> items;
    std::vector<int> person;
    for (int i = 0; i < tracklets; ++i) {
        const int p = i % people;
        for (int k = 0; k < kVisualDim; ++k)
            f.visual.push_back(visualCentre[size_t(p) * kVisualDim + size_t(k)] + 0.8f * gauss(rng));
        unitRow(&f.visual, size_t(i) * kVisualDim, kVisualDim);
        for (int k = 0; k < kColourDim; ++k)
            f.colour.push_back(colourCentre[size_t(p) * kColourDim + size_t(k)] + 0.5f * std::abs(gauss(rng)));
        unitRow(&f.colour, size_t(i) * kColourDim, kColourDim);
        f.hasColour.push_back(1);
        const double start = when(rng);
        items.push_back({ i + 1, 1 + i % kSources, start, start + length(rng) });
        person.push_back(p);
    }
    QElapsedTimer timer;
    timer.start();
    const std::vector<int> labels = IdentityClustering::cluster(items, f, {}, {});
    IdentityCostResult out;
    out.tracklets = tracklets;
    out.seconds = double(timer.nsecsElapsed()) / 1e9;
    out.identities = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
    out.scores = bcubed(labels, person);
    return out;
}

QJsonObject RenderedIdentityResult::toJson() const
{
    return { { QStringLiteral("tracklets"), tracklets }, { QStringLiteral("labelled"), labelled },
        { QStringLiteral("people"), people }, { QStringLiteral("identities"), identities },
        { QStringLiteral("grouped"), scoresJson(grouped) }, { QStringLiteral("no_grouping"), scoresJson(singletons) },
        { QStringLiteral("people_in_several_cameras"), peopleInSeveralCameras },
        { QStringLiteral("people_linked_across_cameras"), peopleLinkedAcrossCameras },
        { QStringLiteral("reid_across_cameras"), acrossCameras.toJson() } };
}

bool measureRenderedIdentities(Gallery &gallery, const QString &modelId, const std::map<int64_t, SceneTruth> &truthOfSource,
    RenderedIdentityResult *result, QString *error)
{
    *result = {};
    std::map<int64_t, std::pair<int64_t, int>> named; // tracklet -> (source, rendered person)
    for (const auto &[source, truth] : truthOfSource)
        for (const TrackletIdentity &t : assignTrackletIdentities(gallery, source, truth))
            if (t.identity > 0)
                named[t.trackletId] = { source, t.identity };
    result->tracklets = int(gallery.tracklets().size());
    result->labelled = int(named.size());
    if (named.empty()) {
        *error = QStringLiteral("no tracklet follows a rendered person");
        return false;
    }

    // The grouping as stored; a tracklet without an identity is a group of its own.
    const std::map<int64_t, int64_t> identityOf = gallery.identities();
    std::vector<int> group, person, alone;
    std::map<int64_t, int> groupIndex;
    std::map<int, std::set<int64_t>> camerasOfPerson;
    std::map<int64_t, std::set<int64_t>> sourcesOfIdentity;
    std::map<int, std::set<int64_t>> identitiesOfPerson;
    for (const auto &[tracklet, where] : named) {
        const auto identity = identityOf.find(tracklet);
        const int64_t key = identity != identityOf.end() ? identity->second : -tracklet;
        group.push_back(groupIndex.emplace(key, int(groupIndex.size())).first->second);
        person.push_back(where.second);
        alone.push_back(int(alone.size()));
        camerasOfPerson[where.second].insert(where.first);
        if (identity != identityOf.end()) {
            sourcesOfIdentity[key].insert(where.first);
            identitiesOfPerson[where.second].insert(key);
        }
    }
    result->people = int(camerasOfPerson.size());
    result->identities = int(groupIndex.size());
    result->grouped = bcubed(group, person);
    result->singletons = bcubed(alone, person);
    for (const auto &[p, cameras] : camerasOfPerson) {
        if (cameras.size() < 2)
            continue;
        ++result->peopleInSeveralCameras;
        bool linked = false;
        for (const int64_t identity : identitiesOfPerson[p])
            linked = linked || sourcesOfIdentity[identity].size() >= 2;
        result->peopleLinkedAcrossCameras += linked ? 1 : 0;
    }

    // Re-identification across cameras on the grouping's own affinity.
    IdentityGrouper grouper(gallery, modelId);
    if (!grouper.load(error))
        return false;
    std::map<int64_t, int> row;
    for (size_t i = 0; i < grouper.items().size(); ++i)
        row[grouper.items()[i].trackletId] = int(i);
    const double colourWeight = IdentityClusteringOptions {}.colourWeight;
    RetrievalMetrics pooled;
    for (const auto &entry : truthOfSource) {
        const int64_t source = entry.first;
        std::vector<int> queryRows, queryLabels, galleryRows, galleryLabels;
        for (const auto &[tracklet, where] : named) {
            const auto r = row.find(tracklet);
            if (r == row.end())
                continue;
            (where.first == source ? queryRows : galleryRows).push_back(r->second);
            (where.first == source ? queryLabels : galleryLabels).push_back(where.second);
        }
        std::vector<float> scores;
        for (const int q : queryRows)
            for (const int g : galleryRows)
                scores.push_back(float(IdentityClustering::affinity(grouper.features(), q, g, colourWeight)));
        if (queryRows.empty() || galleryRows.empty())
            continue;
        const RetrievalMetrics m = retrievalMetrics(scores, queryLabels, galleryLabels);
        const double n = m.queries;
        pooled.r1 += m.r1 * n;
        pooled.r5 += m.r5 * n;
        pooled.r10 += m.r10 * n;
        pooled.mAP += m.mAP * n;
        pooled.queries += m.queries;
        pooled.gallery += int(galleryRows.size());
    }
    if (pooled.queries > 0) {
        pooled.r1 /= pooled.queries;
        pooled.r5 /= pooled.queries;
        pooled.r10 /= pooled.queries;
        pooled.mAP /= pooled.queries;
    }
    pooled.name = QStringLiteral("tracklet -> tracklets of the other cameras, (model cosine + 2 x colour) / 3");
    result->acrossCameras = pooled;
    return true;
}

} // namespace descry
