#include "SearchEngine.h"

#include "Gallery.h"

#include <QElapsedTimer>

#include <algorithm>

namespace descry {

SearchEngine::SearchEngine(Gallery &gallery)
    : m_gallery(gallery)
{ }

void SearchEngine::invalidate()
{
    m_generation = -1;
}

void SearchEngine::refresh()
{
    const int64_t generation = m_gallery.generation();
    if (generation == m_generation)
        return;
    m_tracklets = m_gallery.tracklets();
    // Both lists are ordered by id, but ingest may add rows between the two reads: align by id.
    std::vector<TrackletAttributes> loaded = m_gallery.allAttributes();
    m_attributes.assign(m_tracklets.size(), {});
    size_t j = 0;
    for (size_t i = 0; i < m_tracklets.size(); ++i) {
        m_attributes[i].trackletId = m_tracklets[i].id;
        while (j < loaded.size() && loaded[j].trackletId < m_tracklets[i].id)
            ++j;
        if (j < loaded.size() && loaded[j].trackletId == m_tracklets[i].id)
            m_attributes[i].attributes = std::move(loaded[j].attributes);
    }
    m_generation = generation;
}

SearchResponse SearchEngine::search(const SearchRequest &request)
{
    QElapsedTimer clock;
    clock.start();
    refresh();
    SearchResponse response;
    response.text = request.text;
    response.galleryTracklets = int64_t(m_tracklets.size());

    const ParsedQuery parsed = m_parser.parse(request.text);
    response.unknownWords = parsed.unknownWords;
    for (const QueryTerm &t : parsed.terms)
        response.understood.append(
            QStringLiteral("%1: %2 (%3)").arg(regionKey(t.region), t.attribute, t.phrase));

    // Restrict to the requested source before ranking so top-K is taken within it.
    std::vector<TrackletAttributes> candidates;
    candidates.reserve(m_attributes.size());
    std::vector<size_t> rowOf; // candidate index -> m_tracklets index
    for (size_t i = 0; i < m_tracklets.size(); ++i) {
        if (request.sourceId > 0 && m_tracklets[i].sourceId != request.sourceId)
            continue;
        candidates.push_back(m_attributes[i]);
        rowOf.push_back(i);
    }

    if (parsed.terms.empty()) {
        // Nothing to rank by (empty or unknown text): browse everything in time order.
        for (size_t c = 0; c < candidates.size() && (request.topK <= 0 || int(c) < request.topK); ++c)
            response.results.push_back({ m_tracklets[rowOf[c]], 0.f, {} });
    } else {
        const int k = request.topK > 0 ? request.topK : int(candidates.size());
        const std::vector<AttributeMatch> ranked = m_ranker.rank(parsed, candidates, k);
        // rank() returns candidate ids; map back through a sorted index (ids ascend with rows).
        for (const AttributeMatch &m : ranked) {
            if (m.score < request.minScore)
                continue;
            const auto it = std::lower_bound(m_tracklets.begin(), m_tracklets.end(), m.trackletId,
                [](const TrackletRecord &t, int64_t id) { return t.id < id; });
            if (it != m_tracklets.end() && it->id == m.trackletId)
                response.results.push_back({ *it, m.score, m.matched });
        }
    }
    response.elapsedMs = double(clock.nsecsElapsed()) / 1e6;
    return response;
}

} // namespace descry
