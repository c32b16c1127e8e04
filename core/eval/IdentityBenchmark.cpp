#include "IdentityBenchmark.h"

#include "ColourStripes.h"
#include "IdentityClustering.h"
#include "Gallery.h"
#include "IdentityGrouper.h"
#include "NearestNeighbours.h"
#include "PedesDataset.h"
#include "TextPersonModel.h"
#include "SceneEvaluation.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <functional>
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
                o.attentionNeighbours = options.attentionNeighbours;
                o.attentionTemperature = options.attentionTemperature;
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

namespace {

// Of the exact `k` nearest (by affinity) of `samples` tracklets spread over the gallery, those with
// an affinity of at least `atLeast`: how many there are and the share of them the approximate
// neighbour graph finds.
double neighbourRecall(const IdentityFeatures &f, int n, const IdentityClusteringOptions &options, int samples,
    double atLeast, int64_t *relevant)
{
    int dim = 0;
    const std::vector<float> rows = IdentityClustering::affinityVectors(f, n, options.colourWeight, &dim);
    const NeighbourLists found = approximateNeighbours(rows.data(), n, dim, options.neighbours);
    int64_t hits = 0, wanted = 0;
    std::vector<std::pair<double, int>> all;
    for (int s = 0; s < samples; ++s) {
        const int i = int(int64_t(s) * n / samples);
        all.clear();
        for (int j = 0; j < n; ++j)
            if (j != i)
                all.emplace_back(IdentityClustering::affinity(f, i, j, options.colourWeight), j);
        const size_t k = std::min(all.size(), size_t(options.neighbours));
        std::partial_sort(all.begin(), all.begin() + long(k), all.end(), std::greater<>());
        std::set<int> graph;
        for (int r = 0; r < found.k; ++r)
            graph.insert(found.neighbour(i, r));
        for (size_t r = 0; r < k && all[r].first >= atLeast; ++r) {
            hits += graph.count(all[r].second);
            ++wanted;
        }
    }
    if (relevant)
        *relevant = wanted;
    return wanted ? double(hits) / double(wanted) : 1.0;
}

} // namespace

IdentityCostResult benchmarkIdentityCost(int tracklets, uint32_t seed, const IdentityClusteringOptions &options)
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
    const std::vector<int> labels = IdentityClustering::cluster(items, f, {}, options);
    IdentityCostResult out;
    out.tracklets = tracklets;
    out.seconds = double(timer.nsecsElapsed()) / 1e9;
    out.identities = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
    out.scores = bcubed(labels, person);
    if (tracklets > options.exactNeighboursUpTo) {
        out.recallSamples = std::min(tracklets, 200);
        out.neighbourRecall = neighbourRecall(f, tracklets, options, out.recallSamples, options.threshold, nullptr);
    }
    return out;
}

QJsonObject GalleryGroupingCost::toJson() const
{
    return { { QStringLiteral("tracklets"), tracklets }, { QStringLiteral("load_s"), loadSeconds },
        { QStringLiteral("exact_s"), exactSeconds }, { QStringLiteral("graph_s"), graphSeconds },
        { QStringLiteral("exact_identities"), exactIdentities }, { QStringLiteral("graph_identities"), graphIdentities },
        { QStringLiteral("graph_vs_exact"), scoresJson(agreement) }, { QStringLiteral("neighbour_recall"), neighbourRecall },
        { QStringLiteral("close_pairs_sampled"), double(closePairs) }, { QStringLiteral("people"), people },
        { QStringLiteral("exact_vs_people"), scoresJson(exactVsPeople) }, { QStringLiteral("graph_vs_people"), scoresJson(graphVsPeople) },
        { QStringLiteral("threshold"), threshold }, { QStringLiteral("attention_neighbours"), attentionNeighbours },
        { QStringLiteral("attention_temperature"), attentionTemperature } };
}

