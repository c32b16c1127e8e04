#pragma once

#include "Box.h"
#include "CaseExporter.h"
#include "GalleryRecords.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace descry {

// Whether a source video is still the footage that was ingested (its SHA-256 against the one
// the gallery recorded), checked before a frame is taken from it.
enum class SourceCheck { NotChecked, Verified, Changed, Missing, Unreadable };

// One tracklet of a case as exported: the gallery's rows and the files written for it (paths
// relative to the export folder).
struct CaseReportItem {
    CaseExportItem item;
    int rank = 0;
    TrackletRecord tracklet;
    SourceRecord source;
    std::vector<DetectionRecord> detections;
    bool hasFrame = false; // the tracklet has a frame to show (its best crop's)
    int64_t frameIndex = 0;
    double frameTime = 0;
    Box frameBox;
    SourceCheck sourceCheck = SourceCheck::NotChecked;
    QStringList cropFiles;
    QString frameFile, heatmapFile; // empty when not written
    QStringList notes; // what could not be exported, in words

    QStringList files() const;
};

// The case as a whole: the request's titles and query, and the gallery as it was read.
struct CaseReportInfo {
    QString caseTitle, caseNumber, author, query, ranking;
    QString created; // ISO 8601 UTC, the same in every file of the export
    QString galleryPath;
    int schemaVersion = 0;
    int64_t generation = 0; // Gallery::generation() when read
};

// The documents of a case export, all from the same facts: results.csv, results.json,
// report.html (self-contained, images embedded as data URIs, user text escaped) and report.pdf
// (A4: a cover page with the case and a summary table, then each item from a new page). The
// pictures are read from the export folder, where CaseExporter wrote them.
class CaseReport {
public:
    CaseReport(CaseReportInfo info, std::vector<CaseReportItem> items, QString folder);

    QByteArray csv() const;
    QByteArray json() const;
    QJsonObject caseJson() const; // the case part of json(), which the manifest repeats
    bool writeHtml(const QString &path, QString *error) const;
    // Needs a QGuiApplication (fonts); any thread.
    bool writePdf(const QString &path, QString *error) const;

    static QString sourceCheckKey(SourceCheck check); // "verified", "changed", ... (CSV, JSON)
    static QString sourceCheckText(SourceCheck check); // a sentence for the reports

private:
    QByteArray read(const QString &relative) const;

    CaseReportInfo m_info;
    std::vector<CaseReportItem> m_items;
    QString m_folder;
};

} // namespace descry
