#include "CalibrationTable.h"

#include <QStringList>

#include <cmath>

namespace descry::cli {

QString calibrationTable(
    const ScoreCalibration &c, bool fitted, const QString &path, const QString &measuredOn)
{
    QStringList lines;
    lines << QStringLiteral(
        "calibration: confidence = 1 / (1 + exp(-(%1 x score %2 %3))); %4 %5 pairs (%6 matching) of %7 "
        "queries%8")
                 .arg(c.slope, 0, 'f', 4)
                 .arg(c.intercept < 0 ? QStringLiteral("-") : QStringLiteral("+"))
                 .arg(std::abs(c.intercept), 0, 'f', 4)
                 .arg(fitted ? QStringLiteral("fitted on") : QStringLiteral("measured on"))
                 .arg(c.pairs)
                 .arg(c.matches)
                 .arg(c.queries)
                 .arg(fitted ? QStringLiteral(", split %1; written to %2").arg(c.split, path)
                             : QStringLiteral(" of %1 (fitted on %2, %3)").arg(measuredOn, c.data, c.split));
    lines << QStringLiteral("confidence     pairs  matches  mean confidence  match rate");
    for (const ReliabilityBin &b : c.reliability)
        lines << QStringLiteral("%1-%2  %3  %4  %5  %6")
                     .arg(b.from, 0, 'f', 1)
                     .arg(b.to, -7, 'f', 1)
                     .arg(b.pairs, 8)
                     .arg(b.matches, 7)
                     .arg(b.meanConfidence, 15, 'f', 3)
                     .arg(b.matchRate(), 10, 'f', 3);
    lines << QStringLiteral("expected calibration error %1").arg(c.expectedCalibrationError, 0, 'f', 4);
    lines << QStringLiteral("cut-off  precision  recall  queries with a match shown");
    for (const CutoffFigures &f : c.cutoffs)
        lines << QStringLiteral("%1  %2  %3  %4%5")
                     .arg(f.cutoff, 7, 'f', 1)
                     .arg(f.precision, 9, 'f', 3)
                     .arg(f.recall, 6, 'f', 3)
                     .arg(f.queriesWithMatchShown, 26, 'f', 3)
                     .arg(std::abs(f.cutoff - c.cutoff) < 1e-9 ? QStringLiteral("  <- default cut-off")
                                                               : QString());
    return lines.join(QLatin1Char('\n'));
}

} // namespace descry::cli
