#pragma once

#include <QDialog>
#include <QImage>

#include <memory>

class QLabel;
class QPushButton;
class QSlider;
class QTimer;

namespace descry {

class ClipWorker;
class ImageView;
class WorkerThread;

// "Show in video": plays the source around a match (2 s before to 2 s after) with the person's
// box drawn, in a non-modal window. Space plays/pauses, Left/Right step a frame, the slider
// seeks. Frames are decoded on the clip thread one at a time, paced to the source's frame rate.
class ClipPlayer : public QDialog {
    Q_OBJECT
public:
    explicit ClipPlayer(QWidget *parent = nullptr);
    ~ClipPlayer() override;

    static constexpr double kMarginSeconds = 2.0;

    void open(const QString &galleryPath, qint64 trackletId);
    qint64 trackletId() const { return m_trackletId; }
    qint64 currentFrame() const { return m_current; }
    qint64 firstFrame() const { return m_first; }
    qint64 lastFrame() const { return m_last; }
    bool isPlaying() const { return m_playing; }
    ImageView *view() const { return m_view; }

public Q_SLOTS:
    void play();
    void pause();
    void togglePlay();
    void stepForward();
    void stepBack();
    void seek(qint64 frame);

Q_SIGNALS:
    void clipOpened(qint64 trackletId, const QString &error);
    void frameShown(qint64 frame);

private:
    void onOpened(qint64 trackletId, qint64 first, qint64 last, double fps, const QString &sourcePath, const QString &error);
    void onFrame(qint64 index, const QImage &image, const QString &error);
    void request(qint64 frame);
    void updateControls();

    ClipWorker *m_worker;
    std::unique_ptr<WorkerThread> m_thread;
    ImageView *m_view;
    QSlider *m_slider;
    QPushButton *m_play;
    QLabel *m_position;
    QTimer *m_timer;
    qint64 m_trackletId = 0;
    qint64 m_first = 0, m_last = 0, m_current = -1;
    qint64 m_pending = -1; // frame asked of the worker, -1 when none
    qint64 m_wanted = -1; // frame to ask for once the pending one is back (seeks while decoding)
    double m_fps = 25;
    bool m_playing = false;
};

} // namespace descry
