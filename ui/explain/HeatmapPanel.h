#pragma once

#include "MatchExplanation.h"

#include <QImage>
#include <QWidget>

#include <optional>

class QLabel;
class QStackedWidget;

namespace descry {

class StripeView;

// "Why this match": the selected result's crop three times — the global feature, the 3 region
// stripes, the 6 patch stripes — tinted by where the selected part of the query looked, with
// each scale's contribution to the score, and the person's skeleton and body zones when the
// crop has a pose (the selected part's attention is then also told by body zone). The query's sentence, phrases and words are links:
// clicking one lights the stripes it attended to; hovering a stripe shades every word by how
// much it attended to that stripe.
class HeatmapPanel : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapPanel(QWidget *parent = nullptr);

    // The crop of the tracklet being explained (the detail panel's best crop) and, when a pose
    // model saw it, the body on it: the skeleton and body zones are drawn on the crop and the
    // selected word's attention is told by body zone.
    void setCrop(qint64 trackletId, const QImage &crop, const std::optional<CropBody> &body = std::nullopt);
    void setExplanation(const MatchExplanation &explanation);
    void showProblem(qint64 trackletId, const QString &message);
    void showLoading(qint64 trackletId);
    void clear();

    qint64 trackletId() const { return m_trackletId; }
    const MatchExplanation &explanation() const { return m_explanation; }
    int selectedUnit() const { return m_unit; }
    int hoveredStripe() const { return m_hovered; }
    StripeView *view(ImageScale scale) const;
    QLabel *unitsLabel() const { return m_units; }
    QLabel *scoreLabel() const { return m_scores; }
    // How strongly a unit is shaded for the hovered stripe (0..1; 0 when none is hovered).
    float unitShade(int unit) const;
    bool showsBody() const { return m_body.has_value(); }

public Q_SLOTS:
    void selectUnit(int unit);
    void hoverStripe(int stripe);

Q_SIGNALS:
    void explanationShown(qint64 trackletId);

private:
    void refreshUnits();
    void refreshViews();
    QString unitLink(int unit) const;
    QString bodyZonesOfUnit() const;

    qint64 m_trackletId = 0;
    QImage m_crop;
    std::optional<CropBody> m_body;
    MatchExplanation m_explanation;
    int m_unit = -1;
    int m_hovered = -1;
    QStackedWidget *m_pages;
    QLabel *m_message;
    QLabel *m_scores;
    QLabel *m_units;
    QLabel *m_scaleLabels[3];
    StripeView *m_views[3];
};

} // namespace descry
