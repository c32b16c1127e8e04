#include "NafsWeights.h"

#include "TorchDevice.h"
#include "WordPieceVocabulary.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <torch/torch.h>

#include <map>

namespace descry {

namespace {

const char *const kFormatKey = "descry_format";
// Present (= 1) when the pretrained trunk's parameters are stored as their change from the
// perception package's values, which loading adds back.
const char *const kTrunkDeltaKey = "descry_trunk_delta";
// The SHA-256 of the stored tensors (32 bytes as a uint8 tensor), written after them.
const char *const kTensorsHashKey = "descry_tensors_sha256";

// SHA-256 over tensors as stored: each one's key, type, shape and bytes, in the order added.
class TensorDigest {
public:
    void add(const std::string &key, const torch::Tensor &stored)
    {
        const torch::Tensor t = stored.cpu().contiguous();
        m_hash.addData(QByteArray::fromStdString(key));
        m_hash.addData(QByteArrayView("\0", 1));
        m_hash.addData(QByteArray(c10::toString(t.scalar_type())));
        for (int64_t d : t.sizes())
            m_hash.addData(QByteArray::number(qlonglong(d)) + ',');
        m_hash.addData(QByteArrayView(static_cast<const char *>(t.data_ptr()), qsizetype(t.nbytes())));
    }
    QByteArray bytes() const { return m_hash.result(); }

private:
    QCryptographicHash m_hash { QCryptographicHash::Sha256 };
};

// The package value of each pretrained-trunk parameter, by the parameter's storage.
std::map<const void *, torch::Tensor> trunkPackageValues(NafsModel &model)
{
    std::map<const void *, torch::Tensor> values;
    const std::vector<torch::Tensor> parameters = model->trunkParameters();
    const std::vector<torch::Tensor> package = model->trunkPackageValues();
    for (size_t i = 0; i < parameters.size() && i < package.size(); ++i)
        values.emplace(parameters[i].unsafeGetTensorImpl(), package[i]);
    return values;
}

QString shapeText(const torch::Tensor &t)
{
    QStringList dims;
    for (int64_t d : t.sizes())
        dims.append(QString::number(d));
    return QStringLiteral("[%1]").arg(dims.join(QLatin1Char('x')));
}

} // namespace

std::string nafsArchiveKey(const std::string &name)
{
    std::string key;
    for (char c : name)
        key += c == '.' ? std::string("__") : std::string(1, c);
    return key;
}

bool saveNafsWeights(NafsModel &model, const QString &path, QString *error)
{
    const QString temporary = path + QStringLiteral(".part");
    try {
        torch::serialize::OutputArchive archive;
        TensorDigest digest;
        const std::map<const void *, torch::Tensor> package = trunkPackageValues(model);
        for (const auto &p : model->named_parameters()) {
            torch::Tensor value = p.value().detach().cpu();
            if (const auto it = package.find(p.value().unsafeGetTensorImpl()); it != package.end())
                value = value - it->second.cpu();
            archive.write(nafsArchiveKey(p.key()), value);
            digest.add(nafsArchiveKey(p.key()), value);
        }
        if (!package.empty())
            archive.write(kTrunkDeltaKey, torch::tensor({ int64_t(1) }));
        for (const auto &b : model->named_buffers()) {
            const torch::Tensor value = b.value().detach().cpu();
            archive.write(nafsArchiveKey(b.key()), value, /*is_buffer=*/true);
            digest.add(nafsArchiveKey(b.key()), value);
        }
        const torch::Tensor format
            = torch::tensor({ int64_t(NafsConfig::formatVersion), int64_t(model->vocabularySize()) });
        archive.write(kFormatKey, format);
        digest.add(kFormatKey, format);
        const QByteArray hash = digest.bytes();
        archive.write(kTensorsHashKey,
            torch::from_blob(const_cast<char *>(hash.data()), { hash.size() }, torch::kUInt8).clone());
        archive.save_to(QFile::encodeName(temporary).toStdString());
    } catch (const c10::Error &e) {
        *error = QStringLiteral("cannot write weights %1: %2").arg(path, torchErrorMessage(e));
        QFile::remove(temporary);
        return false;
    }
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        *error = QStringLiteral("cannot move %1 into place as %2").arg(temporary, path);
        return false;
    }
    return true;
}

