#include "AttributeExtractor.h"
#include "BenchSupport.h"
#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "IdentityGrouper.h"
#include "PedesDataset.h"
#include "Rng.h"
#include "SearchCliSupport.h"
#include "SearchEngine.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"
#include "VectorIndex.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QMap>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace descry::cli {

namespace {

// Real people to fill the benchmark gallery with: a small synthetic dataset (seed 77, never
// used for training), its crops encoded by the model and its captions as queries.
struct PersonPool {
    std::vector<cv::Mat> crops;
    std::vector<VisualEmbedding> embeddings;
    std::vector<AttributeSet> attributes;
    QStringList captions;
};

bool makePool(TextPersonModel &model, PersonPool *pool, QString *error)
{
    QTemporaryDir dir; // the crops are read from it below
    PedesDataset dataset;
    if (!loadQueryBenchPeople(dir.filePath(QStringLiteral("pool")), &dataset, error))
        return false;
    const AttributeExtractor extractor;
    for (const PedesSample &s : dataset.samples()) {
        cv::Mat crop = cv::imread(s.imagePath.toStdString(), cv::IMREAD_COLOR);
        if (crop.empty())
            continue;
        pool->crops.push_back(crop);
        pool->attributes.push_back(extractor.extract(crop, cv::Mat()));
        pool->captions.append(s.captions);
    }
    pool->embeddings = model.encodeCrops(pool->crops);
    return !pool->crops.empty();
}

// A gallery of `count` tracklets: each a pool person with its features slightly perturbed (so
// no two tracklets tie), one detection, no crop image (search never reads them).
bool buildGallery(Gallery &gallery, TextPersonModel &model, const PersonPool &pool, int count, QString *error)
{
    SourceRecord source;
    source.path = QStringLiteral("bench-synthetic-%1").arg(count);
    source.contentHash = QStringLiteral("bench-synthetic-%1-%2").arg(count).arg(model.id());
    source.fps = 10;
    source.cameraLabel = QStringLiteral("bench");
    source.pipelineKey = QStringLiteral("bench-synthetic");
    if (!gallery.addSource(&source)) {
        *error = gallery.lastError();
        return false;
    }
    Rng rng(1234);
    const int batch = 2000;
    for (int start = 0; start < count; start += batch) {
        std::vector<TrackletWithAttributes> tracklets;
        for (int i = start; i < std::min(count, start + batch); ++i) {
            const size_t p = size_t(i) % pool.crops.size();
            TrackletWithAttributes t;
            t.tracklet.localId = i + 1;
            Detection d;
            d.frame = i;
            d.time = i / 10.0;
            d.box = Box{10, 10, 40, 100};
            t.tracklet.detections.push_back(d);
            t.attributes = pool.attributes[p];
            std::vector<float> items = pool.embeddings[p].features;
            for (float &x : items)
                x += float((rng.uniform() - 0.5) * 0.04);
            const int dim = pool.embeddings[p].dim;
            std::vector<float> global(items.begin(), items.begin() + dim);
            double norm = 0;
            for (float x : global)
                norm += double(x) * x;
            for (float &x : global)
                x = float(x / std::sqrt(std::max(norm, 1e-12)));
            t.embeddings.push_back({0, model.id(), TrackletEmbedder::ItemsKind, items});
            t.embeddings.push_back({0, model.id(), TrackletEmbedder::GlobalKind, global});
            tracklets.push_back(std::move(t));
        }
        IngestCheckpoint checkpoint;
        checkpoint.nextFrame = std::min(count, start + batch);
        if (!gallery.commitProgress(source.id, checkpoint, tracklets, start + batch >= count)) {
            *error = gallery.lastError();
            return false;
        }
        printProgress(QStringLiteral("bench query: building gallery %1/%2").arg(std::min(count, start + batch)).arg(count),
            start + batch >= count);
    }
    return true;
}

// This process's resident memory from /proc/self/status: VmRSS now, VmHWM its peak (MB).
double residentMegabytes(const QString &field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field.toLatin1() + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = size_t(std::ceil(p * double(values.size()))) - 1;
    return values[std::min(index, values.size() - 1)];
}

} // namespace

