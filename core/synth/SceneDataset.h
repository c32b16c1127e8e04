#pragma once

#include "PedesDatasetWriter.h"

#include <QString>

namespace descry {

class SceneRenderer;

// Renders the frames of the scene where its people are seen well and adds them to `writer`:
// every identity visible enough (writer.options(): minVisible, minHeight) gets up to
// viewsPerIdentity crops from frames spread over its time in view, each with captionsPerImage
// captions written from its appearance, and "scene" (seed) and "frame" in its entry. Returns
// false with `error` when a file cannot be written.
bool addSceneToDataset(PedesDatasetWriter &writer, const SceneRenderer &renderer, QString *error);

// One scene as a complete dataset in `dir` (addSceneToDataset + finish).
bool writePedesDataset(const SceneRenderer &renderer, const QString &dir, QString *error,
    const PedesDatasetOptions &options = {});

} // namespace descry
