#include "TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>

namespace descry::test {

QString sharedDir()
{
    const QString env = qEnvironmentVariable("DESCRY_SHARED_DIR");
    const QString dir = env.isEmpty() ? QStringLiteral(DESCRY_SHARED_DIR) : env;
    return QFileInfo(dir).isDir() ? QDir(dir).canonicalPath() : QString();
}

QString sharedFile(const QString &relativePath)
{
    const QString dir = sharedDir();
    if (dir.isEmpty())
        return {};
    const QString path = QDir(dir).filePath(relativePath);
    return QFileInfo(path).isFile() ? path : QString();
}

QString cliPath()
{
    return QStringLiteral(DESCRY_CLI_PATH);
}

QJsonObject CliRun::json() const
{
    return QJsonDocument::fromJson(out).object();
}

QByteArray fileSha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

CliRun runCli(const QStringList &args, const QProcessEnvironment &environment)
{
    QProcess p;
    if (!environment.isEmpty())
        p.setProcessEnvironment(environment);
    p.start(cliPath(), args);
    p.closeWriteChannel();
    CliRun r;
    if (!p.waitForFinished(180000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace descry::test
