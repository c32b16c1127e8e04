#pragma once

#include "TrackletDetail.h"

#include <QDialog>

class QLabel;

namespace descry {

class ImageView;

// "Show in frame": the source frame with the person's box drawn, scaled to fit the window
// (never enlarged). Non-modal, so the reviewer can keep browsing results beside it.
class FrameDialog : public QDialog {
    Q_OBJECT
public:
    explicit FrameDialog(QWidget *parent = nullptr);

    void showLoading(const QString &what);
    void showFrame(const FrameView &frame);
    const QImage &image() const;

private:
    ImageView *m_view;
    QLabel *m_caption;
};

} // namespace descry
