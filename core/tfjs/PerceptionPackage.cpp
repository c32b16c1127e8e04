#include "PerceptionPackage.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace descry {

const QJsonObject &PerceptionPackage::pins()
{
    static const QJsonObject parsed = QJsonDocument::fromJson(pinsJson()).object(); // once
    return parsed;
}

QString PerceptionPackage::name()
{
    return pins().value(QStringLiteral("package")).toString();
}

QString PerceptionPackage::version()
{
    return pins().value(QStringLiteral("version")).toString();
}

QString PerceptionPackage::folder()
{
    const QString forced = qEnvironmentVariable("DESCRY_HUMAN_MODELS");
    if (!forced.isEmpty())
        return forced;
    // The XDG rule the install script follows too (not QStandardPaths: its AppDataLocation
    // depends on the application name, and the script has none).
    const QString data
        = qEnvironmentVariable("XDG_DATA_HOME", QDir::home().filePath(QStringLiteral(".local/share")));
    return QDir(data).filePath(QStringLiteral("Descry/models/human-models-") + version());
}

TfjsFiles PerceptionPackage::files(const QString &model)
{
    TfjsFiles files;
    files.modelJson = QDir(folder()).filePath(model + QStringLiteral(".json"));
    const QJsonObject listed = pins().value(QStringLiteral("files")).toObject();
    for (const QString &suffix : { QStringLiteral(".json"), QStringLiteral(".bin") }) {
        const QString hash = listed.value(QStringLiteral("models/") + model + suffix).toString();
        if (!hash.isEmpty())
            files.sha256[model + suffix] = hash;
    }
    return files;
}

std::unique_ptr<TfjsGraph> PerceptionPackage::load(const QString &model, QString *error)
{
    const TfjsFiles f = files(model);
    if (f.sha256.empty()) {
        if (error)
            *error = QStringLiteral("%1 is not one of the pinned networks of %2 (models/perception.json)")
                         .arg(model, name());
        return nullptr;
    }
    if (!QFileInfo::exists(f.modelJson)) {
        if (error)
            *error = QStringLiteral("the pretrained network %1 (%2@%3) is not installed in %4: run "
                                    "scripts/fetch-perception-models.sh (the README's install command "
                                    "does), or choose another detector")
                         .arg(model, name(), version(), folder());
        return nullptr;
    }
    return TfjsGraph::load(f, error);
}

} // namespace descry
