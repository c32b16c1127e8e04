#include "PostgresServer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QVersionNumber>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace descry::test {

namespace {

// The last `count` non-empty lines of `text`, joined into one line.
QString lastLines(const QString &text, int count)
{
    QStringList lines;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            lines << line.trimmed();
    }
    return lines.mid(std::max(0, int(lines.size()) - count)).join(QStringLiteral(" | "));
}

bool holdsServerTools(const QString &dir)
{
    return std::ranges::all_of(std::initializer_list<const char *> { "initdb", "pg_ctl", "createdb" },
        [&](const char *tool) { return QFileInfo(QDir(dir).filePath(QLatin1String(tool))).isExecutable(); });
}

// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick for port 0); 0 on failure.
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

// This process's environment less the PG* variables (PGDATA, PGPORT, PGHOST...), which would
// otherwise steer the tools away from the arguments given.
QProcessEnvironment toolEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &key : environment.keys()) {
        if (key.startsWith(QLatin1String("PG")))
            environment.remove(key);
    }
    return environment;
}

} // namespace

PostgresServer::~PostgresServer()
{
    stop();
}

QString PostgresServer::findBinDir()
{
    const QDir installs(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = installs.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::ranges::sort(versions, [](const QString &a, const QString &b) {
        return QVersionNumber::fromString(a) > QVersionNumber::fromString(b);
    });
    for (const QString &version : versions) {
        const QString bin = installs.filePath(version + QStringLiteral("/bin"));
        if (holdsServerTools(bin))
            return bin;
    }
    const QString pgConfig = QStandardPaths::findExecutable(QStringLiteral("pg_config"));
    if (!pgConfig.isEmpty()) {
        QProcess p;
        p.start(pgConfig, { QStringLiteral("--bindir") });
        if (p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) {
            const QString bin = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
            if (holdsServerTools(bin))
                return bin;
        }
    }
    const QString initdb = QStandardPaths::findExecutable(QStringLiteral("initdb"));
    if (!initdb.isEmpty() && holdsServerTools(QFileInfo(initdb).absolutePath()))
        return QFileInfo(initdb).absolutePath();
    return {};
}

bool PostgresServer::start(QString *whyNot)
{
    if (m_running)
        return true;
    const auto fail = [&](const QString &reason) {
        stop();
        if (whyNot)
            *whyNot = reason;
        return false;
    };
    m_binDir = findBinDir();
    if (m_binDir.isEmpty())
        return fail(QStringLiteral("PostgreSQL server binaries (initdb, pg_ctl, createdb) not found in "
                                   "/usr/lib/postgresql/*/bin, pg_config --bindir or PATH"));
    m_switchUser = ::geteuid() == 0;
    if (m_switchUser) {
        const passwd *account = ::getpwnam("postgres");
        if (!account)
            return fail(QStringLiteral("running as root, and there is no 'postgres' system user to run "
                                       "initdb/postgres as (they refuse root)"));
        m_serverUid = account->pw_uid;
        m_serverGid = account->pw_gid;
    }
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/descry-pg-XXXXXX"));
    if (!m_dir->isValid())
        return fail(QStringLiteral("cannot make a temporary folder: %1").arg(m_dir->errorString()));
    if (m_switchUser && ::chown(QFile::encodeName(m_dir->path()).constData(), m_serverUid, m_serverGid) != 0)
        return fail(QStringLiteral("cannot hand %1 to the postgres user: %2")
                        .arg(m_dir->path(), QString::fromLocal8Bit(std::strerror(errno))));

    const Run init = run(QStringLiteral("initdb"),
        { QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), user(), QStringLiteral("--auth=trust"),
            QStringLiteral("--locale=C"), QStringLiteral("-E"), QStringLiteral("UTF8"),
            QStringLiteral("--no-sync") },
        120000, true);
    if (!init.ok)
        return fail(
            QStringLiteral("initdb%1 failed: %2")
                .arg(m_switchUser ? QStringLiteral(" (as the postgres user)") : QString(), init.summary));
    QString reason;
    if (!startOnFreePort(&reason) || !createDatabase(QStringLiteral("descry_test"), &reason))
        return fail(reason);
    return true;
}

