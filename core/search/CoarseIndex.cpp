#include "CoarseIndex.h"

#include "GalleryLocation.h"
#include "VectorIndex.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>
#include <cstring>

namespace descry {

namespace {

// How many of the saved index's vectors are compared with the gallery's before it is trusted:
// a gallery file replaced by another one (a copy of another case) under the same name has
// other vectors under the same ids.
constexpr size_t kCheckedVectors = 64;

} // namespace

CoarseIndex::CoarseIndex() = default;
CoarseIndex::~CoarseIndex() = default;

QString CoarseIndex::pathFor(const QString &galleryPath, const QString &modelId, const bool readOnly)
{
    const QString file = modelId + QStringLiteral(".global.ivf");
    // A server's gallery has no folder of its own: each machine keeps its index in its cache.
    if (!readOnly && !GalleryLocation::isServer(galleryPath))
        return QFileInfo(galleryPath).absoluteFilePath() + QStringLiteral(".index/") + file;
    const QString key = GalleryLocation::cacheKey(galleryPath).left(16);
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
        .filePath(QStringLiteral("descry/indexes/%1/%2").arg(key, file));
}

bool CoarseIndex::sync(
    const QString &path, const int64_t *ids, const float *vectors, size_t n, int dim, QString *error)
{
    QElapsedTimer clock;
    clock.start();
    const auto rowOf = [&](int64_t id) -> long {
        const int64_t *at = std::lower_bound(ids, ids + n, id);
        return at != ids + n && *at == id ? long(at - ids) : -1;
    };
    QStringList what;
    if (path != m_path) {
        m_index.reset();
        m_path = path;
        m_unsaved = false;
        if (QFileInfo::exists(path)) {
            std::string why;
            m_index = VectorIndex::load(path.toStdString(), &why);
            what << (m_index ? QStringLiteral("loaded")
                             : QStringLiteral("unreadable (%1)").arg(QString::fromStdString(why)));
        }
    }
    if (m_index && m_index->dim() != dim) {
        m_index.reset();
        what << QStringLiteral("other dimension");
    }
    bool changed = false;
    if (m_index) {
        const std::vector<int64_t> stored = m_index->ids();
        std::vector<int64_t> added, removed;
        std::set_difference(ids, ids + n, stored.begin(), stored.end(), std::back_inserter(added));
        std::set_difference(stored.begin(), stored.end(), ids, ids + n, std::back_inserter(removed));
        // The same vectors under the same ids, checked on a spread of them.
        bool same = true;
        std::vector<float> v(static_cast<size_t>(dim));
        const size_t step = std::max<size_t>(1, stored.size() / kCheckedVectors);
        for (size_t i = 0; i < stored.size() && same; i += step) {
            const long row = rowOf(stored[i]);
            if (row >= 0
                && (!m_index->vector(stored[i], v.data())
                    || std::memcmp(v.data(), vectors + size_t(row) * size_t(dim), sizeof(float) * size_t(dim))
                        != 0))
                same = false;
        }
        // Cells fitted on far fewer vectors than it would hold, or most of them gone: fit again.
        const size_t kept = stored.size() - removed.size() + added.size();
        const bool refit = VectorIndexOptions::defaultLists(kept) > 2 * m_index->lists()
            || removed.size() * 2 > stored.size();
        if (!same || refit) {
            m_index.reset();
            what << (same ? QStringLiteral("refitted") : QStringLiteral("other vectors"));
        } else if (!added.empty() || !removed.empty()) {
            m_index->remove(removed);
            std::vector<float> rows;
            rows.reserve(added.size() * size_t(dim));
            for (int64_t id : added) {
                const float *row = vectors + size_t(rowOf(id)) * size_t(dim);
                rows.insert(rows.end(), row, row + dim);
            }
            std::string why;
            if (!m_index->add(rows.data(), added.data(), added.size(), &why)) {
                m_index.reset();
                what << QStringLiteral("update failed (%1)").arg(QString::fromStdString(why));
            } else {
                changed = true;
                what << QStringLiteral("updated (+%1 -%2)").arg(added.size()).arg(removed.size());
            }
        }
    }
    if (!m_index) {
        std::string why;
        m_index = VectorIndex::build(vectors, ids, n, dim, {}, &why);
        if (!m_index) {
            m_lastSync = what.join(QStringLiteral(", "));
            if (error)
                *error = QStringLiteral("no coarse index: %1").arg(QString::fromStdString(why));
            return false;
        }
        changed = true;
        what << QStringLiteral("built");
    }
    if (changed) {
        std::string why;
        m_unsaved = !QDir().mkpath(QFileInfo(path).absolutePath()) || !m_index->save(path.toStdString(), &why);
        if (m_unsaved)
            what << QStringLiteral("not saved (%1)")
                        .arg(why.empty()
                                ? QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath())
                                : QString::fromStdString(why));
        else
            what << QStringLiteral("saved");
    }
    if (m_probes > 0)
        m_index->setProbes(m_probes);
    m_lastSync = what.join(QStringLiteral(", "));
    m_lastSyncSeconds = double(clock.nsecsElapsed()) / 1e9;
    return true;
}

