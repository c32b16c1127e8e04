#include "ContentHash.h"

#include <QCryptographicHash>
#include <QFile>

namespace descry {

bool contentHash(const QString &path, QString *hexDigest, QString *error,
    const std::function<void(qint64, qint64)> &progress, const std::atomic_bool *cancel)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const qint64 total = file.size();
    qint64 done = 0;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    while (true) {
        if (cancel && cancel->load()) {
            *error = QStringLiteral("cancelled");
            return false;
        }
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0) {
            *error = QStringLiteral("read error in %1: %2").arg(path, file.errorString());
            return false;
        }
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        done += n;
        if (progress)
            progress(done, total);
    }
    *hexDigest = QString::fromLatin1(hash.result().toHex());
    return true;
}

} // namespace descry
