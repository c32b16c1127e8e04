#pragma once

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>

namespace descry {

struct AttributeRefreshSummary {
    bool ok = false; // false: the gallery could not be read or written, see `error`
    QString error;
    int64_t tracklets = 0; // in the gallery
    int64_t remeasured = 0;
    int64_t withoutCrops = 0; // no stored crop decodes: their attributes are left as they were
    double seconds = 0;
    bool cancelled = false;
};

// Measures every tracklet's attributes again from its stored crops (with their masks and poses),
// as ingest measures them, and replaces the stored ones, one transaction per batch: a gallery
// ingested before an attribute was measured (garment patterns, say) gains it without decoding the
// footage again. What the detector saw carried is measured on every detection, whose object
// scores are not stored, so those attributes stay as ingest wrote them. Safe to stop and run
// again: every run measures everything, and each batch is written whole or not at all.
class AttributeRefresh {
public:
    using Progress = std::function<void(int64_t done, int64_t total)>;
    static AttributeRefreshSummary run(const QString &galleryPath, const Progress &progress = {},
        const std::atomic_bool *cancel = nullptr, int batchTracklets = 256);
};

} // namespace descry
