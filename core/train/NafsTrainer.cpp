#include "NafsTrainer.h"

#include "BodyZones.h"
#include "ContentHash.h"
#include "NafsConfig.h"
#include "NafsLosses.h"
#include "NafsModel.h"
#include "NafsWeights.h"
#include "PedesDataset.h"
#include "PedesTensors.h"
#include "Rng.h"
#include "TorchDevice.h"
#include "WordPieceTokenizer.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <QSysInfo>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace descry {

namespace {

const QString kWordList = QStringLiteral("/usr/share/dict/american-english");

bool writeJson(const QString &path, const QJsonObject &json, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(json).toJson()) < 0 || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// A 64-bit value mixed from the run seed and a counter, so each step and epoch draws from its
// own stream and a resumed run repeats them exactly.
uint64_t streamSeed(uint64_t seed, uint64_t stream, uint64_t index)
{
    Rng rng(seed ^ (stream * 0x9E3779B97F4A7C15ull));
    for (int i = 0; i < 3; ++i)
        rng.next();
    return rng.next() ^ (index * 0xD1B54A32D192ED03ull);
}

std::vector<int64_t> epochOrder(int64_t pairs, uint64_t seed, int epoch)
{
    std::vector<int64_t> order(static_cast<size_t>(pairs));
    std::iota(order.begin(), order.end(), 0);
    Rng rng(streamSeed(seed, 1, uint64_t(epoch)));
    for (int64_t i = pairs - 1; i > 0; --i)
        std::swap(order[size_t(i)], order[size_t(rng.uniformInt(0, int(i)))]);
    return order;
}

// Random horizontal flip and a shift of up to `shift` pixels (edge pixels repeated), per image.
torch::Tensor augment(const torch::Tensor &images, uint64_t seed, bool flip, int shift)
{
    Rng rng(seed);
    const int64_t h = images.size(2), w = images.size(3);
    const torch::Tensor padded = torch::nn::functional::pad(
        images, torch::nn::functional::PadFuncOptions({shift, shift, shift, shift}).mode(torch::kReplicate));
    std::vector<torch::Tensor> out;
    for (int64_t i = 0; i < images.size(0); ++i) {
        torch::Tensor image = padded[i].narrow(1, rng.uniformInt(0, 2 * shift), h).narrow(2, rng.uniformInt(0, 2 * shift), w);
        if (flip && rng.chance(0.5))
            image = image.flip({2});
        out.push_back(image);
    }
    return torch::stack(out);
}

struct Losses {
    torch::Tensor total, cmpm, cmpc, csal, grounding;
};

// The trained model a fine-tune starts from (TrainRequest::initModelPath).
struct InitModel {
    QString configPath, weightsPath, vocabularyPath; // absolute
    QString id; // "<name>@<sha12>", as TextPersonModel::id names it
    NafsConfig config;
    bool isSet() const { return !configPath.isEmpty(); }
};

QString sibling(const QString &configPath, const QString &suffix)
{
    const QFileInfo info(configPath);
    return info.dir().filePath(info.completeBaseName() + suffix);
}

bool loadInitModel(const QString &path, InitModel *init, QString *error)
{
    if (path.endsWith(QLatin1String(".ts"), Qt::CaseInsensitive)) {
        *error = QStringLiteral("--init %1: a TorchScript model cannot be fine-tuned; give a Descry model config "
                                "(<name>.json with <name>.pt and <name>.vocab beside it)")
                     .arg(path);
        return false;
    }
    QString why;
    if (!NafsConfig::load(path, &init->config, &why)) {
        *error = QStringLiteral("--init: %1").arg(why);
        return false;
    }
    init->configPath = QFileInfo(path).absoluteFilePath();
    init->weightsPath = sibling(init->configPath, QStringLiteral(".pt"));
    init->vocabularyPath = sibling(init->configPath, QStringLiteral(".vocab"));
    for (const QString &file : {init->weightsPath, init->vocabularyPath}) {
        if (!QFileInfo(file).isFile()) {
            *error = QStringLiteral("--init %1: %2 is missing; a model to fine-tune is a trained model's config "
                                    "with its .pt and .vocab beside it")
                         .arg(path, QDir::toNativeSeparators(file));
            return false;
        }
    }
    QString digest;
    if (!contentHash(init->weightsPath, &digest, &why)) {
        *error = QStringLiteral("--init: %1").arg(why);
        return false;
    }
    init->id = QStringLiteral("%1@%2").arg(init->config.name, digest.left(12));
    return true;
}

QString jsonText(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return value.toVariant().toString();
}

// "widths [8,8,8,8] vs [4,8,8,8], embedding 16 vs 8": where two architectures differ.
QString architectureDifferences(const NafsConfig &a, const NafsConfig &b)
{
    const QJsonObject ja = a.toJson().value(QStringLiteral("model")).toObject();
    const QJsonObject jb = b.toJson().value(QStringLiteral("model")).toObject();
    QStringList differences;
    for (auto it = ja.begin(); it != ja.end(); ++it)
        if (it.value() != jb.value(it.key()))
            differences << QStringLiteral("%1 %2 vs %3").arg(it.key(), jsonText(it.value()), jsonText(jb.value(it.key())));
    return differences.join(QStringLiteral(", "));
}

// The config a run trains with: the given one, or the init model's with the fine-tune schedule;
// then the request's overrides.
bool resolveConfig(const TrainRequest &request, const InitModel &init, NafsConfig *config, QString *error)
{
    if (!request.configPath.isEmpty()) {
        if (!NafsConfig::load(request.configPath, config, error))
            return false;
        if (init.isSet() && !(config->model == init.config.model)) {
            *error = QStringLiteral("the config %1 describes another architecture than the model to fine-tune %2 (%3); "
                                    "a fine-tune keeps the init model's architecture: leave out --config to train with "
                                    "the init model's config, or make the \"model\" sections equal")
                         .arg(request.configPath, init.configPath, architectureDifferences(*config, init.config));
            return false;
        }
    } else if (init.isSet()) {
        *config = init.config;
        config->training.epochs = FineTuneDefaults::epochs;
        config->training.learningRate = init.config.training.learningRate * FineTuneDefaults::learningRateFactor;
        config->training.warmupEpochs = FineTuneDefaults::warmupEpochs;
        config->training.data.clear(); // the init model's training data is not the fine-tune's
    } else {
        *error = QStringLiteral("give a model config (--config FILE) or a trained model to fine-tune (--init MODEL.json)");
        return false;
    }
    if (!request.name.isEmpty())
        config->name = request.name;
    else if (init.isSet())
        config->name = init.config.name + QStringLiteral("-ft");
    if (config->name.contains(QLatin1Char('/')) || config->name.contains(QLatin1Char('\\'))) {
        *error = QStringLiteral("the model name \"%1\" names files: it must not contain / or \\").arg(config->name);
        return false;
    }
    NafsTraining &t = config->training;
    if (request.epochs > 0)
        t.epochs = request.epochs;
    if (request.learningRate > 0)
        t.learningRate = request.learningRate;
    if (request.warmupEpochs >= 0)
        t.warmupEpochs = request.warmupEpochs;
    if (request.batchSize > 0)
        t.batchSize = request.batchSize;
    const QString why = t.validate();
    if (!why.isEmpty()) {
        *error = why;
        return false;
    }
    return true;
}

class Run {
public:
    Run(const TrainRequest &request, const NafsConfig &config, const InitModel &init)
        : m_request(request)
        , m_config(config)
        , m_init(init)
        , m_device(modelDevice())
    { }