namespace {

// "<generation> <save id>": the gallery generation the saved index was last in line with, and
// which save of the file that was.
QString generationRecord(const QString &indexPath)
{
    return indexPath + QStringLiteral(".generation");
}

} // namespace

bool CoarseIndex::loadIfCurrent(const QString &path, int64_t generation)
{
    QElapsedTimer clock;
    clock.start();
    QFile record(generationRecord(path));
    if (generation < 0 || !record.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> fields = record.readAll().trimmed().split(' ');
    bool generationOk = false, idOk = false;
    const int64_t recorded = fields.value(0).toLongLong(&generationOk);
    const uint64_t saveId = fields.value(1).toULongLong(&idOk);
    if (fields.size() != 2 || !generationOk || !idOk || recorded != generation || saveId == 0
        || VectorIndex::savedId(path.toStdString()) != saveId)
        return false;
    if (!m_index || m_path != path || m_index->saveId() != saveId) {
        std::string why;
        std::unique_ptr<VectorIndex> loaded = VectorIndex::load(path.toStdString(), &why);
        if (!loaded || loaded->saveId() != saveId)
            return false;
        m_index = std::move(loaded);
        m_path = path;
        m_unsaved = false;
    }
    setProbes(m_probes);
    m_lastSync = QStringLiteral("loaded, in line with the gallery (generation %1)").arg(generation);
    m_lastSyncSeconds = double(clock.nsecsElapsed()) / 1e9;
    return true;
}

void CoarseIndex::recordGeneration(int64_t generation)
{
    if (!m_index || m_path.isEmpty() || m_index->saveId() == 0 || m_unsaved
        || VectorIndex::savedId(m_path.toStdString()) != m_index->saveId())
        return;
    // Written whole or not at all; a record that cannot be written only costs the next open a
    // read of the gallery's vectors.
    QSaveFile record(generationRecord(m_path));
    if (record.open(QIODevice::WriteOnly))
        record.write(QByteArray::number(qint64(generation)) + ' ' + QByteArray::number(quint64(m_index->saveId())) + '\n');
    record.commit();
}

void CoarseIndex::setProbes(int probes)
{
    m_probes = std::max(probes, 0);
    if (m_index)
        m_index->setProbes(m_probes > 0 ? m_probes : VectorIndexOptions::defaultProbes(m_index->lists()));
}

void CoarseIndex::reset()
{
    m_index.reset();
    m_path.clear();
    m_unsaved = false;
}

const VectorIndex *CoarseIndex::index() const
{
    return m_index.get();
}

QString CoarseIndex::lastSync() const
{
    return m_lastSync;
}

double CoarseIndex::lastSyncSeconds() const
{
    return m_lastSyncSeconds;
}

} // namespace descry
