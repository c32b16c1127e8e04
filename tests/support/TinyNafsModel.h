#pragma once

#include "NafsConfig.h"
#include "NafsWeights.h"
#include "WordPieceVocabulary.h"

#include <QString>

namespace descry::test {

// A loadable text-to-person model small enough to run in any test (a few thousand weights,
// untrained, seeded): `<dir>/<name>.json/.vocab/.pt`. Its crops are 48 x 16 and it gives
// 1 + 3 + 3 items of 8 floats. Returns the config path, empty (with `error`) on failure.
// Tests use it instead of the shipped models/ files so they never depend on training.
inline NafsConfig tinyNafsConfig(const QString &name = QStringLiteral("tiny"), uint64_t seed = 1)
{
    NafsConfig config;
    config.name = name;
    config.model.imageHeight = 48;
    config.model.imageWidth = 16;
    config.model.widths = { 4, 8, 8, 8 };
    config.model.regionStripes = 3;
    config.model.patchStripes = 3;
    config.model.embedding = 8;
    config.model.maxTokens = 16;
    config.model.textWidth = 8;
    config.model.textHeads = 2;
    config.model.textLayers = 1;
    config.model.textFeedForward = 16;
    config.training.seed = seed;
    return config;
}

inline QString writeTinyNafsModel(const QString &dir, const QString &name, uint64_t seed, QString *error)
{
    const NafsConfig config = tinyNafsConfig(name, seed);
    WordPieceVocabulary vocabulary;
    const QStringList captions { QStringLiteral("a man in a red coat and blue jeans"),
        QStringLiteral("a woman in a red coat with a black bag") };
    if (!vocabulary.build(captions, WordPieceBuildOptions(), error))
        return {};
    QString configPath;
    if (!writeUntrainedNafsModel(dir, config, vocabulary, &configPath, error))
        return {};
    return configPath;
}

} // namespace descry::test
