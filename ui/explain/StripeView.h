#pragma once

#include "MatchExplanation.h"

#include <QImage>
#include <QWidget>

namespace descry {

// One scale of a match explanation on the person's crop: the crop with that scale's stripes
// tinted by how much the selected text unit attended to each (HeatmapRenderer::overlay).
// Reports the stripe under the mouse, so the panel can light the words that attended to it.
class StripeView : public QWidget {
    Q_OBJECT
public:
    StripeView(ImageScale scale, QWidget *parent = nullptr);

    // `body` (or null) must outlive the view's use of it (the panel owns both).
    void setCrop(const QImage &crop, const CropBody *body = nullptr);
    // `explanation` must outlive the view's use of it (the panel owns both).
    void setExplanation(const MatchExplanation *explanation, int unit);
    void setHighlightedStripe(int stripe);
    ImageScale scale() const { return m_scale; }
    // The stripe (an index into MatchExplanation::stripes) at a point of the widget, or -1.
    int stripeAt(const QPoint &point) const;
    // What is on screen now, for tests and screenshots.
    QImage rendered() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void stripeHovered(int stripe); // -1 when the mouse leaves

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRect imageRect() const;

    ImageScale m_scale;
    QImage m_crop;
    const CropBody *m_body = nullptr;
    const MatchExplanation *m_explanation = nullptr;
    int m_unit = -1;
    int m_highlighted = -1;
};

} // namespace descry
