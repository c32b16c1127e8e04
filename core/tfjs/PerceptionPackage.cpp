#include "PerceptionPackage.h"

#include <QCoreApplication>
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
    const QString below = QStringLiteral("Descry/models/human-models-") + version();
    const QString data
        = qEnvironmentVariable("XDG_DATA_HOME", QDir::home().filePath(QStringLiteral(".local/share")));
    const QString own = QDir(data).filePath(below);
    if (QFileInfo::exists(own))
        return own;
    QString dirs = qEnvironmentVariable("XDG_DATA_DIRS");
    if (dirs.isEmpty())
        dirs = QStringLiteral("/usr/local/share:/usr/share");
    for (const QString &dir : dirs.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
        const QString shared = QDir(dir).filePath(below);
        if (QFileInfo::exists(shared))
            return shared;
    }
    return own;
}

QString PerceptionPackage::fetchCommand()
{
    if (QCoreApplication::instance()) {
        const QString installed
            = QDir(QCoreApplication::applicationDirPath())
                  .filePath(QStringLiteral("../share/descry/scripts/fetch-perception-models.sh"));
        if (QFileInfo::exists(installed))
            return QDir::cleanPath(installed);
    }
    return QStringLiteral("scripts/fetch-perception-models.sh (the README's install command runs it)");
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
            *error = QStringLiteral("the pretrained network %1 (%2@%3) is not installed in %4: run %5, "
                                    "or choose another detector")
                         .arg(model, name(), version(), folder(), fetchCommand());
        return nullptr;
    }
    return TfjsGraph::load(f, error);
}

} // namespace descry
