#pragma once

#include "GalleryOverview.h"
#include "IngestJob.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace descry {

class IngestController;
class SourcesController;

// The footage side of the window: the gallery's sources (camera, duration, tracklets,
// status), buttons to add files or a folder, the progress of a running ingest with its ETA
// and a Cancel button, and a non-modal list of the problems met (unreadable files etc.),
// one line each, never a dialog per file.
class SourcesPanel : public QWidget {
    Q_OBJECT
public:
    SourcesPanel(IngestController *ingest, SourcesController *sources, QWidget *parent = nullptr);

    QTreeWidget *sourceList() const { return m_list; }
    QProgressBar *progressBar() const { return m_progress; }
    QListWidget *problemList() const { return m_problems; }

public Q_SLOTS:
    void chooseFiles();
    void chooseFolder();
    // Files or folders to ingest (what the dialogs return; tests call it directly).
    void addInputs(const QStringList &inputs);

private:
    void showOverview(const GalleryOverview &overview);
    void showProgress(const IngestProgress &progress);
    void showBusy(bool busy);
    void addProblem(const QString &message);
    QTreeWidgetItem *itemOf(const QString &path) const;
    QString lastFolder() const;
    void rememberFolder(const QString &path);

    IngestController *m_ingest;
    SourcesController *m_sources;
    QTreeWidget *m_list;
    QLabel *m_summary;
    QWidget *m_progressBox;
    QLabel *m_progressLabel;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QWidget *m_problemBox;
    QLabel *m_problemTitle;
    QListWidget *m_problems;
    QString m_activePath; // the source being ingested
    QString m_activeStage;
    double m_activeFraction = 0;
};

} // namespace descry
