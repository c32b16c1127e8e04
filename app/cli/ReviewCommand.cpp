#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "ReviewDatasetWriter.h"
#include "ReviewQueue.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace descry::cli {

namespace {

const char *const kReviewUsage = R"(usage: descry-cli review ACTION [options]

Annotators' decisions on search results, stored in the gallery with author and time.

actions:
  list                  the decisions that count (the latest per query and tracklet)
  add TRACKLET          store a decision on a tracklet for a query (for scripts)
  export-dataset        write the confirmed (query, tracklet) pairs as a CUHK-PEDES style
                        training set for 'descry-cli train'

Run 'descry-cli review ACTION --help' for the options of an action.)";

// Reviews are about tracklets already in a gallery: never create an empty one.
bool openExisting(Gallery *gallery, const QString &path, const QString &command)
{
    if (!galleryExists(path)) {
        printErr(QStringLiteral("%1: no gallery at %2: ingest footage first (descry-cli ingest)")
                     .arg(command, path));
        return false;
    }
    if (!gallery->open(path)) {
        printErr(QStringLiteral("%1: %2").arg(command, gallery->lastError()));
        return false;
    }
    return true;
}

QJsonObject toJson(const ReviewRecord &r)
{
    return { { QStringLiteral("id"), qint64(r.id) }, { QStringLiteral("tracklet_id"), qint64(r.trackletId) },
        { QStringLiteral("query"), r.queryText }, { QStringLiteral("verdict"), reviewVerdictKey(r.verdict) },
        { QStringLiteral("label"), r.label }, { QStringLiteral("note"), r.note },
        { QStringLiteral("author"), r.author },
        { QStringLiteral("created_at"), r.createdAt.toString(Qt::ISODateWithMs) } };
}

QString toLine(const ReviewRecord &r)
{
    QString line = QStringLiteral("#%1  tracklet %2  %3  \"%4\"")
                       .arg(r.id)
                       .arg(r.trackletId)
                       .arg(reviewVerdictKey(r.verdict), -9)
                       .arg(r.queryText);
    if (!r.label.isEmpty())
        line += QStringLiteral("  label: %1").arg(r.label);
    if (!r.note.isEmpty())
        line += QStringLiteral("  note: %1").arg(r.note);
    return line + QStringLiteral("  (%1, %2)").arg(r.author, r.createdAt.toString(Qt::ISODate));
}

