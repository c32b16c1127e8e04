#pragma once

#include <QString>

namespace descry::test {

// ../shared next to the project (footage/, models/); empty string when absent.
QString sharedDir();
// Path of a shared asset such as "footage/vtest.avi", or empty when it is not there
// (tests then QSKIP with a clear reason).
QString sharedFile(const QString &relativePath);
// Path of the built descry-cli executable.
QString cliPath();

} // namespace descry::test
