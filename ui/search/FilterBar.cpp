#include "FilterBar.h"

#include "Attributes.h"
#include "DisplayFormat.h"

#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace descry {

namespace {

// What the chip line offers as completions: the colours per body part and the measured
// garments, hair colours and bags (every entry parses as an AttributeChip, tested).
QStringList chipSuggestions()
{
    QStringList out;
    for (const QString &region : { QStringLiteral("upper"), QStringLiteral("lower") })
        for (const QString &colour : basicColourNames())
            out << region + QLatin1Char(':') + colour;
    out << QStringLiteral("hair:blonde") << QStringLiteral("hair:black") << QStringLiteral("hair:brown")
        << QStringLiteral("hair:grey") << QStringLiteral("lower:shorts") << QStringLiteral("lower:skirt")
        << QStringLiteral("upper:short sleeves") << QStringLiteral("backpack") << QStringLiteral("handbag");
    return out;
}

QString sourceName(const SourceRecord &source)
{
    const QString file = QFileInfo(source.path).fileName();
    return source.cameraLabel.isEmpty() ? file : QStringLiteral("%1 (%2)").arg(file, source.cameraLabel);
}

// "upper colour:red" -> "upper red", "whole accessory:backpack" -> "backpack".
QString chipText(const AttributeChip &chip)
{
    const QString value = chip.attribute.section(QLatin1Char(':'), 1).replace(QLatin1Char('|'), QLatin1Char('/'));
    if (chip.kind() == QLatin1String("colour"))
        return regionKey(chip.region) + QLatin1Char(' ') + value;
    if (chip.kind() == QLatin1String("hair"))
        return QStringLiteral("hair ") + value;
    return value;
}

} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
    , m_sourcesButton(new QToolButton(this))
    , m_sourcesMenu(new QMenu(this))
    , m_camerasButton(new QToolButton(this))
    , m_camerasMenu(new QMenu(this))
    , m_fromEdit(new QLineEdit(this))
    , m_toEdit(new QLineEdit(this))
    , m_confidence(new QDoubleSpinBox(this))
    , m_sort(new QComboBox(this))
    , m_byPerson(new QToolButton(this))
    , m_chipEdit(new QLineEdit(this))
    , m_clearButton(new QToolButton(this))
    , m_message(new QLabel(this))
    , m_bar(new QToolBar(this))
{
    setObjectName(QStringLiteral("filterBar"));
    setAttribute(Qt::WA_StyledBackground); // the style sheet's band behind the filters
    m_sourcesButton->setObjectName(QStringLiteral("sourcesFilter"));
    m_camerasButton->setObjectName(QStringLiteral("camerasFilter"));
    m_fromEdit->setObjectName(QStringLiteral("fromTimeFilter"));
    m_toEdit->setObjectName(QStringLiteral("toTimeFilter"));
    m_confidence->setObjectName(QStringLiteral("confidenceFilter"));
    m_sort->setObjectName(QStringLiteral("sortOrder"));
    m_byPerson->setObjectName(QStringLiteral("byPerson"));
    m_chipEdit->setObjectName(QStringLiteral("chipEdit"));
    m_clearButton->setObjectName(QStringLiteral("clearFilters"));
    m_message->setObjectName(QStringLiteral("filterMessage"));

    for (QToolButton *button : { m_sourcesButton, m_camerasButton }) {
        button->setPopupMode(QToolButton::InstantPopup);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    }
    m_sourcesButton->setMenu(m_sourcesMenu);
    m_camerasButton->setMenu(m_camerasMenu);
    m_sourcesButton->setToolTip(tr("Search only some videos (several may be ticked)"));
    m_camerasButton->setToolTip(tr("Search only some cameras (several may be ticked)"));

    for (QLineEdit *edit : { m_fromEdit, m_toEdit }) {
        edit->setClearButtonEnabled(true);
        edit->setMaximumWidth(84);
        connect(edit, &QLineEdit::editingFinished, this, &FilterBar::onTimeEdited);
    }
    m_fromEdit->setPlaceholderText(tr("from"));
    m_toEdit->setPlaceholderText(tr("to"));
    m_fromEdit->setToolTip(tr("Only people seen from this time into the video on (seconds, m:ss or h:mm:ss)"));
    m_toEdit->setToolTip(tr("Only people seen up to this time into the video"));
    m_fromEdit->setAccessibleName(tr("From time"));
    m_toEdit->setAccessibleName(tr("To time"));

    // Below 0 reads "model's cut-off": the calibrated default of the model that ranks.
    m_confidence->setRange(-0.05, 1.0);
    m_confidence->setSingleStep(0.05);
    m_confidence->setDecimals(2);
    m_confidence->setValue(-0.05);
    m_confidence->setSpecialValueText(tr("model's cut-off"));
    m_confidence->setPrefix(tr("confidence ≥ "));
    m_confidence->setToolTip(tr("Hide results whose calibrated confidence is below this (0 shows everything)"));
    m_confidence->setAccessibleName(tr("Minimum confidence"));
    m_confidence->setKeyboardTracking(false); // one search per value, not per key typed
    connect(m_confidence, &QDoubleSpinBox::valueChanged, this, &FilterBar::notify);

    m_sort->addItem(tr("Best match first"));
    m_sort->addItem(tr("In time order"));
    m_sort->setToolTip(tr("Order of the results: by relevance, or by video and time"));
    m_sort->setAccessibleName(tr("Order of the results"));
    connect(m_sort, &QComboBox::currentIndexChanged, this, &FilterBar::notify);

    // One card per person by default: the same woman five times is one answer, not five.
    m_byPerson->setText(tr("One per person"));
    m_byPerson->setCheckable(true);
    m_byPerson->setChecked(true);
    m_byPerson->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_byPerson->setToolTip(tr("Show each person once (their other appearances fold into the best one); "
                              "off: every tracklet"));
    m_byPerson->setAccessibleName(tr("One result per person"));
    connect(m_byPerson, &QToolButton::toggled, this, &FilterBar::notify);

    m_chipEdit->setPlaceholderText(tr("+ attribute: upper:red, lower:shorts, backpack…"));
    m_chipEdit->setToolTip(tr("Results must show this attribute; Enter adds it. Several colours of one body part "
                              "are alternatives; different body parts must all match. (Ctrl+Shift+F)"));
    m_chipEdit->setAccessibleName(tr("Add an attribute filter"));
    m_chipEdit->setMinimumWidth(190);
    auto *completer = new QCompleter(chipSuggestions(), m_chipEdit);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_chipEdit->setCompleter(completer);
    connect(m_chipEdit, &QLineEdit::returnPressed, this, [this] {
        if (m_chipEdit->text().trimmed().isEmpty())
            return;
        QString error;
        if (addChip(m_chipEdit->text(), &error))
            m_chipEdit->clear();
        else
            showMessage(error);
    });

    m_clearButton->setText(tr("Clear filters"));
    m_clearButton->setToolTip(tr("Remove every filter (the order stays)"));
    connect(m_clearButton, &QToolButton::clicked, this, &FilterBar::clear);

    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->hide();

    // A tool bar rather than a row of widgets: on a narrow window the controls that do not fit
    // move into its » menu instead of forcing the window wider.
    m_bar->setObjectName(QStringLiteral("filterToolBar"));
    m_bar->setMovable(false);
    m_bar->setFloatable(false);
    m_bar->addWidget(m_chipEdit); // first: what narrows a description most often
    m_sourcesAction = m_bar->addWidget(m_sourcesButton);
    m_camerasAction = m_bar->addWidget(m_camerasButton);
    m_bar->addWidget(m_fromEdit);
    m_bar->addWidget(m_toEdit);
    m_bar->addWidget(m_confidence);
    m_bar->addWidget(m_sort);
    m_bar->addWidget(m_byPerson);
    m_clearAction = m_bar->addWidget(m_clearButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 0, 12, 6);
    layout->setSpacing(4);
    layout->addWidget(m_bar);
    layout->addWidget(m_message);
    rebuildMenus();
    updateButtons();
}

