#include "SearchCliSupport.h"

#include "CliSupport.h"
#include "Gallery.h"
#include "TextPersonModel.h"
#include "TrackletEmbedder.h"

#include <QFileInfo>
#include <QJsonArray>

#include <cmath>

namespace descry::cli {

namespace {

// --NAME IDS, comma-separated or repeated, appended to *out; false with a message saying what it takes.
bool readIds(const QCommandLineParser &parser, const QString &name, const QString &takes, std::vector<int64_t> *out,
    QString *error)
{
    for (const QString &value : parser.values(name))
        for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const qint64 id = part.trimmed().toLongLong(&ok);
            if (!ok || id <= 0) {
                *error = QStringLiteral("--%1 takes %2 (got '%3')").arg(name, takes, value);
                return false;
            }
            out->push_back(id);
        }
    return true;
}

bool readSeconds(const QCommandLineParser &parser, const QString &name, double *out, QString *error)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    *out = parser.value(name).toDouble(&ok);
    if (!ok || *out < 0) {
        *error = QStringLiteral("--%1 must be a number of seconds >= 0 (got '%2')")
                     .arg(name, parser.value(name));
        return false;
    }
    return true;
}

// " (person 12, seen 5x, 2 cameras; also 14, 20)" — where the tracklet has an identity.
QString identityText(const SearchResult &r)
{
    if (r.tracklet.identityId <= 0)
        return {};
    QStringList also;
    for (int64_t id : r.sameIdentity)
        also.append(QString::number(id));
    return QStringLiteral(" (person %1%2%3)")
        .arg(r.tracklet.identityId)
        .arg(r.identityTracklets > 1 ? QStringLiteral(", seen %1x%2")
                                           .arg(r.identityTracklets)
                                           .arg(r.identityCameras > 1 ? QStringLiteral(", %1 cameras").arg(r.identityCameras)
                                                   : r.identitySources > 1 ? QStringLiteral(", %1 videos").arg(r.identitySources)
                                                                           : QString())
                                     : QString())
        .arg(also.isEmpty() ? QString() : QStringLiteral("; also %1").arg(also.join(QStringLiteral(", "))));
}

} // namespace

QString formatTime(double seconds)
{
    const int ms = int(seconds * 1000 + 0.5);
    return QStringLiteral("%1:%2.%3")
        .arg(ms / 60000, 2, 10, QLatin1Char('0'))
        .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
        .arg(ms % 1000 / 100);
}

void addFilterOptions(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("source"),
        QStringLiteral(
            "Only tracklets of these source ids (comma-separated or repeated; see 'descry-cli info')."),
        QStringLiteral("IDS") });
    parser.addOption({ QStringLiteral("camera"),
        QStringLiteral("Only tracklets of sources with this camera label (repeatable)."),
        QStringLiteral("LABEL") });
    parser.addOption({ QStringLiteral("from"),
        QStringLiteral("Only tracklets seen at or after S seconds into their source."),
        QStringLiteral("S") });
    parser.addOption({ QStringLiteral("to"),
        QStringLiteral("Only tracklets seen at or before S seconds into their source."),
        QStringLiteral("S") });
    parser.addOption({ QStringLiteral("attribute"),
        QStringLiteral(
            "Only tracklets measured with this attribute, e.g. upper:red, lower:black, hair:blonde, "
            "lower:shorts "
            "(repeatable; the same region and kind are alternatives, different ones must all hold)."),
        QStringLiteral("CHIP") });
    parser.addOption({ QStringLiteral("person"),
        QStringLiteral("Only this person's tracklets (identity ids, comma-separated or repeated; see 'descry-cli "
                       "identities'). With an empty query and --sort time: all their appearances."),
        QStringLiteral("IDS") });
    parser.addOption({ QStringLiteral("by-person"),
        QStringLiteral("One result per person: a person's other tracklets fold into their best result "
                       "(see 'descry-cli identities').") });
    parser.addOption({ QStringLiteral("sort"),
        QStringLiteral("Order of the results: relevance (default) or time (source, then start time)."),
        QStringLiteral("ORDER"), QStringLiteral("relevance") });
}

void addAttributeWeightOption(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("attribute-weight"),
        QStringLiteral("Weight of the attribute agreement in the model's score (default: the weight the model's "
                       "calibration was fitted with, 0.5 without one)."),
        QStringLiteral("W") });
}

bool readAttributeWeight(const QCommandLineParser &parser, float *out, QString *error)
{
    *out = -1;
    if (!parser.isSet(QStringLiteral("attribute-weight")))
        return true;
    const QString value = parser.value(QStringLiteral("attribute-weight"));
    bool ok = false;
    const float weight = value.toFloat(&ok);
    if (!ok || weight < 0 || !std::isfinite(weight)) {
        *error = QStringLiteral("--attribute-weight takes a number >= 0 (got '%1')").arg(value);
        return false;
    }
    *out = weight;
    return true;
}

