#pragma once

#include <QListView>

namespace descry {

// The results grid: a QListView in icon mode with uniform cells (fast layout for large result
// lists). Arrow keys move through the grid; Enter or a double click opens the detail.
class ResultsView : public QListView {
    Q_OBJECT
public:
    explicit ResultsView(QWidget *parent = nullptr);

Q_SIGNALS:
    void currentResultChanged(const QModelIndex &index);
    void openRequested(const QModelIndex &index);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void currentChanged(const QModelIndex &current, const QModelIndex &previous) override;
};

} // namespace descry
