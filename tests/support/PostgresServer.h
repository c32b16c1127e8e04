#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace descry::test {

// A throwaway PostgreSQL server for one test: its own cluster in a temporary folder, role "descry"
// with trust authentication, TCP on 127.0.0.1 only (no Unix socket, so no path-length limits), a
// free port, and a database "descry_test". The destructor stops it (immediate mode) and deletes the
// folder, so a QTest function that returns early leaves nothing behind. initdb and postgres refuse
// to run as root, so when this process is root the server runs as the "postgres" system user.
class PostgresServer {
public:
    PostgresServer() = default;
    ~PostgresServer();
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    // Finds the server binaries, initialises a cluster, starts it and creates "descry_test". False
    // with a one-line reason (ending with the server log's tail where there is one) when PostgreSQL
    // is not installed or does not come up; the test then QSKIPs with that reason.
    bool start(QString *whyNot);
    // Stops the server now (the destructor does it too); safe to call when it is not running.
    void stop();
    bool isRunning() const { return m_running; }

    // Creates another empty database owned by user(), for tests that want a fresh one each.
    bool createDatabase(const QString &name, QString *error);

    // postgresql://descry@127.0.0.1:PORT/<database>
    QString url(const QString &database = QStringLiteral("descry_test")) const;
    int port() const { return m_port; }
    QString binDir() const { return m_binDir; }
    static QString host() { return QStringLiteral("127.0.0.1"); }
    static QString user() { return QStringLiteral("descry"); }

    // The newest /usr/lib/postgresql/*/bin, else `pg_config --bindir`, else the folder of initdb on
    // PATH: the first that holds initdb, pg_ctl and createdb. Empty when there is none.
    static QString findBinDir();

private:
    struct Run {
        bool ok = false;
        QString summary; // the last lines of its output, or why it did not run
    };
    Run run(const QString &tool, const QStringList &args, int timeoutMs, bool asServerUser) const;
    bool startOnFreePort(QString *whyNot);
    QString dataDir() const;
    QString logFile() const;
    QString logTail() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_binDir;
    int m_port = 0;
    bool m_running = false;
    bool m_switchUser = false; // run initdb/pg_ctl as m_serverUid:m_serverGid
    unsigned m_serverUid = 0;
    unsigned m_serverGid = 0;
};

} // namespace descry::test
