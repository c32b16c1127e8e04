#pragma once

#include "IngestJob.h"

namespace descry::test {

// Ingest options for the rendered clips the tests make: the background detector and fixed body
// zones (no pose model), fast and what the tests' expectations of rendered walkers were measured
// with. The default detector and pose model are tested on real footage where the perception
// package is installed (TestPersonDetector, TestPoseEstimator, TestIngest).
inline IngestOptions renderedFootageIngest()
{
    IngestOptions options;
    options.detector.kind = DetectorKind::Background;
    options.pose = PoseModel::Off;
    return options;
}

} // namespace descry::test
