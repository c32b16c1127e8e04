#include "ClipPlayer.h"

#include "ClipWorker.h"
#include "DisplayFormat.h"
#include "ImageView.h"
#include "WorkerThread.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

namespace descry {

ClipPlayer::ClipPlayer(QWidget *parent)
    : QDialog(parent)
    , m_worker(new ClipWorker)
    , m_view(new ImageView(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_play(new QPushButton(tr("Play"), this))
    , m_position(new QLabel(this))
    , m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("clipPlayer"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    m_view->setMinimumSize(480, 320);
    m_view->setPlaceholderText(tr("Opening the video…"));
    m_play->setObjectName(QStringLiteral("clipPlay"));
    m_play->setToolTip(tr("Play / pause (Space); Left / Right step one frame"));
    m_slider->setObjectName(QStringLiteral("clipSlider"));
    auto *controls = new QHBoxLayout;
    controls->addWidget(m_play);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_position);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(controls);
    resize(800, 620);

    qRegisterMetaType<QImage>();
    connect(m_worker, &ClipWorker::opened, this, &ClipPlayer::onOpened, Qt::QueuedConnection);
    connect(m_worker, &ClipWorker::frameReady, this, &ClipPlayer::onFrame, Qt::QueuedConnection);
    m_thread = std::make_unique<WorkerThread>(m_worker, QStringLiteral("descry-clip"));
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &ClipPlayer::stepForward);
    connect(m_play, &QPushButton::clicked, this, &ClipPlayer::togglePlay);
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (value != m_current)
            seek(value);
    });
    connect(new QShortcut(Qt::Key_Space, this), &QShortcut::activated, this, &ClipPlayer::togglePlay);
    connect(new QShortcut(Qt::Key_Right, this), &QShortcut::activated, this, [this] {
        pause();
        stepForward();
    });
    connect(new QShortcut(Qt::Key_Left, this), &QShortcut::activated, this, [this] {
        pause();
        stepBack();
    });
    updateControls();
}

ClipPlayer::~ClipPlayer() = default;

void ClipPlayer::open(const QString &galleryPath, qint64 trackletId)
{
    pause();
    m_trackletId = trackletId;
    m_current = m_pending = m_wanted = -1;
    m_view->setImage(QImage());
    setWindowTitle(tr("Person #%1 in the video").arg(trackletId));
    ClipWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker, galleryPath, trackletId] { worker->open(galleryPath, trackletId, kMarginSeconds); },
        Qt::QueuedConnection);
}

void ClipPlayer::onOpened(qint64 trackletId, qint64 first, qint64 last, double fps, const QString &sourcePath, const QString &error)
{
    if (trackletId != m_trackletId)
        return;
    if (!error.isEmpty()) {
        m_view->setPlaceholderText(tr("Cannot play the video: %1").arg(error));
        Q_EMIT clipOpened(trackletId, error);
        return;
    }
    m_first = first;
    m_last = last;
    m_fps = fps > 0 ? fps : 25;
    setWindowTitle(tr("Person #%1 in %2").arg(trackletId).arg(QFileInfo(sourcePath).fileName()));
    const QSignalBlocker block(m_slider);
    m_slider->setRange(int(first), int(last));
    Q_EMIT clipOpened(trackletId, QString());
    seek(first);
    play();
}

void ClipPlayer::request(qint64 frame)
{
    if (m_pending >= 0) { // one at a time: remember the newest wish
        m_wanted = frame;
        return;
    }
    m_pending = frame;
    ClipWorker *worker = m_worker;
    QMetaObject::invokeMethod(m_worker, [worker, frame] { worker->frame(frame); }, Qt::QueuedConnection);
}

void ClipPlayer::onFrame(qint64 index, const QImage &image, const QString &error)
{
    m_pending = -1;
    if (m_wanted >= 0) {
        const qint64 next = m_wanted;
        m_wanted = -1;
        request(next);
        return;
    }
    if (!error.isEmpty()) {
        pause();
        m_view->setPlaceholderText(error);
        return;
    }
    m_current = index;
    m_view->setImage(image);
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(int(index));
    }
    updateControls();
    Q_EMIT frameShown(index);
    if (m_playing) {
        if (index >= m_last)
            pause();
        else
            m_timer->start(int(1000.0 / m_fps));
    }
}

void ClipPlayer::play()
{
    if (m_last <= m_first && m_current >= m_last)
        return;
    if (m_current >= m_last)
        seek(m_first);
    m_playing = true;
    if (m_pending < 0 && !m_timer->isActive())
        m_timer->start(int(1000.0 / m_fps));
    updateControls();
}

void ClipPlayer::pause()
{
    m_playing = false;
    m_timer->stop();
    updateControls();
}

void ClipPlayer::togglePlay()
{
    m_playing ? pause() : play();
}

void ClipPlayer::stepForward()
{
    if (m_current < m_last)
        request(m_current < 0 ? m_first : m_current + 1);
    else
        pause();
}

void ClipPlayer::stepBack()
{
    if (m_current > m_first)
        request(m_current - 1);
}

void ClipPlayer::seek(qint64 frame)
{
    request(std::clamp(frame, m_first, m_last));
}

void ClipPlayer::updateControls()
{
    m_play->setText(m_playing ? tr("Pause") : tr("Play"));
    m_position->setText(m_current < 0 ? QString()
                                      : tr("%1 · frame %2").arg(formatClock(double(m_current) / m_fps)).arg(m_current));
}

} // namespace descry
