#pragma once

#include "GalleryOverview.h"
#include "SearchEngine.h"

#include <QWidget>

#include <map>
#include <vector>

namespace descry {

// Where the best matches are in time: one bar per video, as long as the video, with a mark
// over [start, end] of each of the best kMarked results (the first five brightest, the selected
// one outlined; marks that overlap in time on separate lanes, at most kMaxLanes). Only the best: every person of a gallery is a result of some rank, and marking
// all of them paints every bar solid. Click a mark to select that result; hover it for who and
// when. Videos are listed in the order of their best result; at most kMaxRows, the rest counted
// in the last line.
class TimelineStrip : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxRows = 6;
    static constexpr int kMarked = 20;
    static constexpr int kMaxLanes = 6;

    explicit TimelineStrip(QWidget *parent = nullptr);

    void setOverview(const GalleryOverview &overview);
    void setResults(const std::vector<SearchResult> &results);
    void clear();
    void setCurrentTracklet(qint64 trackletId);

    int rowCount() const { return int(m_rows.size()); }
    int hiddenSources() const { return m_hiddenSources; }
    // The mark of a result, in widget coordinates (empty when not drawn): for tests and hit-testing.
    QRect markRect(qint64 trackletId) const;
    // The result under a point, 0 when none.
    qint64 trackletAt(const QPoint &point) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void trackletClicked(qint64 trackletId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Mark {
        qint64 trackletId = 0;
        double start = 0, end = 0;
        int rank = 0; // 0-based in the results
        float score = 0;
        int lane = 0; // marks that overlap in time go on separate lanes of the bar
    };
    struct Row {
        int64_t sourceId = 0;
        QString name;
        double duration = 0;
        std::vector<Mark> marks;
        int lanes = 1;
    };
    int rowHeight(int row) const;
    int rowTop(int row) const;
    QRect barRect(int row) const;
    void rebuildRows();

    std::map<int64_t, SourceRecord> m_sources;
    std::vector<SearchResult> m_results;
    std::vector<Row> m_rows;
    int m_hiddenSources = 0;
    qint64 m_current = 0;
};

} // namespace descry
