#include "NafsEvaluator.h"

#include "AttributeBaseline.h"
#include "ColourStripes.h"
#include "NeighbourAttention.h"
#include "PedesDataset.h"
#include "RvnReranker.h"
#include "TextPersonModel.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace descry {

namespace {

// Unit-length global features of the crops, n x dim row-major.
std::vector<float> unitGlobals(const std::vector<VisualEmbedding> &crops, int dim)
{
    std::vector<float> out(crops.size() * size_t(dim));
    for (size_t i = 0; i < crops.size(); ++i) {
        double norm = 0;
        for (int j = 0; j < dim; ++j)
            norm += double(crops[i].features[size_t(j)]) * crops[i].features[size_t(j)];
        const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
        for (int j = 0; j < dim; ++j)
            out[i * size_t(dim) + size_t(j)] = float(crops[i].features[size_t(j)] * scale);
    }
    return out;
}

// The top `k` gallery indices of one score row, best first (ties by index).
std::vector<int> topIndices(const float *row, int n, int k)
{
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    k = std::min(k, n);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
        [row](int a, int b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    order.resize(size_t(k));
    return order;
}

// A row whose top K were re-scored: those take their new scores (global cosine + local, within
// [-2, 2]); every other item keeps its coarse order 100 below them.
void applyRescore(float *row, int n, const std::vector<int> &top, const std::vector<float> &rescored)
{
    for (int i = 0; i < n; ++i)
        row[i] -= 100.0f;
    for (size_t j = 0; j < top.size(); ++j)
        row[top[j]] = rescored[j];
}

} // namespace

QJsonObject EvalReport::toJson() const
{
    QJsonObject json;
    json[QStringLiteral("model")] = model;
    json[QStringLiteral("data")] = data;
    json[QStringLiteral("format")] = format;
    json[QStringLiteral("split")] = split;
    json[QStringLiteral("images")] = images;
    json[QStringLiteral("captions")] = captions;
    json[QStringLiteral("identities")] = identities;
    json[QStringLiteral("rescoreTop")] = rescoreTop;
    json[QStringLiteral("rvnNeighbours")] = rvnNeighbours;
    QJsonArray array;
    for (const RetrievalMetrics &row : rows)
        array.append(row.toJson());
    json[QStringLiteral("results")] = array;
    if (!similarRows.empty()) {
        QJsonArray similar;
        for (const RetrievalMetrics &row : similarRows)
            similar.append(row.toJson());
        json[QStringLiteral("similar")] = similar;
    }
    if (calibration.isValid())
        json[QStringLiteral("calibration")] = calibration.toJson();
    json[QStringLiteral("seconds")] = seconds;
    json[QStringLiteral("encodeImageMs")] = encodeImageMs;
    json[QStringLiteral("queryMs")] = queryMs;
    return json;
}

bool evaluateTextToPerson(const EvalRequest &request, EvalReport *report, QString *error)
{
    QElapsedTimer clock;
    clock.start();
    auto progress = [&](const QString &phase, int done, int total) {
        if (request.progress)
            request.progress(phase, done, total);
    };
    std::unique_ptr<TextPersonModel> model = TextPersonModel::load(request.modelPath, error);
    if (!model)
        return false;
    PedesDataset dataset;
    if (!dataset.load(request.dataDir, error))
        return false;
    const std::vector<PedesSample> samples = dataset.samples(request.split);
    if (samples.empty()) {
        *error = QStringLiteral("%1 has no \"%2\" split (it has: %3)")
                     .arg(dataset.jsonPath(), request.split, dataset.splits().join(QStringLiteral(", ")));
        return false;
    }
    EvalReport r;
    r.model = model->id();
    r.data = request.dataDir;
    r.format = dataset.format();
    r.split = request.split;
    r.identities = dataset.identityCount(request.split);
    r.rescoreTop = request.rescoreTop;
    r.rvnNeighbours = request.rvnNeighbours;

    std::vector<cv::Mat> images;
    std::vector<int> galleryLabels;
    QStringList captions;
    std::vector<int> queryLabels;
    for (const PedesSample &s : samples) {
        cv::Mat image = cv::imread(s.imagePath.toStdString(), cv::IMREAD_COLOR);
        if (image.empty()) {
            *error = QStringLiteral("cannot read image %1 of the dataset").arg(s.imagePath);
            return false;
        }
        images.push_back(image);
        galleryLabels.push_back(s.label);
        for (const QString &caption : s.captions) {
            captions.append(caption);
            queryLabels.push_back(s.label);
        }
        if (images.size() % 200 == 0)
            progress(QStringLiteral("reading images"), int(images.size()), int(samples.size()));
    }
    r.images = int(images.size());
    r.captions = captions.size();
    const int n = r.images, q = r.captions, dim = model->embeddingSize();

    QElapsedTimer phase;
    phase.start();
    std::vector<VisualEmbedding> crops;
    for (size_t start = 0; start < images.size(); start += 256) {
        const std::vector<cv::Mat> batch(images.begin() + long(start), images.begin() + long(std::min(images.size(), start + 256)));
        std::vector<VisualEmbedding> encoded = model->encodeCrops(batch);
        std::move(encoded.begin(), encoded.end(), std::back_inserter(crops));
        progress(QStringLiteral("encoding images"), int(crops.size()), n);
    }
    r.encodeImageMs = phase.elapsed() / double(std::max(1, n));
    const std::vector<float> visual = unitGlobals(crops, dim);
    std::vector<const VisualEmbedding *> cropPointers;
    for (const VisualEmbedding &c : crops)
        cropPointers.push_back(&c);

    // Per query: encode, coarse global cosine over every image, non-local re-scoring of the top
    // K with each image-scale set, RVN on the full model's scores.
    std::vector<float> cosine(size_t(q) * size_t(n)), full(cosine.size()), noRvn(cosine.size()), patchOnly(cosine.size()),
        globalOnly(cosine.size());
    const RvnReranker rvn(RvnOptions{request.rvnNeighbours, request.rescoreTop, 0.5});
    phase.restart();
    for (int start = 0; start < q; start += 128) {
        const std::vector<QueryEmbedding> queries = model->encodeQueries(captions.mid(start, 128));
        for (size_t j = 0; j < queries.size(); ++j) {
            const size_t row = size_t(start) + j;
            float *cosRow = cosine.data() + row * size_t(n);
            for (int i = 0; i < n; ++i) {
                double dot = 0;
                for (int c = 0; c < dim; ++c)
                    dot += double(queries[j].global[size_t(c)]) * visual[size_t(i) * size_t(dim) + size_t(c)];
                cosRow[i] = float(dot);
            }
            const std::vector<int> top = topIndices(cosRow, n, request.rescoreTop);
            std::vector<const VisualEmbedding *> candidates;
            for (int index : top)
                candidates.push_back(cropPointers[size_t(index)]);
            auto rescoreWith = [&](ImageScaleSet scales, std::vector<float> &target) {
                const std::vector<float> local = model->localSimilarity(queries[j], candidates, scales);
                std::vector<float> combined(top.size());
                for (size_t t = 0; t < top.size(); ++t)
                    combined[t] = cosRow[top[size_t(t)]] + local[t];
                std::copy(cosRow, cosRow + n, target.data() + row * size_t(n));
                applyRescore(target.data() + row * size_t(n), n, top, combined);
            };
            rescoreWith(ImageScaleSet::All, noRvn);
            if (request.ablations) {
                rescoreWith(ImageScaleSet::GlobalAndPatch, patchOnly);
                rescoreWith(ImageScaleSet::GlobalOnly, globalOnly);
            }
            const std::vector<float> noRvnRow(noRvn.begin() + long(row) * n, noRvn.begin() + long(row + 1) * n);
            const std::vector<float> reranked = rvn.rerank(noRvnRow, visual.data(), dim);
            std::copy(reranked.begin(), reranked.end(), full.begin() + long(row) * n);
        }
        progress(QStringLiteral("querying"), std::min(q, start + 128), q);
    }
    r.queryMs = phase.elapsed() / double(std::max(1, q));

    std::vector<float> attributes;
    if (request.attributeBaseline) {
        progress(QStringLiteral("attribute baseline"), 0, q);
        attributes = attributeBaselineScores(captions, images);
    }
    r.rows.push_back(retrievalMetrics(full, queryLabels, galleryLabels, QStringLiteral("NAFS: all scales, non-local, RVN")));
    r.rows.push_back(retrievalMetrics(noRvn, queryLabels, galleryLabels, QStringLiteral("NAFS without RVN")));
    // The product's fusion: model score + w x attribute agreement (re-scored items only move
    // among themselves; the rest stay 100 below).
    const bool fuses = !attributes.empty() && request.attributeWeight > 0;
    std::vector<float> fused(noRvn);
    if (fuses) {
        for (size_t i = 0; i < fused.size(); ++i)
            fused[i] += float(request.attributeWeight) * attributes[i];
        r.rows.push_back(retrievalMetrics(fused, queryLabels, galleryLabels,
            QStringLiteral("NAFS + %1 x attributes").arg(request.attributeWeight)));
    }
    if (request.calibrate || request.check.isValid()) {
        // The pairs search can show: each caption's re-scored top K (the rest sit 100 below).
        std::vector<float> scores;
        std::vector<uint8_t> matches;
        std::vector<int> queryOf;
        for (int row = 0; row < q; ++row)
            for (int i = 0; i < n; ++i) {
                const size_t at = size_t(row) * size_t(n) + size_t(i);
                if (noRvn[at] < -50)
                    continue;
                scores.push_back(fused[at]);
                matches.push_back(queryLabels[size_t(row)] == galleryLabels[size_t(i)] ? 1 : 0);
                queryOf.push_back(row);
            }
        ScoreCalibration c = request.check;
        if (request.calibrate && !c.fit(scores, matches, error)) {
            *error = QStringLiteral("calibration on split %1: %2").arg(request.split, *error);
            return false;
        }
        c.measure(scores, matches, queryOf);
        if (request.calibrate) {
            c.modelId = r.model;
            c.attributeWeight = fuses ? request.attributeWeight : 0.0;
            c.rescoreTop = request.rescoreTop;
            c.data = request.dataDir;
            c.split = request.split;
            c.queries = q;
            c.cutoff = request.cutoff;
        } else {
            // Measured elsewhere than fitted: the counts say what it was measured on.
            c.pairs = int64_t(scores.size());
            c.matches = std::count(matches.begin(), matches.end(), uint8_t(1));
            c.queries = q;
        }
        r.calibration = c;
    }
    if (request.imageToImage) {
        progress(QStringLiteral("find similar"), 0, n);
        // The product's score as one dot product: [v, sqrt(w) c] . [v', sqrt(w) c'] = cos + w agreement.
        std::vector<float> colours, joined;
        const float root = float(std::sqrt(std::max(0.0, request.colourWeight)));
        for (int i = 0; i < n; ++i) {
            const std::vector<float> c = ColourStripes::describe(images[size_t(i)]);
            colours.insert(colours.end(), c.begin(), c.end());
            joined.insert(joined.end(), visual.begin() + long(i) * dim, visual.begin() + long(i + 1) * dim);
            for (float x : c)
                joined.push_back(root * x);
        }
        if (request.attentionNeighbours > 0) {
            // Unit rows, as find similar makes them, then attention over every image of the split.
            const int jointDim = dim + ColourStripes::kDim;
            std::vector<float> unitJoined(joined);
            for (int i = 0; i < n; ++i) {
                float *row = unitJoined.data() + size_t(i) * size_t(jointDim);
                double norm = 0;
                for (int c = 0; c < jointDim; ++c)
                    norm += double(row[c]) * row[c];
                for (int c = 0; c < jointDim; ++c)
                    row[c] = float(row[c] / std::sqrt(std::max(norm, 1e-20)));
            }
            const NeighbourLists near = exactNeighbours(unitJoined.data(), n, jointDim, request.attentionNeighbours);
            const std::vector<float> attended = attendToNeighbours(
                unitJoined.data(), n, jointDim, near, { request.attentionNeighbours, request.attentionTemperature });
            r.similarRows.push_back(imageToImageMetrics(attended, galleryLabels, jointDim, nullptr,
                QStringLiteral("find similar (product): visual cosine + %1 x colour stripes + neighbour attention (k = %2, temperature %3)")
                    .arg(request.colourWeight)
                    .arg(request.attentionNeighbours)
                    .arg(request.attentionTemperature)));
        }
        r.similarRows.push_back(imageToImageMetrics(joined, galleryLabels, dim + ColourStripes::kDim, nullptr,
            QStringLiteral("find similar: visual cosine + %1 x colour stripes%2")
                .arg(request.colourWeight)
                .arg(request.attentionNeighbours > 0 ? QStringLiteral(" (no neighbour attention)") : QStringLiteral(" (product)"))));
        r.similarRows.push_back(imageToImageMetrics(visual, galleryLabels, dim, nullptr, QStringLiteral("find similar: visual cosine")));
        r.similarRows.push_back(imageToImageMetrics(visual, galleryLabels, dim, &rvn,
            QStringLiteral("find similar + RVN (l = %1)").arg(request.rvnNeighbours)));
        r.similarRows.push_back(imageToImageMetrics(colours, galleryLabels, ColourStripes::kDim, nullptr,
            QStringLiteral("colour stripes alone")));
    }
    if (request.ablations) {
        r.rows.push_back(retrievalMetrics(patchOnly, queryLabels, galleryLabels, QStringLiteral("non-local: global + patch")));
        r.rows.push_back(retrievalMetrics(globalOnly, queryLabels, galleryLabels, QStringLiteral("non-local: global only")));
        r.rows.push_back(retrievalMetrics(cosine, queryLabels, galleryLabels, QStringLiteral("fixed global cosine (no alignment)")));
    }
    if (!attributes.empty())
        r.rows.push_back(retrievalMetrics(attributes, queryLabels, galleryLabels, QStringLiteral("attribute baseline (foundation)")));
    r.seconds = clock.elapsed() / 1000.0;
    *report = r;
    return true;
}

} // namespace descry
