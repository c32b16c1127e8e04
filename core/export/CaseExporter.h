#pragma once

#include <QImage>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace descry {

struct SearchResult;

// One tracklet of a case export: what the investigator selected or confirmed, with the search
// scores that ranked it (when it came from a search) and the review's verdict.
struct CaseExportItem {
    int64_t trackletId = 0;
    int rank = 0; // position in the case, from 1; 0: its place in the request's list
    // false: chosen by id, not by a search; the score columns of the exports stay empty.
    bool scored = false;
    float score = 0;
    float globalScore = 0; // as in SearchResult; both 0: not ranked by the model (left out)
    float localScore = 0;
    float attributeScore = -1; // -1: the query names no attribute
    QStringList matched;
    QString verdict, label, note; // from review; optional
    QImage heatmap; // optional: written as heatmaps/<rank>-t<id>.png and shown in the reports

    static CaseExportItem fromSearchResult(const SearchResult &result, int rank);
    // Says that grouping added this tracklet as another appearance of `personId`, not a chooser:
    // "another appearance of person N", before any note it has (e.g. its review's).
    void markAsAppearanceOf(int64_t personId);
};

struct CaseExportRequest {
    QString galleryPath;
    QString outDir; // created by the export; must not exist or be empty (see overwrite)
    QString caseTitle;
    QString caseNumber;
    QString author;
    QString query; // empty when the tracklets were chosen by id
    QString ranking; // what made the scores, e.g. SearchResponse::ranking ("model descry-nafs-s")
    std::vector<CaseExportItem> items;
    // Replace outDir when it holds an earlier case export (a manifest.json written by Descry);
    // any other non-empty folder is always refused, so a typo cannot wipe unrelated files.
    bool overwrite = false;
    // Hash each source video and compare it with the SHA-256 stored at ingest before taking
    // frames from it: a file replaced or edited since is reported instead of used. Costs one
    // full read of each source file the case uses.
    bool verifySources = true;
};

struct CaseExportResult {
    QString outDir; // absolute path of the finished export
    int items = 0;
    int files = 0; // every file written, manifest.json included
    qint64 bytes = 0; // their total size
    QString manifestSha256; // worth recording in the case log: it pins every other file
    QStringList notes; // what could not be exported, one line each ("tracklet 12: ...")
    double seconds = 0;
};

// A case export: the chosen tracklets with every stored crop, the full source frame with the
// box drawn, the heatmaps given, and their facts (source file and SHA-256, camera, times,
// scores, verdicts) as results.csv, results.json, a self-contained report.html (images embedded)
// and report.pdf (A4), plus manifest.json listing every file with its size and SHA-256.
//
// The gallery is only read (its schema must be current; an older one is refused rather than
// migrated). The export is atomic: everything is written into "<outDir>.partial-<random>" and
// renamed to outDir at the end, so outDir never holds half an export; a failure or cancel
// removes the partial folder. A missing or changed source video costs that item its frame (a
// note in the reports), not the export.
//
// Runs on the calling thread (decodes video, reads the gallery with its own connection, hashes
// files): call it from a worker. The PDF needs fonts, so a QGuiApplication (or QApplication)
// must exist.
class CaseExporter {
public:
    // progress(done, total): total is the number of items + 1 (the reports), called after each.
    using Progress = std::function<void(int done, int total)>;

    // False with `error` saying what went wrong and what to do; nothing is left behind then.
    // A cancel (cancel set to true) fails with "cancelled".
    static bool exportCase(const CaseExportRequest &request, CaseExportResult *result, QString *error,
        const Progress &progress = {}, const std::atomic_bool *cancel = nullptr);

    // Whether the gallery at `path` can be read as it is: it exists and has the current schema
    // (Gallery::open would migrate an older one, i.e. write to it). exportCase checks this
    // itself; callers that open the gallery first (to search) call it before.
    static bool checkGallery(const QString &path, QString *error);

    // "hh:mm:ss.mmm" of a time in the footage (seconds from its start).
    static QString formatTimestamp(double seconds);
};

} // namespace descry
