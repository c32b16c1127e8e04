#include "PersonBlobFinder.h"

#include "PersonHeightModel.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

// Height / width of a tight box around a standing or walking person; strides and arms make
// it vary a lot.
constexpr float kNominalAspect = 2.6f;
constexpr float kMinAspect = 1.1f;
constexpr float kMaxAspect = 5.5f;
constexpr float kMaxMergedAspect = 4.2f;
// Joining fragments: the smaller must be under kMaxFragment of the taller one's height (a
// head, a torso, legs), the gap under kMaxStackGap of the joined height (a whole torso can be
// lost to clothes the colour of the background).
constexpr float kMaxFragment = 0.6f;
constexpr float kMaxStackGap = 0.4f;
// Ghost trimming: a band whose outline has less than this share of its gradient in the
// frame is uncovered background; bands with almost no outline are left alone.
constexpr float kGhostSupport = 0.45f;
constexpr double kMinBandEvidence = 1.0; // mean border gradient per pixel of band perimeter
// With a height model (h = expected height where the blob's feet are): taller than
// kStackedHeight * h is two people one behind the other; wider than kWideFactor * h / aspect
// is people side by side, cut only at a valley under kMaxValley of the lower side's peak;
// a person kShortHeight times taller than the blob has lost their legs to the background.
constexpr float kStackedHeight = 1.5f;
constexpr float kWideFactor = 1.5f;
constexpr float kMaxValley = 0.7f;
constexpr float kShortHeight = 1.3f;

double rectSum(const cv::Mat &integral, const cv::Rect &r)
{
    return integral.at<double>(r.y, r.x) + integral.at<double>(r.y + r.height, r.x + r.width)
        - integral.at<double>(r.y, r.x + r.width) - integral.at<double>(r.y + r.height, r.x);
}

float aspectOf(const cv::Rect &box)
{
    return float(box.height) / float(std::max(1, box.width));
}

int bottomOf(const cv::Rect &box)
{
    return box.y + box.height;
}

} // namespace

PersonBlobFinder::PersonBlobFinder(
    const cv::Mat &mask, const cv::Mat &frameEdges, const cv::Mat &backgroundEdges, int minHeight)
    : m_mask(mask)
    , m_minHeight(minHeight)
{
    // Only the gradient on the outline of the foreground matters; integral images make the
    // balance of any rectangle four lookups.
    cv::Mat inner, outer, border;
    cv::erode(mask, inner, cv::Mat());
    cv::dilate(mask, outer, cv::Mat());
    cv::bitwise_and(outer, ~inner, border);
    cv::Mat inFrame = frameEdges.clone(), inBackground = backgroundEdges.clone();
    inFrame.setTo(0, ~border);
    inBackground.setTo(0, ~border);
    cv::integral(inFrame, m_frameEvidence, CV_64F);
    cv::integral(inBackground, m_backgroundEvidence, CV_64F);
}

// A ghost has its outline in the background image, not in the frame; a real object is the
// reverse. Returns the frame's share of the outline gradient inside `area` (1: all of it).
float PersonBlobFinder::edgeSupport(const cv::Rect &area, double *evidence) const
{
    const cv::Rect r = (area + cv::Size(2, 2) - cv::Point(1, 1)) & cv::Rect(cv::Point(0, 0), m_mask.size());
    const double inFrame = rectSum(m_frameEvidence, r);
    const double inBackground = rectSum(m_backgroundEvidence, r);
    if (evidence)
        *evidence = (inFrame + inBackground) / std::max(1, r.width + r.height);
    return float(inFrame / (inFrame + inBackground + 1e-3));
}

// The foreground inside `area`, as a blob with a tight box (empty box when there is none).
PersonBlobFinder::Blob PersonBlobFinder::makeBlob(const cv::Rect &area) const
{
    Blob blob;
    const cv::Rect clipped = area & cv::Rect(cv::Point(0, 0), m_mask.size());
    if (clipped.empty())
        return blob;
    std::vector<cv::Point> points;
    cv::findNonZero(m_mask(clipped), points);
    if (points.empty())
        return blob;
    blob.box = cv::boundingRect(points) + clipped.tl();
    blob.pixels = int(points.size());
    blob.edgeSupport = edgeSupport(blob.box);
    return blob;
}

