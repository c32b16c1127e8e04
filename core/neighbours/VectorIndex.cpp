#include "VectorIndex.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <limits>
#include <random>

namespace descry {

namespace {

using idx_t = faiss::Index::idx_t;

// Membership in an ascending list of ids (FAISS's own IDSelectorArray scans the whole list).
struct SortedIds final : faiss::IDSelector {
    explicit SortedIds(const std::vector<int64_t> &ids)
        : m_ids(ids)
    { }
    bool is_member(idx_t id) const override
    {
        return std::binary_search(m_ids.begin(), m_ids.end(), int64_t(id));
    }

private:
    const std::vector<int64_t> &m_ids;
};

// After FAISS's bytes the file ends with this trailer: a tag, the save's id (a random number
// that tells this file from any other save of the same path) and how many bytes FAISS wrote. A
// file cut short (a crash while copying it, a full disk) is refused before FAISS reads it:
// FAISS throws part-way through such a file and leaks what it had read (LeakSanitizer). Files of
// the first trailer (tag ...IX, no save id) are still read; their save id is 0.
constexpr char kTrailerTag[8] = { 'D', 'E', 'S', 'C', 'R', 'Y', 'I', '2' };
constexpr char kFirstTrailerTag[8] = { 'D', 'E', 'S', 'C', 'R', 'Y', 'I', 'X' };
constexpr long kTrailerBytes = long(sizeof(kTrailerTag) + 2 * sizeof(uint64_t));
constexpr long kFirstTrailerBytes = long(sizeof(kFirstTrailerTag) + sizeof(uint64_t));

bool appendTrailer(const std::string &path, uint64_t saveId)
{
    std::FILE *file = std::fopen(path.c_str(), "ab");
    if (!file)
        return false;
    bool ok = std::fseek(file, 0, SEEK_END) == 0;
    const long size = ok ? std::ftell(file) : -1;
    const uint64_t bytes = uint64_t(size);
    ok = ok && size >= 0 && std::fwrite(kTrailerTag, 1, sizeof(kTrailerTag), file) == sizeof(kTrailerTag)
        && std::fwrite(&saveId, sizeof(saveId), 1, file) == 1 && std::fwrite(&bytes, sizeof(bytes), 1, file) == 1;
    return std::fclose(file) == 0 && ok;
}

// The file's trailer, when it has one that matches its length: true with the save id (0 for the
// first trailer, which had none).
bool readTrailer(const std::string &path, uint64_t *saveId)
{
    std::FILE *file = std::fopen(path.c_str(), "rb");
    if (!file)
        return false;
    bool ok = std::fseek(file, 0, SEEK_END) == 0;
    const long size = ok ? std::ftell(file) : -1;
    const auto at = [&](long bytesFromEnd, void *out, size_t n) {
        return size >= bytesFromEnd && std::fseek(file, size - bytesFromEnd, SEEK_SET) == 0
            && std::fread(out, 1, n, file) == n;
    };
    char tag[sizeof(kTrailerTag)] = {};
    uint64_t bytes = 0, id = 0;
    bool found = false;
    if (ok && at(kTrailerBytes, tag, sizeof(tag)) && std::equal(tag, tag + sizeof(tag), kTrailerTag)) {
        found = std::fread(&id, sizeof(id), 1, file) == 1 && std::fread(&bytes, sizeof(bytes), 1, file) == 1
            && bytes == uint64_t(size - kTrailerBytes);
    } else if (ok && at(kFirstTrailerBytes, tag, sizeof(tag))
        && std::equal(tag, tag + sizeof(tag), kFirstTrailerTag)) {
        found = std::fread(&bytes, sizeof(bytes), 1, file) == 1 && bytes == uint64_t(size - kFirstTrailerBytes);
        id = 0;
    }
    std::fclose(file);
    if (found)
        *saveId = id;
    return found;
}

std::vector<IndexHit> hits(const std::vector<float> &scores, const std::vector<idx_t> &labels)
{
    std::vector<IndexHit> out;
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= 0)
            out.push_back({ int64_t(labels[i]), scores[i] });
    return out;
}

} // namespace

int VectorIndexOptions::defaultLists(size_t vectors)
{
    return std::clamp(int(std::lround(std::sqrt(double(vectors)))), 16, 4096);
}

int VectorIndexOptions::defaultProbes(int lists)
{
    return std::clamp(lists / 16, 8, lists);
}

