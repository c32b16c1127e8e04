#pragma once

// Inside the gallery module only: the names of Qt SQL connections and connections that live for
// one piece of work (Gallery and GalleryIntegrity share them).

#include <QAtomicInteger>
#include <QSqlDatabase>
#include <QString>

#include <utility>

namespace descry::gallery_internal {

// A connection name no other connection of the process has.
inline QString newConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("descry-gallery-%1").arg(counter.fetchAndAddRelaxed(1));
}

// Runs `work(db)` on a connection of its own to `databaseName` with `options` (opening it is
// work's to do) and returns what it returns; the connection is gone afterwards.
template<typename Work> auto withConnection(const QString &databaseName, const QString &options, Work work)
{
    const QString name = newConnectionName();
    using Result = decltype(work(std::declval<QSqlDatabase &>()));
    Result result {};
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(databaseName);
        db.setConnectOptions(options);
        result = work(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

} // namespace descry::gallery_internal
