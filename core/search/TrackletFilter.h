#pragma once

#include "AttributeSearch.h"
#include "GalleryRecords.h"
#include "SearchFilters.h"

#include <QHash>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace descry {

// Applies SearchFilters to the rows SearchEngine keeps in memory, cheaply enough to run before
// every query of a 100k-tracklet gallery: camera labels are numbered once per gallery load, and
// an attribute a chip names is read out of every row's attributes once into a column of values
// that later queries reuse (until the gallery changes), so a query pays one pass of integer and
// float comparisons over the rows.
class TrackletFilter {
public:
    // The rows to filter (not owned; must stay valid and unchanged until the next reset()).
    void reset(
        const std::vector<TrackletRecord> *tracklets, const std::vector<TrackletAttributes> *attributes);

    // One byte per row: 1 when the row passes every filter. Empty when `filters` filter nothing
    // (every row passes). `notes` gets a line for each filter that cannot match anything (an
    // unknown camera, an attribute no tracklet has), so an empty answer explains itself.
    std::vector<uint8_t> mask(const SearchFilters &filters, QStringList *notes);

private:
    // Per row: the attribute's measured value, or -1 when the row has none.
    const std::vector<float> &column(BodyRegion region, const QString &name);
    // Per row: the chip's value (colour alternatives add up), -1 when not measured.
    std::vector<float> chipValues(const AttributeChip &chip);

    const std::vector<TrackletRecord> *m_tracklets = nullptr;
    const std::vector<TrackletAttributes> *m_attributes = nullptr;
    std::vector<int> m_camera; // per row: index into m_cameraLabels
    QStringList m_cameraLabels; // lower case
    QHash<QString, std::vector<float>> m_columns; // "region|name" -> per row value
};

} // namespace descry
