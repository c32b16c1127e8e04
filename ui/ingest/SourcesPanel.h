#pragma once

#include "GalleryOverview.h"
#include "IngestJob.h"

#include <QWidget>

class QComboBox;
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
// status, and which detector made them), buttons to add files or a folder, the person detector
// ingest uses (remembered in the settings; a source can be re-ingested with another one), the progress of a running ingest with its ETA
// and a Cancel button, and a non-modal list of the problems met (unreadable files etc.),
// one line each, never a dialog per file.
class SourcesPanel : public QWidget {
    Q_OBJECT
public:
    SourcesPanel(IngestController *ingest, SourcesController *sources, QWidget *parent = nullptr);

    QTreeWidget *sourceList() const { return m_list; }
    QProgressBar *progressBar() const { return m_progress; }
    QListWidget *problemList() const { return m_problems; }
    QComboBox *detectorChoice() const { return m_detector; }

public Q_SLOTS:
    void chooseFiles();
    void chooseFolder();
    // Files or folders to ingest (what the dialogs return; tests call it directly).
    void addInputs(const QStringList &inputs);
    // A file already in the gallery, analysed again with the chosen detector (the source list's
    // context menu).
    void reingest(const QString &path);

private:
    void showOverview(const GalleryOverview &overview);
    void showProgress(const IngestProgress &progress);
    void showBusy(bool busy);
    void addProblem(const QString &message);
    void chooseDetector(int index);
    void showDetector(const DetectorOptions &detector);
    void showSourceMenu(const QPoint &pos);
    QTreeWidgetItem *itemOf(const QString &path) const;
    QString lastFolder() const;
    void rememberFolder(const QString &path);

    IngestController *m_ingest;
    SourcesController *m_sources;
    QComboBox *m_detector;
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
