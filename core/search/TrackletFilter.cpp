#include "TrackletFilter.h"

#include <algorithm>
#include <map>

namespace descry {

void TrackletFilter::reset(
    const std::vector<TrackletRecord> *tracklets, const std::vector<TrackletAttributes> *attributes)
{
    m_tracklets = tracklets;
    m_attributes = attributes;
    m_columns.clear();
    m_cameraLabels.clear();
    m_camera.assign(tracklets->size(), -1);
    // Rows come source by source, so comparing with the previous row's label avoids a lookup per row.
    QString previous;
    int previousIndex = -1;
    for (size_t i = 0; i < tracklets->size(); ++i) {
        const QString &label = (*tracklets)[i].cameraLabel;
        if (previousIndex < 0 || label != previous) {
            const QString lower = label.toLower();
            previousIndex = int(m_cameraLabels.indexOf(lower));
            if (previousIndex < 0) {
                previousIndex = int(m_cameraLabels.size());
                m_cameraLabels.append(lower);
            }
            previous = label;
        }
        m_camera[i] = previousIndex;
    }
}

const std::vector<float> &TrackletFilter::column(BodyRegion region, const QString &name)
{
    const QString key = regionKey(region) + QLatin1Char('|') + name;
    auto it = m_columns.find(key);
    if (it != m_columns.end())
        return *it;
    std::vector<float> values(m_attributes->size(), -1.0f);
    for (size_t i = 0; i < m_attributes->size(); ++i)
        for (const AttributeValue &a : (*m_attributes)[i].attributes)
            if (a.region == region && a.name.size() == name.size() && a.name == name)
                values[i] = std::max(values[i], a.value);
    return *m_columns.insert(key, std::move(values));
}

std::vector<float> TrackletFilter::chipValues(const AttributeChip &chip)
{
    const QString kind = chip.kind();
    const QStringList alternatives = chip.attribute.section(QLatin1Char(':'), 1).split(QLatin1Char('|'));
    if (!chip.isColourShare() || alternatives.size() == 1)
        return column(chip.region, chip.attribute);
    // A shade between basic colours ("teal": blue|green) is the sum of their shares.
    std::vector<float> sum(m_attributes->size(), -1.0f);
    for (const QString &value : alternatives) {
        const std::vector<float> &c = column(chip.region, kind + QLatin1Char(':') + value);
        for (size_t i = 0; i < sum.size(); ++i)
            if (c[i] >= 0)
                sum[i] = std::max(sum[i], 0.0f) + c[i];
    }
    return sum;
}

std::vector<uint8_t> TrackletFilter::mask(const SearchFilters &filters, QStringList *notes)
{
    if (!filters.filtersRows() || !m_tracklets)
        return {};
    const std::vector<TrackletRecord> &rows = *m_tracklets;
    const size_t n = rows.size();
    std::vector<uint8_t> keep(n, 1);
    if (!filters.sourceIds.empty())
        for (size_t i = 0; i < n; ++i)
            keep[i] = std::find(filters.sourceIds.begin(), filters.sourceIds.end(), rows[i].sourceId)
                != filters.sourceIds.end();
    if (!filters.cameras.empty()) {
        std::vector<uint8_t> wanted(size_t(m_cameraLabels.size()), 0);
        for (const QString &camera : filters.cameras) {
            const qsizetype index = m_cameraLabels.indexOf(camera.trimmed().toLower());
            if (index >= 0)
                wanted[size_t(index)] = 1;
            else if (notes)
                notes->append(QStringLiteral("no source has the camera label '%1' (labels: %2)")
                                  .arg(camera,
                                      m_cameraLabels.isEmpty() ? QStringLiteral("none")
                                                               : m_cameraLabels.join(QStringLiteral(", "))));
        }
        for (size_t i = 0; i < n; ++i)
            keep[i] = keep[i] && m_camera[i] >= 0 && wanted[size_t(m_camera[i])];
    }
    if (!filters.identityIds.empty()) {
        bool any = false;
        for (size_t i = 0; i < n; ++i) {
            keep[i] = keep[i]
                && std::find(filters.identityIds.begin(), filters.identityIds.end(), rows[i].identityId)
                    != filters.identityIds.end();
            any = any || keep[i];
        }
        if (!any && notes)
            notes->append(QStringLiteral("no tracklet belongs to person %1 (identities change when the gallery is "
                                         "grouped again; see 'descry-cli identities')")
                              .arg(filters.identityIds.front()));
    }
    if (filters.fromTime >= 0 || filters.toTime >= 0)
        for (size_t i = 0; i < n; ++i) {
            if (filters.fromTime >= 0 && rows[i].endTime < filters.fromTime)
                keep[i] = 0;
            if (filters.toTime >= 0 && rows[i].startTime > filters.toTime)
                keep[i] = 0;
        }
    // Chips of the same region and kind are alternatives; the groups must all hold.
    std::map<QString, std::vector<const AttributeChip *>> groups;
    for (const AttributeChip &chip : filters.attributes)
        groups[regionKey(chip.region) + QLatin1Char(' ') + chip.kind()].push_back(&chip);
    for (const auto &group : groups) {
        std::vector<uint8_t> any(n, 0);
        for (const AttributeChip *chip : group.second) {
            const std::vector<float> values = chipValues(*chip);
            const float threshold = chip->threshold();
            bool measured = false;
            for (size_t i = 0; i < n; ++i) {
                measured = measured || values[i] >= 0;
                any[i] = any[i] || (values[i] >= 0 && values[i] >= threshold);
            }
            if (!measured && notes)
                notes->append(
                    QStringLiteral("no tracklet has %1 %2 measured, so the filter '%3' keeps nothing (ingest "
                                   "measures colours, hair colour, bare arms and bare legs)")
                        .arg(regionKey(chip->region), chip->attribute,
                            chip->label.isEmpty() ? chip->describe() : chip->label));
        }
        for (size_t i = 0; i < n; ++i)
            keep[i] = keep[i] && any[i];
    }
    return keep;
}

} // namespace descry
