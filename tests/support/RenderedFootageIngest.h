#pragma once

#include "IngestJob.h"

namespace descry::test {

// Ingest options for the rendered clips the tests make: the background detector, fast and what
// the tests' expectations of rendered walkers were measured with. The default detector (NanoDet)
// is tested on real footage where the perception package is installed (TestNanoDetDetector).
inline IngestOptions renderedFootageIngest()
{
    IngestOptions options;
    options.detector.kind = DetectorKind::Background;
    return options;
}

} // namespace descry::test