struct VectorIndex::Impl {
    std::unique_ptr<faiss::IndexIVFFlat> index;
    uint64_t saveId = 0; // of the file it was loaded from or last saved to; 0: none

    std::vector<IndexHit> searchCells(
        const float *query, int k, size_t probes, const std::vector<int64_t> *allowed) const
    {
        const int wanted = int(std::min<size_t>(size_t(std::max(k, 0)), index->ntotal));
        if (wanted == 0)
            return {};
        static const std::vector<int64_t> kNone;
        SortedIds selector(allowed ? *allowed : kNone);
        faiss::SearchParametersIVF params;
        params.nprobe = std::min<size_t>(probes, index->nlist);
        params.sel = allowed ? &selector : nullptr;
        std::vector<float> scores(static_cast<size_t>(wanted));
        std::vector<idx_t> labels(static_cast<size_t>(wanted));
        index->search(1, query, wanted, scores.data(), labels.data(), &params);
        return hits(scores, labels);
    }

    // Each allowed id scored exactly from its stored vector.
    std::vector<IndexHit> scoreEach(const float *query, int k, const std::vector<int64_t> &allowed) const
    {
        std::vector<IndexHit> out;
        out.reserve(allowed.size());
        std::vector<float> v(size_t(index->d));
        for (int64_t id : allowed) {
            if (!index->direct_map.hashtable.count(idx_t(id)))
                continue;
            index->reconstruct(idx_t(id), v.data());
            float dot = 0;
            for (int c = 0; c < index->d; ++c)
                dot += v[size_t(c)] * query[c];
            out.push_back({ id, dot });
        }
        const size_t keep = std::min(out.size(), size_t(std::max(k, 0)));
        std::partial_sort(
            out.begin(), out.begin() + long(keep), out.end(), [](const IndexHit &a, const IndexHit &b) {
                return a.score > b.score || (a.score == b.score && a.id < b.id);
            });
        out.resize(keep);
        return out;
    }
};

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{ }

VectorIndex::~VectorIndex() = default;

std::unique_ptr<VectorIndex> VectorIndex::build(const float *vectors, const int64_t *ids, size_t n, int dim,
    const VectorIndexOptions &options, std::string *error)
{
    const int lists = options.lists > 0 ? options.lists : VectorIndexOptions::defaultLists(n);
    if (dim <= 0 || n < size_t(lists)) {
        if (error)
            *error = "an index of " + std::to_string(lists) + " cells needs at least as many vectors (got "
                + std::to_string(n) + ")";
        return nullptr;
    }
    try {
        auto impl = std::make_unique<Impl>();
        auto *quantizer = new faiss::IndexFlatIP(dim);
        impl->index = std::make_unique<faiss::IndexIVFFlat>(
            quantizer, dim, size_t(lists), faiss::METRIC_INNER_PRODUCT);
        impl->index->own_fields = true;
        impl->index->cp.seed = int(options.seed & 0x7fffffff);
        impl->index->cp.max_points_per_centroid = std::max(options.trainingPerList, 1);
        impl->index->cp.verbose = false;
        impl->index->cp.min_points_per_centroid = 1; // small samples are fitted without a warning on stderr
        impl->index->nprobe
            = size_t(options.probes > 0 ? options.probes : VectorIndexOptions::defaultProbes(lists));
        impl->index->train(idx_t(n), vectors);
        impl->index->set_direct_map_type(faiss::DirectMap::Hashtable);
        impl->index->add_with_ids(idx_t(n), vectors, ids);
        return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
    } catch (const faiss::FaissException &e) {
        if (error)
            *error = std::string("FAISS: ") + e.what();
        return nullptr;
    }
}

std::unique_ptr<VectorIndex> VectorIndex::load(const std::string &path, std::string *error)
{
    uint64_t saveId = 0;
    if (!readTrailer(path, &saveId)) {
        if (error)
            *error = path + " is missing, cut short or not a Descry vector index";
        return nullptr;
    }
    try {
        std::unique_ptr<faiss::Index> read(faiss::read_index(path.c_str()));
        auto *ivf = dynamic_cast<faiss::IndexIVFFlat *>(read.get());
        if (!ivf || ivf->metric_type != faiss::METRIC_INNER_PRODUCT
            || ivf->direct_map.type != faiss::DirectMap::Hashtable) {
            if (error)
                *error = path + " is not a Descry vector index (IVF-Flat, inner product, with an id map)";
            return nullptr;
        }
        read.release();
        auto impl = std::make_unique<Impl>();
        impl->index.reset(ivf);
        impl->saveId = saveId;
        return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
    } catch (const faiss::FaissException &e) {
        if (error)
            *error = path + " cannot be read as a vector index: " + e.what();
        return nullptr;
    }
}

