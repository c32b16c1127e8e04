#pragma once

#include <QString>

namespace descry {

// Which person detector ingest uses (createPersonDetector in PersonDetector.h). Plain, so that
// ingest settings can cross into the GUI without OpenCV.
struct DetectorOptions {
    QString onnxPath; // empty: the embedded background-subtraction detector
    float minScore = 0.35f;
};

} // namespace descry
