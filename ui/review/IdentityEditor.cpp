#include "IdentityEditor.h"

#include "Gallery.h"
#include "IdentityGrouper.h"
#include "ReviewQueue.h"

namespace descry {

IdentityEditor::IdentityEditor(QObject *parent)
    : QObject(parent)
    , m_worker(new IdentityEditWorker)
{
    connect(m_worker, &IdentityEditWorker::finished, this, [this](bool ok, const QString &message, qint64 identity) {
        --m_outstanding;
        Q_EMIT finished(ok, message, identity);
    });
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-identities"));
}

IdentityEditor::~IdentityEditor() = default;

void IdentityEditor::merge(qint64 identityA, qint64 identityB)
{
    const QString path = m_path, author = m_author;
    post([=](IdentityEditWorker *worker) { worker->merge(path, identityA, identityB, author); });
}

void IdentityEditor::separate(qint64 trackletId)
{
    const QString path = m_path, author = m_author;
    post([=](IdentityEditWorker *worker) { worker->separate(path, trackletId, author); });
}

template<typename Request> void IdentityEditor::post(Request request)
{
    ++m_outstanding;
    IdentityEditWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker, request] { request(worker); }, Qt::QueuedConnection);
}

IdentityEditWorker::~IdentityEditWorker() = default;

template<typename Edit> bool IdentityEditWorker::apply(const QString &galleryPath, Edit edit, qint64 *identityId, QString *message)
{
    Gallery *gallery = m_connection.get(galleryPath, message);
    if (!gallery)
        return false;
    const auto grouping = gallery->latestIdentityGrouping();
    if (!grouping) {
        *message = tr("This gallery has no people yet: ingest footage with a model, or run "
                      "'descry-cli identities --regroup'.");
        return false;
    }
    // The edit is stored against the vectors the current grouping used, and the regrouping keeps
    // its threshold, so nothing but the annotator's word changes the people.
    IdentityGrouper grouper(*gallery, grouping->modelId);
    qint64 follow = 0;
    if (!edit(*gallery, grouper, &follow, message))
        return false;
    IdentityClusteringOptions options;
    options.threshold = IdentityGrouper::currentThreshold(*gallery);
    IdentityGroupingResult result;
    QString error;
    if (!grouper.regroup(options, &result, &error)) {
        *message = tr("Saved, but regrouping failed: %1").arg(error);
        return false;
    }
    const auto it = result.identityOfTracklet.find(follow);
    *identityId = it == result.identityOfTracklet.end() ? 0 : it->second;
    return true;
}

void IdentityEditWorker::merge(const QString &galleryPath, qint64 identityA, qint64 identityB, const QString &author)
{
    QString message;
    const QString who = author.isEmpty() ? ReviewQueue::defaultAuthor() : author;
    qint64 merged = 0;
    const auto edit = [&](Gallery &gallery, IdentityGrouper &grouper, qint64 *follow, QString *error) {
        for (const auto &[tracklet, identity] : gallery.identities()) // any tracklet of the first person
            if (identity == identityA) {
                *follow = tracklet;
                break;
            }
        return grouper.merge(identityA, identityB, who, error);
    };
    const bool ok = apply(galleryPath, edit, &merged, &message);
    if (ok)
        message = tr("Person %1 and person %2 are now one person (person %3); later groupings keep them together.")
                      .arg(identityA)
                      .arg(identityB)
                      .arg(merged);
    else
        message = tr("Not merged: %1").arg(message);
    Q_EMIT finished(ok, message, merged);
}

void IdentityEditWorker::separate(const QString &galleryPath, qint64 trackletId, const QString &author)
{
    QString message;
    const QString who = author.isEmpty() ? ReviewQueue::defaultAuthor() : author;
    qint64 alone = 0;
    const auto edit = [&](Gallery &, IdentityGrouper &grouper, qint64 *follow, QString *error) {
        *follow = trackletId;
        return grouper.separate(trackletId, who, error);
    };
    const bool ok = apply(galleryPath, edit, &alone, &message);
    if (ok)
        message = tr("This appearance is now person %1; later groupings keep it apart.").arg(alone);
    else
        message = tr("Not split: %1").arg(message);
    Q_EMIT finished(ok, message, alone);
}

} // namespace descry
