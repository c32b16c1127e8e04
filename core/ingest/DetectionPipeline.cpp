#include "DetectionPipeline.h"

#include "PersonDetector.h"
#include "VideoDecoder.h"

#include <exception>

namespace descry {

namespace {

// Frames handed out per worker: one it works on and one waiting, so that no worker idles while
// the calling thread decodes the next.
constexpr size_t kFramesPerWorker = 2;

} // namespace

DetectionPipeline::DetectionPipeline(
    VideoDecoder &decoder, PersonDetector &detector, const std::vector<PersonDetector *> &workers)
    : m_decoder(decoder)
    , m_detector(detector)
{
    for (PersonDetector *d : workers)
        m_workers.emplace_back(&DetectionPipeline::work, this, d);
}

DetectionPipeline::~DetectionPipeline()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_waiting.clear();
    }
    m_workAvailable.notify_all();
    for (std::thread &t : m_workers)
        t.join();
}

void DetectionPipeline::work(PersonDetector *detector)
{
    for (;;) {
        std::shared_ptr<Job> job;
        {
            std::unique_lock lock(m_mutex);
            m_workAvailable.wait(lock, [&] { return m_stopping || !m_waiting.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_waiting.front());
            m_waiting.pop_front();
        }
        std::vector<Detection> found;
        QString error;
        bool ok = false;
        try {
            ok = detector->detect(job->result.frame, &found, &error);
        } catch (const std::exception &e) {
            error = QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0);
        }
        {
            std::lock_guard lock(m_mutex);
            job->result.detections = std::move(found);
            job->error = error;
            job->ok = ok;
            job->done = true;
        }
        m_jobDone.notify_all();
    }
}

void DetectionPipeline::fillQueue()
{
    while (!m_decoderEnded && m_inFlight.size() < kFramesPerWorker * m_workers.size()) {
        auto job = std::make_shared<Job>();
        if (!m_decoder.read(&job->result.frame)) {
            m_decoderEnded = true;
            break;
        }
        job->result.nextIndex = m_decoder.nextIndex();
        m_inFlight.push_back(job);
        {
            std::lock_guard lock(m_mutex);
            m_waiting.push_back(job);
        }
        m_workAvailable.notify_one();
    }
}

DetectionPipeline::Step DetectionPipeline::next(DetectedFrame *out, QString *error)
{
    if (m_workers.empty()) {
        if (!m_decoder.read(&out->frame))
            return Step::End;
        out->nextIndex = m_decoder.nextIndex();
        if (!m_detector.detect(out->frame, &out->detections, error))
            return Step::Failed;
        out->foregroundMask = m_detector.lastForegroundMask();
        return Step::Frame;
    }
    fillQueue();
    if (m_inFlight.empty())
        return Step::End;
    std::shared_ptr<Job> job = std::move(m_inFlight.front());
    m_inFlight.pop_front();
    {
        std::unique_lock lock(m_mutex);
        m_jobDone.wait(lock, [&] { return job->done; });
    }
    *out = std::move(job->result);
    if (!job->ok) {
        if (error)
            *error = job->error;
        return Step::Failed;
    }
    // Decode the next frames now, while the workers detect: the caller's tracking comes after.
    fillQueue();
    return Step::Frame;
}

} // namespace descry
