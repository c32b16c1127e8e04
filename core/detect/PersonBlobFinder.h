#pragma once

#include <opencv2/core/mat.hpp>

#include <vector>

namespace descry {

class PersonHeightModel;

// Turns one frame's foreground mask into boxes shaped like people (in mask pixels). Knows
// the usual ways blobs and people disagree: a head cut from its body by background-coloured
// clothes, people walking side by side or one behind the other, a person joined to a ghost
// (background uncovered where someone stood while the background samples were taken).
class PersonBlobFinder {
public:
    struct Blob {
        cv::Rect box;
        int pixels = 0; // foreground pixels in the box
        float edgeSupport = 1; // share of the outline's gradient found in the frame (not the background)
        float score = 0;
    };

    // `frameEdges` / `backgroundEdges`: gradient magnitudes (CV_32F) of the frame and of the
    // background, both at mask size.
    PersonBlobFinder(
        const cv::Mat &mask, const cv::Mat &frameEdges, const cv::Mat &backgroundEdges, int minHeight);

    // Connected components with ghost ends trimmed and stacked fragments joined.
    std::vector<Blob> candidates() const;
    // Candidates that are plainly one whole person: what a height model may learn from.
    bool isCleanPerson(const Blob &blob) const;
    // Candidates separated into people (using expected heights where `heights` has them),
    // scored, shape-filtered.
    std::vector<Blob> people(const std::vector<Blob> &candidates, const PersonHeightModel &heights) const;

private:
    float edgeSupport(const cv::Rect &area, double *evidence = nullptr) const;
    Blob makeBlob(const cv::Rect &area) const;
    Blob trimGhostEnds(const Blob &blob) const;
    std::vector<Blob> mergeStacked(std::vector<Blob> blobs) const;
    std::vector<Blob> peelStacked(const Blob &blob, const PersonHeightModel &heights) const;
    std::vector<Blob> splitWide(const Blob &blob, float expectedWidth) const;
    void completeLegs(Blob *person, const PersonHeightModel &heights) const;
    float score(const Blob &blob, float expectedHeight) const;

    cv::Mat m_mask;
    cv::Mat m_frameEvidence, m_backgroundEvidence; // integral images of edges on the mask border
    int m_minHeight;
};

} // namespace descry
