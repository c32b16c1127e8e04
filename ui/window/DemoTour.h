#pragma once

#include <QList>
#include <QString>
#include <QWidget>

class QLabel;
class QPushButton;

namespace descry {

// The presenter's bar of `descry --demo`: a fixed sequence of example queries, each with a line
// on what to point at. Previous / Next (buttons, Page Up / Page Down as presentation clickers
// send, Ctrl+Left / Ctrl+Right) step through it; every step asks for its query to be run.
class DemoTour : public QWidget {
    Q_OBJECT
public:
    struct Step {
        QString query;
        QString caption;
    };

    explicit DemoTour(QWidget *parent = nullptr);

    // The built-in tour (resources/demo-tour.json), or the steps of another file.
    static QList<Step> builtInSteps();
    static bool loadSteps(const QString &path, QList<Step> *steps, QString *error);
    void setSteps(const QList<Step> &steps);

    int currentStep() const { return m_current; }
    int stepCount() const { return int(m_steps.size()); }
    QLabel *captionLabel() const { return m_caption; }

public Q_SLOTS:
    void start(); // step 1
    void next();
    void previous();
    void goTo(int step);

Q_SIGNALS:
    void queryRequested(const QString &query);

private:
    QList<Step> m_steps;
    int m_current = -1;
    QLabel *m_position;
    QLabel *m_query;
    QLabel *m_caption;
    QPushButton *m_previous;
    QPushButton *m_next;
};

} // namespace descry
