#pragma once

#include "SearchEngine.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>

namespace descry {
class Gallery;
}

namespace descry::cli {

// What `search` and `similar` share: the filter options, and how results are printed.

// "01:02.3": a time into a video as the text output prints it.
QString formatTime(double seconds);

// --source IDS, --camera LABEL, --from S, --to S, --attribute CHIP, --person IDS, --by-person,
// --sort time|relevance.
void addFilterOptions(QCommandLineParser &parser);
// False with a message naming the option when a value does not parse.
bool readFilterOptions(const QCommandLineParser &parser, SearchFilters *out, QString *error);

// --attribute-weight W (`search`, `explain`): the weight of the attribute agreement in the model's score.
void addAttributeWeightOption(QCommandLineParser &parser);
// Not given: -1, the weight the model's calibration was fitted with. False with a message for a bad value.
bool readAttributeWeight(const QCommandLineParser &parser, float *out, QString *error);

// One result as `search --json` prints it.
QJsonObject resultJson(const SearchResult &result, Gallery &gallery);
// The response as JSON: results, ranking, notes, timing, the cut-off and what it hid.
QJsonObject responseJson(const SearchResponse &response, Gallery &gallery);
// The readable listing: one line per result, then the count, the time and what the cut-off hid.
void printResults(const SearchResponse &response);

// After ingest or reindex: where the gallery holds at least CoarseIndex::kDefaultThreshold
// vectors of `modelId`, brings the coarse index beside it up to date (loading the model at
// `modelPath`), so the first search does not; says what it did on stderr. Nothing below.
void updateCoarseIndex(const QString &galleryPath, const QString &modelId, const QString &modelPath);

} // namespace descry::cli
