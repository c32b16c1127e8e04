#include "CaseExporter.h"

#include "CaseReport.h"
#include "ContentHash.h"
#include "FrameGrabber.h"
#include "Gallery.h"
#include "GalleryLocation.h"
#include "SearchEngine.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace descry {

namespace {

const QString kManifest = QStringLiteral("manifest.json");
// Names the manifest's layout; `overwrite` replaces only folders whose manifest says this.
const QString kFormat = QStringLiteral("descry-case-export");
constexpr int kFormatVersion = 1;
constexpr int kJpegQuality = 92;

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool cancelled(const std::atomic_bool *cancel)
{
    return cancel && cancel->load();
}

// ------------------------------------------------------------------ files

// An item on its way out: what the reports show, and what writing its files needs.
struct PendingItem {
    CaseReportItem report;
    QString prefix; // "<rank>-t<id>", zero-padded so that file browsers sort by rank
    std::vector<CropRecord> crops;
};

// The export folder as it fills up: every file written, with its size and SHA-256, for the
// manifest. Files are hashed from the bytes written or, for files CaseReport wrote (the HTML and
// PDF reports), read back from disk.
class ExportFolder {
public:
    struct Entry {
        QString path;
        qint64 size = 0;
        QString sha256;
    };

    explicit ExportFolder(const QString &root)
        : m_root(root)
    { }

    QString absolute(const QString &relative) const { return m_root.filePath(relative); }
    const std::vector<Entry> &entries() const { return m_entries; }

    bool write(const QString &relative, const QByteArray &bytes, QString *error)
    {
        QFile file(absolute(relative));
        if (!QDir().mkpath(QFileInfo(file).absolutePath()) || !file.open(QIODevice::WriteOnly)
            || file.write(bytes) != bytes.size() || !file.flush()) {
            return fail(error,
                QStringLiteral("cannot write %1: %2 (is the disk full or the folder read-only?)")
                    .arg(file.fileName(), file.errorString()));
        }
        file.close();
        m_entries.push_back({ relative, bytes.size(),
            QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()) });
        return true;
    }

    bool record(const QString &relative, QString *error)
    {
        const QString path = absolute(relative);
        QString digest, why;
        if (!contentHash(path, &digest, &why))
            return fail(error, QStringLiteral("cannot read back %1: %2").arg(path, why));
        m_entries.push_back({ relative, QFileInfo(path).size(), digest });
        return true;
    }

private:
    QDir m_root;
    std::vector<Entry> m_entries;
};

QByteArray encodeImage(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    return image.save(&buffer, format, quality) ? bytes : QByteArray();
}

// ------------------------------------------------------------------ gallery and folders

// Gallery::open migrates an older schema, which would write to the gallery: read the version
// first on a read-only connection of our own and refuse anything but the current schema.
bool checkGalleryReadable(const QString &path, QString *error)
{
    if (!GalleryLocation::isServer(path) && !QFileInfo(path).isFile())
        return fail(error,
            QStringLiteral("no gallery at %1: give the gallery the footage was ingested into").arg(path));
    QString why;
    const int version = Gallery::storedSchemaVersion(path, &why);
    if (version < 0)
        return fail(
            error, QStringLiteral("cannot read the gallery %1 (%2): is it a Descry gallery?").arg(path, why));
    if (version > Gallery::latestSchemaVersion())
        return fail(error,
            QStringLiteral("the gallery %1 was written by a newer Descry (schema %2, this build knows %3): "
                           "export with that version")
                .arg(path, QString::number(version), QString::number(Gallery::latestSchemaVersion())));
    if (version < Gallery::latestSchemaVersion())
        return fail(error,
            QStringLiteral("the gallery %1 has schema %2 and this Descry uses %3; an export never modifies a "
                           "gallery, so open it once with this version to upgrade it (e.g. descry-cli info "
                           "--gallery %1), then export again")
                .arg(path, QString::number(version), QString::number(Gallery::latestSchemaVersion())));
    return true;
}

bool isCaseExport(const QDir &dir)
{
    QFile file(dir.filePath(kManifest));
    return file.open(QIODevice::ReadOnly)
        && QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("format")).toString()
        == kFormat;
}

