#include "TestSupport.h"

#include <QDir>
#include <QFileInfo>

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

} // namespace descry::test
