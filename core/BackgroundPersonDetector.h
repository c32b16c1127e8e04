#pragma once

#include "PersonDetector.h"

#include <deque>

namespace descry {

// Tuning of the background detector. Every field is part of name(), so galleries made with
// other values are recognised as made by a different detector.
struct BackgroundDetectorParams {
    int processingWidth = 384; // frames are shrunk to this width (never enlarged)
    int sampleStep = 8; // one background sample per `sampleStep` source frames
    int samples = 21; // samples in the median (odd: a true median)
    int minSamples = 5; // no detections before this many samples exist
    int colourThreshold = 30; // RGB distance from the background that counts as change
    float minPersonHeight = 0.05f; // of the frame height
};

// The embedded detector for fixed cameras; needs no weight file.
//
// Background = per-pixel median of the last `samples` frames sampled at absolute source
// indices (the first frame given in each window of `sampleStep` indices). Foreground = colour
// change against it, minus shadows (darker, same chromaticity); blobs are cleaned up, split
// when too wide for one person and joined when stacked (head cut from body), then kept when
// shaped like a standing person.
//
// Why a windowed median rather than MOG2: MOG2's state depends on the whole history, so an
// interrupted ingest could not be resumed exactly. Here the state is a pure function of the
// last warmupFrames() frames, which IngestJob replays.
//
// Start of a source: the first frame alone would turn everyone in it into a ghost, so
// nothing is reported until `minSamples` samples exist (about 4 s at 10 fps with the
// defaults). The early median of few samples still absorbs people who stand still for half
// of that time; it improves as the window fills. That is the price of exact resume without
// a look-ahead.
class BackgroundPersonDetector : public PersonDetector {
public:
    explicit BackgroundPersonDetector(const BackgroundDetectorParams &params = {}, float minScore = 0.35f);

    QString name() const override;
    void reset() override;
    int warmupFrames() const override;
    bool detect(const Frame &frame, std::vector<Detection> *out, QString *error) override;
    cv::Mat lastForegroundMask() const override;

    const BackgroundDetectorParams &params() const { return m_params; }

private:
    struct Blob {
        cv::Rect box; // processing pixels
        int pixels = 0;
        float edgeSupport = 1; // see edgeSupport()
    };

    cv::Mat shrink(const cv::Mat &image) const;
    void addSample(const cv::Mat &small, int64_t index);
    cv::Mat foreground(const cv::Mat &small) const;
    std::vector<Blob> findBlobs(const cv::Mat &mask) const;
    std::vector<Blob> splitWide(const cv::Mat &mask, const Blob &blob) const;
    std::vector<Blob> mergeStacked(std::vector<Blob> blobs) const;
    float edgeSupport(const cv::Mat &mask, const cv::Rect &box, const cv::Mat &edges) const;
    float score(const Blob &blob) const;

    BackgroundDetectorParams m_params;
    float m_minScore;
    std::deque<cv::Mat> m_samples; // newest last
    cv::Mat m_background; // median of m_samples, processing size
    cv::Mat m_backgroundEdges; // its gradient magnitude (CV_32F)
    int64_t m_lastSlot = -1; // index / sampleStep of the last frame given
    int64_t m_lastIndex = -1;
    cv::Mat m_mask; // processing size, from the last detect()
    cv::Size m_frameSize;
    mutable cv::Mat m_fullMask; // m_mask at frame size, made on demand
};

} // namespace descry
