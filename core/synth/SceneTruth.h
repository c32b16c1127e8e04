#pragma once

#include "Box.h"
#include "PersonAppearance.h"
#include "SceneOptions.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace descry {

// One person in one frame of a synthetic scene, following the MOTChallenge convention: the
// box is the whole drawn person (also the parts hidden behind others), clipped to the frame;
// `visible` is the fraction of the person's pixels that are seen (not covered by people in
// front, not outside the frame).
struct TruthBox {
    int64_t frame = 0;
    int identity = 0;
    Box box;
    float visible = 1;

    bool operator==(const TruthBox &) const = default;
};

// One walker of the scene: how they look, how they are described, when they are seen.
struct IdentityTruth {
    int id = 0; // from 1, as CUHK-PEDES numbers identities
    PersonAppearance appearance;
    QStringList captions;
    int64_t firstFrame = -1; // first and last frame with a box (-1: never in the frame)
    int64_t lastFrame = -1;

    bool operator==(const IdentityTruth &) const = default;
};

// Everything known about a rendered scene. Boxes are sorted by frame, then identity.
struct SceneTruth {
    SceneOptions options;
    std::vector<IdentityTruth> identities;
    std::vector<TruthBox> boxes;

    bool operator==(const SceneTruth &) const = default;

    std::vector<TruthBox> boxesInFrame(int64_t frame) const;
    std::vector<TruthBox> boxesOf(int identity) const;
    const IdentityTruth *identity(int id) const; // nullptr when unknown

    // JSON file: {"format": "descry-scene-truth", "version": 1, "options", "identities",
    // "boxes": [[frame, id, x, y, w, h, visible], ...]} (boxes as rows to keep it compact).
    bool save(const QString &path, QString *error) const;
    static bool load(const QString &path, SceneTruth *out, QString *error);
};

} // namespace descry
