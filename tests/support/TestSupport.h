#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace descry::test {

// ../shared next to the project (footage/, models/); empty string when absent.
QString sharedDir();
// Path of a shared asset such as "footage/vtest.avi", or empty when it is not there
// (tests then QSKIP with a clear reason).
QString sharedFile(const QString &relativePath);
// SHA-256 (hex) of a file's bytes; empty when it cannot be read.
QByteArray fileSha256(const QString &path);
// Path of the built descry-cli executable.
QString cliPath();

// One run of descry-cli: exit code (-1 when it crashed or ran past 3 minutes), stdout, stderr.
struct CliRun {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const; // stdout parsed as a JSON object
};
// Runs descry-cli with `args` (stdin closed) in `environment` (empty: this process's).
CliRun runCli(const QStringList &args, const QProcessEnvironment &environment = {});

} // namespace descry::test
