#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace descry::cli {

namespace {

QJsonObject camerasJson(Gallery &gallery)
{
    std::map<QString, QJsonArray> sourcesOf;
    for (const SourceRecord &s : gallery.sources())
        sourcesOf[s.cameraLabel].append(QJsonObject { { QStringLiteral("source_id"), qint64(s.id) },
            { QStringLiteral("file"), QFileInfo(s.path).fileName() }, { QStringLiteral("duration"), s.duration },
            { QStringLiteral("recorded_at"),
                s.recordedAt.isValid() ? QJsonValue(s.recordedAt.toString(Qt::ISODate)) : QJsonValue() } });
    QJsonArray cameras, transits;
    for (const auto &[label, sources] : sourcesOf)
        cameras.append(QJsonObject { { QStringLiteral("camera"), label }, { QStringLiteral("sources"), sources } });
    for (const CameraTransit &t : gallery.cameraTransits())
        transits.append(QJsonObject { { QStringLiteral("camera_a"), t.cameraA }, { QStringLiteral("camera_b"), t.cameraB },
            { QStringLiteral("min_seconds"), t.minSeconds } });
    return { { QStringLiteral("cameras"), cameras }, { QStringLiteral("transits"), transits } };
}

void printCameras(const QJsonObject &all)
{
    for (const QJsonValue &c : all.value(QStringLiteral("cameras")).toArray()) {
        const QJsonObject camera = c.toObject();
        printOut(QStringLiteral("camera %1").arg(camera.value(QStringLiteral("camera")).toString()));
        for (const QJsonValue &s : camera.value(QStringLiteral("sources")).toArray()) {
            const QJsonObject source = s.toObject();
            const QJsonValue recorded = source.value(QStringLiteral("recorded_at"));
            printOut(QStringLiteral("  source %1: %2, recorded %3")
                         .arg(source.value(QStringLiteral("source_id")).toInteger())
                         .arg(source.value(QStringLiteral("file")).toString(),
                             recorded.isString() ? recorded.toString() : QStringLiteral("at an unknown time")));
        }
    }
    for (const QJsonValue &t : all.value(QStringLiteral("transits")).toArray()) {
        const QJsonObject transit = t.toObject();
        printOut(QStringLiteral("transit %1 <-> %2: at least %3 s")
                     .arg(transit.value(QStringLiteral("camera_a")).toString(),
                         transit.value(QStringLiteral("camera_b")).toString())
                     .arg(transit.value(QStringLiteral("min_seconds")).toDouble()));
    }
}

} // namespace

int runCameras(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Cameras and time: when each source was recorded, and how long a person needs at least from one camera "
        "to another. Identity grouping then keeps apart two tracklets of two cameras seen too close in time "
        "('descry-cli identities --regroup' applies a change).\n\n"
        "  cameras                               list cameras, their sources, recording times and transits\n"
        "  cameras recorded SOURCE TIME          the source's first frame was recorded at TIME (ISO 8601, UTC "
        "unless it says otherwise; 'unknown' clears it)\n"
        "  cameras transit CAMERA_A CAMERA_B S   a person needs at least S seconds between the two cameras "
        "('none' removes it)"));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print as JSON.") });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("recorded SOURCE TIME | transit A B SECONDS (optional)."));
    if (!parseArgs(parser, QStringList { QStringLiteral("cameras") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QStringList action = parser.positionalArguments();
    const QString verb = action.value(0);
    if (!action.isEmpty() && !((verb == QLatin1String("recorded") && action.size() == 3)
            || (verb == QLatin1String("transit") && action.size() == 4))) {
        printErr(QStringLiteral("cameras: expected 'recorded SOURCE TIME' or 'transit CAMERA_A CAMERA_B SECONDS', got '%1'")
                     .arg(action.join(QLatin1Char(' '))));
        return 2;
    }
    bool ok = true;
    int64_t source = 0;
    QDateTime recordedAt;
    double seconds = -1;
    if (verb == QLatin1String("recorded")) {
        source = action[1].toLongLong(&ok);
        if (!ok || source <= 0) {
            printErr(QStringLiteral("cameras: '%1' is not a source id (see 'descry-cli cameras')").arg(action[1]));
            return 2;
        }
        if (!parseWallClock(action[2], &recordedAt)) {
            printErr(QStringLiteral("cameras: '%1' is not a time: write e.g. 2026-12-01T10:00:00Z or 'unknown'").arg(action[2]));
            return 2;
        }
    } else if (verb == QLatin1String("transit") && action[3] != QLatin1String("none")) {
        seconds = action[3].toDouble(&ok);
        if (!ok || seconds < 0) {
            printErr(QStringLiteral("cameras: the transit time is seconds, 0 or more ('none' removes it), not '%1'").arg(action[3]));
            return 2;
        }
    }

    Gallery gallery;
    if (!gallery.open(galleryPath(parser))) {
        printErr(QStringLiteral("cameras: %1").arg(gallery.lastError()));
        return 1;
    }
    if (verb == QLatin1String("recorded") && !gallery.setSourceRecordedAt(source, recordedAt)) {
        printErr(QStringLiteral("cameras: %1").arg(gallery.lastError()));
        return 1;
    }
    if (verb == QLatin1String("transit") && !gallery.setCameraTransit(action[1], action[2], seconds)) {
        printErr(QStringLiteral("cameras: %1").arg(gallery.lastError()));
        return 1;
    }
    if (!action.isEmpty())
        printErr(QStringLiteral("cameras: saved; run 'descry-cli identities --regroup' to group the people with it"));
    const QJsonObject all = camerasJson(gallery);
    if (parser.isSet(QStringLiteral("json")))
        printOut(QString::fromUtf8(QJsonDocument(all).toJson(QJsonDocument::Indented)).trimmed());
    else
        printCameras(all);
    return 0;
}

} // namespace descry::cli
