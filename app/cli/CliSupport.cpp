#include "CliSupport.h"

#include "DetectorOptions.h"
#include "Gallery.h"
#include "GalleryLocation.h"
#include "IngestJob.h"
#include "TextPersonModel.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <cstdio>
#include <unistd.h>

namespace descry::cli {

void addGalleryOption(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("gallery"),
        QStringLiteral("Gallery file, or a team's PostgreSQL gallery as postgresql://user@host[:port]/database "
                       "(default: %1).")
            .arg(Gallery::defaultPath()),
        QStringLiteral("PATH|URL") });
    parser.addOption({ QStringLiteral("read-only"),
        QStringLiteral("Open the gallery read-only (a case archive): searches work and write no history; "
                       "anything that would change the gallery is refused. Write-protected galleries are "
                       "opened so anyway.") });
}

void addDetectorOption(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("detector"),
        QStringLiteral("Person detector: nanodet (default: a CNN trained on real people, finds standing "
                       "people and works with moving cameras), background (fast, fixed cameras and "
                       "moving people only), or a COCO detector as MODEL.onnx (YOLOX/NanoDet layout)."),
        QStringLiteral("NAME|MODEL.onnx"), DetectorOptions::kindName(DetectorKind::NanoDet) });
}

bool detectorOption(const QCommandLineParser &parser, const QString &command, DetectorOptions *out)
{
    const QString value = parser.value(QStringLiteral("detector"));
    const std::optional<DetectorOptions> options = DetectorOptions::fromArgument(value);
    if (!options) {
        printErr(QStringLiteral("%1: --detector must be nanodet, background or a MODEL.onnx file, not '%2'")
                     .arg(command, value));
        return false;
    }
    *out = *options;
    return true;
}

void addPoseOption(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("pose"),
        QStringLiteral("Body-pose model run on every kept crop: lightning (default, MoveNet 192 px), thunder "
                       "(MoveNet 256 px, ~3.7x slower) or off (body zones at fixed fractions of the box)."),
        QStringLiteral("MODEL"), poseModelName(PoseModel::Lightning) });
}

bool poseOption(const QCommandLineParser &parser, const QString &command, PoseModel *out)
{
    const QString value = parser.value(QStringLiteral("pose"));
    const std::optional<PoseModel> model = poseModelFromName(value);
    if (!model) {
        printErr(QStringLiteral("%1: --pose must be lightning, thunder or off, not '%2'").arg(command, value));
        return false;
    }
    *out = *model;
    return true;
}

void addTileOption(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("tile-from"),
        QStringLiteral("The CNN detector also searches frames whose longer side has at least PIXELS in 2 x 2 "
                       "tiles, for small people (default 1200; 0: never)."),
        QStringLiteral("PIXELS") });
}

bool tileOption(const QCommandLineParser &parser, const QString &command, DetectorOptions *out)
{
    if (!parser.isSet(QStringLiteral("tile-from")))
        return true;
    bool ok = false;
    const int pixels = parser.value(QStringLiteral("tile-from")).toInt(&ok);
    if (!ok || pixels < 0) {
        printErr(QStringLiteral("%1: --tile-from must be a number of pixels (0: never tile), not '%2'")
                     .arg(command, parser.value(QStringLiteral("tile-from"))));
        return false;
    }
    out->tileFrom = pixels;
    return true;
}

void addDetectionThreadsOption(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("detection-threads"),
        QStringLiteral("Threads that run the CNN detector on frames ahead of the tracker, each with its own "
                       "copy of the network (default 0: one per core; the background detector always "
                       "runs frame by frame)."),
        QStringLiteral("N"), QStringLiteral("0") });
}

bool detectionThreadsOption(const QCommandLineParser &parser, const QString &command, int *out)
{
    bool ok = false;
    const int threads = parser.value(QStringLiteral("detection-threads")).toInt(&ok);
    if (!ok || threads < 0 || threads > 64) {
        printErr(QStringLiteral("%1: --detection-threads must be a number from 0 to 64, not '%2'")
                     .arg(command, parser.value(QStringLiteral("detection-threads"))));
        return false;
    }
    *out = threads;
    return true;
}