std::vector<PersonBlobFinder::Blob> PersonBlobFinder::candidates() const
{
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(m_mask, labels, stats, centroids, 8, CV_32S);
    std::vector<Blob> blobs;
    for (int i = 1; i < count; ++i) {
        // Fragments as small as a head are kept: they may join a body below.
        if (stats.at<int>(i, cv::CC_STAT_AREA) < m_minHeight)
            continue;
        Blob blob;
        blob.box = cv::Rect(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
            stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        blob.pixels = stats.at<int>(i, cv::CC_STAT_AREA);
        blob.edgeSupport = edgeSupport(blob.box);
        blob = trimGhostEnds(blob);
        if (!blob.box.empty())
            blobs.push_back(blob);
    }
    return mergeStacked(std::move(blobs));
}

// A person walking over the spot where someone used to stand is joined to that ghost: cut
// bands off the top and bottom whose outline lives in the background image only.
PersonBlobFinder::Blob PersonBlobFinder::trimGhostEnds(const Blob &blob) const
{
    const cv::Rect &box = blob.box;
    const int band = std::max(2, box.height / 8);
    int top = box.y, bottom = bottomOf(box);
    auto ghostly = [&](int y0, int y1) {
        double evidence = 0;
        const float support = edgeSupport(cv::Rect(box.x, y0, box.width, y1 - y0), &evidence);
        return evidence > kMinBandEvidence && support < kGhostSupport;
    };
    while (bottom - top > 2 * band && ghostly(bottom - band, bottom))
        bottom -= band;
    while (bottom - top > 2 * band && ghostly(top, top + band))
        top += band;
    if (top == box.y && bottom == bottomOf(box))
        return blob;
    return makeBlob(cv::Rect(box.x, top, box.width, bottom - top));
}

// Joins a blob with one right above or below it that overlaps it horizontally: a head or
// torso separated from the legs by background-coloured clothing (a grey top on grey paving
// can hide the whole torso, hence the wide gap allowed).
std::vector<PersonBlobFinder::Blob> PersonBlobFinder::mergeStacked(std::vector<Blob> blobs) const
{
    bool merged = true;
    while (merged) {
        merged = false;
        for (size_t i = 0; i < blobs.size() && !merged; ++i) {
            for (size_t j = i + 1; j < blobs.size() && !merged; ++j) {
                const cv::Rect &a = blobs[i].box, &b = blobs[j].box;
                const int overlap = std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x);
                const int gap = std::max(a.y, b.y) - std::min(bottomOf(a), bottomOf(b));
                const cv::Rect joined = a | b;
                const float aspect = aspectOf(joined);
                // Two person-sized blobs stacked are two people (one behind the other).
                const bool fragment
                    = std::min(a.height, b.height) < kMaxFragment * std::max(a.height, b.height);
                if (!fragment || overlap < 0.6f * float(std::min(a.width, b.width))
                    || float(gap) > kMaxStackGap * float(joined.height) || aspect < kMinAspect
                    || aspect > kMaxMergedAspect)
                    continue;
                const float support = (blobs[i].edgeSupport * float(blobs[i].pixels)
                                          + blobs[j].edgeSupport * float(blobs[j].pixels))
                    / float(blobs[i].pixels + blobs[j].pixels);
                blobs[i].box = joined;
                blobs[i].pixels += blobs[j].pixels;
                blobs[i].edgeSupport = support;
                blobs.erase(blobs.begin() + std::ptrdiff_t(j));
                merged = true;
            }
        }
    }
    return blobs;
}

bool PersonBlobFinder::isCleanPerson(const Blob &blob) const
{
    const cv::Rect &box = blob.box;
    const float aspect = aspectOf(box);
    const float fill = float(blob.pixels) / float(std::max(1, box.area()));
    // Cut by the frame edge, a person's height says nothing about the ground plane.
    const bool inside
        = box.x > 0 && box.y > 0 && box.x + box.width < m_mask.cols && bottomOf(box) < m_mask.rows;
    return inside && box.height >= m_minHeight && aspect >= 2.f && aspect <= 3.8f && fill >= 0.4f
        && blob.edgeSupport >= 0.7f;
}

// Someone walking behind another person, higher in the image, makes one tall blob. With a
// height model the front person (feet at the bottom) is cut out at the expected height, and
// the rest is the person behind, down to where their feet must be.
std::vector<PersonBlobFinder::Blob> PersonBlobFinder::peelStacked(
    const Blob &blob, const PersonHeightModel &heights) const
{
    const cv::Rect &box = blob.box;
    const int bottom = bottomOf(box);
    const std::optional<float> expected = heights.expectedHeight(float(bottom));
    if (!expected || float(box.height) < kStackedHeight * *expected)
        return { blob };
    const int frontHeight = int(std::lround(*expected));
    const Blob legs = makeBlob(cv::Rect(box.x, bottom - frontHeight / 2, box.width, frontHeight / 2));
    if (legs.box.empty())
        return { blob };
    std::vector<Blob> parts;
    parts.push_back(makeBlob(cv::Rect(legs.box.x, bottom - frontHeight, legs.box.width, frontHeight)));
    const Blob upper = makeBlob(cv::Rect(box.x, box.y, box.width, bottom - frontHeight - box.y));
    if (!upper.box.empty()) {
        // Feet f of a person whose head is at the top: f - top = expectedHeight(f).
        float foot = float(bottom - frontHeight);
        for (int i = 0; i < 6; ++i)
            foot = float(upper.box.y) + heights.expectedHeight(foot).value_or(foot - float(upper.box.y));
        const int backBottom = std::min(bottom, int(std::lround(foot)));
        parts.push_back(
            makeBlob(cv::Rect(upper.box.x, upper.box.y, upper.box.width, backBottom - upper.box.y)));
    }
    std::erase_if(parts, [](const Blob &b) { return b.box.empty(); });
    return parts;
}

