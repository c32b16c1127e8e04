#include "TextPersonModel.h"
#include "PerceptionPackage.h"

#include "ContentHash.h"
#include "NafsConfig.h"
#include "NafsModel.h"
#include "NafsScript.h"
#include "NafsWeights.h"
#include "PerceptionPackage.h"
#include "TokenBatch.h"
#include "TorchDevice.h"
#include "WordPieceTokenizer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <opencv2/core/mat.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <QJsonDocument>
#include <QJsonObject>

#include <exception>
#include <optional>

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

TextScale scaleOf(int64_t id)
{
    if (id == WordPieceVocabulary::Cls)
        return TextScale::Sentence;
    if (id == WordPieceVocabulary::Sub)
        return TextScale::SubSentence;
    return TextScale::Word;
}

} // namespace

// The network behind the facade: Descry's native NafsModel, or a TorchScript module that follows
// Descry's model interface (NafsScript.h).
struct TextPersonModel::Impl {
    NafsConfig config;
    WordPieceVocabulary vocabulary;
    std::unique_ptr<WordPieceTokenizer> tokenizer;
    NafsModel model{nullptr};
    std::optional<torch::jit::Module> script;
    c10::Device device{c10::DeviceType::CPU};
    QString id;
    QString weightsDigest;
    QString weightsCheck = QStringLiteral("TorchScript file: its bytes are not checked beyond its digest");
    QString path; // the file load() was given

    torch::Tensor encodeImages(const torch::Tensor &images)
    {
        if (script)
            return script->get_method("encode_images")({images}).toTensor();
        return model->encodeImages(images).items;
    }

    TextFeatures encodeTexts(const TokenBatch &tokens)
    {
        if (script) {
            const auto out = script->get_method("encode_texts")({tokens.ids, tokens.attentionMask, tokens.span}).toTuple();
            return TextFeatures{out->elements()[0].toTensor(), out->elements()[1].toTensor()};
        }
        return model->encodeTexts(tokens.ids, tokens.attentionMask, tokens.span);
    }

    AlignmentScores align(const torch::Tensor &image, const torch::Tensor &imageValid, const TextFeatures &text, bool weights)
    {
        if (script) {
            const auto out = script->get_method("align")({image, imageValid, text.items, text.valid}).toTuple();
            // A copy as a vector: indexing TupleElements past its 3 inline slots trips GCC's
            // -Warray-bounds although the tuple is heap-backed.
            const std::vector<c10::IValue> e = out->elements().vec();
            AlignmentScores scores{e[0].toTensor(), e[1].toTensor(), e[2].toTensor(), e[3].toTensor(), {}, {}};
            if (e.size() >= 6) {
                scores.imageItemRelevance = e[4].toTensor();
                scores.textItemRelevance = e[5].toTensor();
            }
            return scores;
        }
        return model->align(image, imageValid, text, weights);
    }
};

