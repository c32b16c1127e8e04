#include "BenchSupport.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "IndexKinds.h"
#include "PedesDataset.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <random>

namespace descry::cli {

namespace {

// The three load averages of /proc/loadavg: other work on the machine while it was measured.
QJsonArray loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    QJsonArray out;
    if (!file.open(QIODevice::ReadOnly))
        return out;
    const QStringList fields = QString::fromLatin1(file.readAll()).split(QLatin1Char(' '));
    for (int i = 0; i < 3 && i < fields.size(); ++i)
        out.append(fields.at(i).toDouble());
    return out;
}

// The captions bench query asks its gallery (the synthetic dataset of seed 77, 100 people), in
// its order.
bool benchCaptions(QStringList *captions, QString *error)
{
    QTemporaryDir dir;
    PedesDataset dataset;
    if (!loadQueryBenchPeople(dir.filePath(QStringLiteral("pool")), &dataset, error))
        return false;
    for (const PedesSample &s : dataset.samples())
        captions->append(s.captions);
    if (captions->isEmpty())
        *error = QStringLiteral("the benchmark's dataset has no captions");
    return !captions->isEmpty();
}

// Each vector moved by Gaussian noise of expected length `spread` and made unit length again
// (seeded): two copies of one vector then have a cosine of about 1 / (1 + spread^2).
void spreadVectors(std::vector<float> &vectors, int dim, double spread)
{
    std::mt19937 rng(4321);
    std::normal_distribution<float> gauss(0.f, float(spread / std::sqrt(double(dim))));
    for (size_t start = 0; start < vectors.size(); start += size_t(dim)) {
        double norm = 0;
        for (size_t c = start; c < start + size_t(dim); ++c) {
            vectors[c] += gauss(rng);
            norm += double(vectors[c]) * vectors[c];
        }
        for (size_t c = start; c < start + size_t(dim); ++c)
            vectors[c] = float(vectors[c] / std::sqrt(std::max(norm, 1e-24)));
    }
}

QJsonObject resultJson(const IndexKindResult &r, int k)
{
    QJsonObject parameters;
    for (const auto &[name, value] : r.parameters)
        parameters[QString::fromStdString(name)] = value;
    const double mb = 1e6;
    return { { QStringLiteral("kind"), QString::fromStdString(r.kind) },
        { QStringLiteral("name"), QString::fromStdString(r.name) },
        { QStringLiteral("parameters"), parameters }, { QStringLiteral("vectors"), qint64(r.vectors) },
        { QStringLiteral("build_s"), r.buildSeconds },
        { QStringLiteral("index_mb"), double(r.indexBytes) / mb },
        { QStringLiteral("raw_vectors_mb"), double(r.rawVectorBytes) / mb },
        { QStringLiteral("memory_mb"), double(r.indexBytes + r.rawVectorBytes) / mb },
        { QStringLiteral("p50_ms"), r.p50Ms }, { QStringLiteral("p95_ms"), r.p95Ms },
        { QStringLiteral("mean_ms"), r.meanMs }, { QStringLiteral("recall_at_%1").arg(k), r.recall },
        { QStringLiteral("add"), r.canAdd }, { QStringLiteral("remove"), r.canRemove },
        { QStringLiteral("filter"), r.canFilter },
        { QStringLiteral("notes"), QString::fromStdString(r.notes) } };
}

} // namespace