uint64_t VectorIndex::savedId(const std::string &path)
{
    uint64_t saveId = 0;
    return readTrailer(path, &saveId) ? saveId : 0;
}

uint64_t VectorIndex::saveId() const
{
    return d->saveId;
}

bool VectorIndex::save(const std::string &path, std::string *error) const
{
    const std::string temporary = path + ".partial";
    try {
        faiss::write_index(d->index.get(), temporary.c_str());
    } catch (const faiss::FaissException &e) {
        std::remove(temporary.c_str());
        if (error)
            *error = "cannot write " + temporary + ": " + e.what();
        return false;
    }
    uint64_t saveId = 0;
    while (saveId == 0) // 0 means "none"
        saveId = std::random_device {}() * 0x100000000ull + std::random_device {}();
    if (!appendTrailer(temporary, saveId)) {
        std::remove(temporary.c_str());
        if (error)
            *error = "cannot write " + temporary;
        return false;
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        if (error)
            *error = "cannot rename " + temporary + " to " + path;
        return false;
    }
    d->saveId = saveId;
    return true;
}

bool VectorIndex::add(const float *vectors, const int64_t *ids, size_t n, std::string *error)
{
    try {
        if (n > 0)
            d->index->add_with_ids(idx_t(n), vectors, ids);
        return true;
    } catch (const faiss::FaissException &e) {
        if (error)
            *error = std::string("FAISS: ") + e.what();
        return false;
    }
}

size_t VectorIndex::remove(const std::vector<int64_t> &ids)
{
    // FAISS removes through an id map only with its array selector (a scan of `ids` per stored
    // id: callers remove few).
    std::vector<idx_t> present;
    for (int64_t id : ids)
        if (d->index->direct_map.hashtable.count(idx_t(id)))
            present.push_back(idx_t(id));
    if (present.empty())
        return 0;
    return d->index->remove_ids(faiss::IDSelectorArray(present.size(), present.data()));
}

size_t VectorIndex::size() const
{
    return size_t(d->index->ntotal);
}

int VectorIndex::dim() const
{
    return d->index->d;
}

int VectorIndex::lists() const
{
    return int(d->index->nlist);
}

int VectorIndex::probes() const
{
    return int(d->index->nprobe);
}

void VectorIndex::setProbes(int probes)
{
    d->index->nprobe = size_t(std::clamp(probes, 1, lists()));
}

std::vector<IndexHit> VectorIndex::search(
    const float *query, int k, const std::vector<int64_t> *allowed) const
{
    if (allowed) {
        // Scanning `probes` cells reads about size() x probes / lists vectors: where the allowed
        // ids are fewer, scoring them all is cheaper and exact.
        const double scanned = double(size()) * double(probes()) / double(lists());
        if (double(allowed->size()) <= scanned)
            return d->scoreEach(query, k, *allowed);
        std::vector<IndexHit> found = d->searchCells(query, k, size_t(probes()), allowed);
        // Allowed ids that the scanned cells hardly hold: fewer than k found, look at them all.
        if (found.size() < std::min(size_t(std::max(k, 0)), allowed->size()))
            return d->scoreEach(query, k, *allowed);
        return found;
    }
    return d->searchCells(query, k, size_t(probes()), nullptr);
}

std::vector<IndexHit> VectorIndex::searchExact(
    const float *query, int k, const std::vector<int64_t> *allowed) const
{
    return d->searchCells(query, k, size_t(lists()), allowed);
}

bool VectorIndex::vector(int64_t id, float *out) const
{
    if (!d->index->direct_map.hashtable.count(idx_t(id)))
        return false;
    d->index->reconstruct(idx_t(id), out);
    return true;
}

std::vector<int64_t> VectorIndex::ids() const
{
    std::vector<int64_t> out;
    out.reserve(size());
    const faiss::InvertedLists *lists = d->index->invlists;
    for (size_t l = 0; l < lists->nlist; ++l) {
        const size_t count = lists->list_size(l);
        const idx_t *listIds = lists->get_ids(l);
        out.insert(out.end(), listIds, listIds + count);
        lists->release_ids(l, listIds);
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace descry