TextPersonModel::TextPersonModel(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{ }

TextPersonModel::~TextPersonModel() = default;

namespace {

// Loads a TorchScript model (.ts): the module, its embedded config and vocabulary; then checks
// the interface by running one blank crop and one short text through it.
bool loadScript(TextPersonModel::Impl &impl, const QString &path, QString *error)
{
    torch::jit::ExtraFilesMap extra{{"descry/config.json", ""}, {"descry/vocab.txt", ""}};
    try {
        impl.script = torch::jit::load(QFile::encodeName(path).toStdString(), impl.device, extra);
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot load TorchScript model %1 (damaged, truncated or not TorchScript): %2").arg(path, torchErrorMessage(e));
        return false;
    }
    const QByteArray configText = QByteArray::fromStdString(extra["descry/config.json"]);
    const QJsonObject json = QJsonDocument::fromJson(configText).object();
    if (json.isEmpty()) {
        *error = QStringLiteral("TorchScript model %1 lacks the extra file descry/config.json that Descry's model interface "
                                "requires (see models/README.md)")
                     .arg(path);
        return false;
    }
    if (json.value(QStringLiteral("interface")).toInt() != kNafsScriptInterfaceVersion) {
        *error = QStringLiteral("TorchScript model %1 follows model interface version %2; this build reads version %3")
                     .arg(path)
                     .arg(json.value(QStringLiteral("interface")).toInt())
                     .arg(kNafsScriptInterfaceVersion);
        return false;
    }
    if (!NafsConfig::fromJson(json, &impl.config, error)
        || !impl.vocabulary.parse(QByteArray::fromStdString(extra["descry/vocab.txt"]), path + QStringLiteral(":descry/vocab.txt"), error))
        return false;
    for (const char *method : {"encode_images", "encode_texts", "align"}) {
        if (!impl.script->find_method(method)) {
            *error = QStringLiteral("TorchScript model %1 has no method %2() of Descry's model interface (see models/README.md)")
                         .arg(path, QLatin1String(method));
            return false;
        }
    }
    return true;
}

} // namespace

std::unique_ptr<TextPersonModel> TextPersonModel::load(const QString &path, QString *error)
{
    auto impl = std::make_unique<Impl>();
    impl->device = modelDevice();
    impl->path = QFileInfo(path).absoluteFilePath();
    if (path.endsWith(QLatin1String(".ts"), Qt::CaseInsensitive)) {
        QString digest;
        if (!QFileInfo(path).isFile() || !contentHash(path, &digest, error)) {
            *error = QStringLiteral("TorchScript model %1 is missing or unreadable").arg(QDir::toNativeSeparators(path));
            return nullptr;
        }
        if (!loadScript(*impl, path, error))
            return nullptr;
        impl->script->eval();
        impl->tokenizer = std::make_unique<WordPieceTokenizer>(impl->vocabulary);
        impl->id = QStringLiteral("%1@%2").arg(impl->config.name, digest.left(12));
        auto model = std::unique_ptr<TextPersonModel>(new TextPersonModel(std::move(impl)));
        if (!model->selfCheck(error)) {
            *error = QStringLiteral("TorchScript model %1 does not follow Descry's model interface: %2").arg(path, *error);
            return nullptr;
        }
        return model;
    }
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
        impl->model = NafsModel(impl->config.model, impl->vocabulary.size());
        NafsWeightsHash hash;
        hash.expected = impl->config.weightsSha256;
        if (!loadNafsWeights(impl->model, weightsPath, error, &hash))
            return nullptr;
        impl->weightsDigest = hash.digest;
        impl->weightsCheck = hash.vouchedBy.isEmpty()
            ? QStringLiteral("tensors SHA-256 %1, not checked (the weights file predates hash records)").arg(hash.digest.left(12))
            : QStringLiteral("tensors SHA-256 %1 matches the %2's record")
                  .arg(hash.digest.left(12), hash.vouchedBy == QLatin1String("file") ? QStringLiteral("weights file") : QStringLiteral("model config"));
        impl->model->to(impl->device);
        impl->model->eval();
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot build the model of %1: %2").arg(path, torchErrorMessage(e));
        return nullptr;
    } catch (const std::exception &e) {
        // e.g. a pretrained image trunk whose perception package is not installed
        *error = QStringLiteral("cannot build the model of %1: %2").arg(path, QString::fromUtf8(e.what()));
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
    // descry-nafs-p's image trunk starts from the perception package's NanoDet (its weights file
    // holds the change only); without the package the from-scratch descry-nafs-s is the default.
    const bool package = QFileInfo::exists(PerceptionPackage::folder() + QStringLiteral("/nanodet.json"));
    const QStringList files = package ? QStringList { QStringLiteral("descry-nafs-p.json"), QStringLiteral("descry-nafs-s.json") }
                                      : QStringList { QStringLiteral("descry-nafs-s.json") };
    QStringList folders;
    if (QCoreApplication::instance()) {
        const QDir app(QCoreApplication::applicationDirPath());
        folders << app.filePath(QStringLiteral("../share/descry/models")) << app.filePath(QStringLiteral("../../models"));
    }
#ifdef DESCRY_MODELS_DIR
    folders << QStringLiteral(DESCRY_MODELS_DIR);
#endif
    for (const QString &file : files)
        for (const QString &folder : folders) {
            const QString candidate = QDir(folder).filePath(file);
            if (QFileInfo::exists(candidate))
                return QDir::cleanPath(candidate);
        }
    return {};
}

QString TextPersonModel::weightsCheck() const
{
    return d->weightsCheck;
}

QString TextPersonModel::weightsDigest() const
{
    return d->weightsDigest;
}

QString TextPersonModel::id() const
{
    return d->id;
}

QString TextPersonModel::path() const
{
    return d->path;
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
        const torch::Tensor items = d->encodeImages(images).to(torch::kCPU).contiguous();
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
            const TextFeatures f = d->encodeTexts(tokens.to(d->device));
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
            const WordPieceSequence sequence = d->tokenizer->sequence(q.text, d->config.model.maxTokens);
            q.words = WordPieceTokenizer::basicTokenize(q.text);
            for (int64_t j = 0; j < length; ++j) {
                if (!features.valid[i][j].item<bool>())
                    continue;
                q.wordOf.push_back(sequence.wordIndex[size_t(j)]);
                q.spanOf.push_back(sequence.span[size_t(j)]);
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
    const AlignmentScores s = d->align(image.to(d->device), imageValid.to(d->device), text, maps != nullptr);
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
            if (s.imageItemRelevance.defined() && s.textItemRelevance.defined()) {
                const torch::Tensor ri = s.imageItemRelevance[i][0].to(torch::kCPU).contiguous();
                const torch::Tensor rt = s.textItemRelevance[i][0].to(torch::kCPU).contiguous();
                m.imageItemRelevance.assign(ri.data_ptr<float>(), ri.data_ptr<float>() + ni);
                m.textItemRelevance.assign(rt.data_ptr<float>(), rt.data_ptr<float>() + nt);
            }
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

namespace descry {

bool TextPersonModel::selfCheck(QString *error)
{
    try {
        const std::vector<VisualEmbedding> crops = encodeCrops({cv::Mat(64, 32, CV_8UC3, cv::Scalar(128, 128, 128))});
        if (crops.size() != 1 || crops[0].items != imageItems() || crops[0].dim != embeddingSize()) {
            *error = QStringLiteral("encode_images returned %1 items of %2 floats, the config declares %3 of %4")
                         .arg(crops.empty() ? 0 : crops[0].items)
                         .arg(crops.empty() ? 0 : crops[0].dim)
                         .arg(imageItems())
                         .arg(embeddingSize());
            return false;
        }
        const QueryEmbedding query = encodeQuery(QStringLiteral("a person in a red coat, black trousers."));
        if (query.dim != embeddingSize() || query.items < 1) {
            *error = QStringLiteral("encode_texts returned features of %1 floats, the config declares %2").arg(query.dim).arg(embeddingSize());
            return false;
        }
        const std::vector<float> local = localSimilarity(query, {&crops[0]});
        if (local.size() != 1 || !std::isfinite(local[0])) {
            *error = QStringLiteral("align did not return one finite similarity for one pair");
            return false;
        }
    } catch (const c10::Error &e) {
        *error = torchErrorMessage(e);
        return false;
    }
    return true;
}

} // namespace descry
