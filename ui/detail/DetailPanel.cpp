#include "DetailPanel.h"

#include "ClipPlayer.h"
#include "DetailController.h"
#include "DisplayFormat.h"
#include "FrameDialog.h"
#include "ImageView.h"
#include "UiSettings.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStyle>
#include <QVBoxLayout>

namespace descry {

namespace {

QLabel *valueLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

DetailPanel::DetailPanel(DetailController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_pages(new QStackedWidget(this))
    , m_title(new QLabel(this))
    , m_score(new QLabel(this))
    , m_time(valueLabel(this))
    , m_camera(valueLabel(this))
    , m_source(valueLabel(this))
    , m_matched(valueLabel(this))
    , m_measured(valueLabel(this))
    , m_cropStatus(new QLabel(this))
    , m_cropScroll(new QScrollArea(this))
    , m_cropStrip(new QWidget(this))
    , m_cropLayout(new QHBoxLayout(m_cropStrip))
    , m_showInFrame(new QPushButton(tr("Show in frame"), this))
    , m_openLarger(new QPushButton(tr("Open larger…"), this))
    , m_showInVideo(new QPushButton(tr("Show in video"), this))
    , m_autoFrame(new QCheckBox(tr("Always"), this))
    , m_frameView(new ImageView(this))
{
    setObjectName(QStringLiteral("detailPanel"));
    auto *empty = new QLabel(tr("Select a result to see the person up close."), this);
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setObjectName(QStringLiteral("detailEmpty"));

    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_score->setObjectName(QStringLiteral("scoreBadge"));
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_score);

    m_cropLayout->setContentsMargins(0, 0, 0, 0);
    m_cropLayout->setSpacing(6);
    m_cropLayout->addStretch();
    m_cropScroll->setObjectName(QStringLiteral("cropScroll"));
    m_cropScroll->setWidget(m_cropStrip);
    m_cropScroll->setWidgetResizable(true);
    m_cropScroll->setFrameShape(QFrame::NoFrame);
    m_cropScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_cropStatus->setObjectName(QStringLiteral("cropStatus"));

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->addRow(tr("Time"), m_time);
    form->addRow(tr("Camera"), m_camera);
    form->addRow(tr("Source"), m_source);
    form->addRow(tr("Matched"), m_matched);
    form->addRow(tr("Measured"), m_measured);

    m_showInFrame->setObjectName(QStringLiteral("showInFrameButton"));
    m_showInFrame->setToolTip(tr("The source frame of the best crop, with the person's box drawn (Ctrl+E)"));
    m_openLarger->setObjectName(QStringLiteral("openLargerButton"));
    m_openLarger->setEnabled(false);
    m_autoFrame->setObjectName(QStringLiteral("autoFrameCheck"));
    m_autoFrame->setToolTip(tr("Show the frame of every result you select"));
    m_autoFrame->setChecked(uiSettings()->value(QStringLiteral("detail/autoFrame"), false).toBool());
    m_frameView->setObjectName(QStringLiteral("frameView"));
    m_frameView->setMinimumHeight(120);
    m_frameView->hide();
    auto *frameButtons = new QHBoxLayout;
    frameButtons->addWidget(m_showInFrame);
    frameButtons->addWidget(m_autoFrame);
    frameButtons->addWidget(m_showInVideo);
    frameButtons->addStretch();
    frameButtons->addWidget(m_openLarger);

    auto *detail = new QWidget(this);
    auto *layout = new QVBoxLayout(detail);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_cropScroll);
    layout->addWidget(m_cropStatus);
    layout->addLayout(form);
    layout->addSpacing(6);
    layout->addLayout(frameButtons);
    layout->addWidget(m_frameView, 1);
    layout->addStretch(0);

    m_pages->addWidget(empty);
    m_pages->addWidget(detail);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(10, 10, 10, 10);
    outer->addWidget(m_pages);