int benchQuery(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Text query latency on a large gallery: builds (once, cached) a gallery of N tracklets with real model "
        "features of synthetic people, then times queries end to end (text encoding, coarse cosine over every "
        "tracklet, non-local re-scoring of the top K, result rows)."));
    parser.addOption({QStringLiteral("tracklets"), QStringLiteral("Gallery size (default 100000)."), QStringLiteral("N"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("queries"), QStringLiteral("Queries to time (default 200)."), QStringLiteral("Q"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("top"), QStringLiteral("Results per query (default 50)."), QStringLiteral("K"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("rescore"), QStringLiteral("Re-scored by non-local alignment (default 100)."), QStringLiteral("K"), QStringLiteral("100")});
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model (default: the shipped model)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("gallery"), QStringLiteral("Benchmark gallery file (default: in the cache folder)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("index"),
        QStringLiteral("Coarse index: auto (past %1 vectors, as the product does), on or off (score every vector).")
            .arg(CoarseIndex::kDefaultThreshold),
        QStringLiteral("MODE"), QStringLiteral("auto")});
    parser.addOption({QStringLiteral("probes"), QStringLiteral("Cells the coarse index scans per query (default: its own)."),
        QStringLiteral("N")});
    // The search filters, to time filtered queries (the gallery is one source, camera "bench",
    // tracklet i at i / 10 s).
    addFilterOptions(parser);
    if (!parseArgs(parser, QStringList{QStringLiteral("bench query")} + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    SearchRequest request;
    QString error;
    SearchFilters &filters = request;
    if (!readFilterOptions(parser, &filters, &error)) {
        printErr(QStringLiteral("bench query: ") + error);
        return 2;
    }
    const int count = parser.value(QStringLiteral("tracklets")).toInt();
    const int queries = parser.value(QStringLiteral("queries")).toInt();
    if (count < 1 || queries < 1) {
        printErr(QStringLiteral("bench query: --tracklets and --queries must be positive"));
        return 2;
    }
    const QString modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model")) : TextPersonModel::defaultModelPath();
    std::unique_ptr<TextPersonModel> model = modelPath.isEmpty() ? nullptr : TextPersonModel::load(modelPath, &error);
    if (!model) {
        printErr(QStringLiteral("bench query: needs a model: %1").arg(modelPath.isEmpty() ? QStringLiteral("none found (--model)") : error));
        return 1;
    }
    PersonPool pool;
    if (!makePool(*model, &pool, &error)) {
        printErr(QStringLiteral("bench query: ") + error);
        return 1;
    }
    QString path = parser.value(QStringLiteral("gallery"));
    if (path.isEmpty())
        path = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                   .filePath(QStringLiteral("descry/bench-query-%1-%2.sqlite").arg(count).arg(model->id().section(QLatin1Char('@'), 1)));
    QDir().mkpath(QFileInfo(path).absolutePath());
    Gallery gallery;
    QElapsedTimer opening;
    opening.start();
    if (!gallery.open(path)) {
        printErr(QStringLiteral("bench query: ") + gallery.lastError());
        return 1;
    }
    const double openMs = opening.nsecsElapsed() / 1e6; // as a user opens it (the size check below is the benchmark's)
    double buildSeconds = 0;
    if (gallery.trackletCount() != count || gallery.embeddingCount(model->id(), TrackletEmbedder::GlobalKind) != count) {
        gallery.close();
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(path + suffix);
        if (!gallery.open(path)) {
            printErr(QStringLiteral("bench query: ") + gallery.lastError());
            return 1;
        }
        QElapsedTimer build;
        build.start();
        if (!buildGallery(gallery, *model, pool, count, &error)) {
            printErr(QStringLiteral("bench query: ") + error);
            return 1;
        }
        buildSeconds = build.elapsed() / 1000.0;
    }

    // --by-person needs people: the benchmark gallery is grouped once (timed: the exact grouping
    // of every tracklet, as ingest would regroup it).
    double groupingSeconds = 0;
    if (filters.groupByIdentity && !gallery.latestIdentityGrouping()) {
        printErr(QStringLiteral("bench query: grouping %1 tracklets into people (once)").arg(count));
        IdentityGrouper grouper(gallery, model->id());
        IdentityGroupingResult grouped;
        if (!grouper.regroup({}, &grouped, &error)) {
            printErr(QStringLiteral("bench query: ") + error);
            return 1;
        }
        groupingSeconds = grouped.grouping.seconds;
        printErr(QStringLiteral("bench query: %1 people in %2 s").arg(grouped.grouping.identityCount).arg(groupingSeconds, 0, 'f', 1));
    }

    const QString indexMode = parser.value(QStringLiteral("index"));
    if (indexMode != QLatin1String("auto") && indexMode != QLatin1String("on") && indexMode != QLatin1String("off")) {
        printErr(QStringLiteral("bench query: --index is auto, on or off"));
        return 2;
    }
    SearchEngine engine(gallery, model.get());
    if (parser.isSet(QStringLiteral("probes")))
        engine.setIndexProbes(parser.value(QStringLiteral("probes")).toInt());
    if (indexMode == QLatin1String("on"))
        engine.setIndexThreshold(0);
    else if (indexMode == QLatin1String("off"))
        engine.setIndexThreshold(std::numeric_limits<size_t>::max());
    request.topK = parser.value(QStringLiteral("top")).toInt();
    request.rescoreTop = parser.value(QStringLiteral("rescore")).toInt();
    QElapsedTimer clock;
    clock.start();
    request.text = pool.captions.constFirst();
    const SearchResponse cold = engine.search(request); // loads the gallery's rows and vectors (or the index)
    const double coldMs = clock.nsecsElapsed() / 1e6;
    QJsonObject coldStages;
    for (const auto &[name, ms] : cold.stageMs)
        coldStages[name] = ms;
    const double rssAfterOpen = residentMegabytes(QStringLiteral("VmRSS"));
    const VectorIndex *index = engine.coarseIndex().index();
    std::vector<double> times;
    double resultCount = 0;
    QMap<QString, double> stageTotals;
    QStringList stageOrder;
    for (int i = 0; i < queries; ++i) {
        request.text = pool.captions.at((i * 7 + 1) % pool.captions.size());
        clock.restart();
        const SearchResponse response = engine.search(request);
        times.push_back(clock.nsecsElapsed() / 1e6);
        resultCount += double(response.results.size() + size_t(response.hiddenBelowCutoff));
        for (const auto &[name, ms] : response.stageMs) {
            if (!stageTotals.contains(name))
                stageOrder.append(name);
            stageTotals[name] += ms;
        }
        if (!response.ranking.startsWith(QLatin1String("model"))) {
            printErr(QStringLiteral("bench query: the model did not rank (%1)").arg(response.notes.join(QStringLiteral("; "))));
            return 1;
        }
        printProgress(QStringLiteral("bench query: %1/%2 queries").arg(i + 1).arg(queries), i + 1 == queries);
    }
    // The index's recall: of the exact best K by cosine (every cell scanned), the share its
    // search finds, at the result count and at the re-scored count (what the model sees).
    QJsonObject indexJson{{QStringLiteral("used"), index != nullptr}};
    if (index) {
        double recallTop = 0, recallRescore = 0;
        const int top = request.topK, rescore = std::max(request.rescoreTop, request.topK);
        const auto recall = [&](const std::vector<float> &q, int k) {
            std::vector<int64_t> exact, found;
            for (const IndexHit &h : index->searchExact(q.data(), k))
                exact.push_back(h.id);
            for (const IndexHit &h : index->search(q.data(), k))
                found.push_back(h.id);
            std::sort(exact.begin(), exact.end());
            std::sort(found.begin(), found.end());
            std::vector<int64_t> common;
            std::set_intersection(exact.begin(), exact.end(), found.begin(), found.end(), std::back_inserter(common));
            return exact.empty() ? 1.0 : double(common.size()) / double(exact.size());
        };
        for (int i = 0; i < queries; ++i) {
            const std::vector<float> q = model->encodeQuery(pool.captions.at((i * 7 + 1) % pool.captions.size())).global;
            recallTop += recall(q, top);
            recallRescore += recall(q, rescore);
        }
        indexJson[QStringLiteral("kind")] = QStringLiteral("FAISS IVF-Flat, inner product");
        indexJson[QStringLiteral("vectors")] = qint64(index->size());
        indexJson[QStringLiteral("lists")] = index->lists();
        indexJson[QStringLiteral("probes")] = index->probes();
        indexJson[QStringLiteral("sync")] = engine.coarseIndex().lastSync();
        indexJson[QStringLiteral("sync_s")] = engine.coarseIndex().lastSyncSeconds();
        indexJson[QStringLiteral("recall_at_%1").arg(top)] = recallTop / queries;
        indexJson[QStringLiteral("recall_at_%1").arg(rescore)] = recallRescore / queries;
        indexJson[QStringLiteral("file")] = CoarseIndex::pathFor(gallery.path(), model->id(), gallery.isReadOnly());
        indexJson[QStringLiteral("file_mb")] = double(QFileInfo(indexJson[QStringLiteral("file")].toString()).size()) / 1e6;
    }
    double sum = 0;
    for (double t : times)
        sum += t;
    QJsonObject result{{QStringLiteral("benchmark"), QStringLiteral("query")},
        {QStringLiteral("model"), model->id()},
        {QStringLiteral("device"), model->device()},
        {QStringLiteral("tracklets"), count},
        {QStringLiteral("queries"), queries},
        {QStringLiteral("top"), request.topK},
        {QStringLiteral("rescore"), request.rescoreTop},
        {QStringLiteral("gallery_build_s"), buildSeconds},
        {QStringLiteral("by_person"), filters.groupByIdentity},
        {QStringLiteral("grouping_s"), groupingSeconds},
        {QStringLiteral("open_ms"), openMs},
        {QStringLiteral("cold_ms"), coldMs},
        {QStringLiteral("open_to_first_result_ms"), openMs + coldMs},
        {QStringLiteral("mean_ms"), sum / double(times.size())},
        {QStringLiteral("p50_ms"), percentile(times, 0.50)},
        {QStringLiteral("p95_ms"), percentile(times, 0.95)},
        {QStringLiteral("p99_ms"), percentile(times, 0.99)},
        {QStringLiteral("max_ms"), percentile(times, 1.0)},
        {QStringLiteral("filtered"), filters.filtersRows()},
        {QStringLiteral("mean_results"), resultCount / double(times.size())},
        {QStringLiteral("index"), indexJson},
        {QStringLiteral("rss_after_open_mb"), rssAfterOpen},
        {QStringLiteral("peak_rss_mb"), residentMegabytes(QStringLiteral("VmHWM"))}};
    QJsonObject stages;
    for (const QString &name : stageOrder)
        stages[name] = stageTotals.value(name) / double(times.size());
    result[QStringLiteral("mean_stage_ms")] = stages;
    result[QStringLiteral("first_query_stage_ms")] = coldStages;
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
