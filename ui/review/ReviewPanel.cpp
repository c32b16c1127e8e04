#include "ReviewPanel.h"

#include "DisplayFormat.h"
#include "ImageView.h"
#include "ReviewController.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace descry {

namespace {

constexpr int kMainCropHeight = 320; // a person crop tall enough to judge face, clothes, bag
constexpr int kSideCrops = 3;

QPushButton *makeButton(const QString &text, const QString &name, const QString &tip, QWidget *parent)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(name);
    button->setToolTip(tip);
    // Space must skip, not press whichever button was clicked last.
    button->setFocusPolicy(Qt::NoFocus);
    return button;
}

} // namespace

ReviewPanel::ReviewPanel(ReviewController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_query(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_item(new QLabel(this))
    , m_decision(new QLabel(this))
    , m_label(new QLineEdit(this))
    , m_note(new QLineEdit(this))
    , m_previous(makeButton(QStringLiteral("◀ Previous"), QStringLiteral("reviewPrevious"),
          QStringLiteral("Previous result (Left)"), this))
    , m_confirm(makeButton(QStringLiteral("Confirm (C)"), QStringLiteral("reviewConfirm"),
          QStringLiteral("This is the person described (C, or Return in the label field)"), this))
    , m_reject(makeButton(QStringLiteral("Reject (R)"), QStringLiteral("reviewReject"),
          QStringLiteral("This is not the person described (R)"), this))
    , m_skip(makeButton(QStringLiteral("Skip (S)"), QStringLiteral("reviewSkip"),
          QStringLiteral("Cannot tell; come back to it later (S or Space)"), this))
    , m_undo(makeButton(QStringLiteral("Undo (U)"), QStringLiteral("reviewUndo"),
          QStringLiteral("Take back the last decision and go back to it (U or Ctrl+Z)"), this))
    , m_next(makeButton(QStringLiteral("Next ▶"), QStringLiteral("reviewNext"),
          QStringLiteral("Next result (Right)"), this))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("reviewPanel"));
    // Clicking the crops takes the focus out of the text fields, so the single keys work again.
    setFocusPolicy(Qt::StrongFocus);

    m_query->setObjectName(QStringLiteral("reviewQuery"));
    m_query->setWordWrap(true);
    m_query->setTextFormat(Qt::PlainText);
    m_progress->setObjectName(QStringLiteral("reviewProgress"));
    m_progress->setTextVisible(true);

    auto *cropRow = new QHBoxLayout;
    auto *main = new ImageView(this);
    main->setObjectName(QStringLiteral("reviewCrop"));
    main->setMaxUpscale(3.0); // small surveillance crops must still show a face and a bag
    main->setMinimumSize(kMainCropHeight / 2, kMainCropHeight);
    main->setPlaceholderText(QStringLiteral("Start a review from a search's results"));
    m_crops.append(main);
    cropRow->addWidget(main, 3);
    auto *side = new QVBoxLayout;
    for (int i = 0; i < kSideCrops; ++i) {
        auto *view = new ImageView(this);
        view->setMaxUpscale(2.0);
        view->setMinimumSize(kMainCropHeight / 6, kMainCropHeight / 3 - 4);
        m_crops.append(view);
        side->addWidget(view);
    }
    cropRow->addLayout(side, 1);

    m_item->setObjectName(QStringLiteral("reviewItem"));
    m_decision->setObjectName(QStringLiteral("reviewDecision"));
    m_decision->setWordWrap(true);
    m_decision->setTextFormat(Qt::PlainText);
    m_label->setObjectName(QStringLiteral("reviewLabel"));
    m_label->setPlaceholderText(QStringLiteral("identity name, case number… (kept for the next results)"));
    m_label->setClearButtonEnabled(true);
    m_note->setObjectName(QStringLiteral("reviewNote"));
    m_note->setPlaceholderText(QStringLiteral("note for this result"));
    m_note->setClearButtonEnabled(true);
    auto *fields = new QFormLayout;
    fields->addRow(QStringLiteral("&Label"), m_label);
    fields->addRow(QStringLiteral("N&ote"), m_note);

    auto *buttons = new QHBoxLayout;
    for (QPushButton *button : { m_previous, m_confirm, m_reject, m_skip, m_undo, m_next })
        buttons->addWidget(button);
    m_error->setObjectName(QStringLiteral("reviewError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_query);
    layout->addWidget(m_progress);
    layout->addLayout(cropRow, 1);
    layout->addWidget(m_item);
    layout->addWidget(m_decision);
    layout->addLayout(fields);
    layout->addLayout(buttons);
    layout->addWidget(m_error);

    connect(m_previous, &QPushButton::clicked, this, &ReviewPanel::previous);
    connect(m_confirm, &QPushButton::clicked, this, &ReviewPanel::confirm);
    connect(m_reject, &QPushButton::clicked, this, &ReviewPanel::reject);
    connect(m_skip, &QPushButton::clicked, this, &ReviewPanel::skip);
    connect(m_undo, &QPushButton::clicked, this, &ReviewPanel::undo);
    connect(m_next, &QPushButton::clicked, this, &ReviewPanel::next);
    connect(m_label, &QLineEdit::returnPressed, this, &ReviewPanel::confirm);

    // Widget-with-children shortcuts: they work wherever the focus is in the panel, and text
    // fields take their keys first (QLineEdit claims printable keys, arrows and Ctrl+Z through
    // ShortcutOverride), so typing never decides anything.
    addKey(QKeySequence(Qt::Key_C), &ReviewPanel::confirm);
    addKey(QKeySequence(Qt::Key_R), &ReviewPanel::reject);
    addKey(QKeySequence(Qt::Key_S), &ReviewPanel::skip);
    addKey(QKeySequence(Qt::Key_Space), &ReviewPanel::skip);
    addKey(QKeySequence(Qt::Key_U), &ReviewPanel::undo);
    addKey(QKeySequence::Undo, &ReviewPanel::undo);
    addKey(QKeySequence(Qt::Key_Left), &ReviewPanel::previous);
    addKey(QKeySequence(Qt::Key_Right), &ReviewPanel::next);
    for (QLineEdit *field : { m_label, m_note }) {
        auto *leave = new QShortcut(QKeySequence(Qt::Key_Escape), field);
        leave->setContext(Qt::WidgetShortcut);
        connect(leave, &QShortcut::activated, this, [this] { setFocus(Qt::ShortcutFocusReason); });
    }

    connect(m_controller, &ReviewController::stateChanged, this, &ReviewPanel::showState);
    showState(m_controller->state());
}

void ReviewPanel::addKey(const QKeySequence &keys, void (ReviewPanel::*slot)())
{
    auto *shortcut = new QShortcut(keys, this);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(shortcut, &QShortcut::activated, this, slot);
}

QString ReviewPanel::progressText(const ReviewProgress &p)
{
    QString text = QStringLiteral("%1 / %2 reviewed · %3 confirmed · %4 rejected")
                       .arg(p.reviewed())
                       .arg(p.total)
                       .arg(p.confirmed)
                       .arg(p.rejected);
    if (p.skipped > 0)
        text += QStringLiteral(" · %1 skipped").arg(p.skipped);
    return text;
}

QString ReviewPanel::progressText() const
{
    return progressText(m_shown.progress);
}

void ReviewPanel::confirm()
{
    m_controller->confirm(m_label->text(), m_note->text());
}

void ReviewPanel::reject()
{
    m_controller->reject(m_label->text(), m_note->text());
}

void ReviewPanel::skip()
{
    m_controller->skip(m_label->text(), m_note->text());
}

void ReviewPanel::undo()
{
    m_controller->undo();
}

void ReviewPanel::next()
{
    m_controller->next();
}

void ReviewPanel::previous()
{
    m_controller->previous();
}

void ReviewPanel::showState(const ReviewState &state)
{
    const bool newItem = state.session != m_shown.session || state.trackletId != m_shown.trackletId;
    if (newItem)
        showItem(state);
    m_query->setText(state.session > 0 ? QStringLiteral("Reviewing results of “%1”").arg(state.queryText)
                                       : QStringLiteral("No review running"));
    m_progress->setRange(0, qMax(1, state.total));
    m_progress->setValue(state.progress.reviewed());
    m_progress->setFormat(progressText(state.progress));
    m_decision->setText(decisionText(state));
    m_error->setText(state.error);
    m_error->setVisible(!state.error.isEmpty());
    updateButtons(state);
    m_shown = state;
    if (newItem)
        Q_EMIT currentTrackletChanged(state.trackletId);
    Q_EMIT stateShown(state.trackletId);
}

void ReviewPanel::showItem(const ReviewState &state)
{
    for (int i = 0; i < m_crops.size(); ++i)
        m_crops[i]->setImage(size_t(i) < state.crops.size() ? state.crops[size_t(i)] : QImage());
    if (state.isFinished())
        m_crops.front()->setPlaceholderText(
            QStringLiteral("All %1 results have a decision").arg(state.total));
    else if (state.hasQueue() && state.crops.empty())
        m_crops.front()->setPlaceholderText(QStringLiteral("No stored crop for this result"));
    if (state.index >= 0) {
        QString where = state.tracklet.cameraLabel;
        if (state.tracklet.endTime > 0)
            where += QStringLiteral(" %1").arg(
                formatTimeRange(state.tracklet.startTime, state.tracklet.endTime));
        m_item->setText(QStringLiteral("Result %1 of %2 · score %3 · tracklet #%4 · %5")
                            .arg(state.index + 1)
                            .arg(state.total)
                            .arg(double(state.score), 0, 'f', 3)
                            .arg(state.trackletId)
                            .arg(where.trimmed()));
    } else {
        m_item->setText(
            state.isFinished() ? QStringLiteral("Past the last result (Left goes back)") : QString());
    }
    // A decided item shows what was stored; otherwise the label carries over and the note,
    // which is about one result, starts empty.
    if (state.review && !state.review->label.isEmpty())
        m_label->setText(state.review->label);
    m_note->setText(state.review ? state.review->note : QString());
}

QString ReviewPanel::decisionText(const ReviewState &state) const
{
    if (state.index < 0)
        return QString();
    if (!state.review)
        return QStringLiteral("Not reviewed yet");
    const ReviewRecord &r = *state.review;
    QString text = QStringLiteral("%1 by %2, %3")
                       .arg(reviewVerdictKey(r.verdict), r.author,
                           r.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    text[0] = text[0].toUpper();
    if (!r.label.isEmpty())
        text += QStringLiteral(" · label: %1").arg(r.label);
    if (!r.note.isEmpty())
        text += QStringLiteral(" · note: %1").arg(r.note);
    return text;
}

void ReviewPanel::updateButtons(const ReviewState &state)
{
    const bool onItem = state.index >= 0;
    m_confirm->setEnabled(onItem);
    m_reject->setEnabled(onItem);
    m_skip->setEnabled(onItem);
    m_undo->setEnabled(state.canUndo);
    m_previous->setEnabled(state.hasQueue() && state.index != 0);
    m_next->setEnabled(onItem);
}

} // namespace descry
