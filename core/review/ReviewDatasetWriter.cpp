#include "ReviewDatasetWriter.h"

#include "Gallery.h"
#include "PedesDatasetWriter.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QStringList>

#include <cmath>
#include <map>
#include <vector>

namespace descry {

namespace {

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

// A confirmed tracklet with what the dataset needs of it.
struct ConfirmedTracklet {
    int64_t id = 0;
    QStringList captions;
    QString label;
    std::vector<CropRecord> crops;
};

// Identity i (1-based) of n goes to validation when i x fraction crosses an integer: exactly
// floor(n x fraction) identities, evenly spaced, the first at i = ceil(1 / fraction).
bool isValidation(int identity, double fraction)
{
    constexpr double kSlack = 1e-9; // 10 x 0.1 must count as 1
    return std::floor(identity * fraction + kSlack) > std::floor((identity - 1) * fraction + kSlack);
}

bool isUsableTarget(const QString &dir, QString *error)
{
    const QFileInfo info(dir);
    if (!info.exists())
        return true;
    if (!info.isDir())
        return fail(error,
            QStringLiteral("%1 exists and is not a folder: give a new folder for the dataset").arg(dir));
    if (!QDir(dir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System))
        return fail(error,
            QStringLiteral("%1 exists and is not empty: give a new folder for the dataset (an export "
                           "never mixes with other files)")
                .arg(dir));
    return true;
}

} // namespace

ReviewDatasetWriter::ReviewDatasetWriter(Gallery &gallery, const ReviewDatasetOptions &options)
    : m_gallery(gallery)
    , m_options(options)
{ }

bool ReviewDatasetWriter::write(const QString &dir, QString *error)
{
    m_summary = {};
    if (!(m_options.valFraction >= 0 && m_options.valFraction < 1))
        return fail(error,
            QStringLiteral("the validation fraction must be at least 0 and below 1 (got %1)")
                .arg(m_options.valFraction));
    if (!m_gallery.isOpen())
        return fail(error, QStringLiteral("the gallery is not open"));
    const QString target = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    if (!isUsableTarget(target, error))
        return false;

    const std::vector<ReviewRecord> confirmed = m_gallery.confirmedReviews();
    if (confirmed.empty())
        return fail(error,
            QStringLiteral("the gallery holds no confirmed reviews yet: confirm search results in the review "
                           "panel or with 'descry-cli review add' first"));
    m_summary.pairs = int(confirmed.size());

    // By tracklet id, each tracklet's reviews by decision: captions in the order they were
    // confirmed and the newest label wins.
    std::map<int64_t, ConfirmedTracklet> tracklets;
    for (const ReviewRecord &r : confirmed) {
        ConfirmedTracklet &t = tracklets[r.trackletId];
        t.id = r.trackletId;
        if (!t.captions.contains(r.queryText))
            t.captions.append(r.queryText);
        if (!r.label.trimmed().isEmpty())
            t.label = r.label.trimmed();
    }

    // Identities in order of their first tracklet.
    std::vector<std::vector<const ConfirmedTracklet *>> identities;
    std::map<QString, size_t> identityOfLabel;
    for (auto &[id, t] : tracklets) {
        t.crops = m_gallery.crops(id);
        if (t.crops.empty()) {
            ++m_summary.trackletsWithoutCrops;
            continue;
        }
        const QString key = t.label.simplified().toCaseFolded();
        if (!key.isEmpty()) {
            const auto known = identityOfLabel.find(key);
            if (known != identityOfLabel.end()) {
                identities[known->second].push_back(&t);
                continue;
            }
            identityOfLabel[key] = identities.size();
        }
        identities.push_back({ &t });
    }
    if (identities.empty())
        return fail(error,
            QStringLiteral("none of the %1 confirmed tracklets has a stored crop to export")
                .arg(tracklets.size()));

    // Built aside and renamed when complete: a DIR that exists is a whole dataset.
    const QString partial = target + QStringLiteral(".partial");
    if (QFileInfo::exists(partial) && !QDir(partial).removeRecursively())
        return fail(
            error, QStringLiteral("cannot remove %1, left by an earlier export: remove it").arg(partial));
    const auto abandon = [&] {
        QDir(partial).removeRecursively();
        m_summary = {};
        return false;
    };

    PedesDatasetWriter writer(partial);
    for (size_t g = 0; g < identities.size(); ++g) {
        const bool val = isValidation(int(g) + 1, m_options.valFraction);
        const int datasetId = writer.addIdentity(val ? QStringLiteral("val") : QStringLiteral("train"));
        ++(val ? m_summary.valIdentities : m_summary.trainIdentities);
        for (const ConfirmedTracklet *t : identities[g]) {
            QJsonObject extra { { QStringLiteral("tracklet"), qint64(t->id) } };
            if (!t->label.isEmpty())
                extra.insert(QStringLiteral("label"), t->label);
            for (const CropRecord &crop : t->crops) {
                const QByteArray jpeg = m_gallery.cropImage(crop.id);
                if (jpeg.isEmpty()) {
                    fail(error,
                        QStringLiteral("cannot read crop %1 of tracklet %2: %3")
                            .arg(crop.id)
                            .arg(t->id)
                            .arg(m_gallery.lastError()));
                    return abandon();
                }
                if (!writer.addImage(datasetId, jpeg, t->captions, error, extra))
                    return abandon();
                ++m_summary.images;
                m_summary.captions += int(t->captions.size());
            }
            ++m_summary.tracklets;
        }
    }
    m_summary.identities = int(identities.size());
    if (!writer.finish(error))
        return abandon();
    // rename() does not replace a folder, even an empty one.
    if (QFileInfo::exists(target) && !QDir().rmdir(target)) {
        fail(error, QStringLiteral("cannot replace the empty folder %1").arg(target));
        return abandon();
    }
    if (!QDir().rename(partial, target)) {
        fail(error, QStringLiteral("cannot rename %1 to %2").arg(partial, target));
        return abandon();
    }
    return true;
}

} // namespace descry
