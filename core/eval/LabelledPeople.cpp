#include "LabelledPeople.h"

#include "Gallery.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

// Query files name tracklets by their times rounded to 0.1 s (scripts/bench-footage-queries.py),
// and where two share the times, by the first box's left edge in whole pixels.
constexpr double kSpanTolerance = 0.05;
constexpr double kBoxTolerance = 20;

} // namespace

double spanTolerance()
{
    return kSpanTolerance;
}

bool spanNames(const TrackletSpan &span, double start, double end, double firstBoxX)
{
    return std::abs(start - span.start) < kSpanTolerance && std::abs(end - span.end) < kSpanTolerance
        && (span.firstBoxX < 0 || std::abs(firstBoxX - span.firstBoxX) < kBoxTolerance);
}

bool readSpans(const QJsonArray &list, const QString &fileName, const QString &owner, std::vector<TrackletSpan> *spans,
    QString *error)
{
    for (const QJsonValue &s : list) {
        const QJsonArray span = s.toArray();
        const bool numbers = std::all_of(span.begin(), span.end(), [](const QJsonValue &v) { return v.isDouble(); });
        if ((span.size() != 2 && span.size() != 3) || !numbers) {
            *error = QStringLiteral("%1: %2 has a tracklet entry that is not [start, end] in seconds "
                                    "(or [start, end, left edge of the first box] in pixels)")
                         .arg(fileName, owner);
            return false;
        }
        spans->push_back({ span.at(0).toDouble(), span.at(1).toDouble(), span.size() == 3 ? span.at(2).toDouble() : -1 });
    }
    return true;
}

bool readPeople(const QJsonArray &list, const QString &fileName, const QString &split, std::vector<LabelledPerson> *people,
    QString *error)
{
    const bool everyone = split.isEmpty() || split == QLatin1String("all");
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        LabelledPerson person;
        person.id = o.value(QStringLiteral("id")).toString();
        person.split = o.value(QStringLiteral("split")).toString();
        if (!everyone && person.split != split)
            continue;
        person.footage = QFileInfo(o.value(QStringLiteral("footage")).toString()).fileName();
        if (person.footage.isEmpty()) {
            *error = QStringLiteral("%1: person \"%2\" has no \"footage\" (the clip its tracklets are in)").arg(fileName, person.id);
            return false;
        }
        if (!readSpans(o.value(QStringLiteral("tracklets")).toArray(), fileName, QStringLiteral("person \"%1\"").arg(person.id),
                &person.spans, error))
            return false;
        for (const QJsonValue &c : o.value(QStringLiteral("captions")).toArray())
            if (const QString text = c.toString().simplified(); !text.isEmpty())
                person.captions.append(text);
        people->push_back(std::move(person));
    }
    return true;
}

bool loadLabelledPeople(const QString &path, const QString &split, std::vector<LabelledPerson> *people, QString *error)
{
    const QString name = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the caption set %1: %2").arg(name, file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError || !doc.object().value(QStringLiteral("people")).isArray()) {
        *error = QStringLiteral("%1 is not a caption set: expected {\"people\": [{\"id\": ..., \"footage\": ..., "
                                "\"split\": ..., \"tracklets\": [[start, end], ...], \"captions\": [...]}, ...]}%2")
                     .arg(name,
                         parse.error != QJsonParseError::NoError ? QStringLiteral(" (%1)").arg(parse.errorString()) : QString());
        return false;
    }
    if (!readPeople(doc.object().value(QStringLiteral("people")).toArray(), name, split, people, error))
        return false;
    if (people->empty()) {
        const bool everyone = split.isEmpty() || split == QLatin1String("all");
        *error = QStringLiteral("%1: no people%2").arg(name, everyone ? QString() : QStringLiteral(" in split \"%1\"").arg(split));
        return false;
    }
    return true;
}

std::map<int64_t, int> personOfTracklet(Gallery &gallery, const std::vector<LabelledPerson> &people, QStringList *notes)
{
    std::map<int64_t, QString> fileOfSource;
    for (const SourceRecord &source : gallery.sources())
        fileOfSource[source.id] = QFileInfo(source.path).fileName();
    const std::vector<TrackletRecord> tracklets = gallery.tracklets();
    std::map<int64_t, double> firstBoxOf; // read once per tracklet, only where a span needs it
    auto firstBoxX = [&](int64_t tracklet) {
        const auto it = firstBoxOf.find(tracklet);
        if (it != firstBoxOf.end())
            return it->second;
        const std::vector<DetectionRecord> boxes = gallery.detections(tracklet);
        return firstBoxOf[tracklet] = boxes.empty() ? -1.0 : double(boxes.front().box.x);
    };
    std::map<int64_t, int> out;
    for (size_t p = 0; p < people.size(); ++p)
        for (const TrackletSpan &span : people[p].spans) {
            bool found = false;
            for (const TrackletRecord &t : tracklets) {
                if (fileOfSource[t.sourceId] != people[p].footage)
                    continue;
                if (spanNames(span, t.startTime, t.endTime, span.firstBoxX >= 0 ? firstBoxX(t.id) : -1)) {
                    out[t.id] = int(p);
                    found = true;
                }
            }
            if (!found)
                notes->append(QStringLiteral("%1: the span [%2, %3] s matches no tracklet of %4 (to %5 s); was the footage "
                                             "ingested with other settings?")
                                  .arg(people[p].id)
                                  .arg(span.start)
                                  .arg(span.end)
                                  .arg(people[p].footage)
                                  .arg(kSpanTolerance));
        }
    return out;
}

} // namespace descry
