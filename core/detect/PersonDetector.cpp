#include "PersonDetector.h"

#include "BackgroundPersonDetector.h"
#include "NanoDetPersonDetector.h"
#include "OnnxPersonDetector.h"

namespace descry {

std::unique_ptr<PersonDetector> createPersonDetector(const DetectorOptions &options, QString *error)
{
    switch (options.kind) {
    case DetectorKind::NanoDet: {
        NanoDetParams params;
        params.minScore = options.minScore.value_or(params.minScore);
        params.tileFrom = options.tileFrom.value_or(params.tileFrom);
        return NanoDetPersonDetector::load(params, error);
    }
    case DetectorKind::Background:
        return std::make_unique<BackgroundPersonDetector>(
            BackgroundDetectorParams {}, options.minScore.value_or(0.35f));
    case DetectorKind::Onnx:
        return OnnxPersonDetector::load(options.onnxPath, options.minScore.value_or(0.35f), error);
    }
    return nullptr;
}

} // namespace descry
