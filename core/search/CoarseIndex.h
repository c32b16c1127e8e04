#pragma once

#include <QString>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace descry {

class VectorIndex;

// The coarse ranking's approximate index for a large gallery: the model's global vectors in an
// inverted file (VectorIndex, FAISS IVF-Flat), kept on disk beside the gallery so a process
// loads it instead of fitting it again, and brought in line with the gallery's vectors whenever
// the search engine reloads them (new tracklets added, deleted ones removed). Below the
// threshold the engine scores every vector instead; the index never changes which score a
// candidate gets, only which vectors are looked at (the query benchmark reports its recall).
class CoarseIndex {
public:
    // Measured (README.md, "Measured figures": the million-tracklet rows): up to here a scan of
    // every vector costs less than the rest of a query.
    static constexpr size_t kDefaultThreshold = 200000;

    CoarseIndex();
    ~CoarseIndex();

    // Where the index of `modelId`'s global vectors of the gallery at `galleryPath` is kept:
    // <gallery>.index/<model id>.global.ivf beside it, or, for a read-only gallery, under the
    // user's cache folder (keyed by the gallery's absolute path).
    static QString pathFor(const QString &galleryPath, const QString &modelId, bool readOnly);

    // Makes the index hold exactly these vectors (`ids` ascending, `vectors` row-major, n x dim):
    // the saved file at `path` when it is there and holds the same vectors, with the ids it lacks
    // added and those the gallery no longer has removed; otherwise a new index fitted on them.
    // Saves it when it changed. False with a reason when no index could be had (the engine then
    // scores every vector); a save that fails is only noted in status().
    bool sync(
        const QString &path, const int64_t *ids, const float *vectors, size_t n, int dim, QString *error);
    // The saved index at `path`, loaded without the gallery's vectors, when it was recorded as in
    // line with the gallery at `generation` (recordGeneration) and the file is still the save that
    // record is about. Then the index stands for the gallery's global vectors: a large gallery
    // opens without reading them (they are most of its first query's wait). False, nothing
    // loaded, otherwise.
    bool loadIfCurrent(const QString &path, int64_t generation);
    // Records, beside the saved file, that the index holds exactly the gallery's vectors at
    // `generation` (the caller has just synced it with them). Nothing is recorded when the file on
    // disk is not the index held here (a save failed, or another process saved since).
    void recordGeneration(int64_t generation);
    // Cells scanned per query, now and after every sync (0: the index's own default).
    void setProbes(int probes);
    // Forgets the index (the gallery dropped below the threshold, or another model ranks).
    void reset();

    const VectorIndex *index() const;
    // What the last sync did, for notes and benchmarks: "loaded", "built", "updated (+120 -3)".
    QString lastSync() const;
    double lastSyncSeconds() const;

private:
    std::unique_ptr<VectorIndex> m_index;
    QString m_path;
    int m_probes = 0;
    bool m_unsaved = false; // the index held here changed and could not be saved
    QString m_lastSync;
    double m_lastSyncSeconds = 0;
};

} // namespace descry