bool loadNafsWeights(NafsModel &model, const QString &path, QString *error, NafsWeightsHash *hash)
{
    if (!QFileInfo(path).isFile()) {
        *error = QStringLiteral(
            "model weights %1 are missing; run 'descry-cli train' or reinstall the models folder")
                     .arg(QDir::toNativeSeparators(path));
        return false;
    }
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(QFile::encodeName(path).toStdString());
    } catch (const c10::Error &e) {
        *error = QStringLiteral(
            "model weights %1 cannot be read (damaged, truncated or not a Descry weights file): %2")
                     .arg(path, torchErrorMessage(e));
        return false;
    }
    torch::Tensor format;
    if (!archive.try_read(kFormatKey, format) || format.numel() != 2) {
        *error = QStringLiteral("%1 is not a Descry NAFS weights file (no format record)").arg(path);
        return false;
    }
    const int64_t version = format[0].item<int64_t>();
    const int64_t vocabulary = format[1].item<int64_t>();
    if (version != NafsConfig::formatVersion) {
        *error = QStringLiteral(
            "%1 holds model format version %2; this build reads version %3 — retrain the model "
            "or use the Descry version that made it")
                     .arg(path)
                     .arg(version)
                     .arg(NafsConfig::formatVersion);
        return false;
    }
    if (vocabulary != model->vocabularySize()) {
        *error
            = QStringLiteral("%1 was trained with a vocabulary of %2 tokens but the vocabulary file has %3; "
                             "weights and vocabulary must come from the same training run")
                  .arg(path)
                  .arg(vocabulary)
                  .arg(model->vocabularySize());
        return false;
    }
    // A trunk stored as its change from the package is that change plus the package's values
    // (a file written before deltas holds the trunk's own values).
    torch::Tensor deltaFlag;
    const bool trunkDelta = archive.try_read(kTrunkDeltaKey, deltaFlag) && deltaFlag.numel() == 1
        && deltaFlag.item<int64_t>() == 1;
    const std::map<const void *, torch::Tensor> package
        = trunkDelta ? trunkPackageValues(model) : std::map<const void *, torch::Tensor> {};
    // Read and check everything before touching the model, so a bad file changes nothing.
    std::vector<std::pair<torch::Tensor, torch::Tensor>> assignments;
    TensorDigest digest;
    auto collect = [&](const std::string &name, const torch::Tensor &target, bool isBuffer) {
        torch::Tensor stored;
        if (!archive.try_read(nafsArchiveKey(name), stored, isBuffer)) {
            *error = QStringLiteral(
                "%1 lacks the tensor '%2': it was made for another architecture than its config "
                "describes")
                         .arg(path, QString::fromStdString(name));
            return false;
        }
        if (stored.sizes() != target.sizes()) {
            *error = QStringLiteral(
                "%1: tensor '%2' has shape %3 but the model config needs %4; weights and config "
                "must come from the same training run")
                         .arg(path, QString::fromStdString(name), shapeText(stored), shapeText(target));
            return false;
        }
        digest.add(nafsArchiveKey(name), stored);
        if (const auto it = package.find(target.unsafeGetTensorImpl()); it != package.end())
            stored = stored + it->second.to(stored.device());
        assignments.emplace_back(target, stored);
        return true;
    };
    try {
        for (const auto &p : model->named_parameters())
            if (!collect(p.key(), p.value(), false))
                return false;
        for (const auto &b : model->named_buffers())
            if (!collect(b.key(), b.value(), true))
                return false;
        digest.add(kFormatKey, format);
    } catch (const c10::Error &e) {
        *error = QStringLiteral("model weights %1 are damaged: %2").arg(path, torchErrorMessage(e));
        return false;
    }
    // The bytes of a tensor can be damaged without LibTorch noticing: they must be the ones the
    // file (or, for a file written before the record, its config) says were written.
    const QString computed = QString::fromLatin1(digest.bytes().toHex());
    torch::Tensor recorded;
    QString vouchedBy;
    QString expected = hash ? hash->expected : QString();
    if (archive.try_read(kTensorsHashKey, recorded) && recorded.numel() == 32 && recorded.scalar_type() == torch::kUInt8) {
        const torch::Tensor bytes = recorded.contiguous();
        expected = QString::fromLatin1(
            QByteArray(static_cast<const char *>(bytes.data_ptr()), qsizetype(bytes.nbytes())).toHex());
        vouchedBy = QStringLiteral("file");
    } else if (!expected.isEmpty()) {
        vouchedBy = QStringLiteral("config");
    }
    if (!vouchedBy.isEmpty() && computed != expected) {
        *error = QStringLiteral("model weights %1 are damaged: their tensors do not match the hash %2 recorded "
                                "(SHA-256 %3 read, %4 written); restore the models folder or retrain")
                     .arg(path, vouchedBy == QLatin1String("file") ? QStringLiteral("the file") : QStringLiteral("the model config"),
                         computed.left(16), expected.left(16));
        return false;
    }
    if (hash) {
        hash->digest = computed;
        hash->vouchedBy = vouchedBy;
    }
    torch::NoGradGuard noGrad;
    for (auto &[target, stored] : assignments)
        target.copy_(stored);
    return true;
}

