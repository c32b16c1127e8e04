#include "PedesDatasetWriter.h"

#include "CaptionWriter.h"
#include "Rng.h"
#include "SceneRenderer.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace descry {

namespace {

constexpr uint64_t kDatasetCaptions = 7; // random stream of the per-image captions

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

bool writeBytes(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

// One crop to cut: which person, from which frame, under which dataset id and file number.
struct CropTask {
    int64_t frame = 0;
    int sceneId = 0;
    int datasetId = 0;
    int view = 0;
    Box box;
};

// Up to `views` boxes spread evenly over the candidates (they are in frame order).
std::vector<TruthBox> spreadOut(const std::vector<TruthBox> &candidates, int views)
{
    const std::size_t n = candidates.size();
    const std::size_t k = std::min(n, static_cast<std::size_t>(std::max(0, views)));
    std::vector<TruthBox> out;
    for (std::size_t i = 0; i < k; ++i)
        out.push_back(candidates[std::min(n - 1, (2 * i + 1) * n / (2 * k))]);
    return out;
}

cv::Rect cropRect(const Box &box, double margin, const cv::Size &frame)
{
    const double pad = margin * box.h;
    const cv::Rect r(static_cast<int>(std::floor(box.x - pad)), static_cast<int>(std::floor(box.y - pad)),
        static_cast<int>(std::ceil(box.w + 2 * pad)), static_cast<int>(std::ceil(box.h + 2 * pad)));
    return r & cv::Rect(cv::Point(0, 0), frame);
}

} // namespace

PedesDatasetWriter::PedesDatasetWriter(const QString &dir, const PedesDatasetOptions &options)
    : m_dir(dir)
    , m_options(options)
{ }

QString PedesDatasetWriter::splitOf(int datasetId) const
{
    // Golden-ratio sequence: any run of consecutive ids gets close to the asked fractions.
    const double u = std::fmod((datasetId - 1) * 0.6180339887498949, 1.0);
    if (u < m_options.testFraction)
        return QStringLiteral("test");
    if (u < m_options.testFraction + m_options.valFraction)
        return QStringLiteral("val");
    return QStringLiteral("train");
}

bool PedesDatasetWriter::addScene(const SceneRenderer &renderer, QString *error)
{
    const SceneTruth &truth = renderer.truth();
    std::vector<CropTask> tasks;
    for (const IdentityTruth &identity : truth.identities) {
        std::vector<TruthBox> candidates;
        for (const TruthBox &b : truth.boxesOf(identity.id))
            if (b.visible >= m_options.minVisible && b.box.h >= static_cast<float>(m_options.minHeight))
                candidates.push_back(b);
        const std::vector<TruthBox> chosen = spreadOut(candidates, m_options.viewsPerIdentity);
        if (chosen.empty())
            continue;
        const int datasetId = ++m_identities;
        if (!QDir().mkpath(QDir(m_dir).filePath(QStringLiteral("imgs/%1").arg(datasetId))))
            return fail(error, QStringLiteral("cannot create %1/imgs/%2").arg(m_dir).arg(datasetId));
        for (std::size_t v = 0; v < chosen.size(); ++v)
            tasks.push_back({ chosen[v].frame, identity.id, datasetId, static_cast<int>(v), chosen[v].box });
    }
    // Render each needed frame once.
    std::stable_sort(
        tasks.begin(), tasks.end(), [](const CropTask &a, const CropTask &b) { return a.frame < b.frame; });

    const CaptionWriter writer;
    const Rng sceneRng(truth.options.seed);
    std::vector<std::pair<std::pair<int, int>, QJsonObject>> entries;
    cv::Mat image;
    int64_t rendered = -1;
    for (const CropTask &task : tasks) {
        if (task.frame != rendered) {
            image = renderer.renderFrame(task.frame);
            rendered = task.frame;
        }
        std::vector<uchar> jpeg;
        const cv::Mat crop = image(cropRect(task.box, m_options.margin, image.size()));
        cv::imencode(".jpg", crop, jpeg, { cv::IMWRITE_JPEG_QUALITY, m_options.jpegQuality });
        const QString file = QStringLiteral("%1/%2.jpg").arg(task.datasetId).arg(task.view);
        const QByteArray bytes(
            reinterpret_cast<const char *>(jpeg.data()), static_cast<qsizetype>(jpeg.size()));
        if (!writeBytes(QDir(m_dir).filePath(QStringLiteral("imgs/") + file), bytes, error))
            return false;

        Rng captionRng
            = sceneRng.derive(kDatasetCaptions, static_cast<uint64_t>(task.sceneId)).derive(task.view);
        const IdentityTruth *identity = truth.identity(task.sceneId);
        QJsonObject entry;
        entry[QStringLiteral("id")] = task.datasetId;
        entry[QStringLiteral("file_path")] = file;
        entry[QStringLiteral("captions")] = QJsonArray::fromStringList(
            writer.captions(identity->appearance, captionRng, m_options.captionsPerImage));
        entry[QStringLiteral("split")] = splitOf(task.datasetId);
        entry[QStringLiteral("scene")] = QString::number(truth.options.seed);
        entry[QStringLiteral("frame")] = static_cast<double>(task.frame);
        entries.push_back({ { task.datasetId, task.view }, entry });
    }
    std::stable_sort(
        entries.begin(), entries.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &e : entries)
        m_entries.append(e.second);
    return true;
}

int PedesDatasetWriter::addIdentity(const QString &split)
{
    const int datasetId = ++m_identities;
    m_added[datasetId] = { split.isEmpty() ? splitOf(datasetId) : split, 0 };
    return datasetId;
}

bool PedesDatasetWriter::addImage(int datasetId, const QByteArray &jpeg, const QStringList &captions,
    QString *error, const QJsonObject &extra)
{
    const auto identity = m_added.find(datasetId);
    if (identity == m_added.end())
        return fail(error, QStringLiteral("identity %1 was not opened with addIdentity()").arg(datasetId));
    if (!QDir().mkpath(QDir(m_dir).filePath(QStringLiteral("imgs/%1").arg(datasetId))))
        return fail(error, QStringLiteral("cannot create %1/imgs/%2").arg(m_dir).arg(datasetId));
    const QString file = QStringLiteral("%1/%2.jpg").arg(datasetId).arg(identity->second.second);
    if (!writeBytes(QDir(m_dir).filePath(QStringLiteral("imgs/") + file), jpeg, error))
        return false;
    ++identity->second.second;
    QJsonObject entry = extra;
    entry[QStringLiteral("id")] = datasetId;
    entry[QStringLiteral("file_path")] = file;
    entry[QStringLiteral("captions")] = QJsonArray::fromStringList(captions);
    entry[QStringLiteral("split")] = identity->second.first;
    m_entries.append(entry);
    return true;
}

bool PedesDatasetWriter::finish(QString *error)
{
    if (!QDir().mkpath(m_dir))
        return fail(error, QStringLiteral("cannot create %1").arg(m_dir));
    return writeBytes(
        QDir(m_dir).filePath(QStringLiteral("reid_raw.json")), QJsonDocument(m_entries).toJson(), error);
}

bool writePedesDataset(
    const SceneRenderer &renderer, const QString &dir, QString *error, const PedesDatasetOptions &options)
{
    PedesDatasetWriter writer(dir, options);
    return writer.addScene(renderer, error) && writer.finish(error);
}

} // namespace descry