QString galleryPath(const QCommandLineParser &parser)
{
    const QString path = parser.value(QStringLiteral("gallery"));
    return path.isEmpty() ? Gallery::defaultPath() : path;
}

bool galleryExists(const QString &path)
{
    return GalleryLocation::isServer(path) || QFileInfo::exists(path);
}

bool parseArgs(QCommandLineParser &parser, const QStringList &args)
{
    parser.addHelpOption();
    if (!parser.parse(args)) {
        printErr(parser.errorText());
        printErr(parser.helpText());
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText());
        return false;
    }
    if (parser.optionNames().contains(QStringLiteral("read-only")))
        Gallery::setDefaultAccess(Gallery::Access::ReadOnly);
    return true;
}

void addModelOptions(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("model"),
        QStringLiteral("Text-to-person model config or .ts (default: the shipped model)."), QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("no-model"), QStringLiteral("Rank by the attribute baseline only.") });
}

std::unique_ptr<TextPersonModel> loadModel(const QCommandLineParser &parser, QString *error)
{
    const QString modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model"))
                                                                      : TextPersonModel::defaultModelPath();
    if (modelPath.isEmpty()) {
        *error = QStringLiteral("no model found (see --model)");
        return nullptr;
    }
    return TextPersonModel::load(modelPath, error);
}

std::unique_ptr<TextPersonModel> loadModelOption(const QCommandLineParser &parser, const QString &command)
{
    if (parser.isSet(QStringLiteral("no-model")))
        return nullptr;
    QString error;
    std::unique_ptr<TextPersonModel> model = loadModel(parser, &error);
    if (!model)
        printErr(QStringLiteral("%1: ranking by attributes only: %2").arg(command, error));
    return model;
}

QString terminalSafe(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool control = (u < 0x20 && u != u'\n' && u != u'\t') || (u >= 0x7f && u <= 0x9f);
        if (control)
            out += QStringLiteral("\\x%1").arg(int(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

void printOut(const QString &text)
{
    std::fputs(qPrintable(terminalSafe(text) + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    std::fputs(qPrintable(terminalSafe(text) + QLatin1Char('\n')), stderr);
    std::fflush(stderr);
}

void printProgress(const QString &line, bool force)
{
    static const bool tty = isatty(fileno(stderr));
    static QElapsedTimer sinceLast;
    if (tty) {
        std::fprintf(stderr, "\r%-100s", qPrintable(terminalSafe(line).left(100)));
        if (force)
            std::fputc('\n', stderr);
        std::fflush(stderr);
        return;
    }
    if (!force && sinceLast.isValid() && sinceLast.elapsed() < 5000)
        return;
    sinceLast.start();
    printErr(line);
}

QString formatEta(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const int s = int(seconds + 0.5);
    return QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

bool parseNeighbourAttention(const QString &text, int *neighbours, double *temperature)
{
    if (text == QLatin1String("off")) {
        *neighbours = 0;
        return true;
    }
    const QStringList parts = text.split(QLatin1Char(':'));
    bool okK = false, okT = false;
    const int k = parts.value(0).toInt(&okK);
    const double t = parts.value(1).toDouble(&okT);
    if (parts.size() != 2 || !okK || !okT || k < 0 || !(t > 0))
        return false;
    *neighbours = k;
    *temperature = t;
    return true;
}

bool parseWallClock(const QString &text, QDateTime *out)
{
    if (text == QLatin1String("unknown")) {
        *out = {};
        return true;
    }
    QString iso = text.trimmed();
    iso.replace(QLatin1Char(' '), QLatin1Char('T'));
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!t.isValid())
        return false;
    if (t.timeSpec() == Qt::LocalTime)
        t.setTimeSpec(Qt::UTC); // footage clocks are read as UTC unless they say otherwise
    *out = t.toUTC();
    return true;
}

} // namespace descry::cli
