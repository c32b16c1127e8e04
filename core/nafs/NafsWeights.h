#pragma once

#include "NafsModel.h"

#include <QString>

#include <string>

namespace descry {

// The weights file of a NAFS model (`<name>.pt`): a LibTorch archive holding every parameter
// and buffer of NafsModel by name, plus "descry_format" = [NafsConfig::formatVersion,
// vocabulary size]. Saving is atomic (a temporary file renamed into place). A pretrained
// trunk's parameters are stored as their change from the perception package's values
// ("descry_trunk_delta" = 1), so a weights file holds no third-party weights; loading adds the
// installed package's values back (files without the record hold the values themselves).
// The archive key of a parameter or buffer: its dotted name with '.' as "__"
// ("backbone.stage1.blocks.0.conv1.weight" -> "backbone__stage1__blocks__0__conv1__weight"):
// LibTorch's nested module archives cannot be read by dotted name, and the TorchScript export
// names its attributes the same way.
std::string nafsArchiveKey(const std::string &name);

// The file also carries "descry_tensors_sha256": the SHA-256 of every tensor it stores (key, type,
// shape and bytes, in the model's order), so damage inside a tensor — which LibTorch's reader
// does not notice — is caught at load.
bool saveNafsWeights(NafsModel &model, const QString &path, QString *error);

// How a weights file's tensors were vouched for when it was loaded.
struct NafsWeightsHash {
    QString expected; // in: the digest a model config names (files written before the record)
    QString digest; // out: the SHA-256 of the tensors as read (hex)
    QString vouchedBy; // out: "file" (its own record), "config", or empty (nobody vouches)
};

// Loads weights into a model built from the architecture they were trained with. Every failure
// is a clear error and leaves `model` unchanged: missing or unreadable file, a damaged or
// truncated archive, tensors that do not match the file's hash record (or `hash->expected` for
// a file without one), another format version or vocabulary, a missing tensor, or a tensor whose
// shape does not fit the model (LibTorch itself would silently resize it).
bool loadNafsWeights(NafsModel &model, const QString &path, QString *error, NafsWeightsHash *hash = nullptr);

class WordPieceVocabulary;

// Writes a complete model folder entry — `<dir>/<config.name>.json`, `.vocab` and `.pt` — with
// freshly initialised weights (seeded by config.training.seed). For tests and for checking a
// config before training; TextPersonModel::load() reads the result like a trained model.
bool writeUntrainedNafsModel(const QString &dir, const NafsConfig &config, const WordPieceVocabulary &vocabulary,
    QString *configPath, QString *error);

// Loads the vocabulary and weights beside a model config (<name>.vocab, <name>.pt) into a model
// built from `config` (the config at `configPath`), in eval mode. Building a model with a
// pretrained trunk throws when the perception package is missing.
bool loadNafsFilesBeside(const QString &configPath, const NafsConfig &config, WordPieceVocabulary *vocabulary,
    NafsModel *model, QString *error);

// Writes the model of `configPath` (its .pt and .vocab beside it) again as `outConfigPath`, named
// after that file: to rename a trained model, or to store weights written by an older build in
// the current format (a pretrained trunk as its change from the package). The weights pass
// through loadNafsWeights / saveNafsWeights, so the copy computes exactly what the original does.
bool copyNafsModel(const QString &configPath, const QString &outConfigPath, QString *error);

} // namespace descry
