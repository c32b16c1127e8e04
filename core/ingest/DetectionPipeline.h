#pragma once

#include "Detection.h"
#include "Frame.h"

#include <QString>

#include <opencv2/core/mat.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace descry {

class PersonDetector;
class VideoDecoder;

// One analysed frame: the frame, what the detector found in it, and where decoding goes on after
// it (the resume point a checkpoint records).
struct DetectedFrame {
    Frame frame;
    std::vector<Detection> detections;
    cv::Mat foregroundMask; // the detector's, when it has one (see PersonDetector)
    int64_t nextIndex = 0;
};

// Decodes frames and finds the people in them ahead of the tracker. With worker detectors (copies
// of a detector whose frames are independent, see PersonDetector::framesIndependent()), each
// runs on a thread of its own: the calling thread decodes and hands out up to two frames per
// worker, then tracks, poses and stores while they detect. Frames come out in order with exactly
// the detections one detector gives them. Without workers, the detector runs on the calling
// thread, frame by frame (the background detector: each frame updates its model).
class DetectionPipeline {
public:
    enum class Step { Frame, End, Failed };

    // `workers` (not owned; may include `detector` itself) each get a thread; empty: none.
    DetectionPipeline(
        VideoDecoder &decoder, PersonDetector &detector, const std::vector<PersonDetector *> &workers);
    ~DetectionPipeline(); // stops the workers; frames still in flight are dropped
    DetectionPipeline(const DetectionPipeline &) = delete;
    DetectionPipeline &operator=(const DetectionPipeline &) = delete;

    // The next frame and its detections; End after the last frame; Failed when the detector failed
    // (`error` says why, out->frame.index where).
    Step next(DetectedFrame *out, QString *error);

private:
    struct Job {
        DetectedFrame result;
        QString error;
        bool done = false, ok = false;
    };

    void work(PersonDetector *detector);
    void fillQueue();

    VideoDecoder &m_decoder;
    PersonDetector &m_detector;
    std::vector<std::thread> m_workers;
    std::deque<std::shared_ptr<Job>> m_inFlight; // in frame order, owned by the calling thread
    bool m_decoderEnded = false;

    std::mutex m_mutex; // guards the members below and every Job's done/ok/error/detections
    std::condition_variable m_workAvailable, m_jobDone;
    std::deque<std::shared_ptr<Job>> m_waiting; // handed out, not yet taken by a worker
    bool m_stopping = false;
};

} // namespace descry