bool readFilterOptions(const QCommandLineParser &parser, SearchFilters *out, QString *error)
{
    SearchFilters filters;
    if (!readIds(parser, QStringLiteral("source"), QStringLiteral("source ids such as 1,2"), &filters.sourceIds, error)
        || !readIds(parser, QStringLiteral("person"), QStringLiteral("identity ids such as 3,12"), &filters.identityIds, error))
        return false;
    for (const QString &camera : parser.values(QStringLiteral("camera")))
        filters.cameras.push_back(camera);
    if (!readSeconds(parser, QStringLiteral("from"), &filters.fromTime, error)
        || !readSeconds(parser, QStringLiteral("to"), &filters.toTime, error))
        return false;
    if (filters.fromTime >= 0 && filters.toTime >= 0 && filters.toTime < filters.fromTime) {
        *error
            = QStringLiteral("--to (%1 s) is before --from (%2 s)").arg(filters.toTime).arg(filters.fromTime);
        return false;
    }
    for (const QString &text : parser.values(QStringLiteral("attribute"))) {
        AttributeChip chip;
        if (!AttributeChip::parse(text, &chip, error))
            return false;
        filters.attributes.push_back(chip);
    }
    filters.groupByIdentity = parser.isSet(QStringLiteral("by-person"));
    const QString sort = parser.value(QStringLiteral("sort")).toLower();
    if (sort == QLatin1String("time")) {
        filters.sortOrder = SortOrder::Time;
    } else if (sort != QLatin1String("relevance")) {
        *error = QStringLiteral("--sort is relevance or time (got '%1')")
                     .arg(parser.value(QStringLiteral("sort")));
        return false;
    }
    *out = filters;
    return true;
}

QJsonObject resultJson(const SearchResult &r, Gallery &gallery)
{
    QJsonArray detections;
    for (const DetectionRecord &d : gallery.detections(r.tracklet.id))
        detections.append(QJsonObject { { QStringLiteral("frame"), qint64(d.frame) },
            { QStringLiteral("box"), QJsonArray { d.box.x, d.box.y, d.box.w, d.box.h } } });
    QJsonArray same;
    for (int64_t id : r.sameIdentity)
        same.append(qint64(id));
    return { { QStringLiteral("tracklet_id"), qint64(r.tracklet.id) }, { QStringLiteral("score"), r.score },
        { QStringLiteral("confidence"), r.confidence },
        { QStringLiteral("identity_id"), qint64(r.tracklet.identityId) },
        { QStringLiteral("identity_tracklets"), r.identityTracklets },
        { QStringLiteral("identity_cameras"), r.identityCameras },
        { QStringLiteral("identity_sources"), r.identitySources },
        { QStringLiteral("same_identity"), same },
        { QStringLiteral("source_id"), qint64(r.tracklet.sourceId) },
        { QStringLiteral("source"), r.tracklet.sourcePath },
        { QStringLiteral("camera"), r.tracklet.cameraLabel },
        { QStringLiteral("start_time"), r.tracklet.startTime },
        { QStringLiteral("end_time"), r.tracklet.endTime },
        { QStringLiteral("matched"), QJsonArray::fromStringList(r.matched) },
        { QStringLiteral("detections"), detections } };
}

QJsonObject responseJson(const SearchResponse &response, Gallery &gallery)
{
    QJsonArray results;
    for (const SearchResult &r : response.results)
        results.append(resultJson(r, gallery));
    return { { QStringLiteral("query"), response.text },
        { QStringLiteral("understood"), QJsonArray::fromStringList(response.understood) },
        { QStringLiteral("unknown_words"), QJsonArray::fromStringList(response.unknownWords) },
        { QStringLiteral("elapsed_ms"), response.elapsedMs }, { QStringLiteral("ranking"), response.ranking },
        { QStringLiteral("notes"), QJsonArray::fromStringList(response.notes) },
        { QStringLiteral("cutoff"), response.cutoff },
        { QStringLiteral("hidden_below_cutoff"), response.hiddenBelowCutoff },
        { QStringLiteral("results"), results } };
}

void printResults(const SearchResponse &response)
{
    int rank = 0;
    for (const SearchResult &r : response.results)
        printOut(QStringLiteral("%1. tracklet %2%9  score %3%4  %5 %6-%7  %8")
                     .arg(++rank, 3)
                     .arg(r.tracklet.id)
                     .arg(r.score, 0, 'f', 3)
                     .arg(r.confidence >= 0 ? QStringLiteral("  confidence %1").arg(r.confidence, 0, 'f', 2)
                                            : QString())
                     .arg(QFileInfo(r.tracklet.sourcePath).fileName(), formatTime(r.tracklet.startTime),
                         formatTime(r.tracklet.endTime), r.matched.join(QStringLiteral(", ")),
                         identityText(r)));
    printOut(QStringLiteral("%1 results of %2 tracklets in %3 ms")
                 .arg(response.results.size())
                 .arg(response.galleryTracklets)
                 .arg(response.elapsedMs, 0, 'f', 1));
    if (response.hiddenBelowCutoff > 0)
        printOut(QStringLiteral("%1 more below the cut-off (confidence < %2); --all shows them")
                     .arg(response.hiddenBelowCutoff)
                     .arg(double(response.cutoff), 0, 'f', 2));
}

void updateCoarseIndex(const QString &galleryPath, const QString &modelId, const QString &modelPath)
{
    if (modelId.isEmpty() || modelPath.isEmpty())
        return;
    Gallery gallery;
    if (!gallery.open(galleryPath) || gallery.isReadOnly()
        || gallery.embeddingCount(modelId, TrackletEmbedder::GlobalKind) < int64_t(CoarseIndex::kDefaultThreshold))
        return;
    QString error;
    const std::unique_ptr<TextPersonModel> model = TextPersonModel::load(modelPath, &error);
    if (!model || model->id() != modelId)
        return;
    printProgress(QStringLiteral("coarse index: bringing it up to date for the first search"), true);
    SearchEngine engine(gallery, model.get());
    const CoarseIndex &index = engine.coarseIndex();
    printProgress(QStringLiteral("coarse index: %1 in %2 s")
                      .arg(index.index() ? index.lastSync() : QStringLiteral("none (%1)").arg(index.lastSync()))
                      .arg(index.lastSyncSeconds(), 0, 'f', 1),
        true);
}

} // namespace descry::cli
