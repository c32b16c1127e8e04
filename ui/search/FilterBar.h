#pragma once

#include "GalleryOverview.h"
#include "SearchFilters.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QToolBar;
class QToolButton;

namespace descry {

// The row of filters under the query line. What it holds applies to every search and
// find-similar until changed: which videos (sources) and cameras, a time range into the
// source, attribute chips typed like "upper:red" or "backpack" (OR within a region and kind,
// AND across, see AttributeChip), the minimum calibrated confidence (the model's relevance
// cut-off by default) and the order (best match first or time). Every change emits changed(),
// so the window asks the question on screen again.
class FilterBar : public QWidget {
    Q_OBJECT
public:
    explicit FilterBar(QWidget *parent = nullptr);

    // The sources and cameras offered; selections of sources no longer there are dropped.
    void setOverview(const GalleryOverview &overview);

    SearchFilters filters() const;
    // The cut-off on calibrated confidence a search asks for: < 0 means the model's own.
    float minConfidence() const;
    // True when something narrows the results (the order does not count).
    bool isNarrowing() const;
    // What narrows the results, in words: "2 videos · 00:30.0 – 01:00.0 · upper red".
    QString summary() const;

    // Adds a chip as typed ("upper:red", "backpack"); false with the parser's message.
    bool addChip(const QString &text, QString *error);
    QStringList chipLabels() const;
    void setSources(const std::vector<int64_t> &sourceIds);
    void setCameras(const QStringList &cameras);
    // Seconds into the source; < 0: open.
    void setTimeRange(double from, double to);
    void setMinConfidence(float minConfidence);
    void setSortOrder(SortOrder order);

    // "90", "1:30", "1:02:03.5" -> seconds; empty -> -1 (open). False when unreadable.
    static bool parseTime(const QString &text, double *seconds);

public Q_SLOTS:
    void clear();
    // Puts the focus on the chip line (Ctrl+Shift+F).
    void focusFilters();

Q_SIGNALS:
    void changed();

private:
    void addChipButton(const AttributeChip &chip);
    void removeChip(int index);
    void onTimeEdited();
    void rebuildMenus();
    void syncMenus();
    void updateButtons();
    void showMessage(const QString &text);
    void notify();

    GalleryOverview m_overview;
    std::vector<int64_t> m_sourceIds;
    QStringList m_cameras; // as the gallery spells them
    std::vector<AttributeChip> m_chips;
    double m_from = -1, m_to = -1;
    bool m_blockNotify = false;

    QToolButton *m_sourcesButton;
    QMenu *m_sourcesMenu;
    QToolButton *m_camerasButton;
    QMenu *m_camerasMenu;
    QLineEdit *m_fromEdit;
    QLineEdit *m_toEdit;
    QDoubleSpinBox *m_confidence;
    QComboBox *m_sort;
    QToolButton *m_byPerson;
    QLineEdit *m_chipEdit;
    QToolButton *m_clearButton;
    QLabel *m_message;
    QToolBar *m_bar;
    QAction *m_sourcesAction = nullptr; // chips go in before it, next to the line they are typed in
    QAction *m_camerasAction = nullptr;
    QAction *m_clearAction = nullptr;
    std::vector<QToolButton *> m_chipButtons;
    std::vector<QAction *> m_chipActions;
};

} // namespace descry