// outDir must be new, empty, or (with overwrite) an earlier case export.
bool checkOutDir(const QString &outDir, bool overwrite, QString *error)
{
    const QFileInfo info(outDir);
    if (!info.exists())
        return true;
    if (!info.isDir())
        return fail(error,
            QStringLiteral("%1 exists and is not a folder: choose a new folder for the export").arg(outDir));
    const QDir dir(outDir);
    if (dir.isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot))
        return true;
    if (!overwrite)
        return fail(error,
            QStringLiteral(
                "%1 is not empty: choose a new or empty folder, or replace an earlier export there "
                "(overwrite, --overwrite on the command line)")
                .arg(outDir));
    if (!isCaseExport(dir))
        return fail(error,
            QStringLiteral(
                "%1 is not empty and holds no Descry case export (no manifest.json of one), so it is "
                "not replaced: choose a new or empty folder")
                .arg(outDir));
    return true;
}

QString randomSuffix()
{
    return QStringLiteral("%1").arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0'));
}

// "<outDir>.partial-<random>" next to outDir, so the final rename stays on one file system.
QString makePartialDir(const QString &outDir, QString *error)
{
    const QFileInfo info(outDir);
    QDir parent = info.absoluteDir();
    if (!parent.mkpath(QStringLiteral("."))) {
        fail(error, QStringLiteral("cannot create the folder %1").arg(parent.absolutePath()));
        return {};
    }
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QString name = QStringLiteral("%1.partial-%2").arg(info.fileName(), randomSuffix());
        if (parent.mkdir(name))
            return parent.filePath(name);
    }
    fail(error,
        QStringLiteral("cannot create a folder next to %1 to write the export into: is %2 writable?")
            .arg(outDir, parent.absolutePath()));
    return {};
}

// The finished partial folder becomes outDir. outDir is checked again, as files may have
// appeared during a long export: an empty one is removed (rmdir fails on anything else), an
// earlier export is moved aside and deleted only once the rename succeeded.
bool publish(const QString &partial, const QString &outDir, bool overwrite, QString *error)
{
    if (!checkOutDir(outDir, overwrite, error))
        return false;
    QString aside;
    if (QFileInfo::exists(outDir) && !QDir().rmdir(outDir)) {
        aside = QStringLiteral("%1.old-%2").arg(outDir, randomSuffix());
        if (!QDir().rename(outDir, aside))
            return fail(error, QStringLiteral("cannot move the earlier %1 aside to replace it").arg(outDir));
    }
    if (!QDir().rename(partial, outDir)) {
        if (!aside.isEmpty())
            QDir().rename(aside, outDir);
        return fail(error, QStringLiteral("cannot rename %1 to %2").arg(partial, outDir));
    }
    if (!aside.isEmpty())
        QDir(aside).removeRecursively();
    return true;
}

// Removes the partial folder unless the export was published.
class PartialDirGuard {
public:
    explicit PartialDirGuard(QString path)
        : m_path(std::move(path))
    { }
    ~PartialDirGuard()
    {
        if (!m_path.isEmpty())
            QDir(m_path).removeRecursively();
    }
    PartialDirGuard(const PartialDirGuard &) = delete;
    PartialDirGuard &operator=(const PartialDirGuard &) = delete;
    void release() { m_path.clear(); }

private:
    QString m_path;
};

// ------------------------------------------------------------------ items

// Each source video is hashed at most once per export.
class SourceChecker {
public:
    SourceChecker(bool verify, const std::atomic_bool *cancel)
        : m_verify(verify)
        , m_cancel(cancel)
    { }

    SourceCheck check(const SourceRecord &source)
    {
        auto it = m_results.find(source.id);
        if (it == m_results.end())
            it = m_results.emplace(source.id, compute(source)).first;
        return it->second;
    }

private:
    SourceCheck compute(const SourceRecord &source) const
    {
        if (!QFileInfo(source.path).isFile())
            return SourceCheck::Missing;
        if (!m_verify)
            return SourceCheck::NotChecked;
        QString digest, why;
        if (!contentHash(source.path, &digest, &why, {}, m_cancel))
            return SourceCheck::Unreadable;
        return digest.compare(source.contentHash, Qt::CaseInsensitive) == 0 ? SourceCheck::Verified
                                                                            : SourceCheck::Changed;
    }

    bool m_verify;
    const std::atomic_bool *m_cancel;
    std::map<int64_t, SourceCheck> m_results;
};

