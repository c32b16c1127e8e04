#include "SourcesPanel.h"

#include "DisplayFormat.h"
#include "IngestController.h"
#include "SourcesController.h"
#include "UiSettings.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace descry {

namespace {

enum Column { CameraColumn, DurationColumn, TrackletsColumn, StatusColumn };

QString statusText(const SourceRecord &s)
{
    switch (s.status) {
    case SourceStatus::Done:
        return SourcesPanel::tr("Done");
    case SourceStatus::Failed:
        return SourcesPanel::tr("Failed");
    case SourceStatus::Ingesting:
        break;
    }
    // Interrupted ingests keep a checkpoint: adding the file again resumes it.
    if (s.processedFrames > 0)
        return SourcesPanel::tr("Partial");
    return SourcesPanel::tr("Waiting");
}

QString stageText(const QString &stage)
{
    if (stage == QLatin1String("hashing"))
        return SourcesPanel::tr("Reading");
    if (stage == QLatin1String("analysing"))
        return SourcesPanel::tr("Analysing");
    if (stage == QLatin1String("done"))
        return SourcesPanel::tr("Finished");
    return stage;
}

QString videoFilter()
{
    return SourcesPanel::tr(
        "Videos (*.mp4 *.avi *.mkv *.mov *.m4v *.mpg *.mpeg *.wmv *.webm);;All files (*)");
}

} // namespace

SourcesPanel::SourcesPanel(IngestController *ingest, SourcesController *sources, QWidget *parent)
    : QWidget(parent)
    , m_ingest(ingest)
    , m_sources(sources)
    , m_list(new QTreeWidget(this))
    , m_summary(new QLabel(this))
    , m_progressBox(new QWidget(this))
    , m_progressLabel(new QLabel(m_progressBox))
    , m_progress(new QProgressBar(m_progressBox))
    , m_cancel(new QPushButton(tr("Cancel"), m_progressBox))
    , m_problemBox(new QWidget(this))
    , m_problemTitle(new QLabel(m_problemBox))
    , m_problems(new QListWidget(m_problemBox))
{
    setObjectName(QStringLiteral("sourcesPanel"));
    auto *addFiles = new QPushButton(tr("Add files…"), this);
    auto *addFolder = new QPushButton(tr("Add folder…"), this);
    addFiles->setObjectName(QStringLiteral("addFilesButton"));
    addFolder->setObjectName(QStringLiteral("addFolderButton"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(addFiles);
    buttons->addWidget(addFolder);

    m_list->setObjectName(QStringLiteral("sourceList"));
    m_summary->setObjectName(QStringLiteral("sourcesSummary"));
    m_summary->setWordWrap(true);
    m_list->setHeaderLabels({ tr("Camera"), tr("Length"), tr("People"), tr("Status") });
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setFocusPolicy(Qt::NoFocus);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(CameraColumn, QHeaderView::Stretch);
    for (int c : { DurationColumn, TrackletsColumn, StatusColumn })
        m_list->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    m_progressLabel->setWordWrap(true);
    m_progress->setObjectName(QStringLiteral("ingestProgress"));
    m_progress->setRange(0, 1000);
    m_cancel->setObjectName(QStringLiteral("cancelIngestButton"));
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    auto *progressLayout = new QVBoxLayout(m_progressBox);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    progressLayout->addWidget(m_progressLabel);
    progressLayout->addLayout(progressRow);
    m_progressBox->hide();

    auto *clearProblems = new QPushButton(tr("Clear"), m_problemBox);
    auto *problemHeader = new QHBoxLayout;
    problemHeader->addWidget(m_problemTitle, 1);
    problemHeader->addWidget(clearProblems);
    m_problems->setObjectName(QStringLiteral("problemList"));
    m_problems->setWordWrap(true);
    m_problems->setMaximumHeight(140);
    auto *problemLayout = new QVBoxLayout(m_problemBox);
    problemLayout->setContentsMargins(0, 0, 0, 0);
    problemLayout->addLayout(problemHeader);
    problemLayout->addWidget(m_problems);
    m_problemBox->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(buttons);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_summary);
    layout->addWidget(m_progressBox);
    layout->addWidget(m_problemBox);

    connect(addFiles, &QPushButton::clicked, this, &SourcesPanel::chooseFiles);
    connect(addFolder, &QPushButton::clicked, this, &SourcesPanel::chooseFolder);
    connect(m_cancel, &QPushButton::clicked, m_ingest, &IngestController::cancel);
    connect(clearProblems, &QPushButton::clicked, this, [this] {
        m_problems->clear();
        m_problemBox->hide();
    });
    connect(m_ingest, &IngestController::progress, this, &SourcesPanel::showProgress);
    connect(m_ingest, &IngestController::problem, this, &SourcesPanel::addProblem);
    connect(m_ingest, &IngestController::busyChanged, this, &SourcesPanel::showBusy);
    connect(m_ingest, &IngestController::sourceFinished, m_sources, &SourcesController::refresh);
    connect(m_ingest, &IngestController::jobFinished, m_sources, &SourcesController::refresh);
    connect(m_sources, &SourcesController::overviewChanged, this, &SourcesPanel::showOverview);
}

void SourcesPanel::chooseFiles()
{
    const QStringList files
        = QFileDialog::getOpenFileNames(this, tr("Add video files"), lastFolder(), videoFilter());
    if (files.isEmpty())
        return;
    rememberFolder(QFileInfo(files.constFirst()).absolutePath());
    addInputs(files);
}

void SourcesPanel::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Add a folder of videos (searched recursively)"), lastFolder());
    if (folder.isEmpty())
        return;
    rememberFolder(folder);
    addInputs({ folder });
}