void FilterBar::setOverview(const GalleryOverview &overview)
{
    m_overview = overview;
    std::set<int64_t> present;
    for (const SourceOverview &s : overview.sources)
        present.insert(s.source.id);
    const size_t before = m_sourceIds.size();
    m_sourceIds.erase(std::remove_if(m_sourceIds.begin(), m_sourceIds.end(),
                          [&present](int64_t id) { return present.count(id) == 0; }),
        m_sourceIds.end());
    rebuildMenus();
    updateButtons();
    if (m_sourceIds.size() != before)
        notify();
}

SearchFilters FilterBar::filters() const
{
    SearchFilters f;
    f.sourceIds = m_sourceIds;
    for (const QString &camera : m_cameras)
        f.cameras.push_back(camera);
    f.fromTime = m_from;
    f.toTime = m_to;
    f.attributes = m_chips;
    f.sortOrder = m_sort->currentIndex() == 1 ? SortOrder::Time : SortOrder::Relevance;
    f.groupByIdentity = m_byPerson->isChecked();
    return f;
}

float FilterBar::minConfidence() const
{
    return m_confidence->value() < 0 ? -1.0f : float(m_confidence->value());
}

bool FilterBar::isNarrowing() const
{
    return filters().filtersRows() || m_confidence->value() >= 0;
}