// The frame that shows the person best: the best crop's, else the middle detection's (as the
// detail panel shows it).
void chooseFrame(const std::vector<CropRecord> &crops, CaseReportItem *e)
{
    for (const CropRecord &crop : crops) {
        if (!e->hasFrame || crop.id == e->tracklet.bestCropId) {
            e->frameIndex = crop.frame;
            e->frameBox = crop.box;
            e->hasFrame = true;
        }
    }
    if (!e->hasFrame && !e->detections.empty()) {
        const DetectionRecord &middle = e->detections[e->detections.size() / 2];
        e->frameIndex = middle.frame;
        e->frameBox = middle.box;
        e->hasFrame = true;
    }
    e->frameTime = e->source.fps > 0 ? double(e->frameIndex) / e->source.fps : 0;
    for (const DetectionRecord &d : e->detections)
        if (d.frame == e->frameIndex)
            e->frameTime = d.time;
}

bool writeCrops(Gallery &gallery, ExportFolder &folder, PendingItem *p, QString *error)
{
    CaseReportItem &e = p->report;
    for (size_t n = 0; n < p->crops.size(); ++n) {
        const QByteArray jpeg = gallery.cropImage(p->crops[n].id);
        if (jpeg.isEmpty()) {
            e.notes << QStringLiteral("crop %1 could not be read from the gallery").arg(n + 1);
            continue;
        }
        // The stored bytes unchanged: the crop is exactly what ingest captured.
        const QString name = QStringLiteral("crops/%1-%2.jpg").arg(p->prefix).arg(n + 1);
        if (!folder.write(name, jpeg, error))
            return false;
        e.cropFiles << name;
    }
    if (p->crops.empty())
        e.notes << QStringLiteral("the gallery holds no crops of this tracklet");
    return true;
}

// Why no frame can be taken from the source, or empty when one can.
QString frameProblem(const CaseReportItem &e)
{
    if (!e.hasFrame)
        return QStringLiteral("no detection to take a frame from");
    switch (e.sourceCheck) {
    case SourceCheck::Missing:
        return QStringLiteral(
            "source video %1 is missing: no frame exported (put the file back there and export "
            "again to include it)")
            .arg(e.source.path);
    case SourceCheck::Changed:
        return QStringLiteral(
            "source video %1 is not the footage that was ingested (its SHA-256 differs): no frame "
            "exported")
            .arg(e.source.path);
    case SourceCheck::Unreadable:
        return QStringLiteral("source video %1 could not be read to check it: no frame exported")
            .arg(e.source.path);
    case SourceCheck::Verified:
    case SourceCheck::NotChecked:
        break;
    }
    return {};
}

bool writeFrame(ExportFolder &folder, SourceChecker &checker, PendingItem *p, QString *error)
{
    CaseReportItem &e = p->report;
    e.sourceCheck = checker.check(e.source);
    if (const QString problem = frameProblem(e); !problem.isEmpty()) {
        e.notes << problem;
        return true;
    }
    QString why;
    const QImage frame = FrameGrabber::grab(e.source.path, e.frameIndex, e.frameBox, &why);
    const QByteArray jpeg = frame.isNull() ? QByteArray() : encodeImage(frame, "JPG", kJpegQuality);
    if (jpeg.isEmpty()) {
        e.notes << QStringLiteral("frame %1 could not be decoded: %2")
                       .arg(QString::number(e.frameIndex),
                           why.isEmpty() ? QStringLiteral("JPEG encoding failed") : why);
        return true;
    }
    const QString name = QStringLiteral("frames/%1.jpg").arg(p->prefix);
    if (!folder.write(name, jpeg, error))
        return false;
    e.frameFile = name;
    return true;
}

bool writeHeatmap(ExportFolder &folder, PendingItem *p, QString *error)
{
    const QImage &heatmap = p->report.item.heatmap;
    if (heatmap.isNull())
        return true;
    const QString name = QStringLiteral("heatmaps/%1.png").arg(p->prefix);
    if (!folder.write(name, encodeImage(heatmap, "PNG"), error))
        return false;
    p->report.heatmapFile = name;
    return true;
}

