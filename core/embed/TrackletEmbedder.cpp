#include "TrackletEmbedder.h"

#include "ColourStripes.h"
#include "TextPersonModel.h"

#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <exception>

namespace descry {

namespace {

cv::Mat decodeJpeg(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return {};
    const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
    return cv::imdecode(buffer, cv::IMREAD_COLOR);
}

// Scales `v` to unit length; a zero vector stays zero rather than turning into NaNs.
void normalise(float *v, int dim)
{
    double sum = 0;
    for (int k = 0; k < dim; ++k)
        sum += double(v[k]) * double(v[k]);
    const double norm = std::sqrt(sum);
    if (norm < 1e-12)
        return;
    for (int k = 0; k < dim; ++k)
        v[k] = float(double(v[k]) / norm);
}

} // namespace

const QString TrackletEmbedder::ItemsKind = QStringLiteral("nafs-items");
const QString TrackletEmbedder::GlobalKind = QStringLiteral("nafs-global");
const QString TrackletEmbedder::ColourKind = QStringLiteral("colour-stripes");

std::vector<EmbeddingRecord> TrackletEmbedder::pool(
    const std::vector<VisualEmbedding> &crops, const QString &modelId)
{
    const int items = crops.front().items, dim = crops.front().dim;
    std::vector<float> mean(size_t(items) * size_t(dim), 0.0f);
    std::vector<float> global(size_t(dim), 0.0f);
    std::vector<float> unit;
    for (const VisualEmbedding &e : crops) {
        for (size_t k = 0; k < mean.size(); ++k)
            mean[k] += e.features[k];
        unit.assign(e.global(), e.global() + dim);
        normalise(unit.data(), dim);
        for (int k = 0; k < dim; ++k)
            global[size_t(k)] += unit[size_t(k)];
    }
    const float n = float(crops.size());
    for (float &v : mean)
        v /= n;
    normalise(global.data(), dim);
    return { { 0, modelId, ItemsKind, std::move(mean) }, { 0, modelId, GlobalKind, std::move(global) } };
}

TrackletEmbedder::TrackletEmbedder(TextPersonModel &model)
    : m_model(model)
{ }

QString TrackletEmbedder::modelId() const
{
    return m_model.id();
}

bool TrackletEmbedder::embed(const std::vector<std::vector<QByteArray>> &cropsPerTracklet,
    std::vector<std::vector<EmbeddingRecord>> *out, QString *error)
{
    out->assign(cropsPerTracklet.size(), {});
    // All crops of all tracklets in one list: the model batches them, which is what makes a
    // CPU network affordable per tracklet.
    std::vector<cv::Mat> images;
    std::vector<size_t> owner; // tracklet index of each image
    for (size_t t = 0; t < cropsPerTracklet.size(); ++t)
        for (const QByteArray &jpeg : cropsPerTracklet[t]) {
            cv::Mat image = decodeJpeg(jpeg);
            if (image.empty())
                continue; // a damaged crop: the tracklet's other crops still describe it
            images.push_back(std::move(image));
            owner.push_back(t);
        }
    if (images.empty())
        return true;

    std::vector<VisualEmbedding> features;
    try {
        features = m_model.encodeCrops(images);
    } catch (const std::exception &e) {
        *error = QStringLiteral("the text-to-person model %1 failed on %2 person crops: %3")
                     .arg(m_model.id())
                     .arg(images.size())
                     .arg(QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0));
        return false;
    }
    if (features.size() != images.size()) {
        *error = QStringLiteral("the text-to-person model %1 returned %2 features for %3 crops")
                     .arg(m_model.id())
                     .arg(features.size())
                     .arg(images.size());
        return false;
    }

    const QString id = m_model.id();
    std::vector<VisualEmbedding> mine;
    std::vector<std::vector<float>> colours;
    for (size_t begin = 0; begin < features.size();) {
        size_t end = begin;
        mine.clear();
        colours.clear();
        while (end < features.size() && owner[end] == owner[begin]) {
            colours.push_back(ColourStripes::describe(images[end]));
            mine.push_back(std::move(features[end++]));
        }
        std::vector<EmbeddingRecord> &records = (*out)[owner[begin]];
        records = pool(mine, id);
        records.push_back({ 0, id, ColourKind, ColourStripes::pool(colours) });
        begin = end;
    }
    return true;
}

} // namespace descry
