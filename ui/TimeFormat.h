#pragma once

#include <QString>

namespace descry {

// Times as reviewers read them in the results and panels.
QString formatClock(double seconds); // "01:02.3" (hours only when needed: "1:02:03.4")
QString formatDuration(double seconds); // "42 s", "3 min 05 s", "1 h 02 min"
QString formatEta(double seconds); // "0:42 left", "—" while unknown (< 0)
QString formatTimeRange(double start, double end); // "01:02.3 – 01:07.9"

} // namespace descry
