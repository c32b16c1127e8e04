#include "FrameDialog.h"

#include "DisplayFormat.h"
#include "ImageView.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

namespace descry {

FrameDialog::FrameDialog(QWidget *parent)
    : QDialog(parent)
    , m_view(new ImageView(this))
    , m_caption(new QLabel(this))
{
    setObjectName(QStringLiteral("frameDialog"));
    setWindowTitle(tr("Show in frame"));
    setModal(false);
    m_view->setMinimumSize(480, 320);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_caption->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_caption);
    layout->addWidget(buttons);
    resize(900, 680);
}

void FrameDialog::showLoading(const QString &what)
{
    m_view->setImage({});
    m_view->setPlaceholderText(tr("Decoding %1…").arg(what));
    m_caption->clear();
}

void FrameDialog::showFrame(const FrameView &frame)
{
    if (frame.image.isNull()) {
        m_view->setImage({});
        m_view->setPlaceholderText(tr("Cannot show this frame:\n%1").arg(frame.error));
        m_caption->clear();
        return;
    }
    m_view->setImage(frame.image);
    m_caption->setText(tr("%1 — frame %2 at %3 — %4")
                           .arg(frame.cameraLabel)
                           .arg(frame.frame)
                           .arg(formatClock(frame.time), frame.sourcePath));
    setWindowTitle(tr("%1 at %2").arg(QFileInfo(frame.sourcePath).fileName(), formatClock(frame.time)));
}

const QImage &FrameDialog::image() const
{
    return m_view->image();
}

} // namespace descry