bool PostgresServer::startOnFreePort(QString *whyNot)
{
    for (int attempt = 1;; ++attempt) {
        m_port = freePort();
        if (m_port == 0) {
            *whyNot = QStringLiteral("cannot find a free TCP port on 127.0.0.1");
            return false;
        }
        // -k '': no Unix socket, so a long temporary path cannot exceed the socket path limit.
        const QString options = QStringLiteral("-p %1 -k '' -c listen_addresses=127.0.0.1 -c fsync=off "
                                               "-c max_connections=60")
                                    .arg(m_port);
        const Run started = run(QStringLiteral("pg_ctl"),
            { QStringLiteral("-D"), dataDir(), QStringLiteral("-o"), options, QStringLiteral("-w"),
                QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("-l"), logFile(),
                QStringLiteral("start") },
            90000, true);
        // Even a failed start may have left a postmaster that is still coming up; stop() checks.
        m_running = true;
        if (started.ok)
            return true;
        const QString tail = logTail();
        // Another process can take the port between freePort() and the server's bind: try another.
        if (attempt < 3 && tail.contains(QLatin1String("could not bind")))
            continue;
        *whyNot = QStringLiteral("pg_ctl start failed: %1; server log: %2").arg(started.summary, tail);
        return false;
    }
}

void PostgresServer::stop()
{
    const QString pidFile = m_dir ? QDir(dataDir()).filePath(QStringLiteral("postmaster.pid")) : QString();
    if (m_running && QFileInfo::exists(pidFile)) {
        QFile file(pidFile);
        const qint64 pid = file.open(QIODevice::ReadOnly) ? file.readLine().trimmed().toLongLong() : 0;
        const Run stopped = run(QStringLiteral("pg_ctl"),
            { QStringLiteral("-D"), dataDir(), QStringLiteral("stop"), QStringLiteral("-m"),
                QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("-t"),
                QStringLiteral("30") },
            45000, true);
        // pg_ctl could not stop it: kill the postmaster rather than leave it behind, but only when
        // that pid is still this cluster's server (the pid file may be stale).
        QFile commandLine(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!stopped.ok && pid > 0 && commandLine.open(QIODevice::ReadOnly)
            && commandLine.readAll().contains(QFile::encodeName(dataDir())))
            ::kill(pid_t(pid), SIGKILL);
    }
    m_running = false;
    m_dir.reset();
}

bool PostgresServer::createDatabase(const QString &name, QString *error)
{
    if (!m_running) {
        if (error)
            *error = QStringLiteral("cannot create database %1: the server is not running").arg(name);
        return false;
    }
    const Run created = run(QStringLiteral("createdb"),
        { QStringLiteral("-h"), host(), QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
            user(), name },
        60000, false);
    if (!created.ok && error)
        *error
            = QStringLiteral("createdb %1 failed: %2; server log: %3").arg(name, created.summary, logTail());
    return created.ok;
}

QString PostgresServer::url(const QString &database) const
{
    return QStringLiteral("postgresql://%1@%2:%3/%4").arg(user(), host(), QString::number(m_port), database);
}

PostgresServer::Run PostgresServer::run(
    const QString &tool, const QStringList &args, int timeoutMs, bool asServerUser) const
{
    QProcess p;
    p.setProgram(QDir(m_binDir).filePath(tool));
    p.setArguments(args);
    p.setProcessEnvironment(toolEnvironment());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardInputFile(QProcess::nullDevice());
    if (asServerUser && m_switchUser) {
        // The caller's working folder may be closed to the postgres user; the cluster's is not.
        p.setWorkingDirectory(m_dir->path());
        const uid_t uid = m_serverUid;
        const gid_t gid = m_serverGid;
        // Runs between fork and exec, so only async-signal-safe calls.
        p.setChildProcessModifier([uid, gid] {
            if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
                ::_exit(126);
        });
    }
    p.start();
    Run result;
    if (!p.waitForStarted(10000)) {
        result.summary = QStringLiteral("%1 did not start: %2").arg(tool, p.errorString());
        return result;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        result.summary = QStringLiteral("%1 ran past %2 s").arg(tool).arg(timeoutMs / 1000);
        return result;
    }
    result.ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    result.summary = lastLines(QString::fromLocal8Bit(p.readAll()), 3);
    if (!result.ok && result.summary.isEmpty())
        result.summary = QStringLiteral("%1 exited with %2").arg(tool).arg(p.exitCode());
    return result;
}

QString PostgresServer::dataDir() const
{
    return QDir(m_dir->path()).filePath(QStringLiteral("data"));
}

QString PostgresServer::logFile() const
{
    return QDir(m_dir->path()).filePath(QStringLiteral("server.log"));
}

QString PostgresServer::logTail() const
{
    QFile log(logFile());
    if (!log.open(QIODevice::ReadOnly))
        return QStringLiteral("(no server log)");
    return lastLines(QString::fromLocal8Bit(log.readAll()), 3);
}

} // namespace descry::test
