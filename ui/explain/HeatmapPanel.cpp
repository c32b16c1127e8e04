#include "HeatmapPanel.h"

#include "HeatmapRenderer.h"
#include "StripeView.h"

#include <QGridLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

enum Page { MessagePage, ExplanationPage };

const ImageScale kScales[3] = {ImageScale::Global, ImageScale::Region, ImageScale::Patch};

QString scaleTitle(ImageScale scale)
{
    switch (scale) {
    case ImageScale::Global:
        return HeatmapPanel::tr("Whole person");
    case ImageScale::Region:
        return HeatmapPanel::tr("3 regions");
    case ImageScale::Patch:
        break;
    }
    return HeatmapPanel::tr("6 patches");
}

} // namespace

HeatmapPanel::HeatmapPanel(QWidget *parent)
    : QWidget(parent)
    , m_pages(new QStackedWidget(this))
    , m_message(new QLabel(this))
    , m_scores(new QLabel(this))
    , m_units(new QLabel(this))
{
    setObjectName(QStringLiteral("heatmapPanel"));
    m_message->setObjectName(QStringLiteral("heatmapMessage"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_scores->setObjectName(QStringLiteral("heatmapScores"));
    m_scores->setWordWrap(true);
    m_scores->setTextFormat(Qt::RichText);
    m_units->setObjectName(QStringLiteral("heatmapUnits"));
    m_units->setWordWrap(true);
    m_units->setTextFormat(Qt::RichText);
    m_units->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    m_units->setToolTip(tr("Click a phrase or word to see where it looked; hover a stripe to see which words "
                           "looked at it"));
    connect(m_units, &QLabel::linkActivated, this, [this](const QString &link) { selectUnit(link.mid(2).toInt()); });

    auto *grid = new QGridLayout;
    for (int i = 0; i < 3; ++i) {
        m_views[i] = new StripeView(kScales[i], this);
        m_views[i]->setObjectName(QStringLiteral("stripeView_%1").arg(imageScaleKey(kScales[i])));
        m_scaleLabels[i] = new QLabel(this);
        m_scaleLabels[i]->setAlignment(Qt::AlignHCenter);
        grid->addWidget(m_views[i], 0, i);
        grid->addWidget(m_scaleLabels[i], 1, i);
        connect(m_views[i], &StripeView::stripeHovered, this, &HeatmapPanel::hoverStripe);
    }
    grid->setRowStretch(0, 1);

    auto *explanation = new QWidget(this);
    auto *layout = new QVBoxLayout(explanation);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scores);
    layout->addLayout(grid, 1);
    layout->addWidget(m_units);
    m_pages->insertWidget(MessagePage, m_message);
    m_pages->insertWidget(ExplanationPage, explanation);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(10, 6, 10, 6);
    outer->addWidget(m_pages);
    clear();
}

StripeView *HeatmapPanel::view(ImageScale scale) const
{
    return m_views[int(scale)];
}

void HeatmapPanel::clear()
{
    m_trackletId = 0;
    m_crop = QImage();
    m_body.reset();
    m_explanation = {};
    m_unit = m_hovered = -1;
    m_message->setText(tr("Select a result ranked by the model to see which words matched which part of the "
                          "person."));
    m_pages->setCurrentIndex(MessagePage);
}

void HeatmapPanel::showLoading(qint64 trackletId)
{
    if (trackletId != m_trackletId) {
        m_crop = QImage();
        m_body.reset();
        m_trackletId = trackletId;
    }
    m_explanation = {};
    m_message->setText(tr("Working out why person #%1 matched…").arg(trackletId));
    m_pages->setCurrentIndex(MessagePage);
}

void HeatmapPanel::showProblem(qint64 trackletId, const QString &message)
{
    if (trackletId != m_trackletId)
        return;
    m_message->setText(tr("No explanation for person #%1: %2").arg(trackletId).arg(message));
    m_pages->setCurrentIndex(MessagePage);
}

void HeatmapPanel::setCrop(qint64 trackletId, const QImage &crop, const std::optional<CropBody> &body)
{
    if (trackletId != m_trackletId)
        return;
    m_crop = crop;
    m_body = body;
    for (StripeView *v : m_views)
        v->setCrop(crop, m_body ? &*m_body : nullptr);
    refreshUnits();
}

void HeatmapPanel::setExplanation(const MatchExplanation &explanation)
{
    if (explanation.trackletId != m_trackletId)
        return;
    m_explanation = explanation;
    m_hovered = -1;
    m_unit = explanation.unitCount() > 0 ? 0 : -1; // the whole sentence first
    if (m_unit < 0) {
        showProblem(m_trackletId, tr("the model's layout does not match this build"));
        return;
    }
    QString scores = tr("Score <b>%1</b> = global cosine %2 + alignment %3")
                         .arg(explanation.score, 0, 'f', 2)
                         .arg(explanation.globalCosine, 0, 'f', 2)
                         .arg(explanation.localSimilarity, 0, 'f', 2);
    if (explanation.attributeScore >= 0)
        scores += tr(" + %1 × attributes %2").arg(explanation.attributeWeight, 0, 'f', 2).arg(explanation.attributeScore, 0, 'f', 2);
    m_scores->setText(scores);
    for (int i = 0; i < 3; ++i) {
        m_views[i]->setCrop(m_crop, m_body ? &*m_body : nullptr);
        m_scaleLabels[i]->setText(explanation.hasContributions()
                ? tr("%1\n%2 of the score").arg(scaleTitle(kScales[i])).arg(explanation.scaleContribution(kScales[i]), 0, 'f', 2)
                : scaleTitle(kScales[i]));
    }
    m_pages->setCurrentIndex(ExplanationPage);
    refreshViews();
    refreshUnits();
    Q_EMIT explanationShown(m_trackletId);
}

void HeatmapPanel::selectUnit(int unit)
{
    if (unit < 0 || unit >= m_explanation.unitCount() || unit == m_unit)
        return;
    m_unit = unit;
    refreshViews();
    refreshUnits();
}

void HeatmapPanel::hoverStripe(int stripe)
{
    if (stripe == m_hovered)
        return;
    m_hovered = stripe;
    for (StripeView *v : m_views)
        v->setHighlightedStripe(stripe);
    refreshUnits();
}

float HeatmapPanel::unitShade(int unit) const
{
    if (m_hovered < 0 || unit < 0 || unit >= m_explanation.unitCount())
        return 0;
    float strongest = 0;
    for (int u = 0; u < m_explanation.unitCount(); ++u)
        strongest = std::max(strongest, m_explanation.attention(u, m_hovered));
    return strongest > 0 ? m_explanation.attention(unit, m_hovered) / strongest : 0.f;
}

void HeatmapPanel::refreshViews()
{
    for (StripeView *v : m_views)
        v->setExplanation(&m_explanation, m_unit);
}

QString HeatmapPanel::unitLink(int unit) const
{
    const TextUnit &u = m_explanation.units[size_t(unit)];
    QString style = QStringLiteral("text-decoration:none;");
    const float shade = unitShade(unit);
    if (shade > 0.05f) {
        const QColor c = HeatmapRenderer::heatColour(shade);
        style += QStringLiteral("background-color:rgba(%1,%2,%3,%4);").arg(c.red()).arg(c.green()).arg(c.blue()).arg(0.25 + 0.6 * shade, 0, 'f', 2);
    }
    QString text = u.text.toHtmlEscaped();
    if (unit == m_unit)
        text = QStringLiteral("<b><u>%1</u></b>").arg(text);
    return QStringLiteral("<a href=\"u:%1\" style=\"%2\">%3</a>").arg(unit).arg(style, text);
}

// Where the selected unit looked, by the body zones the crop's pose gives: "“shoes” looked at
// the feet 71 %, lower body 22 % (body zones from the pose)".
QString HeatmapPanel::bodyZonesOfUnit() const
{
    if (!m_body || m_crop.isNull() || m_unit < 0 || m_unit >= m_explanation.unitCount())
        return {};
    const auto shares = m_explanation.attentionByZone(m_unit, *m_body, float(m_crop.height()));
    std::vector<int> order { BodyLayout::Head, BodyLayout::Upper, BodyLayout::Lower, BodyLayout::Feet };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return shares[size_t(a)] > shares[size_t(b)]; });
    QStringList parts;
    for (int z : order)
        if (shares[size_t(z)] >= 0.1f)
            parts << tr("%1 %2 %").arg(QString::fromLatin1(bodyZoneName(BodyLayout::Zone(z)))).arg(std::lround(shares[size_t(z)] * 100));
    if (parts.isEmpty())
        return {};
    return tr("“%1” looked at the %2 (body zones from the pose%3)")
        .arg(m_explanation.units[size_t(m_unit)].text.toHtmlEscaped(), parts.join(QStringLiteral(", ")),
            m_body->layout().posed() ? QString() : tr("; keypoints too faint, fixed zones"));
}

void HeatmapPanel::refreshUnits()
{
    QStringList sentence, phrases, words;
    for (int u = 0; u < m_explanation.unitCount(); ++u) {
        switch (m_explanation.units[size_t(u)].scale) {
        case TextScale::Sentence:
            sentence << unitLink(u);
            break;
        case TextScale::SubSentence:
            phrases << unitLink(u);
            break;
        case TextScale::Word:
            words << unitLink(u);
            break;
        }
    }
    QString html = tr("<p><b>Sentence</b> %1</p>").arg(sentence.join(QLatin1Char(' ')));
    if (phrases.size() > 1) // one phrase is the sentence again
        html += tr("<p><b>Phrases</b> %1</p>").arg(phrases.join(QStringLiteral(" · ")));
    html += tr("<p><b>Words</b> %1</p>").arg(words.join(QLatin1Char(' ')));
    if (m_hovered >= 0)
        html += tr("<p><i>Shaded: the words that looked at %1.</i></p>").arg(m_explanation.stripes[size_t(m_hovered)].label());
    else if (const QString zones = bodyZonesOfUnit(); !zones.isEmpty())
        html += tr("<p><i>%1</i></p>").arg(zones);
    m_units->setText(html);
}

} // namespace descry
