#pragma once

#include "Attributes.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace descry {

// Results in order of relevance (score, best first), or in time order: by source, then start
// time, then tracklet id.
enum class SortOrder { Relevance, Time };

// An attribute a result must have been measured with, e.g. upper colour red at least 15 % of the
// upper-body pixels. Chips combine with AND across (region, kind) and with OR within the same
// region and kind: {upper red, upper blue, lower black} keeps tracklets with a red or blue upper
// body and a black lower body — "several values per filter, filters combined", as one narrows a
// search by ticking colours; AND within a region would ask for a top both all red and all blue.
struct AttributeChip {
    BodyRegion region = BodyRegion::Whole;
    // A measured attribute name as AttributeExtractor stores it: "colour:red", "hair:blonde",
    // "garment:shorts", "garment:short-sleeves", "accessory:backpack". Colours may name
    // alternatives that add up, as the query lexicon writes shades: "colour:blue|green" (teal).
    QString attribute;
    float minValue = -1; // < 0: defaultThreshold()
    QString label = {}; // as the user wrote it, for messages

    // "colour", "hair", "garment", "accessory": the part before the first ':'.
    QString kind() const;
    // Colour shares (colour:, and hair:<colour>) count from 15 %: below that a colour is a
    // background, shadow or strap fragment (AttributeExtractor reports from 5 %; a red top
    // measures 30-80 %). Confidences (garments, hair:blonde, accessories) from 0.5.
    float defaultThreshold() const;
    float threshold() const { return minValue >= 0 ? minValue : defaultThreshold(); }
    bool isColourShare() const;
    // "upper colour:red >= 0.15"
    QString describe() const;

    // Parses what a user types: "[REGION:]WORDS". REGION is head, hair, upper, lower, feet or
    // whole; WORDS are read by the query lexicon, so "upper:navy" is upper colour blue,
    // "lower:shorts", "hair:blonde", "upper:short sleeves", "backpack". A colour takes the
    // REGION (default whole body); other attributes sit where the lexicon puts them. The raw
    // form "REGION:KIND:VALUE" ("upper:colour:red") names a stored attribute directly. One
    // attribute per chip: "upper:red coat" is refused with a message that says so.
    static bool parse(const QString &text, AttributeChip *out, QString *error);
};

// Which tracklets a search or a find-similar request considers. Every filter left at its
// default keeps everything; set filters all apply (AND), several values of one filter are
// alternatives (OR).
struct SearchFilters {
    std::vector<int64_t> sourceIds = {}; // empty: every source
    std::vector<QString> cameras = {}; // camera labels (case-insensitive); empty: every camera
    // Seconds into the source; < 0: open. A tracklet matches when [start, end] overlaps the range.
    double fromTime = -1;
    double toTime = -1;
    std::vector<AttributeChip> attributes = {}; // see AttributeChip for how they combine
    // Only these people's tracklets (identity ids, IdentityGrouper); empty: everyone. With an
    // empty query and time order: "all appearances of this person", camera by camera.
    std::vector<int64_t> identityIds = {};
    SortOrder sortOrder = SortOrder::Relevance;
    // One result per person: a tracklet whose identity (IdentityGrouper) already has a better
    // result is folded into that result (SearchResult::sameIdentity) instead of listed again.
    bool groupByIdentity = false;

    bool filtersRows() const
    {
        return !sourceIds.empty() || !cameras.empty() || fromTime >= 0 || toTime >= 0 || !attributes.empty()
            || !identityIds.empty();
    }
};

} // namespace descry