int runList(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "List the decisions that count: the latest per (query, tracklet), oldest first. A tracklet's full "
        "history is in --tracklet."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("query"), QStringLiteral("Only the decisions on this query."),
        QStringLiteral("TEXT") });
    parser.addOption({ QStringLiteral("tracklet"),
        QStringLiteral("Every decision on this tracklet, superseded ones included."), QStringLiteral("ID") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("review list") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    qint64 trackletId = 0;
    if (parser.isSet(QStringLiteral("tracklet"))) {
        bool ok = false;
        trackletId = parser.value(QStringLiteral("tracklet")).toLongLong(&ok);
        if (!ok || trackletId < 1) {
            printErr(QStringLiteral("review list: --tracklet must be a tracklet id (a positive integer)"));
            return 2;
        }
    }
    Gallery gallery;
    if (!openExisting(&gallery, galleryPath(parser), QStringLiteral("review list")))
        return 1;
    const QString query = parser.value(QStringLiteral("query")).simplified();
    std::vector<ReviewRecord> reviews;
    if (trackletId > 0) {
        for (ReviewRecord &r : gallery.reviewsOfTracklet(trackletId))
            if (query.isEmpty() || r.queryText == query)
                reviews.push_back(std::move(r));
    } else {
        reviews = gallery.reviews(query);
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray rows;
        for (const ReviewRecord &r : reviews)
            rows.append(toJson(r));
        printOut(
            QString::fromUtf8(QJsonDocument(QJsonObject { { QStringLiteral("reviews"), rows } }).toJson()));
        return 0;
    }
    for (const ReviewRecord &r : reviews)
        printOut(toLine(r));
    if (reviews.empty())
        printErr(QStringLiteral("review list: no reviews%1")
                     .arg(query.isEmpty() ? QString() : QStringLiteral(" of that query")));
    return 0;
}

int runAdd(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Store a decision on TRACKLET for a query. It supersedes earlier decisions on the same (query, "
        "tracklet), which stay in the history."));
    addGalleryOption(parser);
    parser.addPositionalArgument(
        QStringLiteral("TRACKLET"), QStringLiteral("Tracklet id (as search prints it)."));
    parser.addOption({ QStringLiteral("query"), QStringLiteral("The query text the tracklet was found for."),
        QStringLiteral("TEXT") });
    parser.addOption({ QStringLiteral("verdict"), QStringLiteral("confirmed, rejected or skipped."),
        QStringLiteral("V") });
    parser.addOption({ QStringLiteral("label"), QStringLiteral("Identity name, case number, ... (optional)."),
        QStringLiteral("L") });
    parser.addOption(
        { QStringLiteral("note"), QStringLiteral("Free text (optional)."), QStringLiteral("N") });
    parser.addOption({ QStringLiteral("author"),
        QStringLiteral("Who decided (default: %1, the user name).").arg(ReviewQueue::defaultAuthor()),
        QStringLiteral("A") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the stored row as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("review add") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    bool idOk = false;
    const qint64 trackletId = parser.positionalArguments().value(0).toLongLong(&idOk);
    if (parser.positionalArguments().size() != 1 || !idOk || trackletId < 1) {
        printErr(QStringLiteral("review add: give one tracklet id (a positive integer), e.g. 'review add 42 "
                                "--query \"red coat\" --verdict confirmed'"));
        return 2;
    }
    if (parser.value(QStringLiteral("query")).simplified().isEmpty()) {
        printErr(QStringLiteral("review add: give the query text with --query TEXT"));
        return 2;
    }
    const std::optional<ReviewVerdict> verdict
        = reviewVerdictFromKey(parser.value(QStringLiteral("verdict")));
    if (!verdict) {
        printErr(QStringLiteral("review add: --verdict must be confirmed, rejected or skipped"));
        return 2;
    }
    Gallery gallery;
    if (!openExisting(&gallery, galleryPath(parser), QStringLiteral("review add")))
        return 1;
    ReviewRecord record;
    record.trackletId = trackletId;
    record.queryText = parser.value(QStringLiteral("query"));
    record.verdict = *verdict;
    record.label = parser.value(QStringLiteral("label")).trimmed();
    record.note = parser.value(QStringLiteral("note")).trimmed();
    record.author = parser.isSet(QStringLiteral("author")) ? parser.value(QStringLiteral("author")).trimmed()
                                                           : ReviewQueue::defaultAuthor();
    if (!gallery.addReview(&record)) {
        printErr(QStringLiteral("review add: ") + gallery.lastError());
        return 1;
    }
    if (parser.isSet(QStringLiteral("json")))
        printOut(QString::fromUtf8(QJsonDocument(toJson(record)).toJson()));
    else
        printOut(toLine(record));
    return 0;
}

int runExportDataset(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Write the gallery's confirmed (query, tracklet) pairs as a training set in the CUHK-PEDES layout "
        "(DIR/imgs/<id>/<n>.jpg, DIR/reid_raw.json): the tracklets' stored crops, captioned with the query "
        "texts confirmed for them; one identity per tracklet, or per label when tracklets share one. "
        "Train on it with 'descry-cli train --data DIR'."));
    addGalleryOption(parser);
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Dataset folder (new or empty)."), QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("val-fraction"),
        QStringLiteral("Share of identities held out as the \"val\" split (default 0)."), QStringLiteral("F"),
        QStringLiteral("0") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print the counts as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("review export-dataset") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    if (parser.value(QStringLiteral("out")).isEmpty()) {
        printErr(QStringLiteral("review export-dataset: give the dataset folder with --out DIR"));
        return 2;
    }
    ReviewDatasetOptions options;
    bool fractionOk = false;
    options.valFraction = parser.value(QStringLiteral("val-fraction")).toDouble(&fractionOk);
    if (!fractionOk || options.valFraction < 0 || options.valFraction >= 1) {
        printErr(QStringLiteral("review export-dataset: --val-fraction must be a number from 0 up to (not "
                                "including) 1"));
        return 2;
    }
    Gallery gallery;
    if (!openExisting(&gallery, galleryPath(parser), QStringLiteral("review export-dataset")))
        return 1;
    ReviewDatasetWriter writer(gallery, options);
    const QString out = parser.value(QStringLiteral("out"));
    QString error;
    if (!writer.write(out, &error)) {
        printErr(QStringLiteral("review export-dataset: ") + error);
        return 1;
    }
    const ReviewDatasetSummary &s = writer.summary();
    if (s.trackletsWithoutCrops > 0)
        printErr(QStringLiteral(
            "review export-dataset: %1 confirmed tracklets have no stored crop and were left out")
                     .arg(s.trackletsWithoutCrops));
    if (parser.isSet(QStringLiteral("json"))) {
        const QJsonObject json { { QStringLiteral("dir"), QFileInfo(out).absoluteFilePath() },
            { QStringLiteral("pairs"), s.pairs }, { QStringLiteral("tracklets"), s.tracklets },
            { QStringLiteral("identities"), s.identities },
            { QStringLiteral("train_identities"), s.trainIdentities },
            { QStringLiteral("val_identities"), s.valIdentities }, { QStringLiteral("images"), s.images },
            { QStringLiteral("captions"), s.captions },
            { QStringLiteral("tracklets_without_crops"), s.trackletsWithoutCrops } };
        printOut(QString::fromUtf8(QJsonDocument(json).toJson()));
    } else {
        printOut(
            QStringLiteral("%1 confirmed pairs → %2 identities (%3 train, %4 val), %5 tracklets, %6 images, "
                           "%7 captions in %8")
                .arg(s.pairs)
                .arg(s.identities)
                .arg(s.trainIdentities)
                .arg(s.valIdentities)
                .arg(s.tracklets)
                .arg(s.images)
                .arg(s.captions)
                .arg(QFileInfo(out).absoluteFilePath()));
    }
    return 0;
}

} // namespace

int runReview(const QStringList &args)
{
    const QString action = args.value(0);
    const QStringList rest = args.mid(1);
    if (action == QLatin1String("list"))
        return runList(rest);
    if (action == QLatin1String("add"))
        return runAdd(rest);
    if (action == QLatin1String("export-dataset"))
        return runExportDataset(rest);
    if (action.isEmpty() || action == QLatin1String("--help") || action == QLatin1String("-h")) {
        printOut(QString::fromUtf8(kReviewUsage));
        return action.isEmpty() ? 2 : 0;
    }
    printErr(
        QStringLiteral("review: unknown action '%1'\n\n%2").arg(action, QString::fromUtf8(kReviewUsage)));
    return 2;
}

} // namespace descry::cli
