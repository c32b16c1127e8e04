#pragma once

#include <QString>
#include <QJsonArray>
#include <QStringList>

#include <cstdint>
#include <map>
#include <vector>

namespace descry {

class Gallery;

// A tracklet named by its [start, end] seconds (to 0.05 s); where two tracklets of one clip share
// the times, also by the left edge of its first box ([start, end, x]: pixels, to 20 px).
struct TrackletSpan {
    double start = 0;
    double end = 0;
    double firstBoxX = -1; // < 0: not given
};

// Whether `span` names a tracklet that was seen from `start` to `end` s and whose first box's
// left edge is `firstBoxX` (read only when the span gives one).
bool spanNames(const TrackletSpan &span, double start, double end, double firstBoxX);
double spanTolerance(); // seconds

// Reads a JSON list of spans ([[start, end] or [start, end, x], ...]); `owner` names what they
// belong to (`query "..."`, `person "..."`) in the message when one is malformed.
bool readSpans(const QJsonArray &list, const QString &fileName, const QString &owner, std::vector<TrackletSpan> *spans,
    QString *error);

// One person of a caption set (models/queries/real-people.json): who, in which footage, which
// tracklets of a default ingest of it, and what witnesses wrote.
struct LabelledPerson {
    QString id;
    QString footage; // the file name (no folder)
    QString split; // "dev" or "test"
    std::vector<TrackletSpan> spans;
    QStringList captions;
};

// Reads a caption set's people, those of `split` ("dev", "test"; empty or "all": everyone).
// False with a message when the file does not read, is not a caption set or has no such person.
bool loadLabelledPeople(const QString &path, const QString &split, std::vector<LabelledPerson> *people, QString *error);
// The same from the file's "people" list, already parsed (`fileName` for messages); finding nobody of
// the split is no error here.
bool readPeople(const QJsonArray &list, const QString &fileName, const QString &split, std::vector<LabelledPerson> *people,
    QString *error);

// Which person (index into `people`) each tracklet of the gallery is, by the people's spans in
// their footage. A span that names no tracklet is said so in `notes`.
std::map<int64_t, int> personOfTracklet(Gallery &gallery, const std::vector<LabelledPerson> &people, QStringList *notes);

} // namespace descry
