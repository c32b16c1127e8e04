#include "IdentityGrouper.h"

#include "ColourStripes.h"
#include "Gallery.h"
#include "TrackletEmbedder.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

namespace descry {

namespace {

QString clock(double seconds)
{
    const int s = int(seconds);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Each group keeps the previous id most of its tracklets had (largest overlaps first); groups
// that inherit none get new ids from `nextId` on.
std::map<int64_t, int64_t> stableIds(const std::map<int64_t, int> &labelOfTracklet,
    const std::map<int64_t, int64_t> &previous, int64_t nextId, int64_t *kept)
{
    std::map<std::pair<int, int64_t>, int64_t> overlap; // (label, previous id) -> tracklets
    for (const auto &[tracklet, label] : labelOfTracklet)
        if (const auto it = previous.find(tracklet); it != previous.end())
            ++overlap[{ label, it->second }];
    std::vector<std::tuple<int64_t, int, int64_t>> ranked; // (-overlap, label, previous id)
    for (const auto &[key, count] : overlap)
        ranked.emplace_back(-count, key.first, key.second);
    std::sort(ranked.begin(), ranked.end());
    std::map<int, int64_t> idOfLabel;
    std::set<int64_t> taken;
    for (const auto &[negative, label, id] : ranked)
        if (!idOfLabel.count(label) && !taken.count(id)) {
            idOfLabel[label] = id;
            taken.insert(id);
        }
    *kept = int64_t(idOfLabel.size());
    std::map<int64_t, int64_t> out;
    for (const auto &[tracklet, label] : labelOfTracklet) {
        auto it = idOfLabel.find(label);
        if (it == idOfLabel.end())
            it = idOfLabel.emplace(label, nextId++).first;
        out[tracklet] = it->second;
    }
    return out;
}

} // namespace

IdentityGrouper::IdentityGrouper(Gallery &gallery, QString modelId)
    : m_gallery(gallery)
    , m_modelId(std::move(modelId))
{ }

bool IdentityGrouper::load(QString *error)
{
    m_items.clear();
    m_features = {};
    m_links.clear();
    std::vector<int64_t> ids, colourIds;
    std::vector<float> visual, colour;
    int visualDim = 0, colourDim = 0;
    if (!m_gallery.loadEmbeddings(m_modelId, TrackletEmbedder::GlobalKind, &ids, &visual, &visualDim)) {
        *error = QStringLiteral("cannot read the vectors of model %1: %2").arg(m_modelId, m_gallery.lastError());
        return false;
    }
    if (ids.empty()) {
        *error = QStringLiteral("the gallery has no vectors of model %1 to group people by: run 'descry-cli reindex' first")
                     .arg(m_modelId);
        return false;
    }
    if (!m_gallery.loadEmbeddings(m_modelId, TrackletEmbedder::ColourKind, &colourIds, &colour, &colourDim))
        colourIds.clear(); // grouped by the model's vectors alone
    const bool colourUsable = colourDim == ColourStripes::kDim;

    loadPlaces();
    const std::vector<TrackletRecord> tracklets = m_gallery.tracklets();
    m_withoutVectors = 0;
    m_features.visualDim = visualDim;
    m_features.colourDim = colourUsable ? colourDim : 0;
    size_t v = 0, c = 0; // both id lists ascend, as tracklets() does
    for (const TrackletRecord &t : tracklets) {
        while (v < ids.size() && ids[v] < t.id)
            ++v;
        if (v == ids.size() || ids[v] != t.id) {
            ++m_withoutVectors;
            continue;
        }
        m_items.push_back(itemOf(t));
        m_features.visual.insert(m_features.visual.end(), visual.begin() + long(v * size_t(visualDim)),
            visual.begin() + long((v + 1) * size_t(visualDim)));
        while (c < colourIds.size() && colourIds[c] < t.id)
            ++c;
        const bool has = colourUsable && c < colourIds.size() && colourIds[c] == t.id;
        m_features.hasColour.push_back(has ? 1 : 0);
        if (colourUsable) {
            if (has)
                m_features.colour.insert(m_features.colour.end(), colour.begin() + long(c * size_t(colourDim)),
                    colour.begin() + long((c + 1) * size_t(colourDim)));
            else
                m_features.colour.insert(m_features.colour.end(), size_t(colourDim), 0.0f);
        }
    }
    std::map<int64_t, int> indexOf;
    for (size_t i = 0; i < m_items.size(); ++i)
        indexOf[m_items[i].trackletId] = int(i);
    for (const IdentityLinkRecord &link : m_gallery.identityLinks()) {
        const auto a = indexOf.find(link.trackletA), b = indexOf.find(link.trackletB);
        if (a != indexOf.end() && b != indexOf.end())
            m_links.push_back({ a->second, b->second, link.same });
    }
    return true;
}

void IdentityGrouper::loadPlaces()
{
    m_places = {};
    std::map<QString, int> index; // camera label -> its index
    const auto cameraIndex = [&](const QString &label) { return index.emplace(label, int(index.size())).first->second; };
    for (const SourceRecord &s : m_gallery.sources()) {
        m_places.cameraOfSource[s.id] = cameraIndex(s.cameraLabel);
        if (s.recordedAt.isValid())
            m_places.recordedAt[s.id] = double(s.recordedAt.toMSecsSinceEpoch()) / 1000.0;
    }
    for (const CameraTransit &t : m_gallery.cameraTransits())
        m_places.transits.push_back({ cameraIndex(t.cameraA), cameraIndex(t.cameraB), t.minSeconds });
}

IdentityItem IdentityGrouper::itemOf(const TrackletRecord &t) const
{
    IdentityItem item { t.id, t.sourceId, t.startTime, t.endTime };
    if (const auto camera = m_places.cameraOfSource.find(t.sourceId); camera != m_places.cameraOfSource.end())
        item.camera = camera->second;
    if (const auto recorded = m_places.recordedAt.find(t.sourceId); recorded != m_places.recordedAt.end())
        item.wallStart = recorded->second + t.startTime;
    return item;
}

std::map<int64_t, int> IdentityGrouper::cluster(const IdentityClusteringOptions &options) const
{
    IdentityClusteringOptions withPlaces = options;
    withPlaces.transits.insert(withPlaces.transits.end(), m_places.transits.begin(), m_places.transits.end());
    const std::vector<int> labels = IdentityClustering::cluster(m_items, m_features, m_links, withPlaces);
    std::map<int64_t, int> out;
    for (size_t i = 0; i < m_items.size(); ++i)
        out[m_items[i].trackletId] = labels[i];
    return out;
}

double IdentityGrouper::currentThreshold(Gallery &gallery)
{
    const std::optional<IdentityGroupingRecord> last = gallery.latestIdentityGrouping();
    const IdentityClusteringOptions defaults;
    return last && last->method == method(defaults) ? last->threshold : defaults.threshold;
}

QString IdentityGrouper::method(const IdentityClusteringOptions &options)
{
    if (options.attentionNeighbours <= 0)
        return QStringLiteral("plain");
    return QStringLiteral("attention %1:%2").arg(options.attentionNeighbours).arg(options.attentionTemperature);
}

bool IdentityGrouper::regroup(const IdentityClusteringOptions &options, IdentityGroupingResult *result, QString *error)
{
    *result = {};
    QElapsedTimer timer;
    timer.start();
    if (!load(error))
        return false;
    const std::map<int64_t, int> labels = cluster(options);
    result->identityOfTracklet
        = stableIds(labels, m_gallery.identities(), std::max<int64_t>(1, m_gallery.nextIdentityId()), &result->keptIds);
    std::set<int64_t> distinct;
    for (const auto &entry : result->identityOfTracklet)
        distinct.insert(entry.second);
    result->withoutVectors = m_withoutVectors;
    if (m_withoutVectors > 0)
        result->notes.append(QStringLiteral("%1 tracklets have no vectors of model %2 and no identity; run 'descry-cli "
                                            "reindex', then group again")
                                 .arg(m_withoutVectors)
                                 .arg(m_modelId));
    IdentityGroupingRecord &g = result->grouping;
    g.modelId = m_modelId;
    g.threshold = options.threshold;
    g.method = method(options);
    g.trackletCount = int64_t(m_items.size());
    g.identityCount = int64_t(distinct.size());
    g.seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!m_gallery.replaceIdentities(&g, result->identityOfTracklet)) {
        *error = QStringLiteral("cannot store the identities: %1").arg(m_gallery.lastError());
        return false;
    }
    return true;
}

std::vector<int64_t> IdentityGrouper::membersOf(const std::map<int64_t, int64_t> &identities, int64_t identity)
{
    std::vector<int64_t> out;
    for (const auto &[tracklet, id] : identities)
        if (id == identity)
            out.push_back(tracklet);
    return out;
}

QString IdentityGrouper::conflict(
    const TrackletRecord &a, const TrackletRecord &b, const std::vector<IdentityLinkRecord> &links) const
{
    const IdentityItem x = itemOf(a), y = itemOf(b);
    double gap = 0, needed = 0;
    if (IdentityClustering::tooSoon(x, y, m_places.transits, &gap, &needed))
        return QStringLiteral("tracklets %1 (camera %2, %3) and %4 (camera %5, %6) are %7 s apart, and a person needs "
                              "at least %8 s from one camera to the other")
            .arg(a.id)
            .arg(a.cameraLabel, QDateTime::fromMSecsSinceEpoch(qint64(x.wallStart * 1000), Qt::UTC).toString(Qt::ISODate))
            .arg(b.id)
            .arg(b.cameraLabel, QDateTime::fromMSecsSinceEpoch(qint64(y.wallStart * 1000), Qt::UTC).toString(Qt::ISODate))
            .arg(gap, 0, 'f', 1)
            .arg(needed, 0, 'f', 0);
    if (IdentityClustering::simultaneous(x, y, IdentityClusteringOptions {}.simultaneousSeconds))
        return QStringLiteral("tracklets %1 (%2-%3) and %4 (%5-%6) were seen at the same time in %7, so they are two "
                              "people")
            .arg(a.id)
            .arg(clock(a.startTime), clock(a.endTime))
            .arg(b.id)
            .arg(clock(b.startTime), clock(b.endTime), QFileInfo(a.sourcePath).fileName());
    const auto pair = std::minmax(a.id, b.id);
    for (const IdentityLinkRecord &link : links)
        if (!link.same && link.trackletA == pair.first && link.trackletB == pair.second)
            return QStringLiteral("%1 said tracklets %2 and %3 are different people (link %4); link them as the same "
                                  "person first to change that")
                .arg(link.author.isEmpty() ? QStringLiteral("an annotator") : link.author)
                .arg(a.id)
                .arg(b.id)
                .arg(link.id);
    return {};
}

bool IdentityGrouper::merge(int64_t identityA, int64_t identityB, const QString &author, QString *error)
{
    if (identityA == identityB) {
        *error = QStringLiteral("identity %1 cannot be merged with itself").arg(identityA);
        return false;
    }
    const std::map<int64_t, int64_t> identities = m_gallery.identities();
    const std::vector<int64_t> a = membersOf(identities, identityA), b = membersOf(identities, identityB);
    for (const auto &[members, id] : { std::pair { &a, identityA }, std::pair { &b, identityB } })
        if (members->empty()) {
            *error = QStringLiteral("the gallery has no identity %1 (see 'descry-cli identities')").arg(id);
            return false;
        }
    loadPlaces();
    std::map<int64_t, TrackletRecord> records;
    for (const TrackletRecord &t : m_gallery.tracklets())
        records[t.id] = t;
    const std::vector<IdentityLinkRecord> links = m_gallery.identityLinks();
    for (int64_t x : a)
        for (int64_t y : b) {
            const QString why = conflict(records[x], records[y], links);
            if (!why.isEmpty()) {
                *error = QStringLiteral("identities %1 and %2 cannot be one person: %3").arg(identityA).arg(identityB).arg(why);
                return false;
            }
        }
    // Every tracklet of both is linked to one of them: the person as the annotator saw it is
    // pinned, so no later grouping takes a part of it away by appearance (only a later split can).
    for (const std::vector<int64_t> *members : { &a, &b })
        for (int64_t tracklet : *members) {
            if (tracklet == a.front())
                continue;
            IdentityLinkRecord link { 0, a.front(), tracklet, true, author, {} };
            if (!m_gallery.addIdentityLink(&link)) {
                *error = m_gallery.lastError();
                return false;
            }
        }
    return true;
}

bool IdentityGrouper::separate(int64_t trackletId, const QString &author, QString *error)
{
    const std::map<int64_t, int64_t> identities = m_gallery.identities();
    const auto it = identities.find(trackletId);
    if (it == identities.end()) {
        *error = QStringLiteral("tracklet %1 has no identity (group the gallery first: 'descry-cli identities --regroup')")
                     .arg(trackletId);
        return false;
    }
    int links = 0;
    for (int64_t other : membersOf(identities, it->second)) {
        if (other == trackletId)
            continue;
        IdentityLinkRecord link { 0, trackletId, other, false, author, {} };
        if (!m_gallery.addIdentityLink(&link)) {
            *error = m_gallery.lastError();
            return false;
        }
        ++links;
    }
    if (links == 0) {
        *error = QStringLiteral("tracklet %1 is the only tracklet of identity %2: nothing to split").arg(trackletId).arg(it->second);
        return false;
    }
    return true;
}

namespace {

// Each person's tracklets in footage order: by source, then start time, then id.
std::map<int64_t, std::vector<int64_t>> trackletsByPerson(Gallery &gallery)
{
    std::vector<TrackletRecord> tracklets = gallery.tracklets();
    std::sort(tracklets.begin(), tracklets.end(), [](const TrackletRecord &a, const TrackletRecord &b) {
        return std::tie(a.sourceId, a.startTime, a.id) < std::tie(b.sourceId, b.startTime, b.id);
    });
    std::map<int64_t, std::vector<int64_t>> out;
    for (const TrackletRecord &t : tracklets)
        if (t.identityId > 0)
            out[t.identityId].push_back(t.id);
    return out;
}

} // namespace

std::vector<int64_t> IdentityGrouper::withAppearances(Gallery &gallery, const std::vector<int64_t> &trackletIds)
{
    const std::map<int64_t, int64_t> identities = gallery.identities();
    const std::map<int64_t, std::vector<int64_t>> people = trackletsByPerson(gallery);
    std::vector<int64_t> out;
    std::set<int64_t> listed, peopleListed;
    for (const int64_t id : trackletIds) {
        const auto identity = identities.find(id);
        const auto person = identity == identities.end() ? people.end() : people.find(identity->second);
        if (person == people.end()) {
            if (listed.insert(id).second)
                out.push_back(id);
            continue;
        }
        if (!peopleListed.insert(person->first).second)
            continue;
        for (const int64_t member : person->second)
            if (listed.insert(member).second)
                out.push_back(member);
    }
    return out;
}

std::vector<int64_t> IdentityGrouper::appearancesOf(Gallery &gallery, const std::vector<int64_t> &identityIds)
{
    const std::map<int64_t, std::vector<int64_t>> people = trackletsByPerson(gallery);
    std::vector<int64_t> out;
    std::set<int64_t> done;
    for (const int64_t identity : identityIds)
        if (const auto person = people.find(identity); person != people.end() && done.insert(identity).second)
            out.insert(out.end(), person->second.begin(), person->second.end());
    return out;
}

} // namespace descry
