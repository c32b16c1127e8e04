#pragma once

#include "AttributeSearch.h"
#include "GalleryRecords.h"
#include "QueryParser.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace descry {

class Gallery;

struct SearchRequest {
    QString text;
    int topK = 200; // <= 0: all
    int64_t sourceId = 0; // 0: every source
    float minScore = 0;
};

struct SearchResult {
    TrackletRecord tracklet;
    float score = 0;
    QStringList matched; // why it ranked here, in words
};

struct SearchResponse {
    QString text;
    std::vector<SearchResult> results;
    QStringList understood; // the query terms, e.g. "upper: colour red (red coat)"
    QStringList unknownWords;
    int64_t galleryTracklets = 0;
    double elapsedMs = 0;
};

// Text query → ranked tracklets. Today: the attribute baseline (parse the description, rank by
// agreement with measured attributes); the neural models of later issues plug in here as
// further stages (coarse embedding ranking, re-scoring), with the attribute ranking kept as a
// filter. Keeps the gallery's rows and attributes in memory and reloads them only when the
// gallery's generation changes, so repeated queries cost no database reads.
class SearchEngine {
public:
    explicit SearchEngine(Gallery &gallery);

    SearchResponse search(const SearchRequest &request);
    // Drop the cache (the next search reloads from the gallery).
    void invalidate();

private:
    void refresh();

    Gallery &m_gallery;
    QueryParser m_parser;
    AttributeSearch m_ranker;
    int64_t m_generation = -1;
    std::vector<TrackletRecord> m_tracklets; // ordered by id
    std::vector<TrackletAttributes> m_attributes; // same order
};

} // namespace descry