int benchIndex(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Approximate index kinds on a benchmark gallery's global vectors: brute force, IVF-Flat (Descry's "
        "coarse index), IVF-PQ (with and without exact re-scoring) and HNSW. Build time, size, one-thread "
        "query latency and recall@K against exact inner product, with bench query's captions as queries."));
    parser.addOption({ QStringLiteral("tracklets"),
        QStringLiteral("Which bench query gallery (its size; default 100000)."), QStringLiteral("N"),
        QStringLiteral("100000") });
    parser.addOption({ QStringLiteral("gallery"),
        QStringLiteral("Another gallery file (default: bench query's, in the cache folder)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("model"),
        QStringLiteral("Model whose vectors and query encoder are used (default: the shipped model)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("queries"), QStringLiteral("Queries (default 200)."),
        QStringLiteral("Q"), QStringLiteral("200") });
    parser.addOption({ QStringLiteral("top"), QStringLiteral("Recall at K (default 50)."),
        QStringLiteral("K"), QStringLiteral("50") });
    parser.addOption({ QStringLiteral("hnsw-subset"),
        QStringLiteral("Build HNSW over the first N vectors only (default 0: all)."), QStringLiteral("N"),
        QStringLiteral("0") });
    parser.addOption({ QStringLiteral("spread"),
        QStringLiteral(
            "Move each stored vector by noise of this length first (default 0: as stored). The "
            "bench query gallery is its 800 people's vectors copied with noise that leaves copies "
            "at cosine 0.99999, which only exact scores can order; 0.33 leaves them at about 0.9."),
        QStringLiteral("S"), QStringLiteral("0") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench index") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const int count = parser.value(QStringLiteral("tracklets")).toInt();
    const int queryCount = parser.value(QStringLiteral("queries")).toInt();
    const int k = parser.value(QStringLiteral("top")).toInt();
    if (count < 1 || queryCount < 1 || k < 1) {
        printErr(QStringLiteral("bench index: --tracklets, --queries and --top must be positive"));
        return 2;
    }
    const QJsonArray loadBefore = loadAverage();
    QString error;
    const QString modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model"))
                                                                    : TextPersonModel::defaultModelPath();
    std::unique_ptr<TextPersonModel> model
        = modelPath.isEmpty() ? nullptr : TextPersonModel::load(modelPath, &error);
    if (!model) {
        printErr(QStringLiteral("bench index: needs a model: %1")
                     .arg(modelPath.isEmpty() ? QStringLiteral("none found (--model)") : error));
        return 1;
    }
    QString path = parser.value(QStringLiteral("gallery"));
    if (path.isEmpty())
        path = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                   .filePath(QStringLiteral("descry/bench-query-%1-%2.sqlite")
                                 .arg(count)
                                 .arg(model->id().section(QLatin1Char('@'), 1)));
    if (!QFileInfo::exists(path)) {
        printErr(QStringLiteral("bench index: no gallery at %1 (bench query --tracklets %2 builds it)")
                     .arg(path)
                     .arg(count));
        return 1;
    }
    Gallery gallery;
    if (!gallery.open(path)) {
        printErr(QStringLiteral("bench index: ") + gallery.lastError());
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    std::vector<int64_t> ids;
    std::vector<float> vectors;
    int dim = 0;
    if (!gallery.loadEmbeddings(model->id(), TrackletEmbedder::GlobalKind, &ids, &vectors, &dim)
        || ids.empty()) {
        printErr(QStringLiteral("bench index: %1 holds no %2 vectors of %3 %4")
                     .arg(path, TrackletEmbedder::GlobalKind, model->id(), gallery.lastError()));
        return 1;
    }
    const double loadSeconds = double(clock.elapsed()) / 1000.0;
    printErr(QStringLiteral("bench index: %1 vectors of %2 floats in %3 s")
                 .arg(ids.size())
                 .arg(dim)
                 .arg(loadSeconds, 0, 'f', 1));

    const double spread = parser.value(QStringLiteral("spread")).toDouble();
    if (spread > 0)
        spreadVectors(vectors, dim, spread);

    QStringList captions;
    if (!benchCaptions(&captions, &error)) {
        printErr(QStringLiteral("bench index: ") + error);
        return 1;
    }
    std::vector<float> queries;
    for (int i = 0; i < queryCount; ++i) {
        // The captions bench query times, in its order.
        const std::vector<float> q = model->encodeQuery(captions.at((i * 7 + 1) % captions.size())).global;
        if (int(q.size()) != dim) {
            printErr(QStringLiteral("bench index: the query encoding has %1 floats, the gallery's vectors %2")
                         .arg(q.size())
                         .arg(dim));
            return 1;
        }
        queries.insert(queries.end(), q.begin(), q.end());
    }

    IndexKindOptions options;
    options.hnswMaxVectors = size_t(std::max(0, parser.value(QStringLiteral("hnsw-subset")).toInt()));
    options.progress = [](const std::string &line) {
        printErr(QStringLiteral("bench index: ") + QString::fromStdString(line));
    };
    clock.restart();
    const std::vector<IndexKindResult> results = compareIndexKinds(
        vectors.data(), ids.data(), ids.size(), dim, queries.data(), size_t(queryCount), k, options);
    const double benchSeconds = double(clock.elapsed()) / 1000.0;

    QJsonArray kinds;
    for (const IndexKindResult &r : results) {
        kinds.append(resultJson(r, k));
        printErr(QStringLiteral("%1: build %2 s, %3 MB, p50 %4 ms, p95 %5 ms, recall@%6 %7")
                     .arg(QString::fromStdString(r.name))
                     .arg(r.buildSeconds, 0, 'f', 1)
                     .arg(double(r.indexBytes + r.rawVectorBytes) / 1e6, 0, 'f', 0)
                     .arg(r.p50Ms, 0, 'f', 2)
                     .arg(r.p95Ms, 0, 'f', 2)
                     .arg(k)
                     .arg(r.recall, 0, 'f', 4));
    }
    const QJsonObject result { { QStringLiteral("benchmark"), QStringLiteral("index") },
        { QStringLiteral("gallery"), path }, { QStringLiteral("model"), model->id() },
        { QStringLiteral("vectors"), qint64(ids.size()) }, { QStringLiteral("dim"), dim },
        { QStringLiteral("queries"), queryCount },
        { QStringLiteral("query_source"),
            QStringLiteral("text encodings of bench query's captions (synthetic dataset seed 77, 100 people; "
                           "caption (i * 7 + 1) mod %1)")
                .arg(captions.size()) },
        { QStringLiteral("spread"), spread },
        { QStringLiteral("vectors_note"),
            spread > 0
                ? QStringLiteral("the stored vectors moved by seeded Gaussian noise of length %1 and made "
                                 "unit length: copies of one person at cosine about %2")
                      .arg(spread)
                      .arg(1.0 / (1.0 + spread * spread), 0, 'f', 2)
                : QStringLiteral("as stored: bench query's 800 people each copied with noise that leaves "
                                 "copies at cosine 0.99999, so a query's best 50 are copies of one or a "
                                 "few people whose scores differ by about 1e-4; recall@k there measures "
                                 "ordering near-ties, which only exact scores can do") },
        { QStringLiteral("top"), k }, { QStringLiteral("faiss"), QString::fromStdString(faissVersion()) },
        { QStringLiteral("reference"),
            QStringLiteral("exact inner product, a plain loop in double precision") },
        { QStringLiteral("build_threads"), QThread::idealThreadCount() },
        { QStringLiteral("search_threads"), 1 },
        { QStringLiteral("hnsw_subset"), qint64(options.hnswMaxVectors) },
        { QStringLiteral("vector_load_s"), loadSeconds }, { QStringLiteral("bench_s"), benchSeconds },
        { QStringLiteral("load_average_before"), loadBefore },
        { QStringLiteral("load_average_after"), loadAverage() }, { QStringLiteral("kinds"), kinds } };
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
