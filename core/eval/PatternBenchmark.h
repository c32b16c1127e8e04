#pragma once

#include <QJsonObject>
#include <QString>

#include <vector>

namespace descry {

// How well the measured garment patterns (PatternMeter, through AttributeExtractor) tell
// patterned people from plain ones on a text-to-person dataset, with the captions as the truth:
// an image is "striped" / "checked" when a caption of its person says so (QueryParser's pattern
// terms), "plain" when none of the person's captions names any pattern. Captions that leave a pattern unsaid
// count the image as plain, so the figures are a floor.
struct PatternBenchRow {
    QString pattern; // "striped", "checked", "patterned" (either score, against plain)
    int positives = 0;
    int negatives = 0;
    double auc = 0; // probability that a patterned image scores above a plain one (ties count half)
    double meanPositive = 0, meanNegative = 0;
    QJsonObject toJson() const;
};

struct PatternBenchResult {
    std::vector<PatternBenchRow> rows;
    int images = 0; // read, at least minHeight tall
    int measured = 0; // images whose upper body was large enough to measure
    double msPerImage = 0;
};

// `split`: one split of the dataset, or empty for all of it. Images under `minHeight` pixels are
// left out (a pattern finer than the camera resolves is not there to measure).
bool benchmarkPatterns(
    const QString &dataDir, const QString &split, int minHeight, PatternBenchResult *out, QString *error);

} // namespace descry
