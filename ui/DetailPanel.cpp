#include "DetailPanel.h"

#include "DetailController.h"
#include "FrameDialog.h"
#include "ImageView.h"
#include "TimeFormat.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
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
    , m_cropStrip(new QWidget(this))
    , m_cropLayout(new QHBoxLayout(m_cropStrip))
    , m_showInFrame(new QPushButton(tr("Show in frame"), this))
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
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("cropScroll"));
    scroll->setWidget(m_cropStrip);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setFixedHeight(kCropHeight + 24);
    scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
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
    m_showInFrame->setToolTip(tr("Open the source frame of the best crop with the person's box drawn"));

    auto *detail = new QWidget(this);
    auto *layout = new QVBoxLayout(detail);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(scroll);
    layout->addWidget(m_cropStatus);
    layout->addLayout(form);
    layout->addWidget(m_showInFrame, 0, Qt::AlignLeft);
    layout->addStretch();

    m_pages->addWidget(empty);
    m_pages->addWidget(detail);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(10, 10, 10, 10);
    outer->addWidget(m_pages);

    connect(m_showInFrame, &QPushButton::clicked, this, &DetailPanel::showInFrame);
    connect(m_controller, &DetailController::trackletLoaded, this, &DetailPanel::onTrackletLoaded);
    connect(m_controller, &DetailController::frameGrabbed, this, &DetailPanel::onFrameGrabbed);
}

void DetailPanel::clear()
{
    m_result = {};
    setCrops({});
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
    m_controller->loadTracklet(t.id);
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
    m_cropStatus->setText(tr("%n crop(s) of %1 detections, best first", nullptr, int(detail.crops.size()))
                              .arg(detail.detectionCount));
    Q_EMIT detailShown(detail.trackletId);
}

void DetailPanel::setCrops(const TrackletDetail &detail)
{
    qDeleteAll(m_cropViews);
    m_cropViews.clear();
    for (size_t i = 0; i < detail.cropImages.size(); ++i) {
        const QImage &image = detail.cropImages[i];
        if (image.isNull())
            continue;
        auto *view = new ImageView(m_cropStrip);
        view->setMaxUpscale(2.0);
        view->setImage(image);
        // Fixed cell: as tall as the strip, as wide as the crop's aspect needs at that height.
        const qreal scale = std::min<qreal>(2.0, qreal(kCropHeight) / image.height());
        view->setFixedSize(std::max(24, int(image.width() * scale)), kCropHeight);
        view->setToolTip(tr("frame %1 · %2×%3 px · quality %4")
                             .arg(detail.crops[i].frame)
                             .arg(image.width())
                             .arg(image.height())
                             .arg(double(detail.crops[i].quality), 0, 'f', 2));
        m_cropLayout->insertWidget(m_cropLayout->count() - 1, view);
        m_cropViews.append(view);
    }
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

void DetailPanel::showInFrame()
{
    if (m_result.tracklet.id <= 0)
        return;
    if (!m_frameDialog) {
        m_frameDialog = new FrameDialog(this);
        m_frameDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_frameDialog->showLoading(QFileInfo(m_result.tracklet.sourcePath).fileName());
    m_frameDialog->show();
    m_frameDialog->raise();
    m_controller->grabFrame(m_result.tracklet.id);
}

void DetailPanel::onFrameGrabbed(const FrameView &frame)
{
    if (m_frameDialog && frame.trackletId == m_result.tracklet.id)
        m_frameDialog->showFrame(frame);
}

} // namespace descry