void SourcesPanel::addInputs(const QStringList &inputs)
{
    m_ingest->ingest(inputs);
}

QString SourcesPanel::lastFolder() const
{
    const QString fallback = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
    return uiSettings()->value(QStringLiteral("sources/lastFolder"), fallback).toString();
}

void SourcesPanel::rememberFolder(const QString &path)
{
    uiSettings()->setValue(QStringLiteral("sources/lastFolder"), path);
}

void SourcesPanel::showOverview(const GalleryOverview &overview)
{
    m_list->clear();
    double footage = 0;
    for (const SourceOverview &s : overview.sources)
        footage += s.source.duration;
    m_summary->setText(overview.sources.empty()
            ? tr("No footage in this gallery yet.")
            : tr("%1 · %2 of footage · %3")
                  .arg(countOf(qint64(overview.sources.size()), tr("video"), tr("videos")),
                      formatDuration(footage), countOf(overview.trackletCount, tr("person"), tr("people"))));
    for (const SourceOverview &s : overview.sources) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(CameraColumn, s.source.cameraLabel);
        item->setText(DurationColumn, formatLength(s.source.duration));
        item->setText(TrackletsColumn, QString::number(s.tracklets));
        item->setText(StatusColumn, statusText(s.source));
        item->setData(CameraColumn, Qt::UserRole, s.source.path);
        if (s.source.status == SourceStatus::Ingesting && s.source.path == m_activePath && m_ingest->isBusy())
            item->setText(StatusColumn, QStringLiteral("%1%").arg(int(m_activeFraction * 100)));
        item->setTextAlignment(DurationColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(TrackletsColumn, Qt::AlignRight | Qt::AlignVCenter);
        const QString tip = s.source.error.isEmpty()
            ? s.source.path
            : QStringLiteral("%1\n%2").arg(s.source.path, s.source.error);
        for (int c = 0; c < m_list->columnCount(); ++c)
            item->setToolTip(c, tip);
        if (s.source.status == SourceStatus::Failed)
            item->setForeground(StatusColumn, QColor(0xe0, 0x6c, 0x60));
    }
}

void SourcesPanel::showProgress(const IngestProgress &progress)
{
    m_progressBox->show();
    // The source's row exists once hashing is over; fetch the list again to show it.
    if (progress.path != m_activePath || progress.stage != m_activeStage)
        m_sources->refresh();
    m_activePath = progress.path;
    m_activeStage = progress.stage;
    m_activeFraction = progress.fraction;
    const QString name = QFileInfo(progress.path).fileName();
    const QString counter = progress.sourceCount > 1
        ? tr(" (%1 of %2)").arg(progress.sourceIndex + 1).arg(progress.sourceCount)
        : QString();
    m_progressLabel->setText(tr("%1 %2%3 — %4 so far")
                                 .arg(stageText(progress.stage), name, counter,
                                     countOf(progress.tracklets, tr("person"), tr("people"))));
    m_progress->setValue(int(progress.fraction * 1000));
    m_progress->setFormat(progress.stage == QLatin1String("done") ? tr("100% — done")
                                                                  : QStringLiteral("%1% — %2")
                                                                        .arg(int(progress.fraction * 100))
                                                                        .arg(formatEta(progress.etaSeconds)));
    if (QTreeWidgetItem *item = itemOf(progress.path)) {
        item->setText(StatusColumn, QStringLiteral("%1%").arg(int(progress.fraction * 100)));
        item->setText(TrackletsColumn, QString::number(progress.tracklets));
    }
}

QTreeWidgetItem *SourcesPanel::itemOf(const QString &path) const
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        if (m_list->topLevelItem(i)->data(CameraColumn, Qt::UserRole).toString() == path)
            return m_list->topLevelItem(i);
    return nullptr;
}

void SourcesPanel::showBusy(bool busy)
{
    if (!busy) {
        m_activePath.clear();
        m_activeStage.clear();
    }
    m_progressBox->setVisible(busy);
    m_cancel->setEnabled(busy);
    if (busy) {
        m_progressLabel->setText(tr("Starting…"));
        m_progress->setValue(0);
        m_progress->setFormat(tr("0%"));
    }
}

void SourcesPanel::addProblem(const QString &message)
{
    m_problems->addItem(message);
    m_problems->scrollToBottom();
    m_problemTitle->setText(tr("Problems (%1)").arg(m_problems->count()));
    m_problemBox->show();
}

} // namespace descry
