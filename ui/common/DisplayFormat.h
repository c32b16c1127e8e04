#pragma once

#include <QString>

namespace descry {

// Times and counts as reviewers read them in the results, panels and status bar.
QString formatClock(double seconds); // "01:02.3" (hours only when needed: "1:02:03.4")
QString formatDuration(double seconds); // "42 s", "3 min 05 s", "1 h 02 min"
QString formatEta(double seconds); // "0:42 left", "estimating…" while unknown (< 0)
QString formatTimeRange(double start, double end); // "01:02.3 – 01:07.9"
QString formatLength(double seconds); // compact, for tables: "0:42", "3:05", "1:02:03"
// "1 person" / "34 people": English plurals without a translation catalogue.
QString countOf(qint64 n, const QString &one, const QString &many);

} // namespace descry