bool writeUntrainedNafsModel(const QString &dir, const NafsConfig &config,
    const WordPieceVocabulary &vocabulary, QString *configPath, QString *error)
{
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    const QString base = QDir(dir).filePath(config.name);
    torch::manual_seed(config.training.seed);
    NafsModel model(config.model, vocabulary.size());
    model->eval();
    if (!config.save(base + QStringLiteral(".json"), error)
        || !vocabulary.save(base + QStringLiteral(".vocab"), error)
        || !saveNafsWeights(model, base + QStringLiteral(".pt"), error))
        return false;
    if (configPath)
        *configPath = base + QStringLiteral(".json");
    return true;
}

bool loadNafsFilesBeside(const QString &configPath, const NafsConfig &config, WordPieceVocabulary *vocabulary,
    NafsModel *model, QString *error)
{
    const QFileInfo info(configPath);
    const QString base = info.dir().filePath(info.completeBaseName());
    if (!vocabulary->load(base + QStringLiteral(".vocab"), error))
        return false;
    NafsModel loaded(config.model, vocabulary->size());
    if (!loadNafsWeights(loaded, base + QStringLiteral(".pt"), error))
        return false;
    loaded->eval();
    *model = loaded;
    return true;
}

bool copyNafsModel(const QString &configPath, const QString &outConfigPath, QString *error)
{
    if (!outConfigPath.endsWith(QLatin1String(".json"))) {
        *error = QStringLiteral("the copy's config must be a .json file (got %1)").arg(outConfigPath);
        return false;
    }
    const QFileInfo from(configPath), to(outConfigPath);
    if (from.absoluteFilePath() == to.absoluteFilePath()) {
        *error = QStringLiteral("the copy would overwrite %1: give another name or folder").arg(configPath);
        return false;
    }
    NafsConfig config;
    if (!NafsConfig::load(configPath, &config, error))
        return false;
    try {
        WordPieceVocabulary vocabulary;
        NafsModel model { nullptr };
        if (!loadNafsFilesBeside(configPath, config, &vocabulary, &model, error))
            return false;
        config.name = to.completeBaseName();
        const QString outBase = to.dir().filePath(config.name);
        if (!QDir().mkpath(to.absolutePath())) {
            *error = QStringLiteral("cannot create %1").arg(to.absolutePath());
            return false;
        }
        return saveNafsWeights(model, outBase + QStringLiteral(".pt"), error)
            && vocabulary.save(outBase + QStringLiteral(".vocab"), error) && config.save(outConfigPath, error);
    } catch (const std::exception &e) {
        // e.g. a pretrained trunk whose perception package is not installed
        *error = QStringLiteral("cannot copy %1: %2").arg(configPath, QString::fromUtf8(e.what()));
        return false;
    }
}

} // namespace descry
