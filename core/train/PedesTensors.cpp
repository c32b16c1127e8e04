#include "PedesTensors.h"

#include "BodyZones.h"
#include "NafsModel.h"
#include "PedesDataset.h"
#include "WordPieceTokenizer.h"

#include <torch/torch.h>

namespace descry {

torch::Tensor tokenizeBodyZones(const WordPieceTokenizer &tokenizer, const QStringList &texts, int maxTokens)
{
    torch::Tensor zones = torch::zeros({int64_t(texts.size()), maxTokens}, torch::kLong);
    auto z = zones.accessor<int64_t, 2>();
    for (int i = 0; i < texts.size(); ++i) {
        const std::vector<int> row = tokenBodyZones(
            tokenizer.sequence(texts.at(i), maxTokens), WordPieceTokenizer::basicTokenize(texts.at(i)));
        for (int j = 0; j < maxTokens; ++j)
            z[i][j] = row[size_t(j)];
    }
    return zones;
}

bool loadPedesTensors(const PedesDataset &dataset, const QString &split, const NafsArchitecture &a,
    const WordPieceTokenizer &tokenizer, PedesTensors *out, QString *error, const std::function<void(int, int)> &progress)
{
    const std::vector<PedesSample> samples = dataset.samples(split);
    if (samples.empty()) {
        *error = QStringLiteral("the dataset %1 has no \"%2\" images (splits there: %3)")
                     .arg(dataset.jsonPath(), split, dataset.splits().join(QStringLiteral(", ")));
        return false;
    }
    PedesTensors t;
    const int n = int(samples.size());
    t.images = torch::empty({n, a.imageHeight, a.imageWidth, 3}, torch::kUInt8);
    t.labels = torch::empty({n}, torch::kLong);
    std::vector<int64_t> captionImage;
    for (int i = 0; i < n; ++i) {
        const PedesSample &s = samples[size_t(i)];
        const cv::Mat image = loadPersonImage(s.imagePath, a.imageHeight, a.imageWidth, error);
        if (image.empty())
            return false;
        t.images[i].copy_(cropsToUint8({image}, a.imageHeight, a.imageWidth)[0]);
        t.labels[i] = s.label;
        t.identities.push_back(s.identity);
        t.imagePaths.append(s.imagePath);
        for (const QString &caption : s.captions) {
            t.captionTexts.append(caption);
            captionImage.push_back(i);
        }
        if (progress && (i % 200 == 0 || i + 1 == n))
            progress(i + 1, n);
    }
    t.captions = tokenizeTexts(tokenizer, t.captionTexts, a.maxTokens);
    t.captionZones = tokenizeBodyZones(tokenizer, t.captionTexts, a.maxTokens);
    t.captionImage = torch::tensor(captionImage, torch::kLong);
    t.identityCount = dataset.identityCount(split);
    *out = std::move(t);
    return true;
}

} // namespace descry