// A blob wider than one person is cut at the emptiest columns near the expected borders
// between people walking side by side.
std::vector<PersonBlobFinder::Blob> PersonBlobFinder::splitWide(const Blob &blob, float expectedWidth) const
{
    const cv::Rect &box = blob.box;
    const int people = int(std::lround(float(box.width) / expectedWidth));
    if (people < 2 || float(box.width) < kWideFactor * expectedWidth)
        return { blob };
    cv::Mat columns;
    cv::reduce(m_mask(box), columns, 0, cv::REDUCE_SUM, CV_32S);
    std::vector<int> cuts { 0 };
    const int window = std::max(1, int(expectedWidth / 3));
    for (int k = 1; k < people; ++k) {
        const int guess = int(float(k) * float(box.width) / float(people));
        int best = guess;
        for (int x = std::max(cuts.back() + 1, guess - window); x <= std::min(box.width - 2, guess + window);
             ++x) {
            if (columns.at<int>(0, x) < columns.at<int>(0, best))
                best = x;
        }
        cuts.push_back(best);
    }
    cuts.push_back(box.width);
    // A cut needs a valley: people side by side touch with an arm or a bag, while one
    // person's stride or backpack stays about as dense as the body.
    auto peak = [&](int from, int to) {
        int best = 0;
        for (int x = from; x < to; ++x)
            best = std::max(best, columns.at<int>(0, x));
        return best;
    };
    for (size_t k = 1; k + 1 < cuts.size();) {
        const int valley = columns.at<int>(0, cuts[k]);
        const int sides = std::min(peak(cuts[k - 1], cuts[k]), peak(cuts[k] + 1, cuts[k + 1]));
        if (float(valley) > kMaxValley * float(sides))
            cuts.erase(cuts.begin() + std::ptrdiff_t(k));
        else
            ++k;
    }
    std::vector<Blob> parts;
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        const Blob part = makeBlob(cv::Rect(box.x + cuts[k], box.y, cuts[k + 1] - cuts[k], box.height));
        if (!part.box.empty())
            parts.push_back(part);
    }
    return parts;
}

// Clothes the colour of the ground leave a person's legs out of the mask. When a blob is much
// shorter than a person whose head is at its top, the box is extended down to where that
// person's feet must be (the full-body box a reference detector or annotator would draw).
void PersonBlobFinder::completeLegs(Blob *person, const PersonHeightModel &heights) const
{
    cv::Rect &box = person->box;
    const float top = float(box.y);
    float foot = float(bottomOf(box));
    for (int i = 0; i < 6; ++i)
        foot = top + heights.expectedHeight(foot).value_or(foot - top);
    const int bottom = std::min(m_mask.rows, int(std::lround(foot)));
    if (float(bottom - box.y) > kShortHeight * float(box.height))
        box.height = bottom - box.y;
}

std::vector<PersonBlobFinder::Blob> PersonBlobFinder::people(
    const std::vector<Blob> &candidates, const PersonHeightModel &heights) const
{
    std::vector<Blob> found;
    for (const Blob &candidate : candidates) {
        for (const Blob &part : peelStacked(candidate, heights)) {
            const std::optional<float> expected = heights.expectedHeight(float(bottomOf(part.box)));
            const float expectedWidth = expected.value_or(float(part.box.height)) / kNominalAspect;
            for (Blob person : splitWide(part, expectedWidth)) {
                const float aspect = aspectOf(person.box);
                if (person.box.height < m_minHeight || aspect < kMinAspect || aspect > kMaxAspect)
                    continue;
                person.score = score(person, expected.value_or(0.f));
                completeLegs(&person, heights);
                found.push_back(person);
            }
        }
    }
    return found;
}

// Confidence from what a person looks like here: the box about half filled, person-like
// proportions, an outline that is in the frame (not a ghost), a plausible height.
float PersonBlobFinder::score(const Blob &blob, float expectedHeight) const
{
    const float area = float(blob.box.area());
    const float fill = area > 0 ? float(blob.pixels) / area : 0.f;
    const float fillScore = std::clamp((fill - 0.15f) / 0.35f, 0.f, 1.f);
    const float logRatio = std::log(aspectOf(blob.box) / kNominalAspect) / 0.5f;
    const float aspectScore = std::exp(-0.5f * logRatio * logRatio);
    const float edgeScore = std::clamp((blob.edgeSupport - 0.4f) / 0.35f, 0.f, 1.f);
    float heightScore = 1.f;
    if (expectedHeight > 0)
        heightScore = std::clamp(float(blob.box.height) / (0.6f * expectedHeight), 0.f, 1.f);
    return std::clamp((0.5f * fillScore + 0.5f * aspectScore) * edgeScore * heightScore, 0.f, 1.f);
}

} // namespace descry
