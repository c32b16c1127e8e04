#pragma once

#include "ReviewState.h"

#include <QList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace descry {

class ImageView;
class ReviewController;

// The annotator's view of a review queue: the current result's crops at a readable size, the
// query, score and the decision already stored, a label and a note field, progress, and single
// keys — C confirm, R reject, S / Space skip, U / Ctrl+Z undo, Left / Right previous / next.
// The keys are shortcuts of this panel that text fields override, so typing "c" into the label
// writes a "c"; Return in the label field confirms and Escape leaves a field. The label is kept
// from item to item (annotators label runs of the same person); an item already decided shows
// its stored label and note. No SQL here: everything goes through the ReviewController.
class ReviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit ReviewPanel(ReviewController *controller, QWidget *parent = nullptr);

    ReviewController *controller() const { return m_controller; }
    // "12 / 40 reviewed · 9 confirmed · 3 rejected" (skipped ones named when there are any).
    static QString progressText(const ReviewProgress &progress);
    QString progressText() const;
    qint64 trackletId() const { return m_shown.trackletId; }

    QLineEdit *labelEdit() const { return m_label; }
    QLineEdit *noteEdit() const { return m_note; }
    QProgressBar *progressBar() const { return m_progress; }
    QList<ImageView *> cropViews() const { return m_crops; }

public Q_SLOTS:
    void confirm();
    void reject();
    void skip();
    void undo();
    void next();
    void previous();

Q_SIGNALS:
    void stateShown(qint64 trackletId); // a state from the controller is on screen (0: none or done)
    void currentTrackletChanged(qint64 trackletId); // another item came up (0: past the end)

private:
    void showState(const ReviewState &state);
    void showItem(const ReviewState &state);
    void updateButtons(const ReviewState &state);
    QString decisionText(const ReviewState &state) const;
    void addKey(const QKeySequence &keys, void (ReviewPanel::*slot)());

    ReviewController *m_controller;
    ReviewState m_shown;
    QLabel *m_query;
    QProgressBar *m_progress;
    QList<ImageView *> m_crops;
    QLabel *m_item;
    QLabel *m_decision;
    QLineEdit *m_label;
    QLineEdit *m_note;
    QPushButton *m_previous;
    QPushButton *m_confirm;
    QPushButton *m_reject;
    QPushButton *m_skip;
    QPushButton *m_undo;
    QPushButton *m_next;
    QLabel *m_error;
};

} // namespace descry
