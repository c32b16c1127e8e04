#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace descry {

// A friendly centred message in place of an empty view ("No footage yet", "No one matches"),
// with an optional button that leads to the next step.
class EmptyStateWidget : public QWidget {
    Q_OBJECT
public:
    explicit EmptyStateWidget(QWidget *parent = nullptr);

    void setIcon(const QIcon &icon);
    void setTitle(const QString &title);
    void setMessage(const QString &message); // rich text allowed
    // An empty text hides the button.
    void setAction(const QString &text);
    QString title() const;
    QString message() const;
    QPushButton *actionButton() const { return m_button; }

Q_SIGNALS:
    void actionTriggered();

private:
    QLabel *m_icon;
    QLabel *m_title;
    QLabel *m_message;
    QPushButton *m_button;
};

} // namespace descry
