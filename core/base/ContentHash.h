#pragma once

#include <QString>

#include <atomic>
#include <functional>

namespace descry {

// SHA-256 of a file's bytes (hex). Identifies footage regardless of name or location, so the
// same file is never ingested twice. `progress(bytesDone, bytesTotal)` may be null; hashing
// stops (returns false) when `cancel` becomes true.
bool contentHash(const QString &path, QString *hexDigest, QString *error,
    const std::function<void(qint64, qint64)> &progress = {}, const std::atomic_bool *cancel = nullptr);

} // namespace descry
