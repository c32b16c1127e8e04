#include "TextPersonModel.h"

#include "ContentHash.h"
#include "NafsConfig.h"
#include "NafsModel.h"
#include "NafsWeights.h"
#include "PedesTensors.h"
#include "TorchDevice.h"
#include "WordPieceTokenizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <torch/torch.h>

namespace descry {

namespace {

constexpr int kCropBatch = 64;
constexpr int kTextBatch = 128;

QString sibling(const QString &configPath, const QString &suffix)
{
    const QFileInfo info(configPath);
    return info.dir().filePath(info.completeBaseName() + suffix);
}

struct TextBatchFeatures {
    torch::Tensor items;
    torch::Tensor valid;
};

QString torchMessage(const c10::Error &e)
{
    return QString::fromUtf8(e.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
}

TextScale scaleOf(int64_t id)
{
    if (id == WordPieceVocabulary::Cls)
        return TextScale::Sentence;
    if (id == WordPieceVocabulary::Sub)
        return TextScale::SubSentence;
    return TextScale::Word;
}

} // namespace

struct TextPersonModel::Impl {
    NafsConfig config;
    WordPieceVocabulary vocabulary;
    std::unique_ptr<WordPieceTokenizer> tokenizer;
    NafsModel model{nullptr};
    c10::Device device{c10::DeviceType::CPU};
    QString id;
};

TextPersonModel::TextPersonModel(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{ }

TextPersonModel::~TextPersonModel() = default;

std::unique_ptr<TextPersonModel> TextPersonModel::load(const QString &path, QString *error)
{
    auto impl = std::make_unique<Impl>();
    if (!NafsConfig::load(path, &impl->config, error))
        return nullptr;
    const QString vocabularyPath = sibling(path, QStringLiteral(".vocab"));
    const QString weightsPath = sibling(path, QStringLiteral(".pt"));
    if (!impl->vocabulary.load(vocabularyPath, error)) {
        *error = QStringLiteral("model vocabulary: %1").arg(*error);
        return nullptr;
    }
    QString digest;
    if (!QFileInfo(weightsPath).isFile() || !contentHash(weightsPath, &digest, error)) {
        *error = QStringLiteral("model weights %1 are missing or unreadable; train them with 'descry-cli train --config %2' "
                                "or restore the models folder")
                     .arg(QDir::toNativeSeparators(weightsPath), QDir::toNativeSeparators(path));
        return nullptr;
    }
    try {
        impl->device = modelDevice();
        impl->model = NafsModel(impl->config.model, impl->vocabulary.size());
        if (!loadNafsWeights(impl->model, weightsPath, error))
            return nullptr;
        impl->model->to(impl->device);
        impl->model->eval();
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot build the model of %1: %2").arg(path, torchMessage(e));
        return nullptr;
    }
    impl->tokenizer = std::make_unique<WordPieceTokenizer>(impl->vocabulary);
    impl->id = QStringLiteral("%1@%2").arg(impl->config.name, digest.left(12));
    return std::unique_ptr<TextPersonModel>(new TextPersonModel(std::move(impl)));
}

QString TextPersonModel::defaultModelPath()
{
    const QString fromEnvironment = qEnvironmentVariable("DESCRY_MODEL");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QString file = QStringLiteral("descry-nafs-s.json");
    QStringList folders;
    if (QCoreApplication::instance()) {
        const QDir app(QCoreApplication::applicationDirPath());
        folders << app.filePath(QStringLiteral("../share/descry/models")) << app.filePath(QStringLiteral("../../models"));
    }
#ifdef DESCRY_MODELS_DIR
    folders << QStringLiteral(DESCRY_MODELS_DIR);
#endif
    for (const QString &folder : folders) {
        const QString candidate = QDir(folder).filePath(file);
        if (QFileInfo::exists(candidate))
            return QDir::cleanPath(candidate);
    }
    return {};
}

QString TextPersonModel::id() const
{
    return d->id;
}

QString TextPersonModel::name() const
{
    return d->config.name;
}

int TextPersonModel::embeddingSize() const
{
    return d->config.model.embedding;
}

int TextPersonModel::imageItems() const
{
    return d->config.model.imageItems();
}

int TextPersonModel::regionStripes() const
{
    return d->config.model.regionStripes;
}

int TextPersonModel::patchStripes() const
{
    return d->config.model.patchStripes;
}

QString TextPersonModel::device() const
{
    return modelDeviceName();
}

std::vector<VisualEmbedding> TextPersonModel::encodeCrops(const std::vector<cv::Mat> &crops)
{
    c10::InferenceMode inference;
    const NafsArchitecture &a = d->config.model;
    std::vector<VisualEmbedding> out;
    out.reserve(crops.size());
    for (size_t start = 0; start < crops.size(); start += kCropBatch) {
        const std::vector<cv::Mat> batch(crops.begin() + long(start), crops.begin() + long(std::min(crops.size(), start + kCropBatch)));
        const torch::Tensor images = normalizeImages(cropsToUint8(batch, a.imageHeight, a.imageWidth)).to(d->device);
        const torch::Tensor items = d->model->encodeImages(images).items.to(torch::kCPU).contiguous();
        const int64_t n = items.size(0), ni = items.size(1), dim = items.size(2);
        const float *data = items.data_ptr<float>();
        for (int64_t i = 0; i < n; ++i) {
            VisualEmbedding e;
            e.items = int(ni);
            e.dim = int(dim);
            e.features.assign(data + i * ni * dim, data + (i + 1) * ni * dim);
            out.push_back(std::move(e));
        }
    }
    return out;
}

std::vector<QueryEmbedding> TextPersonModel::encodeQueries(const QStringList &texts)
{
    c10::InferenceMode inference;
    std::vector<QueryEmbedding> out;
    out.reserve(size_t(texts.size()));
    for (int start = 0; start < texts.size(); start += kTextBatch) {
        const QStringList batch = texts.mid(start, kTextBatch);
        const TokenBatch tokens = tokenizeTexts(*d->tokenizer, batch, d->config.model.maxTokens).trimmed();
        const TextBatchFeatures features = [&] {
            const TokenBatch onDevice = tokens.to(d->device);
            const TextFeatures f = d->model->encodeTexts(onDevice.ids, onDevice.attentionMask, onDevice.span);
            return TextBatchFeatures{f.items.to(torch::kCPU).contiguous(), f.valid.to(torch::kCPU).contiguous()};
        }();
        const int64_t length = features.items.size(1), dim = features.items.size(2);
        for (int i = 0; i < batch.size(); ++i) {
            QueryEmbedding q;
            q.text = batch.at(i);
            q.dim = int(dim);
            const torch::Tensor global = torch::nn::functional::normalize(
                features.items[i][0], torch::nn::functional::NormalizeFuncOptions().p(2).dim(0).eps(1e-12));
            q.global.assign(global.data_ptr<float>(), global.data_ptr<float>() + dim);
            for (int64_t j = 0; j < length; ++j) {
                if (!features.valid[i][j].item<bool>())
                    continue;
                const float *row = features.items[i][j].data_ptr<float>();
                q.itemFeatures.insert(q.itemFeatures.end(), row, row + dim);
                const int64_t id = tokens.ids[i][j].item<int64_t>();
                q.tokens.append(d->vocabulary.token(int(id)));
                q.scales.push_back(scaleOf(id));
                ++q.items;
            }
            out.push_back(std::move(q));
        }
    }
    return out;
}

QueryEmbedding TextPersonModel::encodeQuery(const QString &text)
{
    return encodeQueries({text}).front();
}

std::vector<float> TextPersonModel::localSimilarity(const QueryEmbedding &query,
    const std::vector<const VisualEmbedding *> &crops, ImageScaleSet scales, std::vector<AttentionMap> *maps)
{
    if (crops.empty() || query.items == 0)
        return std::vector<float>(crops.size(), 0.0f);
    c10::InferenceMode inference;
    const NafsArchitecture &a = d->config.model;
    const int64_t k = int64_t(crops.size()), ni = a.imageItems(), dim = a.embedding;
    torch::Tensor image = torch::empty({k, ni, dim}, torch::kFloat32);
    float *dst = image.data_ptr<float>();
    for (int64_t i = 0; i < k; ++i) {
        const VisualEmbedding &e = *crops[size_t(i)];
        if (e.items != ni || e.dim != dim)
            return std::vector<float>(crops.size(), 0.0f); // another model's features: no local evidence
        std::copy(e.features.begin(), e.features.end(), dst + i * ni * dim);
    }
    torch::Tensor imageValid = torch::ones({k, ni}, torch::kBool);
    const int64_t firstPatch = 1 + a.regionStripes;
    if (scales != ImageScaleSet::All)
        imageValid.narrow(1, 1, a.regionStripes).fill_(false);
    if (scales == ImageScaleSet::GlobalOnly)
        imageValid.narrow(1, firstPatch, a.patchStripes).fill_(false);
    TextFeatures text;
    text.items = torch::from_blob(const_cast<float *>(query.itemFeatures.data()), {1, query.items, dim}, torch::kFloat32)
                     .to(d->device);
    text.valid = torch::ones({1, query.items}, torch::TensorOptions(torch::kBool).device(d->device));
    const AlignmentScores s = d->model->align(image.to(d->device), imageValid.to(d->device), text, maps != nullptr);
    const torch::Tensor similarity = s.similarity().select(1, 0).to(torch::kCPU).contiguous();
    std::vector<float> out(similarity.data_ptr<float>(), similarity.data_ptr<float>() + k);
    if (maps) {
        maps->clear();
        const torch::Tensor i2t = s.imageToTextWeights.select(1, 0).to(torch::kCPU).contiguous(); // (K, Ni, Nt)
        const torch::Tensor t2i = s.textToImageWeights.select(1, 0).to(torch::kCPU).contiguous(); // (K, Nt, Ni)
        const int64_t nt = query.items;
        for (int64_t i = 0; i < k; ++i) {
            AttentionMap m;
            m.imageItems = int(ni);
            m.textItems = int(nt);
            m.imageToText.assign(i2t[i].data_ptr<float>(), i2t[i].data_ptr<float>() + ni * nt);
            m.textToImage.assign(t2i[i].data_ptr<float>(), t2i[i].data_ptr<float>() + nt * ni);
            maps->push_back(std::move(m));
        }
    }
    return out;
}

float TextPersonModel::globalCosine(const QueryEmbedding &query, const VisualEmbedding &crop)
{
    if (crop.dim != query.dim || crop.features.empty())
        return 0;
    double dot = 0, norm = 0;
    for (int i = 0; i < crop.dim; ++i) {
        dot += double(query.global[size_t(i)]) * crop.features[size_t(i)];
        norm += double(crop.features[size_t(i)]) * crop.features[size_t(i)];
    }
    return norm > 0 ? float(dot / std::sqrt(norm)) : 0.0f;
}

} // namespace descry