QByteArray manifestJson(const CaseReport &report, int items, const ExportFolder &folder)
{
    QJsonArray files;
    for (const ExportFolder::Entry &entry : folder.entries())
        files.append(QJsonObject { { QStringLiteral("path"), entry.path },
            { QStringLiteral("size"), entry.size }, { QStringLiteral("sha256"), entry.sha256 } });
    const QJsonObject out { { QStringLiteral("format"), kFormat },
        { QStringLiteral("format_version"), kFormatVersion }, { QStringLiteral("case"), report.caseJson() },
        { QStringLiteral("items"), items },
        { QStringLiteral("note"),
            QStringLiteral(
                "Every file of this export but this one, with its size in bytes and SHA-256. The gallery "
                "was only read.") },
        { QStringLiteral("files"), files } };
    return QJsonDocument(out).toJson(QJsonDocument::Indented);
}

// ------------------------------------------------------------------ the export

bool validateRequest(const CaseExportRequest &request, QString *error)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return fail(error,
            QStringLiteral(
                "the PDF report needs fonts, which Qt provides only with a QGuiApplication: create one "
                "(QT_QPA_PLATFORM=offscreen works without a display)"));
    if (request.outDir.trimmed().isEmpty())
        return fail(error, QStringLiteral("no folder to export into: give one"));
    if (request.items.empty())
        return fail(error, QStringLiteral("nothing to export: select at least one tracklet"));
    std::set<int64_t> ids;
    std::set<int> ranks;
    for (size_t i = 0; i < request.items.size(); ++i) {
        const CaseExportItem &item = request.items[i];
        if (!ids.insert(item.trackletId).second)
            return fail(
                error, QStringLiteral("tracklet %1 is listed twice: list each once").arg(item.trackletId));
        if (!ranks.insert(item.rank > 0 ? item.rank : int(i) + 1).second)
            return fail(error,
                QStringLiteral("rank %1 is given twice: give each item its own rank")
                    .arg(item.rank > 0 ? item.rank : int(i) + 1));
    }
    return true;
}

// Every tracklet's rows, read before anything is written, so an unknown id fails the export
// without leaving files behind. In rank order.
bool readItems(
    Gallery &gallery, const CaseExportRequest &request, std::vector<PendingItem> *items, QString *error)
{
    auto rankOf = [&](size_t i) { return request.items[i].rank > 0 ? request.items[i].rank : int(i) + 1; };
    int maxRank = 0;
    for (size_t i = 0; i < request.items.size(); ++i)
        maxRank = std::max(maxRank, rankOf(i));
    const int width = int(QString::number(maxRank).size());
    for (size_t i = 0; i < request.items.size(); ++i) {
        PendingItem p;
        CaseReportItem &e = p.report;
        e.item = request.items[i];
        e.rank = rankOf(i);
        p.prefix = QStringLiteral("%1-t%2").arg(e.rank, width, 10, QLatin1Char('0')).arg(e.item.trackletId);
        const std::optional<TrackletRecord> tracklet = gallery.tracklet(e.item.trackletId);
        if (!tracklet)
            return fail(error,
                QStringLiteral(
                    "tracklet %1 is not in the gallery %2: check the ids (descry-cli search lists them)")
                    .arg(QString::number(e.item.trackletId), gallery.path()));
        e.tracklet = *tracklet;
        const std::optional<SourceRecord> source = gallery.source(tracklet->sourceId);
        if (!source)
            return fail(error,
                QStringLiteral("the source of tracklet %1 cannot be read: %2")
                    .arg(QString::number(tracklet->id), gallery.lastError()));
        e.source = *source;
        e.detections = gallery.detections(tracklet->id);
        p.crops = gallery.crops(tracklet->id);
        chooseFrame(p.crops, &e);
        items->push_back(std::move(p));
    }
    std::sort(items->begin(), items->end(),
        [](const PendingItem &a, const PendingItem &b) { return a.report.rank < b.report.rank; });
    return true;
}

bool writeReports(const CaseReport &report, ExportFolder &folder, QString *error)
{
    return folder.write(QStringLiteral("results.csv"), report.csv(), error)
        && folder.write(QStringLiteral("results.json"), report.json(), error)
        && report.writeHtml(folder.absolute(QStringLiteral("report.html")), error)
        && folder.record(QStringLiteral("report.html"), error)
        && report.writePdf(folder.absolute(QStringLiteral("report.pdf")), error)
        && folder.record(QStringLiteral("report.pdf"), error);
}