    connect(m_showInFrame, &QPushButton::clicked, this, &DetailPanel::showInFrame);
    connect(m_openLarger, &QPushButton::clicked, this, &DetailPanel::openLarger);
    m_showInVideo->setObjectName(QStringLiteral("showInVideoButton"));
    m_showInVideo->setToolTip(tr("Play the video around this person, with the box drawn (Ctrl+P)"));
    connect(m_showInVideo, &QPushButton::clicked, this, &DetailPanel::showInVideo);
    connect(m_frameView, &ImageView::doubleClicked, this, &DetailPanel::openLarger);
    connect(m_autoFrame, &QCheckBox::toggled, this, [this](bool on) {
        uiSettings()->setValue(QStringLiteral("detail/autoFrame"), on);
        if (on && m_frameView->isHidden())
            showInFrame();
    });
    connect(m_controller, &DetailController::trackletLoaded, this, &DetailPanel::onTrackletLoaded);
    connect(m_controller, &DetailController::frameGrabbed, this, &DetailPanel::onFrameGrabbed);
}

void DetailPanel::showInVideo()
{
    if (m_result.tracklet.id <= 0)
        return;
    if (!m_clipPlayer)
        m_clipPlayer = new ClipPlayer(this);
    m_clipPlayer->open(m_controller->galleryPath(), m_result.tracklet.id);
    m_clipPlayer->show();
    m_clipPlayer->raise();
}

void DetailPanel::clear()
{
    m_result = {};
    setCrops({});
    resetFrame();
    m_pages->setCurrentIndex(0);
}

void DetailPanel::showResult(const SearchResult &result)
{
    m_result = result;
    const TrackletRecord &t = result.tracklet;
    m_title->setText(tr("Person #%1").arg(t.id));
    m_score->setText(tr("score %1").arg(result.score, 0, 'f', 2));
    m_time->setText(
        tr("%1  (%2)").arg(formatTimeRange(t.startTime, t.endTime), formatDuration(t.endTime - t.startTime)));
    m_camera->setText(t.cameraLabel);
    m_source->setText(QFileInfo(t.sourcePath).fileName());
    m_source->setToolTip(t.sourcePath);
    m_matched->setText(result.matched.isEmpty() ? tr("—") : result.matched.join(QStringLiteral("\n")));
    m_measured->clear();
    setCrops({});
    m_cropStatus->setText(tr("Loading crops…"));
    m_pages->setCurrentIndex(1);
    resetFrame();
    m_controller->loadTracklet(t.id);
    if (m_autoFrame->isChecked())
        showInFrame();
}

void DetailPanel::onTrackletLoaded(const TrackletDetail &detail)
{
    if (detail.trackletId != m_result.tracklet.id)
        return;
    if (!detail.error.isEmpty()) {
        m_cropStatus->setText(detail.error);
        return;
    }
    m_source->setText(QStringLiteral("%1\n%2").arg(QFileInfo(detail.tracklet.sourcePath).fileName(),
        QFileInfo(detail.tracklet.sourcePath).absolutePath()));
    m_measured->setText(attributeSummary(detail.attributes));
    setCrops(detail);
    m_cropStatus->setText(tr("%1 of %2, best first")
                              .arg(countOf(qint64(detail.crops.size()), tr("crop"), tr("crops")),
                                  countOf(detail.detectionCount, tr("detection"), tr("detections"))));
    Q_EMIT detailShown(detail.trackletId);
}

void DetailPanel::setCrops(const TrackletDetail &detail)
{
    qDeleteAll(m_cropViews);
    m_cropViews.clear();
    int tallest = kCropHeight / 2;
    for (size_t i = 0; i < detail.cropImages.size(); ++i) {
        const QImage &image = detail.cropImages[i];
        if (image.isNull())
            continue;
        auto *view = new ImageView(m_cropStrip);
        view->setMaxUpscale(2.0);
        view->setImage(image);
        // Fixed cell: as tall as the strip, as wide as the crop's aspect needs at that height.
        // Each cell is exactly the drawn crop: as tall as the strip allows, at most 2x.
        const qreal scale = std::min<qreal>(2.0, qreal(kCropHeight) / image.height());
        view->setFixedSize(std::max(8, qRound(image.width() * scale)), qRound(image.height() * scale));
        tallest = std::max(tallest, view->height());
        view->setToolTip(tr("frame %1 · %2×%3 px · quality %4")
                             .arg(detail.crops[i].frame)
                             .arg(image.width())
                             .arg(image.height())
                             .arg(double(detail.crops[i].quality), 0, 'f', 2));
        m_cropLayout->insertWidget(m_cropLayout->count() - 1, view, 0, Qt::AlignTop);
        m_cropViews.append(view);
    }
    // The strip is as tall as its tallest crop, plus room for the scroll bar of a long strip.
    m_cropScroll->setFixedHeight(tallest + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 4);
}

QString DetailPanel::attributeSummary(const AttributeSet &attributes) const
{
    // The strongest colours per region, e.g. "upper: red 62%, black 20%".
    QMap<int, QList<const AttributeValue *>> byRegion;
    for (const AttributeValue &a : attributes)
        if (a.value >= 0.15f)
            byRegion[int(a.region)].append(&a);
    QStringList lines;
    for (auto it = byRegion.begin(); it != byRegion.end(); ++it) {
        QList<const AttributeValue *> values = it.value();
        std::sort(
            values.begin(), values.end(), [](const auto *a, const auto *b) { return a->value > b->value; });
        QStringList parts;
        for (int i = 0; i < std::min<qsizetype>(3, values.size()); ++i)
            parts.append(QStringLiteral("%1 %2%")
                             .arg(values[i]->name.section(QLatin1Char(':'), -1))
                             .arg(qRound(values[i]->value * 100)));
        lines.append(
            QStringLiteral("%1: %2").arg(regionKey(BodyRegion(it.key())), parts.join(QStringLiteral(", "))));
    }
    return lines.isEmpty() ? tr("—") : lines.join(QLatin1Char('\n'));
}

void DetailPanel::setAutoShowFrame(bool on)
{
    const QSignalBlocker quiet(m_autoFrame); // a demo's choice, not the user's: not saved
    m_autoFrame->setChecked(on);
}

void DetailPanel::resetFrame()
{
    m_frame = {};
    m_frameView->setImage({});
    m_frameView->hide();
    m_openLarger->setEnabled(false);
}

void DetailPanel::showInFrame()
{
    if (m_result.tracklet.id <= 0)
        return;
    m_frameView->setImage({});
    m_frameView->setPlaceholderText(tr("Decoding the frame…"));
    m_frameView->show();
    m_controller->grabFrame(m_result.tracklet.id);
}

void DetailPanel::onFrameGrabbed(const FrameView &frame)
{
    if (frame.trackletId != m_result.tracklet.id)
        return;
    m_frame = frame;
    m_frameView->setImage(frame.image);
    m_frameView->setPlaceholderText(tr("Cannot show this frame:\n%1").arg(frame.error));
    m_frameView->setToolTip(frame.image.isNull()
            ? QString()
            : tr("frame %1 at %2 — double-click to enlarge").arg(frame.frame).arg(formatClock(frame.time)));
    m_openLarger->setEnabled(!frame.image.isNull());
    if (m_frameDialog && m_frameDialog->isVisible())
        m_frameDialog->showFrame(frame);
    Q_EMIT frameShown(frame.trackletId);
}

void DetailPanel::openLarger()
{
    if (m_frame.image.isNull())
        return;
    if (!m_frameDialog) {
        m_frameDialog = new FrameDialog(this);
        m_frameDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_frameDialog->showFrame(m_frame);
    m_frameDialog->show();
    m_frameDialog->raise();
}

} // namespace descry
