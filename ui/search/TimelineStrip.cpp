#include "TimelineStrip.h"

#include "DisplayFormat.h"

#include <QFileInfo>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr int kRowHeight = 18;
constexpr int kLaneHeight = 6; // 5 px of mark and a 1 px gap
constexpr int kLabelWidth = 150;
constexpr int kMargin = 12;
constexpr int kMinMarkWidth = 3;
constexpr int kHitSlack = 3; // px around a thin mark that still count as on it

} // namespace

TimelineStrip::TimelineStrip(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timelineStrip"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Where the best matches are in each video"));
    setToolTip(tr("Where the best %1 results are in each video; click a mark to select it").arg(kMarked));
}

void TimelineStrip::setOverview(const GalleryOverview &overview)
{
    m_sources.clear();
    for (const SourceOverview &s : overview.sources)
        m_sources[s.source.id] = s.source;
    rebuildRows();
}

void TimelineStrip::setResults(const std::vector<SearchResult> &results)
{
    m_results.clear();
    for (const SearchResult &r : results) {
        if (int(m_results.size()) == kMarked)
            break;
        SearchResult light; // the strip needs where and when, not the explanation strings
        light.tracklet = r.tracklet;
        light.score = r.score;
        m_results.push_back(std::move(light));
    }
    rebuildRows();
}

void TimelineStrip::clear()
{
    m_results.clear();
    m_current = 0;
    rebuildRows();
}

void TimelineStrip::setCurrentTracklet(qint64 trackletId)
{
    if (trackletId == m_current)
        return;
    m_current = trackletId;
    update();
}

void TimelineStrip::rebuildRows()
{
    std::map<int64_t, Row> bySource;
    std::vector<int64_t> order; // sources by their best-ranked result
    for (size_t i = 0; i < m_results.size(); ++i) {
        const TrackletRecord &t = m_results[i].tracklet;
        auto [it, inserted] = bySource.try_emplace(t.sourceId);
        Row &row = it->second;
        if (inserted) {
            order.push_back(t.sourceId);
            row.sourceId = t.sourceId;
            const auto source = m_sources.find(t.sourceId);
            const QString path = source != m_sources.end() ? source->second.path : t.sourcePath;
            const QString camera = source != m_sources.end() ? source->second.cameraLabel : t.cameraLabel;
            row.name = camera.isEmpty() ? QFileInfo(path).fileName() : camera;
            row.duration = source != m_sources.end() ? source->second.duration : 0;
        }
        Mark mark { t.id, t.startTime, t.endTime, int(i), m_results[i].score, 0 };
        // The first lane where it overlaps nothing (best-ranked marks come first, so they get
        // the top lanes); when every lane is taken, the mark is left out.
        std::vector<std::vector<std::pair<double, double>>> lanes(static_cast<size_t>(kMaxLanes));
        for (const Mark &m : row.marks)
            lanes[size_t(m.lane)].emplace_back(m.start, m.end);
        mark.lane = -1;
        for (int l = 0; l < kMaxLanes && mark.lane < 0; ++l) {
            const auto &taken = lanes[size_t(l)];
            if (std::none_of(taken.begin(), taken.end(), [&mark](const auto &span) {
                    return mark.start <= span.second && span.first <= mark.end;
                }))
                mark.lane = l;
        }
        if (mark.lane >= 0) {
            row.lanes = std::max(row.lanes, mark.lane + 1);
            row.marks.push_back(mark);
        }
        // A source still being ingested (or without a known duration) is as long as seen so far.
        row.duration = std::max(row.duration, t.endTime);
    }
    m_rows.clear();
    for (int64_t id : order) {
        if (int(m_rows.size()) == kMaxRows)
            break;
        m_rows.push_back(std::move(bySource[id]));
    }
    m_hiddenSources = int(order.size()) - int(m_rows.size());
    setVisible(!m_rows.empty());
    updateGeometry();
    update();
}

QSize TimelineStrip::sizeHint() const
{
    return QSize(400, rowTop(int(m_rows.size())) + (m_hiddenSources > 0 ? kRowHeight : 0) + 3);
}

int TimelineStrip::rowHeight(int row) const
{
    return std::max(kRowHeight, m_rows[size_t(row)].lanes * kLaneHeight + 6);
}

int TimelineStrip::rowTop(int row) const
{
    int top = 3;
    for (int r = 0; r < row; ++r)
        top += rowHeight(r);
    return top;
}

