#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "IdentityGrouper.h"
#include "SearchCliSupport.h"
#include "TextPersonModel.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace descry::cli {

namespace {

// The identities as stored: per identity its tracklets, and per source where it was seen.
QJsonArray identitiesJson(Gallery &gallery)
{
    const std::map<int64_t, int64_t> identityOf = gallery.identities();
    std::map<int64_t, std::vector<TrackletRecord>> members;
    for (const TrackletRecord &t : gallery.tracklets())
        if (const auto it = identityOf.find(t.id); it != identityOf.end())
            members[it->second].push_back(t);
    QJsonArray out;
    for (const auto &[identity, tracklets] : members) {
        std::map<int64_t, QJsonObject> bySource;
        QJsonArray ids;
        for (const TrackletRecord &t : tracklets) {
            ids.append(qint64(t.id));
            QJsonObject &s = bySource[t.sourceId];
            if (s.isEmpty())
                s = { { QStringLiteral("source_id"), qint64(t.sourceId) },
                    { QStringLiteral("file"), QFileInfo(t.sourcePath).fileName() },
                    { QStringLiteral("camera"), t.cameraLabel }, { QStringLiteral("first_seen"), t.startTime },
                    { QStringLiteral("last_seen"), t.endTime }, { QStringLiteral("tracklets"), 0 } };
            s[QStringLiteral("first_seen")] = std::min(s[QStringLiteral("first_seen")].toDouble(), t.startTime);
            s[QStringLiteral("last_seen")] = std::max(s[QStringLiteral("last_seen")].toDouble(), t.endTime);
            s[QStringLiteral("tracklets")] = s[QStringLiteral("tracklets")].toInt() + 1;
        }
        QJsonArray sources;
        for (const auto &entry : bySource)
            sources.append(entry.second);
        out.append(QJsonObject { { QStringLiteral("id"), qint64(identity) }, { QStringLiteral("tracklets"), ids },
            { QStringLiteral("sources"), sources } });
    }
    return out;
}

void printIdentities(const QJsonArray &identities)
{
    for (const QJsonValue &v : identities) {
        const QJsonObject o = v.toObject();
        QStringList seen;
        for (const QJsonValue &s : o.value(QStringLiteral("sources")).toArray()) {
            const QJsonObject source = s.toObject();
            seen.append(QStringLiteral("%1 %2-%3")
                            .arg(source.value(QStringLiteral("file")).toString(),
                                formatTime(source.value(QStringLiteral("first_seen")).toDouble()),
                                formatTime(source.value(QStringLiteral("last_seen")).toDouble())));
        }
        QStringList ids;
        for (const QJsonValue &t : o.value(QStringLiteral("tracklets")).toArray())
            ids.append(QString::number(t.toInteger()));
        printOut(QStringLiteral("identity %1: seen %2x (%3); tracklets %4")
                     .arg(o.value(QStringLiteral("id")).toInteger())
                     .arg(ids.size())
                     .arg(seen.join(QStringLiteral(", ")), ids.join(QLatin1Char(' '))));
    }
}

QJsonObject groupingJson(const IdentityGroupingRecord &g)
{
    return { { QStringLiteral("version"), qint64(g.version) }, { QStringLiteral("model"), g.modelId },
        { QStringLiteral("threshold"), g.threshold }, { QStringLiteral("tracklets"), qint64(g.trackletCount) },
        { QStringLiteral("identities"), qint64(g.identityCount) }, { QStringLiteral("seconds"), g.seconds },
        { QStringLiteral("created_at"), g.createdAt.toString(Qt::ISODate) } };
}

bool regroup(IdentityGrouper &grouper, double threshold)
{
    IdentityClusteringOptions options;
    options.threshold = threshold;
    IdentityGroupingResult result;
    QString error;
    if (!grouper.regroup(options, &result, &error)) {
        printErr(QStringLiteral("identities: %1").arg(error));
        return false;
    }
    for (const QString &note : result.notes)
        printErr(QStringLiteral("identities: note: %1").arg(note));
    printErr(QStringLiteral("grouped %1 tracklets into %2 identities in %3 s (threshold %4; %5 kept their id)")
                 .arg(result.grouping.trackletCount)
                 .arg(result.grouping.identityCount)
                 .arg(result.grouping.seconds, 0, 'f', 2)
                 .arg(threshold)
                 .arg(result.keptIds));
    return true;
}

} // namespace

