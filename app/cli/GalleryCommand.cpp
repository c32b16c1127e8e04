#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "GalleryIntegrity.h"
#include "GalleryLocation.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace descry::cli {

namespace {

const char *const kGalleryHelp = R"(actions:
  check            SQLite's full integrity check of the gallery (read-only); exit 0 when good,
                   1 when damaged
  backup NEW       a consistent copy of a good gallery to a new file (safe while others write)
  repair NEW       recover what can be read of a damaged gallery into a new file; the damaged
                   file is only read)";

void printJson(const QJsonObject &object)
{
    printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed());
}

int check(const QString &path, bool json)
{
    const GalleryCheck checked = GalleryIntegrity::check(path, false);
    if (checked.ok)
        GalleryIntegrity::recordGood(path);
    if (json) {
        printJson({ { QStringLiteral("gallery"), path }, { QStringLiteral("ok"), checked.ok },
            { QStringLiteral("problems"), QJsonArray::fromStringList(checked.problems) },
            { QStringLiteral("error"), checked.error }, { QStringLiteral("seconds"), checked.seconds } });
    } else if (checked.ok) {
        printOut(QStringLiteral("%1: ok (SQLite integrity check, %2 s)")
                     .arg(path)
                     .arg(checked.seconds, 0, 'f', 1));
    } else if (!checked.error.isEmpty()) {
        printErr(QStringLiteral("gallery check: %1: %2").arg(path, checked.error));
    } else {
        printOut(QStringLiteral("%1: DAMAGED — SQLite reports:").arg(path));
        for (const QString &problem : checked.problems)
            for (const QString &line : problem.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                printOut(QStringLiteral("  ") + line);
        printOut(QStringLiteral("Recover what can be read into a new file with "
                                "'descry-cli gallery repair --gallery %1 NEW.sqlite'.")
                     .arg(path));
    }
    return checked.ok ? 0 : 1;
}

int backup(const QString &path, const QString &target, bool json)
{
    QString error;
    if (!GalleryIntegrity::backup(path, target, &error)) {
        printErr(QStringLiteral("gallery backup: ") + error);
        return 1;
    }
    if (json)
        printJson({ { QStringLiteral("gallery"), path }, { QStringLiteral("backup"), target },
            { QStringLiteral("bytes"), QFileInfo(target).size() } });
    else
        printOut(QStringLiteral("backed up %1 to %2 (%3 MB, checked)")
                     .arg(path, target)
                     .arg(double(QFileInfo(target).size()) / 1e6, 0, 'f', 1));
    return 0;
}

int repair(const QString &path, const QString &target, bool json)
{
    GalleryRepair report;
    QString error;
    if (!GalleryIntegrity::repair(path, target, &report, &error)) {
        printErr(QStringLiteral("gallery repair: ") + error);
        return 1;
    }
    // The recovered file is brought to this build's schema like any gallery.
    Gallery gallery;
    if (!gallery.open(target)) {
        printErr(QStringLiteral("gallery repair: the recovered file %1 does not open as a gallery: %2")
                     .arg(target, gallery.lastError()));
        return 1;
    }
    const int64_t tracklets = gallery.trackletCount();
    const auto sources = gallery.sources();
    gallery.close();
    QJsonObject rows;
    for (const auto &[table, count] : report.rowsRecovered)
        rows.insert(table, qint64(count));
    if (json) {
        printJson({ { QStringLiteral("gallery"), path }, { QStringLiteral("repaired"), target },
            { QStringLiteral("rows"), rows },
            { QStringLiteral("orphans_removed"), qint64(report.orphansRemoved) },
            { QStringLiteral("damaged_regions"), qint64(report.damagedRegions) },
            { QStringLiteral("damaged_tables"), QJsonArray::fromStringList(report.damagedTables) },
            { QStringLiteral("sources"), qint64(sources.size()) },
            { QStringLiteral("tracklets"), qint64(tracklets) } });
        return 0;
    }
    printOut(QStringLiteral("recovered into %1: %2 sources, %3 tracklets")
                 .arg(target)
                 .arg(sources.size())
                 .arg(tracklets));
    for (const auto &[table, count] : report.rowsRecovered)
        printOut(QStringLiteral("  %1: %2 rows").arg(table, -22).arg(count));
    printOut(QStringLiteral("  %1 damaged places read past (%2); %3 rows removed whose parent row was lost")
                 .arg(report.damagedRegions)
                 .arg(report.damagedTables.isEmpty() ? QStringLiteral("none")
                                                     : report.damagedTables.join(QStringLiteral(", ")))
                 .arg(report.orphansRemoved));
    printOut(
        QStringLiteral("The damaged file %1 is unchanged. Footage whose people were lost can be ingested "
                       "again into the new gallery: descry-cli ingest --reingest FILE --gallery %2")
            .arg(path, target));
    return 0;
}

} // namespace

int runGallery(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral(
            "Trust in gallery files: check one, back it up, or recover what a damaged one still holds.\n\n")
        + QString::fromUtf8(kGalleryHelp));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print as JSON.") });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("check, backup or repair"));
    parser.addPositionalArgument(QStringLiteral("new"), QStringLiteral("the new file (backup, repair)"));
    if (!parseArgs(parser, QStringList { QStringLiteral("gallery") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    const QString path = galleryPath(parser);
    const bool json = parser.isSet(QStringLiteral("json"));
    if (GalleryLocation::isServer(path)) {
        printErr(QStringLiteral("gallery %1: %2 is a PostgreSQL gallery; its server checks and backs it up "
                                "(data checksums, pg_amcheck, pg_dump): these commands are for gallery files")
                     .arg(action, GalleryLocation::displayName(path)));
        return 1;
    }
    if (!QFileInfo::exists(path)) {
        printErr(QStringLiteral("gallery %1: no gallery at %2").arg(action, path));
        return 1;
    }
    if (action == QLatin1String("check") && positional.size() == 1)
        return check(path, json);
    if ((action == QLatin1String("backup") || action == QLatin1String("repair")) && positional.size() == 2) {
        const QString target = QFileInfo(positional.at(1)).absoluteFilePath();
        return action == QLatin1String("backup") ? backup(path, target, json) : repair(path, target, json);
    }
    printErr(QStringLiteral("gallery: say what to do\n\n") + QString::fromUtf8(kGalleryHelp));
    return 2;
}

} // namespace descry::cli
