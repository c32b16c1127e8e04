#include "PersonDetector.h"

#include "BackgroundPersonDetector.h"
#include "OnnxPersonDetector.h"

namespace descry {

std::unique_ptr<PersonDetector> createPersonDetector(const DetectorOptions &options, QString *error)
{
    if (options.onnxPath.isEmpty())
        return std::make_unique<BackgroundPersonDetector>(BackgroundDetectorParams {}, options.minScore);
    return OnnxPersonDetector::load(options.onnxPath, options.minScore, error);
}

} // namespace descry