namespace {

// Groups n items twice (all pairs, then the neighbour graph) with `cluster`, and compares.
void measureGroupingCost(const IdentityFeatures &features, int n, IdentityClusteringOptions options,
    const std::function<std::vector<int>(const IdentityClusteringOptions &)> &cluster, const std::vector<int> *people,
    GalleryGroupingCost *result)
{
    result->tracklets = n;
    result->threshold = options.threshold;
    result->attentionNeighbours = options.attentionNeighbours;
    result->attentionTemperature = options.attentionTemperature;
    auto run = [&](int exactUpTo, double *seconds, int *identities) {
        options.exactNeighboursUpTo = exactUpTo;
        QElapsedTimer timer;
        timer.start();
        const std::vector<int> labels = cluster(options);
        *seconds = double(timer.nsecsElapsed()) / 1e9;
        *identities = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
        return labels;
    };
    const std::vector<int> exact = run(std::numeric_limits<int>::max(), &result->exactSeconds, &result->exactIdentities);
    const std::vector<int> graph = run(0, &result->graphSeconds, &result->graphIdentities);
    result->agreement = bcubed(graph, exact);
    if (people) {
        result->people = int(std::set<int>(people->begin(), people->end()).size());
        result->exactVsPeople = bcubed(exact, *people);
        result->graphVsPeople = bcubed(graph, *people);
    }
    result->neighbourRecall
        = neighbourRecall(features, n, options, std::min(n, 200), options.threshold, &result->closePairs);
}

} // namespace

bool benchmarkGalleryGroupingCost(Gallery &gallery, const QString &modelId, const IdentityClusteringOptions &given,
    GalleryGroupingCost *result, QString *error)
{
    IdentityGrouper grouper(gallery, modelId);
    QElapsedTimer timer;
    timer.start();
    if (!grouper.load(error))
        return false;
    *result = {};
    result->loadSeconds = double(timer.nsecsElapsed()) / 1e9;
    IdentityClusteringOptions options = given;
    if (std::isnan(options.threshold))
        options.threshold = IdentityGrouper::currentThreshold(gallery);
    measureGroupingCost(grouper.features(), int(grouper.items().size()), options,
        [&](const IdentityClusteringOptions &o) {
            std::vector<int> labels;
            for (const auto &entry : grouper.cluster(o))
                labels.push_back(entry.second);
            return labels;
        },
        nullptr, result);
    return true;
}

bool benchmarkDatasetGroupingCost(TextPersonModel &model, const QString &dataDir, const QString &split,
    const IdentityClusteringOptions &given, GalleryGroupingCost *result, QString *error)
{
    PedesDataset dataset;
    if (!dataset.load(dataDir, error))
        return false;
    const std::vector<PedesSample> samples = split.isEmpty() ? dataset.samples() : dataset.samples(split);
    if (samples.empty()) {
        *error = QStringLiteral("%1 has no images%2").arg(dataDir, split.isEmpty() ? QString() : QStringLiteral(" in split ") + split);
        return false;
    }
    *result = {};
    QElapsedTimer timer;
    timer.start();
    IdentityFeatures features;
    features.visualDim = model.embeddingSize();
    features.colourDim = ColourStripes::kDim;
    std::vector<IdentityItem> items;
    std::vector<int> people;
    constexpr size_t kBatch = 256;
    for (size_t start = 0; start < samples.size(); start += kBatch) {
        std::vector<cv::Mat> crops;
        for (size_t i = start; i < std::min(samples.size(), start + kBatch); ++i) {
            cv::Mat crop = cv::imread(samples[i].imagePath.toStdString(), cv::IMREAD_COLOR);
            if (crop.empty()) {
                *error = QStringLiteral("cannot read image %1 of the dataset").arg(samples[i].imagePath);
                return false;
            }
            crops.push_back(crop);
            const std::vector<float> colour = ColourStripes::describe(crop);
            features.colour.insert(features.colour.end(), colour.begin(), colour.end());
            features.hasColour.push_back(1);
            // Every image its own tracklet in its own source: nothing is seen at once.
            const int64_t id = int64_t(i) + 1;
            items.push_back({ id, id, 0, 1 });
            people.push_back(samples[i].identity);
        }
        for (const VisualEmbedding &e : model.encodeCrops(crops)) {
            std::vector<float> global(e.global(), e.global() + e.dim);
            double norm = 0;
            for (float x : global)
                norm += double(x) * x;
            for (float x : global)
                features.visual.push_back(float(x / std::sqrt(std::max(norm, 1e-12))));
        }
    }
    result->loadSeconds = double(timer.nsecsElapsed()) / 1e9;
    IdentityClusteringOptions options = given;
    if (std::isnan(options.threshold))
        options.threshold = IdentityClusteringOptions {}.threshold;
    measureGroupingCost(features, int(items.size()), options,
        [&](const IdentityClusteringOptions &o) { return IdentityClustering::cluster(items, features, {}, o); }, &people,
        result);
    return true;
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
