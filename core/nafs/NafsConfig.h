#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace descry {

// The architecture of a NAFS text-to-person model (seed 000): what the weights file was made
// for. Saved next to the weights as `<name>.json` ("model" object); a weights file only loads
// into a network built from the same architecture.
struct NafsArchitecture {
    // Input crop, pixels. The staircase needs height / 4 divisible by regionStripes and
    // height / 8 divisible by patchStripes (stripes of whole feature rows).
    int imageHeight = 144;
    int imageWidth = 48;
    // Channel widths of the stem+stage1, stage2, stage3 and stage4 of the ResNet-style backbone
    // (BasicBlocks); stage4 keeps stride 1 as in NAFS.
    std::vector<int> widths{16, 32, 64, 128};
    std::vector<int> blocks{1, 1, 1, 1};
    int regionStripes = 3;
    int patchStripes = 6;
    bool splitShuffle = true; // training only
    // A pretrained image trunk (PretrainedTrunk::knownNames(), e.g. "nanodet-backbone") whose
    // maps at strides 8 / 16 / 32 feed the patch / region / global branches in place of the stem
    // and stages 1-3; empty: the from-scratch ResNet staircase. With a trunk, imageHeight must be
    // a multiple of 16 x regionStripes and of 8 x patchStripes, imageWidth a multiple of 32, and
    // the widths[3] / blocks[3] entries size the three branch stages.
    QString trunk;
    int embedding = 128; // joint feature size of every scale of both modalities

    int maxTokens = 48;
    int textWidth = 128;
    int textLayers = 2;
    int textHeads = 4;
    int textFeedForward = 256;
    double dropout = 0.1;

    double inverseTemperature = 20; // of the alignment softmax
    double leakySlope = 0.1;
    bool focalAttention = true;

    bool operator==(const NafsArchitecture &) const = default;
    int imageItems() const { return 1 + regionStripes + patchStripes; }
    QString validate() const;
};

// How a model is trained (descry-cli train). Everything that shapes the result is here, so the
// config file, the data and the seed reproduce the weights.
struct NafsTraining {
    uint64_t seed = 1;
    QString data; // dataset folder (CUHK-PEDES layout), relative to the working directory
    int epochs = 30;
    int batchSize = 64;
    double learningRate = 1.1e-3;
    double encoderLearningRateScale = 1.0; // backbone and text encoder lr factor (1/10 when pretrained)
    // Learning rate factor of a pretrained trunk's weights (NafsArchitecture::trunk); 0 freezes them.
    double trunkLearningRateScale = 0.1;
    double weightDecay = 4e-5;
    int warmupEpochs = 1;
    double cmpmWeight = 1;
    double cmpcWeight = 1;
    double localWeight = 0.1; // CSAL on the non-local similarities
    double csalScale = 10; // logit scale of the CSAL softmax over cosine-like similarities
    // CSAL is computed on the first localBatch pairs of each batch (0: all). The pairwise
    // alignment grows with the square of the batch and dominates a CPU step; 32 of 64 pairs
    // halves the step time (measured: 58 -> 100+ images/s on 2 cores).
    int localBatch = 32;
    // Stripe grounding (Descry's addition, see ARCHITECTURE.md): words the query lexicon places
    // on the body (hair, jacket, trousers, shoes) are pulled to attend to the stripes of that
    // body zone, so the attention heatmaps mean something. 0 turns it off.
    double groundingWeight = 0;
    bool flip = true; // horizontal flip augmentation
    int threads = 2;
    int checkpointMinutes = 5;

    bool operator==(const NafsTraining &) const = default;
    QString validate() const;
};

struct NafsConfig {
    static constexpr int formatVersion = 1;
    QString name = QStringLiteral("descry-nafs");
    QString family = QStringLiteral("nafs");
    int version = formatVersion;
    NafsArchitecture model;
    NafsTraining training;
    // "weightsSha256": the tensors' SHA-256 (NafsWeightsHash) of a weights file written before
    // weights files carried it themselves: the shipped models name theirs here, since rewriting
    // their .pt would change their ids and make every gallery re-embed. Read only: toJson()
    // leaves it out, so a config saved with new weights never vouches for them.
    QString weightsSha256;

    QJsonObject toJson() const;
    static bool fromJson(const QJsonObject &json, NafsConfig *out, QString *error);
    bool save(const QString &path, QString *error) const;
    static bool load(const QString &path, NafsConfig *out, QString *error);
};

} // namespace descry