QSize TimelineStrip::minimumSizeHint() const
{
    return QSize(kLabelWidth + 100, sizeHint().height());
}

QRect TimelineStrip::barRect(int row) const
{
    const int left = kLabelWidth;
    return QRect(left, rowTop(row) + 3, std::max(10, width() - left - kMargin), rowHeight(row) - 6);
}

QRect TimelineStrip::markRect(qint64 trackletId) const
{
    for (int r = 0; r < int(m_rows.size()); ++r) {
        const Row &row = m_rows[size_t(r)];
        for (const Mark &m : row.marks) {
            if (m.trackletId != trackletId)
                continue;
            const QRect bar = barRect(r);
            const double scale = row.duration > 0 ? bar.width() / row.duration : 0;
            const int x0 = bar.left() + int(std::floor(m.start * scale));
            const int x1 = bar.left() + int(std::ceil(m.end * scale));
            const int lane = bar.height() / row.lanes;
            return QRect(x0, bar.top() + m.lane * lane, std::max(kMinMarkWidth, x1 - x0), std::max(2, lane - 1));
        }
    }
    return {};
}

qint64 TimelineStrip::trackletAt(const QPoint &point) const
{
    for (int r = 0; r < int(m_rows.size()); ++r) {
        if (!barRect(r).adjusted(-kHitSlack, -3, kHitSlack, 3).contains(point))
            continue;
        // The best-ranked mark under the point wins where marks overlap.
        for (const Mark &m : m_rows[size_t(r)].marks)
            if (markRect(m.trackletId).adjusted(-kHitSlack, -1, kHitSlack, 1).contains(point))
                return m.trackletId;
    }
    return 0;
}

void TimelineStrip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor dim(text.red(), text.green(), text.blue(), 150);
    const QColor track = palette().color(QPalette::Base);
    const QColor accent(0x3d, 0x7b, 0xd9);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    p.setFont(small);
    for (int r = 0; r < int(m_rows.size()); ++r) {
        const Row &row = m_rows[size_t(r)];
        const QRect bar = barRect(r);
        const QRect label(kMargin, rowTop(r), kLabelWidth - kMargin - 6, rowHeight(r));
        p.setPen(dim);
        p.drawText(label, Qt::AlignVCenter | Qt::AlignLeft,
            p.fontMetrics().elidedText(QStringLiteral("%1 (%2)").arg(row.name).arg(row.marks.size()), Qt::ElideMiddle,
                label.width()));
        p.fillRect(bar, track);
        // Worst first, so the best-ranked marks are drawn on top.
        std::vector<const Mark *> marks;
        for (const Mark &m : row.marks)
            marks.push_back(&m);
        std::sort(marks.begin(), marks.end(), [](const Mark *a, const Mark *b) { return a->rank > b->rank; });
        for (const Mark *m : marks) {
            QColor c = accent;
            // The first results stand out; the long tail stays visible but quiet.
            c.setAlpha(m->rank < 5 ? 255 : 130);
            p.fillRect(markRect(m->trackletId), c);
        }
        for (const Mark &m : row.marks) {
            if (m.trackletId != m_current)
                continue;
            p.setPen(QPen(Qt::white, 2));
            p.drawRect(markRect(m.trackletId).adjusted(-1, -1, 1, 1));
        }
    }
    if (m_hiddenSources > 0) {
        p.setPen(dim);
        p.drawText(QRect(kMargin, rowTop(int(m_rows.size())), width() - 2 * kMargin, kRowHeight),
            Qt::AlignVCenter | Qt::AlignLeft,
            tr("… and %1 with matches (choose videos in the filter bar)")
                .arg(countOf(m_hiddenSources, tr("more video"), tr("more videos"))));
    }
}

void TimelineStrip::mousePressEvent(QMouseEvent *event)
{
    const qint64 id = event->button() == Qt::LeftButton ? trackletAt(event->position().toPoint()) : 0;
    if (id == 0) {
        QWidget::mousePressEvent(event);
        return;
    }
    setCurrentTracklet(id);
    Q_EMIT trackletClicked(id);
}

bool TimelineStrip::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const qint64 id = trackletAt(help->pos());
        for (const Row &row : m_rows)
            for (const Mark &m : row.marks)
                if (m.trackletId == id) {
                    QToolTip::showText(help->globalPos(),
                        tr("#%1: person %2, %3").arg(m.rank + 1).arg(id).arg(formatTimeRange(m.start, m.end)), this);
                    return true;
                }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

} // namespace descry