QString FilterBar::summary() const
{
    QStringList parts;
    if (!m_sourceIds.empty())
        parts << countOf(qint64(m_sourceIds.size()), tr("video"), tr("videos"));
    if (!m_cameras.isEmpty())
        parts << tr("camera %1").arg(m_cameras.join(tr(" or ")));
    if (m_from >= 0 || m_to >= 0)
        parts << (m_to < 0 ? tr("from %1").arg(formatClock(m_from))
                      : m_from < 0 ? tr("up to %1").arg(formatClock(m_to))
                                   : formatTimeRange(m_from, m_to));
    for (const AttributeChip &chip : m_chips)
        parts << chipText(chip);
    if (m_confidence->value() >= 0)
        parts << tr("confidence ≥ %1").arg(m_confidence->value(), 0, 'f', 2);
    return parts.join(QStringLiteral(" · "));
}

bool FilterBar::addChip(const QString &text, QString *error)
{
    AttributeChip chip;
    if (!AttributeChip::parse(text, &chip, error))
        return false;
    for (const AttributeChip &c : m_chips)
        if (c.region == chip.region && c.attribute == chip.attribute)
            return true; // already there
    m_chips.push_back(chip);
    addChipButton(chip);
    showMessage(QString());
    updateButtons();
    notify();
    return true;
}

QStringList FilterBar::chipLabels() const
{
    QStringList out;
    for (const AttributeChip &chip : m_chips)
        out << chipText(chip);
    return out;
}

void FilterBar::addChipButton(const AttributeChip &chip)
{
    auto *button = new QToolButton(this);
    button->setObjectName(QStringLiteral("attributeChip"));
    button->setText(chipText(chip) + QStringLiteral("  ✕"));
    button->setToolTip(tr("%1 — click to remove").arg(chip.describe()));
    button->setAccessibleName(tr("Remove filter %1").arg(chipText(chip)));
    connect(button, &QToolButton::clicked, this, [this, button] {
        const auto it = std::find(m_chipButtons.begin(), m_chipButtons.end(), button);
        if (it != m_chipButtons.end())
            removeChip(int(it - m_chipButtons.begin()));
    });
    m_chipActions.push_back(m_bar->insertWidget(m_sourcesAction, button));
    m_chipButtons.push_back(button);
}

void FilterBar::removeChip(int index)
{
    m_chips.erase(m_chips.begin() + index);
    m_bar->removeAction(m_chipActions[size_t(index)]);
    m_chipActions.erase(m_chipActions.begin() + index);
    m_chipButtons[size_t(index)]->deleteLater();
    m_chipButtons.erase(m_chipButtons.begin() + index);
    updateButtons();
    notify();
}

void FilterBar::setSources(const std::vector<int64_t> &sourceIds)
{
    m_sourceIds = sourceIds;
    std::sort(m_sourceIds.begin(), m_sourceIds.end());
    syncMenus();
    notify();
}

void FilterBar::setCameras(const QStringList &cameras)
{
    m_cameras = cameras;
    syncMenus();
    notify();
}

void FilterBar::setTimeRange(double from, double to)
{
    m_from = from;
    m_to = to;
    m_fromEdit->setText(from >= 0 ? formatClock(from) : QString());
    m_toEdit->setText(to >= 0 ? formatClock(to) : QString());
    updateButtons();
    notify();
}

void FilterBar::setMinConfidence(float minConfidence)
{
    m_confidence->setValue(minConfidence < 0 ? m_confidence->minimum() : double(minConfidence));
}

void FilterBar::setSortOrder(SortOrder order)
{
    m_sort->setCurrentIndex(order == SortOrder::Time ? 1 : 0);
}

bool FilterBar::parseTime(const QString &text, double *seconds)
{
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        *seconds = -1;
        return true;
    }
    const QStringList parts = t.split(QLatin1Char(':'));
    if (parts.size() > 3)
        return false;
    double total = 0;
    for (int i = 0; i < parts.size(); ++i) {
        bool ok = false;
        const double v = parts.at(i).toDouble(&ok);
        // Only the last field may have decimals, and minutes/seconds after a ':' stay below 60.
        if (!ok || v < 0 || (i + 1 < parts.size() && parts.at(i).contains(QLatin1Char('.'))) || (i > 0 && v >= 60))
            return false;
        total = total * 60 + v;
    }
    *seconds = total;
    return true;
}

void FilterBar::clear()
{
    m_blockNotify = true;
    const bool narrowing = isNarrowing();
    m_sourceIds.clear();
    m_cameras.clear();
    m_chips.clear();
    for (QAction *action : m_chipActions)
        m_bar->removeAction(action);
    m_chipActions.clear();
    for (QToolButton *button : m_chipButtons)
        button->deleteLater();
    m_chipButtons.clear();
    m_from = m_to = -1;
    m_fromEdit->clear();
    m_toEdit->clear();
    m_confidence->setValue(m_confidence->minimum());
    m_chipEdit->clear();
    showMessage(QString());
    syncMenus();
    updateButtons();
    m_blockNotify = false;
    if (narrowing)
        notify();
}

