#include "DetectorBenchmark.h"

#include "PersonDetector.h"
#include "SceneRenderer.h"
#include "VideoDecoder.h"

#include <QElapsedTimer>

namespace descry {

DetectorScore scoreOnScene(
    PersonDetector &detector, const SceneRenderer &renderer, float minVisible, int skipFirst)
{
    DetectorScore score;
    detector.reset();
    qint64 nanos = 0;
    const int frames = renderer.options().frames;
    for (int64_t i = 0; i < frames; ++i) {
        Frame frame { renderer.renderFrame(i), i, double(i) / renderer.options().fps };
        std::vector<Detection> detections;
        QString error;
        QElapsedTimer clock;
        clock.start();
        if (!detector.detect(frame, &detections, &error))
            break;
        nanos += clock.nsecsElapsed();
        if (i < skipFirst)
            continue;
        std::vector<Box> truth;
        std::vector<bool> ignore;
        for (const TruthBox &t : renderer.truth().boxesInFrame(i)) {
            truth.push_back(t.box);
            ignore.push_back(t.visible < minVisible);
        }
        score.counts += matchDetections(boxesOf(detections), truth, {}, &ignore);
        ++score.framesScored;
    }
    score.msPerFrame = frames > 0 ? double(nanos) / 1e6 / frames : 0;
    return score;
}

bool scoreAgainstReference(PersonDetector &detector, PersonDetector &reference, const QString &video,
    int64_t first, int64_t end, int step, DetectorScore *score, QString *error)
{
    VideoDecoder decoder;
    if (!decoder.open(video, error))
        return false;
    detector.reset();
    reference.reset();
    std::vector<std::vector<Box>> references, found;
    Frame frame;
    qint64 nanos = 0;
    int64_t given = 0;
    while (decoder.nextIndex() < end && decoder.read(&frame)) {
        std::vector<Detection> detections;
        QElapsedTimer clock;
        clock.start();
        if (!detector.detect(frame, &detections, error))
            return false;
        nanos += clock.nsecsElapsed();
        ++given;
        if (frame.index < first || (frame.index - first) % step != 0)
            continue;
        std::vector<Detection> truth;
        if (!reference.detect(frame, &truth, error))
            return false;
        references.push_back(boxesOf(truth));
        found.push_back(boxesOf(detections));
    }
    const double fps = decoder.info().fps > 0 ? decoder.info().fps : 10;
    const auto stationary = stationaryReferences(references, int(5 * fps / step), 0.5f);
    *score = {};
    for (size_t k = 0; k < references.size(); ++k)
        score->counts += matchDetections(found[k], references[k], {}, &stationary[k]);
    score->framesScored = int(references.size());
    score->msPerFrame = given > 0 ? double(nanos) / 1e6 / double(given) : 0;
    return true;
}

} // namespace descry
