#pragma once

#include "PersonDetector.h"
#include "PersonHeightModel.h"

#include <deque>

namespace descry {

// Tuning of the background detector. Every field is part of name(), so galleries made with
// other values are recognised as made by a different detector.
struct BackgroundDetectorParams {
    int processingWidth = 384; // frames are shrunk to this width (never enlarged)
    int sampleStep = 8; // one background sample per `sampleStep` source frames
    int samples = 15; // samples in the median (odd: a true median)
    int minSamples = 3; // no detections before this many samples exist
    int colourThreshold = 30; // RGB distance from the background that counts as change
    float minPersonHeight = 0.05f; // of the frame height
    int heightWindow = 120; // frames of clean observations behind the person-height model
};

// The embedded detector for fixed cameras; needs no weight file.
//
// Background = per-pixel median of the last `samples` frames sampled at absolute source
// indices (the first frame given in each window of `sampleStep` indices). Foreground = colour
// change against it, minus shadows (darker, same chromaticity); blobs are cleaned up, split
// when too wide for one person, joined when stacked (head cut from body) and cut when taller
// than a person standing there (PersonHeightModel, learnt from recent frames), then kept
// when shaped like a person (PersonBlobFinder).
//
// Why a windowed median rather than MOG2: MOG2's state depends on the whole history, so an
// interrupted ingest could not be resumed exactly. Here the state is a pure function of the
// last warmupFrames() frames, which IngestJob replays: the background depends on the last
// samples * sampleStep frames, the height model on clean blobs of the last heightWindow
// frames, each found with the background of its own frame.
//
// Start of a source: the first frame alone would turn everyone in it into a ghost, so
// nothing is reported until `minSamples` samples exist (frame 17, 1.7 s at 10 fps, with the
// defaults). The early median of so few samples still holds people who moved little between
// them, so the first seconds are weaker (vtest.avi, frames 0-99: precision 0.84, recall 0.77
// against YOLOX, versus about 0.90 / 0.96 once the window is full). That is the price of
// exact resume without a look-ahead. Someone standing still for more than about half the
// window (samples * sampleStep / 2 frames, 6 s at 10 fps) fades into the background.
class BackgroundPersonDetector : public PersonDetector {
public:
    explicit BackgroundPersonDetector(const BackgroundDetectorParams &params = {}, float minScore = 0.35f);

    QString name() const override;
    void reset() override;
    int warmupFrames() const override;
    bool detect(const Frame &frame, std::vector<Detection> *out, QString *error) override;
    cv::Mat lastForegroundMask() const override;

    const BackgroundDetectorParams &params() const { return m_params; }
    // Person heights learnt so far, in processing pixels (see processingScale()).
    const PersonHeightModel &heightModel() const { return m_heights; }
    // Source pixels per processing pixel for frames of the current source.
    double processingScale() const;

private:
    cv::Mat shrink(const cv::Mat &image) const;
    void addSample(const cv::Mat &small, int64_t index);
    cv::Mat foreground(const cv::Mat &small) const;
    std::vector<cv::Rect> findPeople(const cv::Mat &small, int64_t index, std::vector<float> *scores);

    BackgroundDetectorParams m_params;
    float m_minScore;
    std::deque<cv::Mat> m_samples; // newest last
    cv::Mat m_background; // median of m_samples, processing size
    cv::Mat m_backgroundEdges; // its gradient magnitude (CV_32F)
    int64_t m_lastSlot = -1; // index / sampleStep of the last frame given
    int64_t m_lastIndex = -1;
    PersonHeightModel m_heights; // learnt from the last heightWindow frames' clean blobs
    cv::Mat m_mask; // processing size, from the last detect()
    cv::Size m_frameSize;
    mutable cv::Mat m_fullMask; // m_mask at frame size, made on demand
};

} // namespace descry