    bool execute(TrainResult *result, QString *error);

private:
    bool preparePaths(QString *error);
    bool prepareVocabulary(const PedesDataset &dataset, QString *error);
    bool prepareData(QString *error);
    void noteWordsOutsideVocabulary(const PedesDataset &dataset);
    bool buildModel(QString *error);
    bool keepsNormStatistics() const { return m_init.isSet() && m_request.keepNormStatistics; }
    void enterTraining();
    bool saveCheckpoint(int64_t step, double trainingSeconds, QString *error);
    bool loadCheckpoint(int64_t *step, QString *error);
    Losses objective(const std::vector<int64_t> &pairs, int64_t step);
    double learningRateFactor(int64_t step) const;
    double validate();
    bool exportModel(TrainResult *result, QString *error);
    void report(TrainProgress progress) const
    {
        if (m_request.progress)
            m_request.progress(progress);
    }

    TrainRequest m_request;
    NafsConfig m_config;
    InitModel m_init;
    c10::Device m_device;
    QString m_outputDir, m_workDir;
    WordPieceVocabulary m_vocabulary;
    std::unique_ptr<WordPieceTokenizer> m_tokenizer;
    PedesTensors m_train, m_val;
    bool m_hasVal = false;
    NafsModel m_model{nullptr};
    torch::Tensor m_classifier;
    torch::Tensor m_zoneMask; // (kBodyZoneCount, image items), see BodyZones.h
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    std::vector<double> m_groupScales; // learning rate factor of each optimizer group
    int64_t m_stepsPerEpoch = 0, m_totalSteps = 0;
    double m_elapsedBefore = 0; // training seconds of earlier (resumed) runs
    QJsonArray m_epochLog;
    QStringList m_notes;
};

bool Run::preparePaths(QString *error)
{
    const QFileInfo configInfo(m_request.configPath.isEmpty() ? m_init.configPath : m_request.configPath);
    m_outputDir = m_request.outputDir.isEmpty() ? configInfo.absolutePath() : QFileInfo(m_request.outputDir).absoluteFilePath();
    if (m_init.isSet()
        && QDir::cleanPath(QDir(m_outputDir).filePath(m_config.name + QStringLiteral(".pt"))) == QDir::cleanPath(m_init.weightsPath)) {
        *error = QStringLiteral("the fine-tuned model would overwrite the model it starts from (%1); give it another "
                                "--name or --out")
                     .arg(m_init.weightsPath);
        return false;
    }
    m_workDir = m_request.workDir.isEmpty() ? QDir(m_outputDir).filePath(m_config.name + QStringLiteral(".train"))
                                            : QFileInfo(m_request.workDir).absoluteFilePath();
    if (!QDir().mkpath(m_outputDir) || !QDir().mkpath(m_workDir)) {
        *error = QStringLiteral("cannot create %1 or %2").arg(m_outputDir, m_workDir);
        return false;
    }
    return true;
}

bool Run::prepareVocabulary(const PedesDataset &dataset, QString *error)
{
    const QString path = QDir(m_workDir).filePath(QStringLiteral("vocabulary.txt"));
    if (m_init.isSet()) {
        // The init model's token embedding table is sized to its vocabulary: keep it.
        if (!m_vocabulary.load(m_init.vocabularyPath, error))
            return false;
    } else if (m_request.resume && QFileInfo::exists(path)) {
        if (!m_vocabulary.load(path, error))
            return false;
    } else {
        QStringList corpus;
        for (const PedesSample &s : dataset.samples(QStringLiteral("train")))
            corpus.append(s.captions);
        WordPieceBuildOptions options;
        if (QFileInfo::exists(kWordList))
            options.wordListPath = kWordList;
        if (!m_vocabulary.build(corpus, options, error) || !m_vocabulary.save(path, error))
            return false;
    }
    m_tokenizer = std::make_unique<WordPieceTokenizer>(m_vocabulary);
    if (m_init.isSet())
        noteWordsOutsideVocabulary(dataset);
    return true;
}

void Run::noteWordsOutsideVocabulary(const PedesDataset &dataset)
{
    QSet<QString> pieces, unknown;
    for (const PedesSample &s : dataset.samples(QStringLiteral("train"))) {
        for (const QString &caption : s.captions) {
            for (const QString &word : WordPieceTokenizer::basicTokenize(caption)) {
                const std::vector<int> ids = m_tokenizer->wordPieces(word);
                if (std::find(ids.begin(), ids.end(), int(WordPieceVocabulary::Unk)) != ids.end())
                    unknown.insert(word);
                else if (ids.size() > 1)
                    pieces.insert(word);
            }
        }
    }
    auto sorted = [](const QSet<QString> &set) {
        QStringList list(set.begin(), set.end());
        list.sort();
        return list.join(QStringLiteral(", "));
    };
    if (!pieces.isEmpty())
        m_notes << QStringLiteral("%1 caption words are not in the vocabulary of %2 and are read as word pieces the "
                                  "model learned for other words: %3")
                       .arg(pieces.size())
                       .arg(m_init.id, sorted(pieces));
    if (!unknown.isEmpty())
        m_notes << QStringLiteral("%1 caption words cannot be spelled with the vocabulary of %2 and are read as "
                                  "[UNK]: %3")
                       .arg(unknown.size())
                       .arg(m_init.id, sorted(unknown));
    for (const QString &note : std::as_const(m_notes)) {
        TrainProgress p;
        p.phase = QStringLiteral("note");
        p.note = note;
        report(p);
    }
}

bool Run::prepareData(QString *error)
{
    const QString dataDir = m_request.dataDir.isEmpty() ? m_config.training.data : m_request.dataDir;
    if (dataDir.isEmpty()) {
        *error = QStringLiteral("no training data: pass --data DIR (a dataset in the CUHK-PEDES layout, e.g. from "
                                "'descry-cli synth') or set training.data in %1")
                     .arg(m_request.configPath);
        return false;
    }
    PedesDataset dataset;
    if (!dataset.load(dataDir, error) || !prepareVocabulary(dataset, error))
        return false;
    auto loadProgress = [this](int done, int total) {
        TrainProgress p;
        p.phase = QStringLiteral("data");
        p.done = done;
        p.total = total;
        report(p);
    };
    if (!loadPedesTensors(dataset, QStringLiteral("train"), m_config.model, *m_tokenizer, &m_train, error, loadProgress))
        return false;
    m_hasVal = dataset.splits().contains(QStringLiteral("val"))
        && loadPedesTensors(dataset, QStringLiteral("val"), m_config.model, *m_tokenizer, &m_val, error);
    m_stepsPerEpoch = m_train.captionImage.size(0) / m_config.training.batchSize;
    if (m_stepsPerEpoch < 1) {
        *error = QStringLiteral("the training split has %1 captions, fewer than one batch of %2; give a smaller "
                                "--batch-size")
                     .arg(m_train.captionImage.size(0))
                     .arg(m_config.training.batchSize);
        return false;
    }
    m_totalSteps = m_stepsPerEpoch * m_config.training.epochs;
    return true;
}

bool Run::buildModel(QString *error)
{
    torch::manual_seed(streamSeed(m_config.training.seed, 0, 0));
    m_model = NafsModel(m_config.model, m_vocabulary.size());
    if (m_init.isSet() && !loadNafsWeights(m_model, m_init.weightsPath, error))
        return false;
    m_model->to(m_device);
    m_classifier = torch::empty({m_config.model.embedding, m_train.identityCount}, torch::kFloat32);
    torch::nn::init::xavier_uniform_(m_classifier);
    m_classifier = m_classifier.to(m_device).set_requires_grad(true);
    const std::vector<float> zoneMask = bodyZoneMask(m_config.model.regionStripes, m_config.model.patchStripes);
    m_zoneMask = torch::tensor(zoneMask, torch::kFloat32).view({kBodyZoneCount, -1}).to(m_device);
    const NafsTraining &t = m_config.training;
    std::vector<torch::Tensor> heads = m_model->headParameters();
    heads.push_back(m_classifier);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    auto group = [&](std::vector<torch::Tensor> parameters, double scale) {
        groups.emplace_back(std::move(parameters),
            std::make_unique<torch::optim::AdamOptions>(
                torch::optim::AdamOptions(t.learningRate * scale).weight_decay(t.weightDecay)));
        m_groupScales.push_back(scale);
    };
    m_groupScales.clear();
    group(m_model->encoderParameters(), t.encoderLearningRateScale);
    group(heads, 1.0);
    // A pretrained trunk learns slowly (its own factor) or not at all: frozen weights need no
    // gradient, so its backward pass is skipped.
    const std::vector<torch::Tensor> trunk = m_model->trunkParameters();
    for (torch::Tensor p : trunk)
        p.set_requires_grad(t.trunkLearningRateScale > 0);
    if (!trunk.empty() && t.trunkLearningRateScale > 0)
        group(trunk, t.trunkLearningRateScale);
    m_optimizer = std::make_unique<torch::optim::Adam>(std::move(groups), torch::optim::AdamOptions(t.learningRate));
    return true;
}

void Run::enterTraining()
{
    m_model->train();
    if (!keepsNormStatistics())
        return;
    for (const std::shared_ptr<torch::nn::Module> &module : m_model->modules(/*include_self=*/false))
        if (module->as<torch::nn::BatchNorm2dImpl>())
            module->eval();
}

double Run::learningRateFactor(int64_t step) const
{
    // Linear warm-up from 10 % over warmupEpochs, then cosine decay to 1 % at the end.
    const int64_t warmup = m_stepsPerEpoch * m_config.training.warmupEpochs;
    if (step < warmup)
        return 0.1 + 0.9 * double(step) / double(warmup);
    const double progress = double(step - warmup) / double(std::max<int64_t>(1, m_totalSteps - warmup));
    return 0.01 + 0.99 * 0.5 * (1 + std::cos(M_PI * progress));
}

Losses Run::objective(const std::vector<int64_t> &pairs, int64_t step)
{
    const NafsTraining &t = m_config.training;
    const torch::Tensor captionRows = torch::tensor(pairs, torch::kLong);
    const torch::Tensor imageRows = m_train.captionImage.index_select(0, captionRows);
    const torch::Tensor labels = m_train.labels.index_select(0, imageRows).to(m_device);
    torch::Tensor images = normalizeImages(m_train.images.index_select(0, imageRows));
    images = augment(images, streamSeed(t.seed, 2, uint64_t(step)), t.flip, 4).to(m_device);
    const TokenBatch tokens = m_train.captions.select(captionRows).trimmed().to(m_device);
    const torch::Tensor zones = m_train.captionZones.index_select(0, captionRows).narrow(1, 0, tokens.ids.size(1)).to(m_device);

    const ImageFeatures image = m_model->encodeImages(images);
    const TextFeatures text = m_model->encodeTexts(tokens.ids, tokens.attentionMask, tokens.span);
    const torch::Tensor imageValid = torch::ones({image.items.size(0), image.items.size(1)}, torch::TensorOptions(torch::kBool).device(m_device));
    Losses l;
    l.cmpm = cmpmLoss(image.global(), text.sentence(), labels);
    l.cmpc = cmpcLoss(image.global(), text.sentence(), labels, m_classifier);
    if (t.localWeight > 0) {
        const int64_t n = t.localBatch > 0 ? std::min<int64_t>(t.localBatch, labels.size(0)) : labels.size(0);
        TextFeatures head;
        head.items = text.items.narrow(0, 0, n);
        head.valid = text.valid.narrow(0, 0, n);
        const AlignmentScores local = m_model->align(image.items.narrow(0, 0, n), imageValid.narrow(0, 0, n), head);
        l.csal = csalLoss(local.imageToText, local.textToImage, labels.narrow(0, 0, n), t.csalScale);
    } else {
        l.csal = torch::zeros({}, image.items.options());
    }
    if (t.groundingWeight > 0) {
        const torch::Tensor attention = m_model->pairedTextAttention(image.items, imageValid, text);
        l.grounding = groundingLoss(attention, zones, m_zoneMask);
    } else {
        l.grounding = torch::zeros({}, image.items.options());
    }
    l.total = t.cmpmWeight * l.cmpm + t.cmpcWeight * l.cmpc + t.localWeight * l.csal + t.groundingWeight * l.grounding;
    return l;
}

double Run::validate()
{
    if (!m_hasVal)
        return -1;
    torch::NoGradGuard noGrad;
    m_model->eval();
    std::vector<torch::Tensor> imageGlobals, textGlobals;
    const int64_t n = m_val.images.size(0), m = m_val.captionImage.size(0);
    for (int64_t i = 0; i < n; i += 128) {
        const torch::Tensor batch = normalizeImages(m_val.images.narrow(0, i, std::min<int64_t>(128, n - i))).to(m_device);
        imageGlobals.push_back(m_model->encodeImages(batch).global());
    }
    for (int64_t i = 0; i < m; i += 256) {
        const TokenBatch tokens = m_val.captions.select(torch::arange(i, std::min<int64_t>(i + 256, m), torch::kLong)).to(m_device);
        textGlobals.push_back(m_model->encodeTexts(tokens.ids, tokens.attentionMask, tokens.span).sentence());
    }
    const torch::Tensor similarity = NafsModelImpl::globalCosine(torch::cat(imageGlobals), torch::cat(textGlobals)); // (n, m)
    const torch::Tensor best = similarity.argmax(0).cpu(); // best image per caption
    const torch::Tensor hit = m_val.labels.index_select(0, best).eq(m_val.labels.index_select(0, m_val.captionImage));
    enterTraining();
    return hit.to(torch::kDouble).mean().item<double>();
}

bool Run::saveCheckpoint(int64_t step, double trainingSeconds, QString *error)
{
    const QString dirName = QStringLiteral("checkpoint-%1").arg(step, 8, 10, QLatin1Char('0'));
    const QString dir = QDir(m_workDir).filePath(dirName);
    QDir(dir).removeRecursively();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    if (!saveNafsWeights(m_model, QDir(dir).filePath(QStringLiteral("model.pt")), error))
        return false;
    try {
        torch::save(m_classifier.detach().cpu(), QFile::encodeName(QDir(dir).filePath(QStringLiteral("classifier.pt"))).toStdString());
        torch::save(*m_optimizer, QFile::encodeName(QDir(dir).filePath(QStringLiteral("optimizer.pt"))).toStdString());
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot write checkpoint in %1: %2").arg(dir, torchErrorMessage(e));
        return false;
    }
    // The state file is written last and names the checkpoint folder: a crash before this
    // point leaves the previous checkpoint in charge.
    QJsonObject state;
    state[QStringLiteral("checkpoint")] = dirName;
    state[QStringLiteral("step")] = qint64(step);
    state[QStringLiteral("trainingSeconds")] = trainingSeconds;
    state[QStringLiteral("config")] = m_config.toJson();
    if (m_init.isSet()) {
        state[QStringLiteral("init")] = m_init.id;
        state[QStringLiteral("keepNormStatistics")] = keepsNormStatistics();
    }
    state[QStringLiteral("epochs")] = m_epochLog;
    const QString statePath = QDir(m_workDir).filePath(QStringLiteral("state.json"));
    const QString previous = readJson(statePath).value(QStringLiteral("checkpoint")).toString();
    if (!writeJson(statePath, state, error))
        return false;
    if (!previous.isEmpty() && previous != dirName)
        QDir(QDir(m_workDir).filePath(previous)).removeRecursively();
    return true;
}

bool Run::loadCheckpoint(int64_t *step, QString *error)
{
    *step = 0;
    const QJsonObject state = readJson(QDir(m_workDir).filePath(QStringLiteral("state.json")));
    if (!m_request.resume || state.isEmpty())
        return true;
    NafsConfig saved;
    if (!NafsConfig::fromJson(state.value(QStringLiteral("config")).toObject(), &saved, error) || !(saved.model == m_config.model)
        || !(saved.training == m_config.training)) {
        *error = QStringLiteral("the checkpoint in %1 was made with another config; train with --fresh to start over, "
                                "or restore the config it was made with")
                     .arg(m_workDir);
        return false;
    }
    // A fine-tune continues only from the weights it started with: the checkpoint names them.
    const QString savedInit = state.value(QStringLiteral("init")).toString();
    if (savedInit != m_init.id) {
        if (savedInit.isEmpty())
            *error = QStringLiteral("the checkpoint in %1 is of a run from random weights, not a fine-tune of %2; train "
                                    "with --fresh to start the fine-tune, or use another --work folder")
                         .arg(m_workDir, m_init.id);
        else
            *error = QStringLiteral("the checkpoint in %1 continues a fine-tune of %2%3; resume with --init of that "
                                    "model, or train with --fresh to start over")
                         .arg(m_workDir, savedInit,
                             m_init.isSet() ? QStringLiteral(", not of %1").arg(m_init.id) : QString());
        return false;
    }
    if (m_init.isSet() && state.value(QStringLiteral("keepNormStatistics")).toBool() != keepsNormStatistics()) {
        *error = QStringLiteral("the checkpoint in %1 was made %2 the BatchNorm statistics; resume %3 "
                                "--update-norm-statistics, or train with --fresh")
                     .arg(m_workDir, keepsNormStatistics() ? QStringLiteral("updating") : QStringLiteral("keeping"),
                         keepsNormStatistics() ? QStringLiteral("with") : QStringLiteral("without"));
        return false;
    }
    const QString dir = QDir(m_workDir).filePath(state.value(QStringLiteral("checkpoint")).toString());
    if (!loadNafsWeights(m_model, QDir(dir).filePath(QStringLiteral("model.pt")), error))
        return false;
    try {
        torch::Tensor classifier;
        torch::load(classifier, QFile::encodeName(QDir(dir).filePath(QStringLiteral("classifier.pt"))).toStdString());
        if (classifier.sizes() != m_classifier.sizes()) {
            *error = QStringLiteral("the checkpoint in %1 was made on other training data (identity count differs); "
                                    "train with --fresh")
                         .arg(m_workDir);
            return false;
        }
        torch::NoGradGuard noGrad;
        m_classifier.copy_(classifier);
        torch::load(*m_optimizer, QFile::encodeName(QDir(dir).filePath(QStringLiteral("optimizer.pt"))).toStdString());
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot read the checkpoint in %1 (%2); train with --fresh to start over").arg(dir, torchErrorMessage(e));
        return false;
    }
    *step = state.value(QStringLiteral("step")).toInteger();
    m_elapsedBefore = state.value(QStringLiteral("trainingSeconds")).toDouble();
    m_epochLog = state.value(QStringLiteral("epochs")).toArray();
    return true;
}

bool Run::exportModel(TrainResult *result, QString *error)
{
    TrainProgress p;
    p.phase = QStringLiteral("export");
    report(p);
    m_model->eval();
    const QDir out(m_outputDir);
    result->weightsPath = out.filePath(m_config.name + QStringLiteral(".pt"));
    result->vocabularyPath = out.filePath(m_config.name + QStringLiteral(".vocab"));
    result->configPath = out.filePath(m_config.name + QStringLiteral(".json"));
    if (!saveNafsWeights(m_model, result->weightsPath, error) || !m_vocabulary.save(result->vocabularyPath, error))
        return false;
    // The config beside the weights says how they were made: with the overrides and the init
    // model ("init" is ignored by NafsConfig::fromJson). A config trained in place as it is
    // stays untouched.
    QJsonObject config = m_config.toJson();
    if (m_init.isSet())
        config[QStringLiteral("init")] = QJsonObject{{QStringLiteral("id"), m_init.id}, {QStringLiteral("config"), m_init.configPath},
            {QStringLiteral("keepNormStatistics"), keepsNormStatistics()}};
    NafsConfig onDisk;
    QString ignored;
    const bool inPlace = QFileInfo(result->configPath).absoluteFilePath() == QFileInfo(m_request.configPath).absoluteFilePath();
    if (!(inPlace && NafsConfig::load(result->configPath, &onDisk, &ignored) && onDisk.toJson() == config)
        && !writeJson(result->configPath, config, error))
        return false;
    result->initModelId = m_init.id;
    result->notes = m_notes;
    QJsonObject summary;
    summary[QStringLiteral("name")] = m_config.name;
    if (m_init.isSet()) {
        summary[QStringLiteral("init")] = m_init.id;
        summary[QStringLiteral("keepNormStatistics")] = keepsNormStatistics();
    }
    if (!m_notes.isEmpty())
        summary[QStringLiteral("notes")] = QJsonArray::fromStringList(m_notes);
    summary[QStringLiteral("finished")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    summary[QStringLiteral("steps")] = qint64(m_totalSteps);
    summary[QStringLiteral("trainingSeconds")] = result->trainingSeconds;
    summary[QStringLiteral("device")] = modelDeviceName();
    summary[QStringLiteral("cpu")] = QSysInfo::currentCpuArchitecture();
    summary[QStringLiteral("trainImages")] = qint64(m_train.images.size(0));
    summary[QStringLiteral("trainCaptions")] = qint64(m_train.captionImage.size(0));
    summary[QStringLiteral("trainIdentities")] = m_train.identityCount;
    summary[QStringLiteral("vocabularySize")] = m_vocabulary.size();
    summary[QStringLiteral("parameters")] = qint64([this] {
        int64_t n = 0;
        for (const auto &parameter : m_model->parameters())
            n += parameter.numel();
        return n;
    }());
    summary[QStringLiteral("epochs")] = m_epochLog;
    return writeJson(out.filePath(m_config.name + QStringLiteral(".train.json")), summary, error);
}

bool Run::execute(TrainResult *result, QString *error)
{
    if (!preparePaths(error) || !prepareData(error) || !buildModel(error))
        return false;
    setComputeThreads(m_config.training.threads);
    int64_t step = 0;
    if (!loadCheckpoint(&step, error))
        return false;
    enterTraining();
    const NafsTraining &t = m_config.training;
    QElapsedTimer runTimer, checkpointTimer;
    runTimer.start();
    checkpointTimer.start();
    const int64_t firstStep = step;
    double runningLoss = 0, runningCmpm = 0, runningCmpc = 0, runningCsal = 0, runningGrounding = 0;
    int epochInOrder = -1;
    std::vector<int64_t> order;
    while (step < m_totalSteps) {
        const int epoch = int(step / m_stepsPerEpoch);
        if (epoch != epochInOrder) {
            order = epochOrder(m_train.captionImage.size(0), t.seed, epoch);
            epochInOrder = epoch;
        }
        const int64_t offset = (step % m_stepsPerEpoch) * t.batchSize;
        const std::vector<int64_t> pairs(order.begin() + offset, order.begin() + offset + t.batchSize);
        // Dropout and split & shuffle draw from the global generator: seed it per step.
        torch::manual_seed(streamSeed(t.seed, 3, uint64_t(step)));
        const double factor = learningRateFactor(step);
        for (size_t g = 0; g < m_optimizer->param_groups().size(); ++g) {
            auto &options = static_cast<torch::optim::AdamOptions &>(m_optimizer->param_groups()[g].options());
            options.lr(t.learningRate * factor * m_groupScales[g]);
        }
        m_optimizer->zero_grad();
        const Losses l = objective(pairs, step);
        l.total.backward();
        torch::nn::utils::clip_grad_norm_(m_model->parameters(), 5.0);
        m_optimizer->step();
        ++step;

        const double w = step - firstStep == 1 ? 1.0 : 0.02;
        runningLoss += w * (l.total.item<double>() - runningLoss);
        runningCmpm += w * (l.cmpm.item<double>() - runningCmpm);
        runningCmpc += w * (l.cmpc.item<double>() - runningCmpc);
        runningCsal += w * (l.csal.item<double>() - runningCsal);
        runningGrounding += w * (l.grounding.item<double>() - runningGrounding);

        const bool epochEnd = step % m_stepsPerEpoch == 0;
        const double runSeconds = runTimer.elapsed() / 1000.0;
        TrainProgress p;
        p.phase = QStringLiteral("train");
        p.epoch = int((step - 1) / m_stepsPerEpoch) + 1;
        p.epochs = t.epochs;
        p.step = step;
        p.steps = m_totalSteps;
        p.loss = runningLoss;
        p.cmpm = runningCmpm;
        p.cmpc = runningCmpc;
        p.csal = runningCsal;
        p.grounding = runningGrounding;
        p.elapsedSeconds = m_elapsedBefore + runSeconds;
        p.imagesPerSecond = double(step - firstStep) * t.batchSize / std::max(1e-3, runSeconds);
        p.remainingSeconds = runSeconds / double(step - firstStep) * double(m_totalSteps - step);
        if (epochEnd) {
            p.phase = QStringLiteral("validate");
            report(p);
            p.validationR1 = validate();
            QJsonObject entry;
            entry[QStringLiteral("epoch")] = p.epoch;
            entry[QStringLiteral("loss")] = runningLoss;
            entry[QStringLiteral("cmpm")] = runningCmpm;
            entry[QStringLiteral("cmpc")] = runningCmpc;
            entry[QStringLiteral("csal")] = runningCsal;
            if (t.groundingWeight > 0)
                entry[QStringLiteral("grounding")] = runningGrounding;
            entry[QStringLiteral("validationR1")] = p.validationR1;
            entry[QStringLiteral("seconds")] = p.elapsedSeconds;
            m_epochLog.append(entry);
            p.phase = QStringLiteral("train");
        }
        if (epochEnd || step % 10 == 0 || step == m_totalSteps)
            report(p);
        const bool stopNow = (m_request.stopAfterSteps > 0 && step - firstStep >= m_request.stopAfterSteps)
            || (m_request.cancelled && m_request.cancelled());
        if (epochEnd || stopNow || checkpointTimer.elapsed() > qint64(t.checkpointMinutes) * 60000) {
            if (!saveCheckpoint(step, m_elapsedBefore + runTimer.elapsed() / 1000.0, error))
                return false;
            checkpointTimer.restart();
            if (stopNow && step < m_totalSteps) {
                result->finished = false;
                result->initModelId = m_init.id;
                result->notes = m_notes;
                result->steps = step;
                result->trainingSeconds = m_elapsedBefore + runTimer.elapsed() / 1000.0;
                return true;
            }
        }
    }
    result->finished = true;
    result->steps = step;
    result->trainingSeconds = m_elapsedBefore + runTimer.elapsed() / 1000.0;
    return exportModel(result, error);
}

void keepFreedMemory()
{
#ifdef __GLIBC__
    // Every step allocates and frees the same large activations. glibc would hand them back to
    // the kernel and fault them in again each time: measured on 2 cores, half the step time went
    // to the kernel (sys 53 s of 62 s). Keeping freed memory in the heap removes that.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    mallopt(M_TOP_PAD, 256 * 1024 * 1024);
#endif
}

} // namespace

bool NafsTrainer::train(const TrainRequest &request, TrainResult *result, QString *error)
{
    keepFreedMemory();
    InitModel init;
    if (!request.initModelPath.isEmpty() && !loadInitModel(request.initModelPath, &init, error))
        return false;
    NafsConfig config;
    if (!resolveConfig(request, init, &config, error))
        return false;
    try {
        Run run(request, config, init);
        return run.execute(result, error);
    } catch (const c10::Error &e) {
        *error = QStringLiteral("training failed: %1").arg(torchErrorMessage(e));
        return false;
    } catch (const std::exception &e) {
        // e.g. a pretrained image trunk whose perception package is not installed
        *error = QStringLiteral("training failed: %1").arg(QString::fromUtf8(e.what()));
        return false;
    }
}

} // namespace descry
