#pragma once

#include "ClipPlayer.h"
#include "FrameDialog.h"
#include "SearchEngine.h"
#include "TrackletDetail.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QHBoxLayout;
class QStackedWidget;

namespace descry {

class DetailController;
class ImageView;

// The selected result up close: its crops at full resolution (scaled down to fit, enlarged at
// most 2x), times, camera and source, what matched the query and what was measured, and
// "Show in frame", which decodes the source frame on the detail thread and shows it with the
// person's box in a non-modal window.
class DetailPanel : public QWidget {
    Q_OBJECT
public:
    explicit DetailPanel(DetailController *controller, QWidget *parent = nullptr);

    static constexpr int kCropHeight = 220;

    qint64 trackletId() const { return m_result.tracklet.id; }
    // Crop images on show (empty until the detail has loaded).
    QList<ImageView *> cropViews() const { return m_cropViews; }
    QPushButton *showInFrameButton() const { return m_showInFrame; }
    QPushButton *openLargerButton() const { return m_openLarger; }
    QPushButton *showInVideoButton() const { return m_showInVideo; }
    ClipPlayer *clipPlayer() const { return m_clipPlayer; }
    ImageView *frameView() const { return m_frameView; }
    FrameDialog *frameDialog() const { return m_frameDialog; }
    // Load the frame of every result shown, without a click (the demo; a user's own choice is
    // the "Always" box, which is remembered).
    void setAutoShowFrame(bool on);

public Q_SLOTS:
    void showResult(const descry::SearchResult &result);
    void clear();
    void showInFrame();
    // Plays the source around the match with the box drawn, in a non-modal window.
    void showInVideo();
    void openLarger();

Q_SIGNALS:
    void detailShown(qint64 trackletId); // the crops are on screen
    void frameShown(qint64 trackletId); // the source frame is on screen (or its error)

private:
    void onTrackletLoaded(const TrackletDetail &detail);
    void onFrameGrabbed(const FrameView &frame);
    void resetFrame();
    void setCrops(const TrackletDetail &detail);
    QString attributeSummary(const AttributeSet &attributes) const;

    DetailController *m_controller;
    SearchResult m_result;
    QStackedWidget *m_pages;
    QLabel *m_title;
    QLabel *m_score;
    QLabel *m_time;
    QLabel *m_camera;
    QLabel *m_source;
    QLabel *m_matched;
    QLabel *m_measured;
    QLabel *m_cropStatus;
    QScrollArea *m_cropScroll;
    QWidget *m_cropStrip;
    QHBoxLayout *m_cropLayout;
    QList<ImageView *> m_cropViews;
    QPushButton *m_showInFrame;
    QPushButton *m_openLarger;
    QPushButton *m_showInVideo;
    QPointer<ClipPlayer> m_clipPlayer;
    QCheckBox *m_autoFrame;
    ImageView *m_frameView;
    FrameView m_frame;
    QPointer<FrameDialog> m_frameDialog;
};

} // namespace descry
