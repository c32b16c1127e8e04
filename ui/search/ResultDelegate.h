#pragma once

#include <QStyledItemDelegate>

namespace descry {

// Paints one result card: the crop (aspect kept, small crops enlarged at most kMaxUpscale so
// they do not turn to mush), the score as a badge and a bar, the time range and the camera.
class ResultDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ResultDelegate(const QSize &thumbnailSize, QObject *parent = nullptr);

    static constexpr qreal kMaxUpscale = 2.0;

    void paint(
        QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    void paintThumbnail(QPainter *painter, const QRect &area, const QImage &image) const;
    void paintScore(QPainter *painter, const QRect &area, float score, const QPalette &palette) const;

    QSize m_thumbnailSize;
};

} // namespace descry
