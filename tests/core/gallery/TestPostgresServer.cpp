#include "PostgresServer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using descry::test::PostgresServer;

namespace {

// Whether something accepts TCP connections on 127.0.0.1:port.
bool acceptsConnections(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(quint16(port));
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

// SELECT 1 over Qt's QPSQL driver; empty on success, else the error.
QString selectOne(const PostgresServer &server, const QString &database)
{
    const QString connection = QStringLiteral("pg-") + database;
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(PostgresServer::host());
        db.setPort(server.port());
        db.setUserName(PostgresServer::user());
        db.setDatabaseName(database);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SELECT 1")) || !q.next())
                error = q.lastError().text();
            else if (q.value(0).toInt() != 1)
                error = QStringLiteral("SELECT 1 returned %1").arg(q.value(0).toString());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return error;
}

} // namespace

class TestPostgresServer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            QSKIP("Qt's QPSQL driver is not installed (libqt6sql6-psql)");
    }

    void servesQueriesAndStopsWithTheFixture()
    {
        int port = 0;
        {
            PostgresServer server;
            QString whyNot;
            QElapsedTimer timer;
            timer.start();
            if (!server.start(&whyNot))
                QSKIP(qPrintable(QStringLiteral("PostgreSQL not available: ") + whyNot));
            qInfo("server started in %lld ms on port %d (binaries: %s)", timer.elapsed(), server.port(),
                qPrintable(server.binDir()));
            port = server.port();
            QVERIFY(port > 0);
            QCOMPARE(server.url(), QStringLiteral("postgresql://descry@127.0.0.1:%1/descry_test").arg(port));
            QCOMPARE(server.url(QStringLiteral("other")),
                QStringLiteral("postgresql://descry@127.0.0.1:%1/other").arg(port));
            QVERIFY(acceptsConnections(port));
            const QString error = selectOne(server, QStringLiteral("descry_test"));
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        QVERIFY2(!acceptsConnections(port), "the server outlived its fixture");
    }

    void createsFreshDatabases()
    {
        PostgresServer server;
        QString whyNot;
        if (!server.start(&whyNot))
            QSKIP(qPrintable(QStringLiteral("PostgreSQL not available: ") + whyNot));
        QString error;
        QVERIFY2(server.createDatabase(QStringLiteral("fresh_one"), &error), qPrintable(error));
        error = selectOne(server, QStringLiteral("fresh_one"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // A name that exists already is refused, with a reason.
        QVERIFY(!server.createDatabase(QStringLiteral("fresh_one"), &error));
        QVERIFY2(error.contains(QLatin1String("fresh_one")), qPrintable(error));
        // A database that was never made is not served.
        QVERIFY(!selectOne(server, QStringLiteral("never_made")).isEmpty());
    }

    void stopIsIdempotentAndFreesThePort()
    {
        PostgresServer server;
        QString whyNot;
        if (!server.start(&whyNot))
            QSKIP(qPrintable(QStringLiteral("PostgreSQL not available: ") + whyNot));
        const int port = server.port();
        server.stop();
        QVERIFY(!server.isRunning());
        QVERIFY(!acceptsConnections(port));
        server.stop();
        QString error;
        QVERIFY(!server.createDatabase(QStringLiteral("late"), &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPostgresServer)
#include "TestPostgresServer.moc"
