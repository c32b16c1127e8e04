#pragma once

#include <QJsonObject>
#include <QString>

namespace descry {
class PedesDataset;
}

namespace descry::cli {

// The machine a benchmark ran on (CPU model, cores, OS) and when: stored with every result.
QJsonObject machineDescription();
// Writes `result` (with the machine added) to `path` as indented JSON, or to stdout when empty.
bool writeBenchResult(QJsonObject result, const QString &path);
// The people `bench query` fills its gallery from and asks about (the synthetic dataset of seed
// 77, 100 people), written into `folder` (the caller's to remove) and loaded.
bool loadQueryBenchPeople(const QString &folder, PedesDataset *dataset, QString *error);

// descry-cli bench query (BenchQueryCommand.cpp).
int benchQuery(const QStringList &args);
// descry-cli bench pose (BenchPoseCommand.cpp).
int benchPose(const QStringList &args);
// descry-cli bench trunk (BenchTrunkCommand.cpp).
int benchTrunk(const QStringList &args);
// descry-cli bench pattern (BenchPatternCommand.cpp).
int benchPattern(const QStringList &args);
// descry-cli bench identities (BenchIdentitiesCommand.cpp).
int benchIdentities(const QStringList &args);
// descry-cli bench index (BenchIndexCommand.cpp).
int benchIndex(const QStringList &args);

} // namespace descry::cli
