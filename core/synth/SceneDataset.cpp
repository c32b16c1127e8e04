#include "SceneDataset.h"

#include "CaptionWriter.h"
#include "Rng.h"
#include "SceneRenderer.h"

#include <QJsonObject>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

namespace descry {

namespace {

constexpr uint64_t kDatasetCaptions = 7; // random stream of the per-image captions

// One crop to cut: which person, from which frame, under which dataset id and view.
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

// The crops to cut, in frame order so that each frame is rendered once; opens one dataset
// identity per person that has at least one.
std::vector<CropTask> planCrops(PedesDatasetWriter &writer, const SceneTruth &truth)
{
    const PedesDatasetOptions &options = writer.options();
    std::vector<CropTask> tasks;
    for (const IdentityTruth &identity : truth.identities) {
        std::vector<TruthBox> candidates;
        for (const TruthBox &b : truth.boxesOf(identity.id))
            if (b.visible >= options.minVisible && b.box.h >= static_cast<float>(options.minHeight))
                candidates.push_back(b);
        const std::vector<TruthBox> chosen = spreadOut(candidates, options.viewsPerIdentity);
        if (chosen.empty())
            continue;
        const int datasetId = writer.addIdentity();
        for (std::size_t v = 0; v < chosen.size(); ++v)
            tasks.push_back({ chosen[v].frame, identity.id, datasetId, static_cast<int>(v), chosen[v].box });
    }
    std::stable_sort(
        tasks.begin(), tasks.end(), [](const CropTask &a, const CropTask &b) { return a.frame < b.frame; });
    return tasks;
}

} // namespace

bool addSceneToDataset(PedesDatasetWriter &writer, const SceneRenderer &renderer, QString *error)
{
    const SceneTruth &truth = renderer.truth();
    const PedesDatasetOptions &options = writer.options();
    const std::vector<CropTask> tasks = planCrops(writer, truth);

    // Cut every crop, rendering frames in order; the images are added by identity and view.
    std::map<std::pair<int, int>, std::pair<const CropTask *, QByteArray>> cut;
    cv::Mat image;
    int64_t rendered = -1;
    for (const CropTask &task : tasks) {
        if (task.frame != rendered) {
            image = renderer.renderFrame(task.frame);
            rendered = task.frame;
        }
        std::vector<uchar> jpeg;
        const cv::Mat crop = image(cropRect(task.box, options.margin, image.size()));
        cv::imencode(".jpg", crop, jpeg, { cv::IMWRITE_JPEG_QUALITY, options.jpegQuality });
        cut[{ task.datasetId, task.view }] = { &task,
            QByteArray(reinterpret_cast<const char *>(jpeg.data()), static_cast<qsizetype>(jpeg.size())) };
    }

    const CaptionWriter captions;
    const Rng sceneRng(truth.options.seed);
    for (const auto &[key, crop] : cut) {
        const CropTask &task = *crop.first;
        Rng captionRng
            = sceneRng.derive(kDatasetCaptions, static_cast<uint64_t>(task.sceneId)).derive(task.view);
        QJsonObject extra;
        extra[QStringLiteral("scene")] = QString::number(truth.options.seed);
        extra[QStringLiteral("frame")] = static_cast<double>(task.frame);
        if (!writer.addImage(task.datasetId, crop.second,
                captions.captions(
                    truth.identity(task.sceneId)->appearance, captionRng, options.captionsPerImage),
                error, extra))
            return false;
    }
    return true;
}

bool writePedesDataset(
    const SceneRenderer &renderer, const QString &dir, QString *error, const PedesDatasetOptions &options)
{
    PedesDatasetWriter writer(dir, options);
    return addSceneToDataset(writer, renderer, error) && writer.finish(error);
}

} // namespace descry
