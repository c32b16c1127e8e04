#pragma once

#include <QImage>
#include <QWidget>

namespace descry {

// Shows an image scaled to fit, aspect kept and centred. It is enlarged at most maxUpscale
// times (1 by default): reviewers judge identity from these pixels, so small crops stay sharp
// rather than being blown up into mush.
class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    const QImage &image() const { return m_image; }
    void setMaxUpscale(qreal factor);
    void setPlaceholderText(const QString &text);
    // The rectangle the image is drawn into for a widget of `size`.
    QRectF imageRect(const QSize &size) const;

    QSize sizeHint() const override;

Q_SIGNALS:
    void doubleClicked();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    QImage m_image;
    qreal m_maxUpscale = 1.0;
    QString m_placeholder;
};

} // namespace descry
