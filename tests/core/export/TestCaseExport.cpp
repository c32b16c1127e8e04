#include "CaseExporter.h"
#include "ContentHash.h"
#include "Gallery.h"
#include "IngestJob.h"
#include "RenderedFootageIngest.h"
#include "SceneRenderer.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <memory>
#include <set>

using namespace descry;

// A case export of a rendered scene's tracklets, checked file by file: what the reports say,
// that the manifest pins what is on disk, and that the gallery is left byte for byte as it was.
class TestCaseExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_clip;
    QString m_gallery;
    std::vector<TrackletRecord> m_tracklets;
    const QString m_query = QStringLiteral("a <b>person</b> & a \"red\" coat");

    static QByteArray readAll(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static QString sha256(const QString &path)
    {
        QString digest, error;
        return contentHash(path, &digest, &error) ? digest : error;
    }

    // Everything in `dir` (recursively), as paths relative to it.
    static std::set<QString> filesUnder(const QString &dir)
    {
        std::set<QString> files;
        QDir root(dir);
        const QStringList all = QDir(dir).entryList(QDir::Files);
        for (const QString &name : all)
            files.insert(name);
        for (const QString &sub : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            for (const QString &name : QDir(root.filePath(sub)).entryList(QDir::Files))
                files.insert(sub + QLatin1Char('/') + name);
        return files;
    }

    // Leftovers of an export ("<out>.partial-*", "<out>.old-*") next to the export folders.
    QStringList leftovers() const
    {
        return QDir(m_dir.filePath(QStringLiteral("out")))
            .entryList({ QStringLiteral("*.partial-*"), QStringLiteral("*.old-*") }, QDir::AllEntries);
    }

    static QImage heatmap()
    {
        QImage image(64, 128, QImage::Format_RGB32);
        QPainter painter(&image);
        for (int y = 0; y < 128; ++y)
            painter.fillRect(0, y, 64, 1, QColor::fromHsv(240 - y * 240 / 128, 255, 255));
        return image;
    }

    CaseExportRequest request(const QString &outName, int count) const
    {
        CaseExportRequest r;
        r.galleryPath = m_gallery;
        r.outDir = m_dir.filePath(QStringLiteral("out/") + outName);
        r.caseTitle = QStringLiteral("Lobby <incident>");
        r.caseNumber = QStringLiteral("2024/117");
        r.author = QStringLiteral("A. Tester");
        r.query = m_query;
        r.ranking = QStringLiteral("attributes");
        for (int i = 0; i < count; ++i) {
            CaseExportItem item;
            item.trackletId = m_tracklets[size_t(i)].id;
            item.rank = i + 1;
            item.scored = true;
            item.score = 0.9f - 0.1f * float(i);
            item.globalScore = 0.5f;
            item.localScore = 0.25f;
            item.attributeScore = i == 0 ? 0.75f : -1.f;
            item.matched = { QStringLiteral("upper: red") };
            if (i == 0) {
                item.verdict = QStringLiteral("confirmed");
                item.label = QStringLiteral("suspect, \"A\"");
                item.note = QStringLiteral("=HYPERLINK(\"x\") <script>alert(1)</script>");
                item.heatmap = heatmap();
            }
            r.items.push_back(item);
        }
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SceneOptions scene;
        scene.seed = 11;
        scene.frames = 120;
        scene.people = 5;
        QString error;
        QVERIFY2(writeScene(scene, m_dir.filePath(QStringLiteral("scene")), false, nullptr, &error),
            qPrintable(error));
        m_clip = m_dir.filePath(QStringLiteral("scene/scene.avi"));
        m_gallery = m_dir.filePath(QStringLiteral("g.sqlite"));
        IngestJob job(m_gallery, { m_clip }, test::renderedFootageIngest());
        const IngestSummary summary = job.run();
        QVERIFY2(summary.problems.isEmpty(), qPrintable(summary.problems.join(QLatin1Char('\n'))));
        Gallery gallery;
        QVERIFY(gallery.open(m_gallery));
        m_tracklets = gallery.tracklets();
        QVERIFY2(m_tracklets.size() >= 3, "the scene should give at least 3 tracklets");
    }

    void formatsTimestamps_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << 0.0 << QStringLiteral("00:00:00.000");
        QTest::newRow("hours") << 3725.5 << QStringLiteral("01:02:05.500");
        QTest::newRow("rounds up into the minute") << 59.9996 << QStringLiteral("00:01:00.000");
        QTest::newRow("milliseconds") << 0.042 << QStringLiteral("00:00:00.042");
    }

    void formatsTimestamps()
    {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(CaseExporter::formatTimestamp(seconds), text);
    }

    void exportsEveryFileAndFact()
    {
        const QString galleryBefore = sha256(m_gallery);
        const CaseExportRequest req = request(QStringLiteral("case"), 3);
        std::vector<std::pair<int, int>> steps;
        CaseExportResult result;
        QString error;
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(CaseExporter::exportCase(
                     req, &result, &error, [&](int done, int total) { steps.emplace_back(done, total); }),
            qPrintable(error));
        qInfo("exported 3 tracklets in %lld ms: %d files, %lld bytes", timer.elapsed(), result.files,
            result.bytes);
        const QString out = QDir::cleanPath(req.outDir);
        QCOMPARE(result.outDir, out);
        QCOMPARE(result.items, 3);
        QVERIFY2(result.notes.isEmpty(), qPrintable(result.notes.join(QLatin1Char('\n'))));
        QCOMPARE(steps.size(), size_t(4)); // after each item, then after the reports
        for (size_t i = 0; i < steps.size(); ++i)
            QVERIFY(steps[i] == std::make_pair(int(i) + 1, 4));

        // The gallery was only read.
        QCOMPARE(sha256(m_gallery), galleryBefore);
        QVERIFY(leftovers().isEmpty());

        // Images: every crop, one frame per item, the heatmap given; all decode.
        const std::set<QString> files = filesUnder(out);
        Gallery gallery;
        QVERIFY(gallery.open(m_gallery));
        int crops = 0;
        for (int i = 0; i < 3; ++i) {
            const int64_t id = m_tracklets[size_t(i)].id;
            const std::vector<CropRecord> stored = gallery.crops(id);
            QVERIFY(!stored.empty());
            for (size_t n = 0; n < stored.size(); ++n) {
                const QString crop = QStringLiteral("crops/%1-t%2-%3.jpg").arg(i + 1).arg(id).arg(n + 1);
                QVERIFY2(files.count(crop), qPrintable(crop));
                // The stored bytes, unchanged.
                QCOMPARE(readAll(QDir(out).filePath(crop)), gallery.cropImage(stored[n].id));
                QVERIFY(!QImage(QDir(out).filePath(crop)).isNull());
                ++crops;
            }
            const QImage frame(QDir(out).filePath(QStringLiteral("frames/%1-t%2.jpg").arg(i + 1).arg(id)));
            QCOMPARE(frame.size(), QSize(768, 576));
        }
        const QImage heat(QDir(out).filePath(QStringLiteral("heatmaps/1-t%1.png").arg(m_tracklets[0].id)));
        QCOMPARE(heat.size(), QSize(64, 128));
        QCOMPARE(int(files.size()), crops + 3 + 1 + 5); // + frames, heatmap, csv/json/html/pdf/manifest
        QCOMPARE(result.files, int(files.size()));
        const std::optional<SourceRecord> source = gallery.source(m_tracklets[0].sourceId);
        QVERIFY(source && source->contentHash.size() == 64);

        // results.csv: a header and one row per item, in rank order, with the source's hash.
        const QStringList lines
            = QString::fromUtf8(readAll(QDir(out).filePath(QStringLiteral("results.csv"))))
                  .split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith(QLatin1String("rank,tracklet_id,person_id,source_path,source_sha256,")));
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(
                lines[i + 1].startsWith(QStringLiteral("%1,%2,").arg(i + 1).arg(m_tracklets[size_t(i)].id)),
                qPrintable(lines[i + 1]));
            QVERIFY(lines[i + 1].contains(source->contentHash));
            QVERIFY(lines[i + 1].contains(QStringLiteral(",verified,")));
        }
        // Quoted for commas and quotes; a leading '=' cannot run as a spreadsheet formula.
        QVERIFY2(lines[1].contains(QStringLiteral("\"suspect, \"\"A\"\"\"")), qPrintable(lines[1]));
        QVERIFY(lines[1].contains(QStringLiteral("\"'=HYPERLINK(\"\"x\"\")")));

        // results.json: the case and the same items.
        const QJsonObject json
            = QJsonDocument::fromJson(readAll(QDir(out).filePath(QStringLiteral("results.json")))).object();
        QCOMPARE(json.value(QStringLiteral("query")).toString(), m_query);
        QCOMPARE(json.value(QStringLiteral("number")).toString(), req.caseNumber);
        QCOMPARE(json.value(QStringLiteral("author")).toString(), req.author);
        QCOMPARE(json.value(QStringLiteral("descry_version")).toString(), QStringLiteral(DESCRY_VERSION));
        QCOMPARE(json.value(QStringLiteral("gallery")).toObject().value(QStringLiteral("path")).toString(),
            QFileInfo(m_gallery).absoluteFilePath());
        QVERIFY(QDateTime::fromString(json.value(QStringLiteral("created")).toString(), Qt::ISODateWithMs)
                    .isValid());
        const QJsonArray items = json.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const QJsonObject item = items[i].toObject();
            QCOMPARE(
                item.value(QStringLiteral("tracklet_id")).toInteger(), qint64(m_tracklets[size_t(i)].id));
            QCOMPARE(
                item.value(QStringLiteral("source")).toObject().value(QStringLiteral("sha256")).toString(),
                source->contentHash);
            QCOMPARE(item.value(QStringLiteral("score")).toDouble(), std::round((0.9 - 0.1 * i) * 1e6) / 1e6);
            QCOMPARE(int(item.value(QStringLiteral("detections")).toArray().size()),
                m_tracklets[size_t(i)].detectionCount);
        }
        QVERIFY(items[1].toObject().value(QStringLiteral("attribute_score")).isNull());
        QCOMPARE(items[0].toObject().value(QStringLiteral("note")).toString(), req.items[0].note);

        // report.html: self-contained, user text escaped.
        const QString html = QString::fromUtf8(readAll(QDir(out).filePath(QStringLiteral("report.html"))));
        QVERIFY(html.contains(m_query.toHtmlEscaped()));
        QVERIFY(html.contains(QStringLiteral("&lt;b&gt;person&lt;/b&gt; &amp;")));
        QVERIFY(!html.contains(QStringLiteral("<b>person")));
        QVERIFY(!html.contains(QStringLiteral("<script>")));
        QVERIFY(html.contains(QStringLiteral("Lobby &lt;incident&gt;")));
        QCOMPARE(int(html.count(QStringLiteral("src=\"data:image/jpeg;base64,"))), crops + 3);
        QCOMPARE(int(html.count(QStringLiteral("src=\"data:image/png;base64,"))), 1);
        QVERIFY(!html.contains(QStringLiteral("src=\"crops/"))
            && !html.contains(QStringLiteral("src=\"frames/")));

        // report.pdf: a PDF with a cover page and a page per item.
        const QByteArray pdf = readAll(QDir(out).filePath(QStringLiteral("report.pdf")));
        QVERIFY(pdf.startsWith("%PDF"));
        QVERIFY2(pdf.size() > 50000, qPrintable(QString::number(pdf.size())));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        QCOMPARE(int(pdf.count("/Type /Page\n")), 1 + 3);

        // manifest.json: every other file, with its size and SHA-256 as on disk.
        const QByteArray manifestBytes = readAll(QDir(out).filePath(QStringLiteral("manifest.json")));
        QCOMPARE(sha256(QDir(out).filePath(QStringLiteral("manifest.json"))), result.manifestSha256);
        const QJsonObject manifest = QJsonDocument::fromJson(manifestBytes).object();
        QCOMPARE(manifest.value(QStringLiteral("format")).toString(), QStringLiteral("descry-case-export"));
        std::set<QString> listed;
        for (const QJsonValue &v : manifest.value(QStringLiteral("files")).toArray()) {
            const QJsonObject entry = v.toObject();
            const QString path = QDir(out).filePath(entry.value(QStringLiteral("path")).toString());
            listed.insert(entry.value(QStringLiteral("path")).toString());
            QCOMPARE(entry.value(QStringLiteral("size")).toInteger(), QFileInfo(path).size());
            QCOMPARE(entry.value(QStringLiteral("sha256")).toString(), sha256(path));
        }
        std::set<QString> expected = files;
        expected.erase(QStringLiteral("manifest.json"));
        QVERIFY(listed == expected);
    }

    // The GUI exports on a worker thread: no pixmaps, fonts or SQL connections of the GUI thread.
    void exportsFromWorkerThread()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
        const CaseExportRequest req = request(QStringLiteral("threaded"), 2);
        bool ok = false;
        QString error;
        CaseExportResult result;
        std::unique_ptr<QThread> worker(
            QThread::create([&] { ok = CaseExporter::exportCase(req, &result, &error); }));
        worker->start();
        QVERIFY(worker->wait(120000));
        QVERIFY2(ok, qPrintable(error));
        QCOMPARE(result.items, 2);
        QVERIFY(readAll(QDir(req.outDir).filePath(QStringLiteral("report.pdf"))).count("/Type /Page\n") == 3);
        QVERIFY(QImage(QDir(req.outDir).filePath(QStringLiteral("heatmaps/1-t%1.png").arg(m_tracklets[0].id)))
                    .width()
            == 64);
    }

    void refusesNonEmptyFolderUnlessOverwrite()
    {
        CaseExportRequest req = request(QStringLiteral("again"), 1);
        CaseExportResult first;
        QString error;
        QVERIFY2(CaseExporter::exportCase(req, &first, &error), qPrintable(error));
        const QByteArray manifest = readAll(QDir(req.outDir).filePath(QStringLiteral("manifest.json")));

        QVERIFY(!CaseExporter::exportCase(req, nullptr, &error));
        QVERIFY2(
            error.contains(QStringLiteral("is not empty")) && error.contains(QStringLiteral("overwrite")),
            qPrintable(error));
        QCOMPARE(readAll(QDir(req.outDir).filePath(QStringLiteral("manifest.json"))), manifest);

        req.overwrite = true;
        req.items = request(QStringLiteral("again"), 2).items;
        CaseExportResult second;
        QVERIFY2(CaseExporter::exportCase(req, &second, &error), qPrintable(error));
        QCOMPARE(second.items, 2);
        QCOMPARE(int(filesUnder(req.outDir).size()), second.files);
        QVERIFY(leftovers().isEmpty());

        // Overwrite replaces an earlier export only, never a folder of other files.
        const QString other = m_dir.filePath(QStringLiteral("out/someone-elses"));
        QVERIFY(QDir().mkpath(other));
        QFile keep(QDir(other).filePath(QStringLiteral("keep.txt")));
        QVERIFY(keep.open(QIODevice::WriteOnly) && keep.write("mine") == 4);
        keep.close();
        req.outDir = other;
        QVERIFY(!CaseExporter::exportCase(req, nullptr, &error));
        QVERIFY2(error.contains(QStringLiteral("no Descry case export")), qPrintable(error));
        QCOMPARE(readAll(keep.fileName()), QByteArray("mine"));

        // An empty folder is fine.
        req.outDir = m_dir.filePath(QStringLiteral("out/empty"));
        QVERIFY(QDir().mkpath(req.outDir));
        req.overwrite = false;
        QVERIFY2(CaseExporter::exportCase(req, nullptr, &error), qPrintable(error));
        QVERIFY(QFileInfo::exists(QDir(req.outDir).filePath(QStringLiteral("report.pdf"))));
        QVERIFY(leftovers().isEmpty());
    }

    void missingOrChangedSourceStillExports_data()
    {
        QTest::addColumn<bool>("replaceWithOtherBytes");
        QTest::addColumn<QString>("check");
        QTest::addColumn<QString>("note");
        QTest::newRow("missing") << false << QStringLiteral("missing") << QStringLiteral("is missing");
        QTest::newRow("changed") << true << QStringLiteral("changed")
                                 << QStringLiteral("not the footage that was ingested");
    }

    void missingOrChangedSourceStillExports()
    {
        QFETCH(bool, replaceWithOtherBytes);
        QFETCH(QString, check);
        QFETCH(QString, note);
        const QString moved = m_clip + QStringLiteral(".moved");
        QVERIFY(QFile::rename(m_clip, moved));
        if (replaceWithOtherBytes)
            QVERIFY(QFile::copy(m_gallery, m_clip));
        const CaseExportRequest req = request(QStringLiteral("without-") + check, 2);
        CaseExportResult result;
        QString error;
        const bool ok = CaseExporter::exportCase(req, &result, &error);
        QFile::remove(m_clip);
        QVERIFY(QFile::rename(moved, m_clip));
        QVERIFY2(ok, qPrintable(error));

        QCOMPARE(result.items, 2);
        QCOMPARE(result.notes.size(), 2); // one per item: no frame
        QVERIFY2(result.notes[0].contains(note), qPrintable(result.notes[0]));
        QVERIFY(!QFileInfo::exists(QDir(req.outDir).filePath(QStringLiteral("frames"))));
        QVERIFY(!filesUnder(QDir(req.outDir).filePath(QStringLiteral("crops"))).empty());
        const QString html
            = QString::fromUtf8(readAll(QDir(req.outDir).filePath(QStringLiteral("report.html"))));
        QVERIFY(html.contains(note));
        const QStringList lines
            = QString::fromUtf8(readAll(QDir(req.outDir).filePath(QStringLiteral("results.csv"))))
                  .split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QVERIFY(lines[1].contains(QLatin1Char(',') + check + QLatin1Char(',')));
        QVERIFY(readAll(QDir(req.outDir).filePath(QStringLiteral("report.pdf"))).startsWith("%PDF"));
    }

    void badRequestsLeaveNothingBehind_data()
    {
        QTest::addColumn<int>("problem");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown tracklet") << 0 << QStringLiteral("not in the gallery");
        QTest::newRow("tracklet twice") << 1 << QStringLiteral("listed twice");
        QTest::newRow("no gallery") << 2 << QStringLiteral("no gallery at");
        QTest::newRow("nothing chosen") << 3 << QStringLiteral("nothing to export");
    }

    void badRequestsLeaveNothingBehind()
    {
        QFETCH(int, problem);
        QFETCH(QString, message);
        CaseExportRequest req = request(QStringLiteral("bad"), 2);
        if (problem == 0)
            req.items[1].trackletId = 999999;
        else if (problem == 1)
            req.items[1].trackletId = req.items[0].trackletId;
        else if (problem == 2)
            req.galleryPath = m_dir.filePath(QStringLiteral("nowhere/g.sqlite"));
        else
            req.items.clear();
        QString error;
        QVERIFY(!CaseExporter::exportCase(req, nullptr, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
        QVERIFY(!QFileInfo::exists(req.outDir));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("nowhere"))));
        QVERIFY(leftovers().isEmpty());
    }

    void cancelLeavesNothingBehind()
    {
        const CaseExportRequest req = request(QStringLiteral("cancelled"), 3);
        std::atomic_bool cancel { false };
        QString error;
        // Cancelled once the first item is written, as a user pressing Cancel mid-export.
        QVERIFY(!CaseExporter::exportCase(
            req, nullptr, &error, [&](int, int) { cancel = true; }, &cancel));
        QCOMPARE(error, QStringLiteral("cancelled"));
        QVERIFY(!QFileInfo::exists(req.outDir));
        QVERIFY(leftovers().isEmpty());
    }
};

QTEST_MAIN(TestCaseExport)
#include "TestCaseExport.moc"
