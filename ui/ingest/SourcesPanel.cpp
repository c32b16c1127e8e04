#include "SourcesPanel.h"

#include "DisplayFormat.h"
#include "IngestController.h"
#include "SourcesController.h"
#include "UiSettings.h"

#include <QComboBox>
#include <QFileDialog>
#include <QMenu>
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

QString footageFilter()
{
    return SourcesPanel::tr("Videos and photos (*.mp4 *.avi *.mkv *.mov *.m4v *.mpg *.mpeg *.wmv *.webm *.jpg "
                            "*.jpeg *.png *.bmp *.tif *.tiff *.webp);;All files (*)");
}

const QString kDetectorSetting = QStringLiteral("ingest/detector");
const QString kOnnxSetting = QStringLiteral("ingest/onnxModel");

// The detector the settings remember (the default when none is).
DetectorOptions rememberedDetector()
{
    const auto settings = uiSettings();
    DetectorOptions options;
    const auto kind = DetectorOptions::kindFromName(settings->value(kDetectorSetting).toString());
    const QString onnx = settings->value(kOnnxSetting).toString();
    if (kind && (*kind != DetectorKind::Onnx || !onnx.isEmpty())) {
        options.kind = *kind;
        options.onnxPath = onnx;
    }
    return options;
}

} // namespace

SourcesPanel::SourcesPanel(IngestController *ingest, SourcesController *sources, QWidget *parent)
    : QWidget(parent)
    , m_ingest(ingest)
    , m_sources(sources)
    , m_detector(new QComboBox(this))
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

    m_detector->setObjectName(QStringLiteral("detectorChoice"));
    m_detector->addItem(tr("People detector (CNN)"), DetectorOptions::kindName(DetectorKind::NanoDet));
    m_detector->setItemData(0,
        tr("NanoDet, trained on real people: finds people standing or walking, with fixed or moving cameras, "
           "in videos and photos. About 60 ms a frame; 3.3 frames a second are analysed."),
        Qt::ToolTipRole);
    m_detector->addItem(tr("Motion (fixed camera)"), DetectorOptions::kindName(DetectorKind::Background));
    m_detector->setItemData(1,
        tr("Background subtraction: fast (3 ms a frame) but sees only people who move in front of a camera "
           "that does not move."),
        Qt::ToolTipRole);
    m_detector->addItem(tr("ONNX model…"), DetectorOptions::kindName(DetectorKind::Onnx));
    m_detector->setItemData(2, tr("A COCO person detector of your own (YOLOX or NanoDet layout)."), Qt::ToolTipRole);
    auto *detectorLabel = new QLabel(tr("&Detector:"), this);
    detectorLabel->setBuddy(m_detector);
    auto *detectorRow = new QHBoxLayout;
    detectorRow->addWidget(detectorLabel);
    detectorRow->addWidget(m_detector, 1);

    m_list->setObjectName(QStringLiteral("sourceList"));
    m_summary->setObjectName(QStringLiteral("sourcesSummary"));
    m_summary->setWordWrap(true);
    m_list->setHeaderLabels({ tr("Camera"), tr("Length"), tr("People"), tr("Status") });
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setFocusPolicy(Qt::NoFocus);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
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
    layout->addLayout(detectorRow);
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
    connect(m_list, &QTreeWidget::customContextMenuRequested, this, &SourcesPanel::showSourceMenu);
    connect(m_ingest, &IngestController::optionsChanged, this,
        [this](const IngestOptions &options) { showDetector(options.detector); });
    m_ingest->setDetector(rememberedDetector());
    connect(m_detector, &QComboBox::activated, this, &SourcesPanel::chooseDetector);
}

void SourcesPanel::showDetector(const DetectorOptions &detector)
{
    m_detector->setCurrentIndex(m_detector->findData(DetectorOptions::kindName(detector.kind)));
    m_detector->setToolTip(detector.kind == DetectorKind::Onnx ? detector.onnxPath
                                                               : m_detector->currentData(Qt::ToolTipRole).toString());
}

void SourcesPanel::chooseDetector(int index)
{
    DetectorOptions detector;
    detector.kind = DetectorOptions::kindFromName(m_detector->itemData(index).toString()).value_or(DetectorKind::NanoDet);
    if (detector.kind == DetectorKind::Onnx) {
        detector.onnxPath = QFileDialog::getOpenFileName(this, tr("Choose an ONNX person detector"),
            uiSettings()->value(kOnnxSetting, lastFolder()).toString(), tr("ONNX models (*.onnx)"));
        if (detector.onnxPath.isEmpty()) { // cancelled: keep what was chosen before
            showDetector(m_ingest->options().detector);
            return;
        }
    }
    const auto settings = uiSettings();
    settings->setValue(kDetectorSetting, DetectorOptions::kindName(detector.kind));
    if (!detector.onnxPath.isEmpty())
        settings->setValue(kOnnxSetting, detector.onnxPath);
    m_ingest->setDetector(detector);
}

void SourcesPanel::showSourceMenu(const QPoint &pos)
{
    const QTreeWidgetItem *item = m_list->itemAt(pos);
    if (!item)
        return;
    const QString path = item->data(CameraColumn, Qt::UserRole).toString();
    QMenu menu(this);
    QAction *again = menu.addAction(tr("Re-ingest with %1").arg(m_detector->currentText().remove(QStringLiteral("…"))));
    again->setToolTip(tr("Analyse this file again with the chosen detector; its people are replaced"));
    if (menu.exec(m_list->viewport()->mapToGlobal(pos)) == again)
        reingest(path);
}

void SourcesPanel::reingest(const QString &path)
{
    m_ingest->reingest({ path });
}

void SourcesPanel::chooseFiles()
{
    const QStringList files
        = QFileDialog::getOpenFileNames(this, tr("Add videos or photos"), lastFolder(), footageFilter());
    if (files.isEmpty())
        return;
    rememberFolder(QFileInfo(files.constFirst()).absolutePath());
    addInputs(files);
}

void SourcesPanel::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Add a folder of videos and photos (searched recursively)"), lastFolder());
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
        // A photo is footage of one frame (VideoDecoder gives it 1 fps): its "length" means nothing.
        const bool photo = s.source.frameCount == 1 && s.source.fps == 1;
        item->setText(DurationColumn, photo ? tr("photo") : formatLength(s.source.duration));
        item->setText(TrackletsColumn, QString::number(s.tracklets));
        item->setText(StatusColumn, statusText(s.source));
        item->setData(CameraColumn, Qt::UserRole, s.source.path);
        if (s.source.status == SourceStatus::Ingesting && s.source.path == m_activePath && m_ingest->isBusy())
            item->setText(StatusColumn, QStringLiteral("%1%").arg(int(m_activeFraction * 100)));
        item->setTextAlignment(DurationColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(TrackletsColumn, Qt::AlignRight | Qt::AlignVCenter);
        QString tip = tr("%1\nDetector: %2").arg(s.source.path, IngestJob::detectorOfPipeline(s.source.pipelineKey));
        if (!s.source.error.isEmpty())
            tip += QLatin1Char('\n') + s.source.error;
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
