#pragma once

#include "ScoreCalibration.h"

#include <QString>

namespace descry::cli {

// The readable report of a score calibration, shared by 'eval --calibrate' and 'calibrate':
// the fitted formula and where its pairs came from, the reliability bins, the expected
// calibration error and precision / recall / queries with a match shown at each cut-off.
// `fitted`: just fitted and written to `path`; otherwise measured on other pairs, described by
// `measuredOn` (e.g. "this split", "the held-out queries").
QString calibrationTable(const ScoreCalibration &c, bool fitted, const QString &path,
    const QString &measuredOn = QStringLiteral("this split"));

} // namespace descry::cli
