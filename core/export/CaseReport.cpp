#include "CaseReport.h"

#include <QFile>
#include <QFileInfo>
#include <QFont>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QTextOption>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

namespace descry {

namespace {

using Facts = std::vector<std::pair<QString, QString>>;

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

// Scores as JSON numbers without float noise (0.8123 rather than 0.81230002641677856).
double rounded(double value, double scale = 1e6)
{
    return std::round(value * scale) / scale;
}

QString boxText(const Box &b)
{
    return QStringLiteral("x %1, y %2, %3 × %4 px")
        .arg(qRound(b.x))
        .arg(qRound(b.y))
        .arg(qRound(b.w))
        .arg(qRound(b.h));
}

QJsonArray boxJson(const Box &b)
{
    return { rounded(b.x, 100), rounded(b.y, 100), rounded(b.w, 100), rounded(b.h, 100) };
}

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QByteArray readFile(const QString &folder, const QString &relative)
{
    QFile file(folder + QLatin1Char('/') + relative);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Results ranked by attributes (no model, or no embeddings yet) carry 0 for both model parts.
bool hasModelScores(const CaseExportItem &item)
{
    return item.scored && (item.globalScore != 0 || item.localScore != 0);
}

QString scoreText(const CaseExportItem &item)
{
    if (!item.scored)
        return {};
    QStringList parts;
    if (hasModelScores(item))
        parts << QStringLiteral("global %1").arg(item.globalScore, 0, 'f', 4)
              << QStringLiteral("local %1").arg(item.localScore, 0, 'f', 4);
    if (item.attributeScore >= 0)
        parts << QStringLiteral("attributes %1").arg(item.attributeScore, 0, 'f', 4);
    const QString score = QString::number(item.score, 'f', 4);
    return parts.isEmpty() ? score : QStringLiteral("%1 (%2)").arg(score, parts.join(QStringLiteral(", ")));
}

// An item's facts in reading order, as plain text: the HTML and PDF reports show the same.
Facts itemFacts(const CaseReportItem &e)
{
    const TrackletRecord &t = e.tracklet;
    Facts facts {
        { QStringLiteral("Tracklet"),
            QStringLiteral("%1 (track %2 of source %3)").arg(t.id).arg(t.localId).arg(t.sourceId) },
        { QStringLiteral("Person"),
            t.identityId > 0 ? QStringLiteral("person %1 (Descry's grouping of tracklets into people)").arg(t.identityId)
                             : QStringLiteral("not grouped") },
        { QStringLiteral("Source file"), e.source.path },
        { QStringLiteral("Source SHA-256"), e.source.contentHash },
        { QStringLiteral("Source check"), CaseReport::sourceCheckText(e.sourceCheck) },
        { QStringLiteral("Camera"), t.cameraLabel },
        { QStringLiteral("Time in footage"),
            QStringLiteral("%1 – %2 (%3 s)")
                .arg(CaseExporter::formatTimestamp(t.startTime), CaseExporter::formatTimestamp(t.endTime))
                .arg(t.endTime - t.startTime, 0, 'f', 1) },
        { QStringLiteral("Frames"),
            QStringLiteral("%1 – %2, %3 detections")
                .arg(t.startFrame)
                .arg(t.endFrame)
                .arg(t.detectionCount) },
    };
    if (e.hasFrame)
        facts.emplace_back(QStringLiteral("Frame shown"),
            QStringLiteral("frame %1 at %2, box %3")
                .arg(e.frameIndex)
                .arg(CaseExporter::formatTimestamp(e.frameTime), boxText(e.frameBox)));
    if (e.item.scored)
        facts.emplace_back(QStringLiteral("Score"), scoreText(e.item));
    if (!e.item.matched.isEmpty())
        facts.emplace_back(QStringLiteral("Matched"), e.item.matched.join(QStringLiteral("; ")));
    if (!e.item.verdict.isEmpty())
        facts.emplace_back(QStringLiteral("Verdict"), e.item.verdict);
    if (!e.item.label.isEmpty())
        facts.emplace_back(QStringLiteral("Label"), e.item.label);
    if (!e.item.note.isEmpty())
        facts.emplace_back(QStringLiteral("Note"), e.item.note);
    // The notes (what could not be exported) are shown above the facts, in red.
    facts.emplace_back(QStringLiteral("Files"), e.files().join(QStringLiteral(", ")));
    return facts;
}

// RFC 4180 quoting. Text cells that a spreadsheet would run as a formula (=, +, -, @) get a
// leading apostrophe: notes and labels are typed by people, and a case file is opened in Excel.
QString csvCell(const QString &value)
{
    QString v = value;
    if (!v.isEmpty() && QStringLiteral("=+-@\t\r").contains(v.front()))
        v.prepend(QLatin1Char('\''));
    if (v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char('\n'))
        || v.contains(QLatin1Char('\r'))) {
        v.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        v = QLatin1Char('"') + v + QLatin1Char('"');
    }
    return v;
}

QJsonObject itemJson(const CaseReportItem &e)
{
    const TrackletRecord &t = e.tracklet;
    const CaseExportItem &i = e.item;
    QJsonArray detections;
    for (const DetectionRecord &d : e.detections)
        detections.append(QJsonObject { { QStringLiteral("frame"), qint64(d.frame) },
            { QStringLiteral("time"), rounded(d.time) }, { QStringLiteral("box"), boxJson(d.box) },
            { QStringLiteral("score"), rounded(d.score) } });
    const QJsonValue none(QJsonValue::Null);
    QJsonObject o { { QStringLiteral("rank"), e.rank }, { QStringLiteral("tracklet_id"), qint64(t.id) },
        { QStringLiteral("person_id"), t.identityId > 0 ? QJsonValue(qint64(t.identityId)) : none },
        { QStringLiteral("source"),
            QJsonObject { { QStringLiteral("id"), qint64(e.source.id) },
                { QStringLiteral("path"), e.source.path }, { QStringLiteral("sha256"), e.source.contentHash },
                { QStringLiteral("size_bytes"), qint64(e.source.sizeBytes) },
                { QStringLiteral("fps"), e.source.fps }, { QStringLiteral("width"), e.source.width },
                { QStringLiteral("height"), e.source.height },
                { QStringLiteral("check"), CaseReport::sourceCheckKey(e.sourceCheck) } } },
        { QStringLiteral("camera"), t.cameraLabel }, { QStringLiteral("start_time"), rounded(t.startTime) },
        { QStringLiteral("end_time"), rounded(t.endTime) },
        { QStringLiteral("start"), CaseExporter::formatTimestamp(t.startTime) },
        { QStringLiteral("end"), CaseExporter::formatTimestamp(t.endTime) },
        { QStringLiteral("start_frame"), qint64(t.startFrame) },
        { QStringLiteral("end_frame"), qint64(t.endFrame) },
        { QStringLiteral("detection_count"), t.detectionCount },
        { QStringLiteral("score"), i.scored ? QJsonValue(rounded(i.score)) : none },
        { QStringLiteral("global_score"), hasModelScores(i) ? QJsonValue(rounded(i.globalScore)) : none },
        { QStringLiteral("local_score"), hasModelScores(i) ? QJsonValue(rounded(i.localScore)) : none },
        { QStringLiteral("attribute_score"),
            i.scored && i.attributeScore >= 0 ? QJsonValue(rounded(i.attributeScore)) : none },
        { QStringLiteral("matched"), QJsonArray::fromStringList(i.matched) },
        { QStringLiteral("verdict"), i.verdict }, { QStringLiteral("label"), i.label },
        { QStringLiteral("note"), i.note },
        { QStringLiteral("files"),
            QJsonObject { { QStringLiteral("crops"), QJsonArray::fromStringList(e.cropFiles) },
                { QStringLiteral("frame"), e.frameFile.isEmpty() ? none : QJsonValue(e.frameFile) },
                { QStringLiteral("heatmap"), e.heatmapFile.isEmpty() ? none : QJsonValue(e.heatmapFile) } } },
        { QStringLiteral("notes"), QJsonArray::fromStringList(e.notes) },
        { QStringLiteral("detections"), detections } };
    if (e.hasFrame)
        o.insert(QStringLiteral("frame_shown"),
            QJsonObject { { QStringLiteral("frame"), qint64(e.frameIndex) },
                { QStringLiteral("time"), rounded(e.frameTime) },
                { QStringLiteral("box"), boxJson(e.frameBox) } });
    return o;
}

QString caseHeading(const CaseReportInfo &info)
{
    QString title = info.caseTitle.isEmpty() ? QStringLiteral("Case export") : info.caseTitle;
    if (!info.caseNumber.isEmpty())
        title += QStringLiteral(" (%1)").arg(info.caseNumber);
    return title;
}

// The case's facts for the top of both reports.
Facts caseFacts(const CaseReportInfo &info, int itemCount)
{
    Facts facts;
    if (!info.caseNumber.isEmpty())
        facts.emplace_back(QStringLiteral("Case number"), info.caseNumber);
    facts.emplace_back(
        QStringLiteral("Author"), info.author.isEmpty() ? QStringLiteral("(not given)") : info.author);
    facts.emplace_back(QStringLiteral("Created"), info.created);
    facts.emplace_back(QStringLiteral("Query"),
        info.query.isEmpty() ? QStringLiteral("(tracklets chosen by id)") : info.query);
    if (!info.ranking.isEmpty())
        facts.emplace_back(QStringLiteral("Ranked by"), info.ranking);
    facts.emplace_back(QStringLiteral("Tracklets"), QString::number(itemCount));
    facts.emplace_back(QStringLiteral("Gallery"),
        QStringLiteral("%1 (schema %2, generation %3, only read)")
            .arg(info.galleryPath, QString::number(info.schemaVersion), QString::number(info.generation)));
    facts.emplace_back(
        QStringLiteral("Software"), QStringLiteral("Descry %1").arg(QStringLiteral(DESCRY_VERSION)));
    facts.emplace_back(QStringLiteral("Integrity"),
        QStringLiteral("manifest.json lists every file of this export with its SHA-256"));
    return facts;
}

QString factsTable(const Facts &facts, const QString &attributes)
{
    QString html = QStringLiteral("<table %1>").arg(attributes);
    for (const auto &[label, value] : facts)
        html += QStringLiteral("<tr><th>%1</th><td>%2</td></tr>").arg(esc(label), esc(value));
    return html + QStringLiteral("</table>\n");
}

QString dataUri(const QByteArray &bytes, const QString &path)
{
    const QString mime
        = path.endsWith(QLatin1String(".png")) ? QStringLiteral("image/png") : QStringLiteral("image/jpeg");
    return QStringLiteral("data:%1;base64,%2").arg(mime, QString::fromLatin1(bytes.toBase64()));
}

const char *const kHtmlStyle = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111; margin: 2em; }
h1 { font-size: 18pt; margin-bottom: 0.3em; }
h2 { font-size: 13pt; margin: 0 0 0.5em 0; }
table.facts { border-collapse: collapse; margin: 0.5em 0; }
table.facts th { text-align: left; vertical-align: top; padding: 2px 12px 2px 0; white-space: nowrap; }
table.facts td { padding: 2px 0; overflow-wrap: anywhere; }
table.summary { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
table.summary th, table.summary td { border: 1px solid #aaa; padding: 3px 6px; text-align: left; }
.item { border-top: 2px solid #444; padding: 1em 0; break-inside: avoid; page-break-inside: avoid; }
.crops img { height: 160px; margin: 0 6px 6px 0; border: 1px solid #999; }
.frame img { max-width: 100%; max-height: 480px; border: 1px solid #999; }
.heatmap img { max-width: 100%; max-height: 320px; }
.warning { color: #a00; font-weight: bold; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } .item { break-before: page; } }
)";

// ------------------------------------------------------------------ PDF report

// Lays documents out on A4 pages of a QPdfWriter. Documents are laid out in CSS pixels (1/96
// inch, what QTextDocument assumes) and scaled to the writer's resolution; a document longer
// than a page continues on the next ones.
class PdfPages {
public:
    PdfPages(QPdfWriter &writer, QPainter &painter, QString footer)
        : m_writer(writer)
        , m_painter(painter)
        , m_footer(std::move(footer))
        , m_scale(writer.resolution() / 96.0)
        , m_size(writer.width() / m_scale, writer.height() / m_scale - kFooterHeight)
    { }

    QSizeF pageSize() const { return m_size; }

    void draw(QTextDocument &document)
    {
        document.setPageSize(m_size);
        for (int page = 0; page < document.pageCount(); ++page) {
            if (m_pages > 0)
                m_writer.newPage();
            ++m_pages;
            m_painter.save();
            m_painter.scale(m_scale, m_scale);
            m_painter.translate(0, -page * m_size.height());
            document.drawContents(&m_painter, QRectF(QPointF(0, page * m_size.height()), m_size));
            m_painter.restore();
            drawFooter();
        }
    }

private:
    static constexpr qreal kFooterHeight = 24;

    void drawFooter()
    {
        m_painter.save();
        m_painter.scale(m_scale, m_scale);
        QFont font = m_painter.font();
        font.setPixelSize(10);
        m_painter.setFont(font);
        m_painter.setPen(Qt::darkGray);
        const QRectF band(0, m_size.height() + 6, m_size.width(), kFooterHeight - 6);
        m_painter.drawText(band, Qt::AlignLeft | Qt::AlignVCenter, m_footer);
        m_painter.drawText(band, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("page %1").arg(m_pages));
        m_painter.restore();
    }

    QPdfWriter &m_writer;
    QPainter &m_painter;
    QString m_footer;
    qreal m_scale;
    QSizeF m_size;
    int m_pages = 0;
};

const char *const kPdfStyle = "h1 { font-size: 16pt; } h2 { font-size: 13pt; } th { text-align: left; }";

void setUpDocument(QTextDocument *doc, const QSizeF &page)
{
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setStyleHint(QFont::SansSerif);
    font.setPointSizeF(9);
    doc->setDefaultFont(font);
    doc->setDefaultStyleSheet(QString::fromLatin1(kPdfStyle));
    doc->setDocumentMargin(0);
    doc->setTextWidth(page.width());
    // Paths and hashes have no spaces: let them wrap anywhere rather than overflow the page.
    QTextOption option = doc->defaultTextOption();
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    doc->setDefaultTextOption(option);
}

QString pdfFactsTable(const Facts &facts)
{
    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"2\" width=\"100%\">");
    for (const auto &[label, value] : facts)
        html += QStringLiteral("<tr><td width=\"22%\"><b>%1</b></td><td>%2</td></tr>")
                    .arg(esc(label), esc(value));
    return html + QStringLiteral("</table>");
}

// An image's size scaled to fit `box`, keeping its aspect.
QSize fitSize(const QImage &image, const QSizeF &box)
{
    if (image.isNull())
        return {};
    const qreal scale = std::min(box.width() / image.width(), box.height() / image.height());
    return QSize(std::max(1, int(image.width() * scale)), std::max(1, int(image.height() * scale)));
}

// An item's pictures, decoded once for the layout attempts below.
struct ItemImages {
    std::vector<QImage> crops;
    QImage frame, heatmap;
};

ItemImages loadImages(const CaseReportItem &e, const QString &folder)
{
    ItemImages images;
    for (const QString &file : e.cropFiles)
        images.crops.push_back(QImage::fromData(readFile(folder, file)));
    if (!e.frameFile.isEmpty())
        images.frame = QImage::fromData(readFile(folder, e.frameFile));
    if (!e.heatmapFile.isEmpty())
        images.heatmap = QImage::fromData(readFile(folder, e.heatmapFile));
    return images;
}

// One item's page; the pictures get `imageScale` of their full size budget.
void layOutItem(QTextDocument *doc, const CaseReportItem &e, const ItemImages &images, const QSizeF &page,
    qreal imageScale)
{
    QString html = QStringLiteral("<h2>#%1 — tracklet %2</h2>").arg(e.rank).arg(e.tracklet.id);
    auto image = [&](const QImage &picture, const QString &url, const QSizeF &box) {
        doc->addResource(QTextDocument::ImageResource, QUrl(url), picture);
        // Both sides: off the GUI thread QTextDocument does not derive a missing one from the aspect.
        const QSize size = fitSize(picture, box * imageScale);
        return QStringLiteral("<img src=\"%1\" width=\"%2\" height=\"%3\">")
            .arg(url)
            .arg(size.width())
            .arg(size.height());
    };
    html += QStringLiteral("<table cellspacing=\"4\"><tr>");
    for (size_t n = 0; n < images.crops.size(); ++n)
        html += QStringLiteral("<td>%1</td>")
                    .arg(image(images.crops[n], QStringLiteral("descry:crop-%1").arg(n),
                        QSizeF(page.width() / 5, 170)));
    html += QStringLiteral("</tr></table>");
    if (!images.frame.isNull())
        html += QStringLiteral("<p>%1</p>")
                    .arg(image(images.frame, QStringLiteral("descry:frame"),
                        QSizeF(page.width(), page.height() * 0.42)));
    if (!images.heatmap.isNull())
        html += QStringLiteral("<p>%1</p>")
                    .arg(image(images.heatmap, QStringLiteral("descry:heatmap"),
                        QSizeF(page.width(), page.height() * 0.3)));
    for (const QString &note : e.notes)
        html += QStringLiteral("<p><font color=\"#a00000\"><b>%1</b></font></p>").arg(esc(note));
    html += pdfFactsTable(itemFacts(e));
    doc->setHtml(html);
}

// An item's page with its pictures shrunk, down to half size, until the item fits on one page
// (a tall heatmap or long notes would otherwise split it); beyond that it continues overleaf.
std::unique_ptr<QTextDocument> itemDocument(
    const CaseReportItem &e, const QString &folder, const QSizeF &page)
{
    const ItemImages images = loadImages(e, folder);
    std::unique_ptr<QTextDocument> doc;
    for (qreal scale = 1;; scale *= 0.85) {
        doc = std::make_unique<QTextDocument>();
        setUpDocument(doc.get(), page);
        layOutItem(doc.get(), e, images, page, scale);
        doc->setPageSize(page);
        if (doc->pageCount() <= 1 || scale < 0.5)
            return doc;
    }
}

} // namespace

QStringList CaseReportItem::files() const
{
    QStringList all = cropFiles;
    if (!frameFile.isEmpty())
        all << frameFile;
    if (!heatmapFile.isEmpty())
        all << heatmapFile;
    return all;
}

CaseReport::CaseReport(CaseReportInfo info, std::vector<CaseReportItem> items, QString folder)
    : m_info(std::move(info))
    , m_items(std::move(items))
    , m_folder(std::move(folder))
{ }

QString CaseReport::sourceCheckKey(SourceCheck check)
{
    switch (check) {
    case SourceCheck::Verified:
        return QStringLiteral("verified");
    case SourceCheck::Changed:
        return QStringLiteral("changed");
    case SourceCheck::Missing:
        return QStringLiteral("missing");
    case SourceCheck::Unreadable:
        return QStringLiteral("unreadable");
    case SourceCheck::NotChecked:
        break;
    }
    return QStringLiteral("not checked");
}

QString CaseReport::sourceCheckText(SourceCheck check)
{
    switch (check) {
    case SourceCheck::Verified:
        return QStringLiteral("verified: the file's SHA-256 matches the one recorded at ingest");
    case SourceCheck::Changed:
        return QStringLiteral("CHANGED: the file at this path is not the footage that was ingested");
    case SourceCheck::Missing:
        return QStringLiteral("MISSING: the file is not at this path any more");
    case SourceCheck::Unreadable:
        return QStringLiteral("UNREADABLE: the file could not be read to check it");
    case SourceCheck::NotChecked:
        break;
    }
    return QStringLiteral("not checked against the SHA-256 recorded at ingest");
}

QByteArray CaseReport::read(const QString &relative) const
{
    return readFile(m_folder, relative);
}

QByteArray CaseReport::csv() const
{
    QStringList lines { QStringLiteral(
        "rank,tracklet_id,person_id,source_path,source_sha256,source_check,camera,start_s,end_s,start,end,start_frame,"
        "end_frame,detections,score,global_score,local_score,attribute_score,matched,verdict,label,note,"
        "files,"
        "notes") };
    auto number = [](double v, int digits) { return QString::number(v, 'f', digits); };
    for (const CaseReportItem &e : m_items) {
        const TrackletRecord &t = e.tracklet;
        const CaseExportItem &i = e.item;
        const QStringList cells { QString::number(e.rank), QString::number(t.id),
            t.identityId > 0 ? QString::number(t.identityId) : QString(), csvCell(e.source.path),
            csvCell(e.source.contentHash), csvCell(sourceCheckKey(e.sourceCheck)), csvCell(t.cameraLabel),
            number(t.startTime, 3), number(t.endTime, 3), CaseExporter::formatTimestamp(t.startTime),
            CaseExporter::formatTimestamp(t.endTime), QString::number(t.startFrame),
            QString::number(t.endFrame), QString::number(t.detectionCount),
            i.scored ? number(i.score, 4) : QString(),
            hasModelScores(i) ? number(i.globalScore, 4) : QString(),
            hasModelScores(i) ? number(i.localScore, 4) : QString(),
            i.scored && i.attributeScore >= 0 ? number(i.attributeScore, 4) : QString(),
            csvCell(i.matched.join(QStringLiteral("; "))), csvCell(i.verdict), csvCell(i.label),
            csvCell(i.note), csvCell(e.files().join(QLatin1Char(';'))),
            csvCell(e.notes.join(QStringLiteral("; "))) };
        lines << cells.join(QLatin1Char(','));
    }
    return (lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n")).toUtf8();
}

QJsonObject CaseReport::caseJson() const
{
    return { { QStringLiteral("title"), m_info.caseTitle }, { QStringLiteral("number"), m_info.caseNumber },
        { QStringLiteral("author"), m_info.author }, { QStringLiteral("query"), m_info.query },
        { QStringLiteral("ranking"), m_info.ranking }, { QStringLiteral("created"), m_info.created },
        { QStringLiteral("descry_version"), QStringLiteral(DESCRY_VERSION) },
        { QStringLiteral("gallery"),
            QJsonObject { { QStringLiteral("path"), m_info.galleryPath },
                { QStringLiteral("schema_version"), m_info.schemaVersion },
                { QStringLiteral("generation"), qint64(m_info.generation) } } } };
}

QByteArray CaseReport::json() const
{
    QJsonObject out = caseJson();
    QJsonArray items;
    for (const CaseReportItem &e : m_items)
        items.append(itemJson(e));
    out.insert(QStringLiteral("items"), items);
    return QJsonDocument(out).toJson(QJsonDocument::Indented);
}

bool CaseReport::writeHtml(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    // Written piece by piece: with every picture embedded, a large case runs to many megabytes.
    bool ok = true;
    auto put = [&](const QString &text) {
        const QByteArray bytes = text.toUtf8();
        ok = ok && file.write(bytes) == bytes.size();
    };
    const QString heading = caseHeading(m_info);
    put(QStringLiteral(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%1</title>\n"
        "<style>%2</style></head>\n<body>\n<h1>%1</h1>\n")
            .arg(esc(heading), QString::fromUtf8(kHtmlStyle)));
    put(factsTable(caseFacts(m_info, int(m_items.size())), QStringLiteral("class=\"facts\"")));
    put(QStringLiteral(
        "<table class=\"summary\"><tr><th>#</th><th>Tracklet</th><th>Person</th><th>Source</th><th>Camera</th>"
        "<th>Time</th><th>Score</th><th>Verdict</th></tr>\n"));
    for (const CaseReportItem &e : m_items)
        put(QStringLiteral(
            "<tr><td><a href=\"#item-%1\">%1</a></td><td>%2</td><td>%9</td><td>%3</td><td>%4</td><td>%5 – "
            "%6</td><td>%7</td><td>%8</td></tr>\n")
                .arg(QString::number(e.rank), QString::number(e.tracklet.id),
                    esc(QFileInfo(e.source.path).fileName()), esc(e.tracklet.cameraLabel),
                    CaseExporter::formatTimestamp(e.tracklet.startTime),
                    CaseExporter::formatTimestamp(e.tracklet.endTime),
                    e.item.scored ? QString::number(e.item.score, 'f', 4) : QString(), esc(e.item.verdict),
                    e.tracklet.identityId > 0 ? QString::number(e.tracklet.identityId) : QString()));
    put(QStringLiteral("</table>\n"));
    for (const CaseReportItem &e : m_items) {
        put(QStringLiteral("<section class=\"item\" id=\"item-%1\">\n<h2>#%1 — tracklet %2</h2>\n")
                .arg(e.rank)
                .arg(e.tracklet.id));
        put(QStringLiteral("<div class=\"crops\">"));
        for (int n = 0; n < e.cropFiles.size(); ++n)
            put(QStringLiteral("<img src=\"%1\" alt=\"crop %2\">")
                    .arg(dataUri(read(e.cropFiles[n]), e.cropFiles[n]), QString::number(n + 1)));
        put(QStringLiteral("</div>\n"));
        if (!e.frameFile.isEmpty())
            put(QStringLiteral("<div class=\"frame\"><img src=\"%1\" alt=\"frame %2 with the box\"></div>\n")
                    .arg(dataUri(read(e.frameFile), e.frameFile), QString::number(e.frameIndex)));
        if (!e.heatmapFile.isEmpty())
            put(QStringLiteral("<div class=\"heatmap\"><img src=\"%1\" alt=\"heatmap\"></div>\n")
                    .arg(dataUri(read(e.heatmapFile), e.heatmapFile)));
        for (const QString &note : e.notes)
            put(QStringLiteral("<p class=\"warning\">%1</p>\n").arg(esc(note)));
        put(factsTable(itemFacts(e), QStringLiteral("class=\"facts\"")));
        put(QStringLiteral("</section>\n"));
    }
    put(QStringLiteral(
        "<p>Written by Descry %1 on %2. Every file of this export is listed with its SHA-256 in "
        "manifest.json.</p>\n</body></html>\n")
            .arg(QStringLiteral(DESCRY_VERSION), m_info.created));
    if (!ok || !file.flush())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

bool CaseReport::writePdf(const QString &path, QString *error) const
{
    QPdfWriter writer(path);
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 12), QPageLayout::Millimeter));
    writer.setResolution(300);
    const QString heading = caseHeading(m_info);
    writer.setTitle(heading);
    writer.setCreator(QStringLiteral("Descry %1").arg(QStringLiteral(DESCRY_VERSION)));
    QPainter painter;
    if (!painter.begin(&writer))
        return fail(error, QStringLiteral("cannot write %1 (is the folder writable?)").arg(path));
    PdfPages pages(writer, painter, QStringLiteral("%1 — %2").arg(heading, m_info.created));

    QTextDocument cover;
    setUpDocument(&cover, pages.pageSize());
    QString html = QStringLiteral("<h1>%1</h1>").arg(esc(heading))
        + pdfFactsTable(caseFacts(m_info, int(m_items.size())));
    html += QStringLiteral(
        "<h2>Summary</h2><table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">"
        "<tr><th>#</th><th>Tracklet</th><th>Source</th><th>Time</th><th>Score</th><th>Verdict</th></tr>");
    for (const CaseReportItem &e : m_items)
        html += QStringLiteral(
            "<tr><td>%1</td><td>%2</td><td>%3</td><td>%4 – %5</td><td>%6</td><td>%7</td></tr>")
                    .arg(QString::number(e.rank), QString::number(e.tracklet.id),
                        esc(QFileInfo(e.source.path).fileName()),
                        CaseExporter::formatTimestamp(e.tracklet.startTime),
                        CaseExporter::formatTimestamp(e.tracklet.endTime),
                        e.item.scored ? QString::number(e.item.score, 'f', 4) : QString(),
                        esc(e.item.verdict));
    cover.setHtml(html + QStringLiteral("</table>"));
    pages.draw(cover);

    // One document per item, each from a new page: an item's pictures stay with its facts.
    for (const CaseReportItem &e : m_items)
        pages.draw(*itemDocument(e, m_folder, pages.pageSize()));
    if (!painter.end())
        return fail(error, QStringLiteral("cannot finish %1 (is the disk full?)").arg(path));
    return true;
}

} // namespace descry