CaseExportResult summarise(const QString &outDir, const std::vector<CaseReportItem> &items,
    const ExportFolder &folder, double seconds)
{
    CaseExportResult result;
    result.outDir = outDir;
    result.items = int(items.size());
    for (const ExportFolder::Entry &entry : folder.entries()) {
        ++result.files;
        result.bytes += entry.size;
    }
    result.manifestSha256 = folder.entries().back().sha256; // the manifest is written last
    for (const CaseReportItem &e : items)
        for (const QString &note : e.notes)
            result.notes << QStringLiteral("tracklet %1: %2").arg(QString::number(e.tracklet.id), note);
    result.seconds = seconds;
    return result;
}

} // namespace

CaseExportItem CaseExportItem::fromSearchResult(const SearchResult &result, int rank)
{
    CaseExportItem item;
    item.trackletId = result.tracklet.id;
    item.rank = rank;
    item.scored = true;
    item.score = result.score;
    item.globalScore = result.globalScore;
    item.localScore = result.localScore;
    item.attributeScore = result.attributeScore;
    item.matched = result.matched;
    return item;
}

void CaseExportItem::markAsAppearanceOf(int64_t personId)
{
    const QString marker = QStringLiteral("another appearance of person %1").arg(personId);
    note = note.isEmpty() ? marker : marker + QStringLiteral("; ") + note;
}

bool CaseExporter::checkGallery(const QString &path, QString *error)
{
    return checkGalleryReadable(QFileInfo(path).absoluteFilePath(), error);
}

QString CaseExporter::formatTimestamp(double seconds)
{
    const qint64 ms = std::max<qint64>(0, qRound64(seconds * 1000));
    return QStringLiteral("%1:%2:%3.%4")
        .arg(ms / 3600000, 2, 10, QLatin1Char('0'))
        .arg(ms / 60000 % 60, 2, 10, QLatin1Char('0'))
        .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
        .arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

bool CaseExporter::exportCase(const CaseExportRequest &request, CaseExportResult *result, QString *error,
    const Progress &progress, const std::atomic_bool *cancel)
{
    QElapsedTimer timer;
    timer.start();
    const QString outDir = QDir::cleanPath(QFileInfo(request.outDir).absoluteFilePath());
    if (!validateRequest(request, error) || !checkOutDir(outDir, request.overwrite, error))
        return false;
    const QString galleryPath = GalleryLocation::normalised(request.galleryPath);
    if (!checkGalleryReadable(galleryPath, error))
        return false;
    Gallery gallery;
    if (!gallery.open(galleryPath))
        return fail(error, gallery.lastError());
    std::vector<PendingItem> pending;
    if (!readItems(gallery, request, &pending, error))
        return false;
    CaseReportInfo info { request.caseTitle, request.caseNumber, request.author, request.query,
        request.ranking, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), GalleryLocation::displayName(galleryPath),
        gallery.schemaVersion(), gallery.generation() };

    const QString partial = makePartialDir(outDir, error);
    if (partial.isEmpty())
        return false;
    PartialDirGuard guard(partial);
    ExportFolder folder(partial);
    SourceChecker checker(request.verifySources, cancel);
    const int total = int(pending.size()) + 1;
    std::vector<CaseReportItem> items;
    for (PendingItem &p : pending) {
        if (cancelled(cancel))
            return fail(error, QStringLiteral("cancelled"));
        if (!writeCrops(gallery, folder, &p, error) || !writeFrame(folder, checker, &p, error)
            || !writeHeatmap(folder, &p, error))
            return false;
        items.push_back(std::move(p.report));
        if (progress)
            progress(int(items.size()), total);
    }
    gallery.close();
    if (cancelled(cancel))
        return fail(error, QStringLiteral("cancelled"));
    const CaseReport report(std::move(info), items, partial);
    if (!writeReports(report, folder, error)
        || !folder.write(kManifest, manifestJson(report, int(items.size()), folder), error)
        || !publish(partial, outDir, request.overwrite, error))
        return false;
    guard.release();
    if (progress)
        progress(total, total);
    if (result)
        *result = summarise(outDir, items, folder, timer.elapsed() / 1000.0);
    return true;
}

} // namespace descry