void FilterBar::focusFilters()
{
    m_chipEdit->setFocus(Qt::ShortcutFocusReason);
}

void FilterBar::onTimeEdited()
{
    double from = -1, to = -1;
    if (!parseTime(m_fromEdit->text(), &from) || !parseTime(m_toEdit->text(), &to)) {
        showMessage(tr("Times are seconds into the video, m:ss or h:mm:ss, e.g. 90, 1:30 or 0:01:30"));
        return;
    }
    if (from >= 0 && to >= 0 && to < from) {
        showMessage(tr("The time range ends (%1) before it starts (%2)").arg(formatClock(to), formatClock(from)));
        return;
    }
    showMessage(QString());
    if (from == m_from && to == m_to)
        return;
    m_from = from;
    m_to = to;
    updateButtons();
    notify();
}

void FilterBar::rebuildMenus()
{
    m_sourcesMenu->clear();
    QAction *all = m_sourcesMenu->addAction(tr("All videos"));
    all->setCheckable(true);
    connect(all, &QAction::triggered, this, [this] { setSources({}); });
    m_sourcesMenu->addSeparator();
    QStringList cameras;
    for (const SourceOverview &s : m_overview.sources) {
        QAction *action = m_sourcesMenu->addAction(sourceName(s.source));
        action->setCheckable(true);
        action->setToolTip(s.source.path);
        action->setData(qint64(s.source.id));
        const int64_t id = s.source.id;
        connect(action, &QAction::toggled, this, [this, id](bool on) {
            std::vector<int64_t> ids = m_sourceIds;
            ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
            if (on)
                ids.push_back(id);
            setSources(ids);
        });
        if (!s.source.cameraLabel.isEmpty() && !cameras.contains(s.source.cameraLabel, Qt::CaseInsensitive))
            cameras << s.source.cameraLabel;
    }
    cameras.sort(Qt::CaseInsensitive);

    m_camerasMenu->clear();
    QAction *allCameras = m_camerasMenu->addAction(tr("All cameras"));
    allCameras->setCheckable(true);
    connect(allCameras, &QAction::triggered, this, [this] { setCameras({}); });
    m_camerasMenu->addSeparator();
    for (const QString &camera : cameras) {
        QAction *action = m_camerasMenu->addAction(camera);
        action->setCheckable(true);
        action->setData(camera);
        connect(action, &QAction::toggled, this, [this, camera](bool on) {
            QStringList now = m_cameras;
            now.removeAll(camera);
            if (on)
                now << camera;
            setCameras(now);
        });
    }
    // Galleries with one camera label or none (the usual case for files) have nothing to choose.
    m_camerasAction->setVisible(cameras.size() > 1 || !m_cameras.isEmpty());
    syncMenus();
}

void FilterBar::syncMenus()
{
    // Ticks follow the selection without re-entering the toggled handlers.
    for (QAction *action : m_sourcesMenu->actions()) {
        if (!action->isCheckable())
            continue;
        const QSignalBlocker block(action);
        action->setChecked(action->data().isValid()
                ? std::find(m_sourceIds.begin(), m_sourceIds.end(), action->data().toLongLong()) != m_sourceIds.end()
                : m_sourceIds.empty());
    }
    for (QAction *action : m_camerasMenu->actions()) {
        if (!action->isCheckable())
            continue;
        const QSignalBlocker block(action);
        action->setChecked(action->data().isValid() ? m_cameras.contains(action->data().toString(), Qt::CaseInsensitive)
                                                    : m_cameras.isEmpty());
    }
}

void FilterBar::updateButtons()
{
    m_sourcesButton->setText(m_sourceIds.empty() ? tr("All videos")
            : m_sourceIds.size() == 1             ? [this] {
                  for (const SourceOverview &s : m_overview.sources)
                      if (s.source.id == m_sourceIds.front())
                          return QFileInfo(s.source.path).fileName();
                  return tr("1 video");
              }()
                                                  : countOf(qint64(m_sourceIds.size()), tr("video"), tr("videos")));
    m_camerasButton->setText(m_cameras.isEmpty() ? tr("All cameras") : m_cameras.join(QStringLiteral(", ")));
    m_clearButton->setEnabled(isNarrowing());
}

void FilterBar::showMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void FilterBar::notify()
{
    updateButtons();
    if (!m_blockNotify)
        Q_EMIT changed();
}

} // namespace descry
