#include "DetectorBenchmark.h"

#include "PersonDetector.h"
#include "SceneRenderer.h"
#include "VideoDecoder.h"

#include <QElapsedTimer>

#include <algorithm>

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

bool detectOnVideo(PersonDetector &detector, const QString &video, int64_t first, int64_t end, int step,
    VideoBoxes *out, QString *error)
{
    VideoDecoder decoder;
    if (!decoder.open(video, error))
        return false;
    *out = {};
    out->fps = decoder.info().fps > 0 ? decoder.info().fps : 10;
    out->step = step;
    detector.reset();
    const bool everyFrame = detector.warmupFrames() > 0;
    qint64 nanos = 0;
    int64_t given = 0;
    Frame frame;
    while (decoder.nextIndex() < end && decoder.read(&frame)) {
        const bool scored = frame.index >= first && (frame.index - first) % step == 0;
        if (!scored && !everyFrame)
            continue;
        std::vector<Detection> detections;
        QElapsedTimer clock;
        clock.start();
        if (!detector.detect(frame, &detections, error))
            return false;
        nanos += clock.nsecsElapsed();
        ++given;
        if (scored)
            out->frames.push_back(boxesOf(detections));
    }
    out->timing.framesScored = int(out->frames.size());
    out->timing.msPerFrame = given > 0 ? double(nanos) / 1e6 / double(given) : 0;
    return true;
}

ReferenceScores scoreAgainstReference(
    const VideoBoxes &found, const VideoBoxes &reference, const std::vector<Box> &notPeople)
{
    const size_t frames = std::min(found.frames.size(), reference.frames.size());
    std::vector<std::vector<Box>> references;
    for (size_t k = 0; k < frames; ++k) {
        references.emplace_back();
        for (const Box &b : reference.frames[k])
            if (std::none_of(notPeople.begin(), notPeople.end(), [&](const Box &n) { return iou(b, n) >= 0.5f; }))
                references.back().push_back(b);
    }
    const auto stationary = stationaryReferences(references, int(5 * reference.fps / reference.step), 0.5f);
    ReferenceScores scores;
    for (size_t k = 0; k < frames; ++k) {
        scores.moving.counts += matchDetections(found.frames[k], references[k], {}, &stationary[k]);
        scores.all.counts += matchDetections(found.frames[k], references[k]);
    }
    for (DetectorScore *s : { &scores.moving, &scores.all }) {
        s->framesScored = int(frames);
        s->msPerFrame = found.timing.msPerFrame;
    }
    return scores;
}

} // namespace descry