int runIdentities(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "People, not tracklets: the gallery's tracklets grouped into identities by appearance (the model's "
        "vectors and colour stripes), never putting two tracklets seen at the same time in one video "
        "together, and keeping every annotator's merge and split.\n\n"
        "  identities                 list the identities (grouping first when there are none)\n"
        "  identities --regroup       group again (after an ingest or a reindex)\n"
        "  identities merge A B       identities A and B are one person\n"
        "  identities split TRACKLET  the tracklet is not the person of the rest of its identity"));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("model"),
        QStringLiteral("Model whose vectors give the affinities (default: the shipped model)."), QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("regroup"), QStringLiteral("Group the tracklets again.") });
    parser.addOption({ QStringLiteral("threshold"),
        QStringLiteral("Mean affinity at which groups stop merging (default %1, measured on real people: models/README.md).")
            .arg(IdentityClusteringOptions {}.threshold),
        QStringLiteral("T") });
    parser.addOption({ QStringLiteral("author"), QStringLiteral("Who merges or splits (stored with the link)."),
        QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Print as JSON.") });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("merge A B | split TRACKLET (optional)."));
    if (!parseArgs(parser, QStringList { QStringLiteral("identities") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const QStringList action = parser.positionalArguments();
    const QString verb = action.value(0);
    if (!action.isEmpty() && !((verb == QLatin1String("merge") && action.size() == 3)
            || (verb == QLatin1String("split") && action.size() == 2))) {
        printErr(QStringLiteral("identities: expected 'merge A B' or 'split TRACKLET', got '%1'").arg(action.join(QLatin1Char(' '))));
        return 2;
    }
    bool ok = true;
    double threshold = IdentityClusteringOptions {}.threshold;
    if (parser.isSet(QStringLiteral("threshold"))) {
        threshold = parser.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || threshold < -1 || threshold > 1) {
            printErr(QStringLiteral("identities: --threshold must be a number in [-1, 1]"));
            return 2;
        }
    }
    std::vector<int64_t> numbers;
    for (const QString &a : action.mid(1)) {
        numbers.push_back(a.toLongLong(&ok));
        if (!ok || numbers.back() <= 0) {
            printErr(QStringLiteral("identities: '%1' is not an id (see 'descry-cli identities')").arg(a));
            return 2;
        }
    }

    QString error;
    const std::unique_ptr<TextPersonModel> model = loadModel(parser, &error);
    if (!model) {
        printErr(QStringLiteral("identities: %1").arg(error));
        return 1;
    }
    Gallery gallery;
    if (!gallery.open(galleryPath(parser))) {
        printErr(QStringLiteral("identities: %1").arg(gallery.lastError()));
        return 1;
    }
    IdentityGrouper grouper(gallery, model->id());
    const QString author = parser.value(QStringLiteral("author"));
    if (verb == QLatin1String("merge") && !grouper.merge(numbers[0], numbers[1], author, &error)) {
        printErr(QStringLiteral("identities: %1").arg(error));
        return 1;
    }
    if (verb == QLatin1String("split") && !grouper.separate(numbers[0], author, &error)) {
        printErr(QStringLiteral("identities: %1").arg(error));
        return 1;
    }
    // An edit regroups at the threshold of the grouping it changes, unless told another.
    if (!parser.isSet(QStringLiteral("threshold")))
        threshold = IdentityGrouper::currentThreshold(gallery);
    const bool grouped = gallery.latestIdentityGrouping().has_value();
    if ((parser.isSet(QStringLiteral("regroup")) || parser.isSet(QStringLiteral("threshold")) || !action.isEmpty() || !grouped)
        && !regroup(grouper, threshold))
        return 1;

    const QJsonArray identities = identitiesJson(gallery);
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject out { { QStringLiteral("identities"), identities } };
        if (const auto g = gallery.latestIdentityGrouping())
            out.insert(QStringLiteral("grouping"), groupingJson(*g));
        printOut(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)).trimmed());
    } else {
        printIdentities(identities);
    }
    return 0;
}

} // namespace descry::cli
