#include "BenchSupport.h"

#include "CliSupport.h"
#include "PedesDataset.h"
#include "SyntheticPedes.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QSysInfo>
#include <QThread>

namespace descry::cli {

namespace {

QString cpuModel()
{
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (!cpuinfo.open(QIODevice::ReadOnly))
        return QSysInfo::currentCpuArchitecture();
    // /proc files report size 0, so atEnd() is true at once: read it whole.
    const QStringList lines = QString::fromLatin1(cpuinfo.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines)
        if (line.startsWith(QLatin1String("model name")))
            return line.section(QLatin1Char(':'), 1).trimmed();
    return QSysInfo::currentCpuArchitecture();
}

} // namespace

QJsonObject machineDescription()
{
    return { { QStringLiteral("cpu"), cpuModel() },
        { QStringLiteral("threads"), QThread::idealThreadCount() },
        { QStringLiteral("os"), QSysInfo::prettyProductName() },
        { QStringLiteral("when"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate) } };
}

bool writeBenchResult(QJsonObject result, const QString &path)
{
    result.insert(QStringLiteral("machine"), machineDescription());
    const QByteArray json = QJsonDocument(result).toJson(QJsonDocument::Indented);
    if (path.isEmpty()) {
        printOut(QString::fromUtf8(json));
        return true;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size()) {
        printErr(QStringLiteral("bench: cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    printErr(QStringLiteral("bench: results written to %1").arg(path));
    return true;
}

bool loadQueryBenchPeople(const QString &folder, PedesDataset *dataset, QString *error)
{
    SyntheticPedesOptions options;
    options.seed = 77;
    options.identities = 100;
    SyntheticPedesSummary summary;
    return writeSyntheticPedes(folder, options, {}, &summary, error) && dataset->load(folder, error);
}

} // namespace descry::cli
