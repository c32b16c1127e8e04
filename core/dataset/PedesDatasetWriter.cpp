#include "PedesDatasetWriter.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cmath>

namespace descry {

namespace {

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

bool writeBytes(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace

PedesDatasetWriter::PedesDatasetWriter(const QString &dir, const PedesDatasetOptions &options)
    : m_dir(dir)
    , m_options(options)
{ }

QString PedesDatasetWriter::splitOf(int datasetId) const
{
    // Golden-ratio sequence: any run of consecutive ids gets close to the asked fractions.
    const double u = std::fmod((datasetId - 1) * 0.6180339887498949, 1.0);
    if (u < m_options.testFraction)
        return QStringLiteral("test");
    if (u < m_options.testFraction + m_options.valFraction)
        return QStringLiteral("val");
    return QStringLiteral("train");
}

int PedesDatasetWriter::addIdentity(const QString &split)
{
    const int datasetId = ++m_identities;
    m_added[datasetId] = { split.isEmpty() ? splitOf(datasetId) : split, 0 };
    return datasetId;
}

bool PedesDatasetWriter::addImage(int datasetId, const QByteArray &jpeg, const QStringList &captions,
    QString *error, const QJsonObject &extra)
{
    const auto identity = m_added.find(datasetId);
    if (identity == m_added.end())
        return fail(error, QStringLiteral("identity %1 was not opened with addIdentity()").arg(datasetId));
    if (!QDir().mkpath(QDir(m_dir).filePath(QStringLiteral("imgs/%1").arg(datasetId))))
        return fail(error, QStringLiteral("cannot create %1/imgs/%2").arg(m_dir).arg(datasetId));
    const QString file = QStringLiteral("%1/%2.jpg").arg(datasetId).arg(identity->second.second);
    if (!writeBytes(QDir(m_dir).filePath(QStringLiteral("imgs/") + file), jpeg, error))
        return false;
    ++identity->second.second;
    QJsonObject entry = extra;
    entry[QStringLiteral("id")] = datasetId;
    entry[QStringLiteral("file_path")] = file;
    entry[QStringLiteral("captions")] = QJsonArray::fromStringList(captions);
    entry[QStringLiteral("split")] = identity->second.first;
    m_entries.append(entry);
    return true;
}

bool PedesDatasetWriter::finish(QString *error)
{
    if (!QDir().mkpath(m_dir))
        return fail(error, QStringLiteral("cannot create %1").arg(m_dir));
    return writeBytes(
        QDir(m_dir).filePath(QStringLiteral("reid_raw.json")), QJsonDocument(m_entries).toJson(), error);
}

} // namespace descry
