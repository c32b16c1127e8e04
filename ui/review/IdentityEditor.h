#pragma once

#include "GalleryConnection.h"
#include "WorkerThread.h"

#include <QObject>
#include <QString>

#include <memory>

namespace descry {

class IdentityEditWorker;

// An annotator's word on identities from the GUI: "these two are one person" (merge) and "this
// appearance is not that person" (split). Each edit runs on its own worker thread with its own
// gallery connection (IdentityGrouper::merge / separate, then a regrouping at the threshold of the
// current grouping with its model's vectors, as `descry-cli identities merge|split` does), and
// answers with finished(): ok, a sentence for the status bar (the refusal's reason when the two
// were seen at the same time) and the person the edit left: the merged person, or the separated
// appearance's new one. Edits run in the order they were made; none is dropped.
class IdentityEditor : public QObject {
    Q_OBJECT
public:
    explicit IdentityEditor(QObject *parent = nullptr);
    ~IdentityEditor() override;

    void setGalleryPath(const QString &path) { m_path = path; }
    // Stored with every link; empty: the OS user name (ReviewQueue::defaultAuthor()).
    void setAuthor(const QString &author) { m_author = author; }

    void merge(qint64 identityA, qint64 identityB);
    void separate(qint64 trackletId);
    bool isBusy() const { return m_outstanding > 0; }

Q_SIGNALS:
    void finished(bool ok, const QString &message, qint64 identityId);

private:
    template<typename Request> void post(Request request);

    IdentityEditWorker *m_worker = nullptr;
    std::unique_ptr<WorkerThread> m_thread;
    QString m_path;
    QString m_author;
    int m_outstanding = 0;
};

// IdentityEditor's worker: lives on the editor's thread.
class IdentityEditWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~IdentityEditWorker() override;

    void merge(const QString &galleryPath, qint64 identityA, qint64 identityB, const QString &author);
    void separate(const QString &galleryPath, qint64 trackletId, const QString &author);

Q_SIGNALS:
    void finished(bool ok, const QString &message, qint64 identityId);

private:
    // The edit, edit(gallery, grouper, &follow, &message), which names in `follow` a tracklet it
    // changes; then the regrouping. *identityId: the person `follow` belongs to after it. False
    // with the reason when either fails.
    template<typename Edit> bool apply(const QString &galleryPath, Edit edit, qint64 *identityId, QString *message);

    GalleryConnection m_connection;
};

} // namespace descry
