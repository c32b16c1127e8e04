#pragma once

#include <QListView>

namespace descry {

// The results grid: a QListView in icon mode with uniform cells (fast layout for large result
// lists). Arrow keys move through the grid; Enter or a double click opens the detail.
class ResultsView : public QListView {
    Q_OBJECT
public:
    explicit ResultsView(QWidget *parent = nullptr);

    // The card size the delegate paints; the columns then share the view's width evenly
    // instead of leaving a ragged gap at the right.
    void setCellSize(const QSize &size);

Q_SIGNALS:
    void currentResultChanged(const QModelIndex &index);
    void openRequested(const QModelIndex &index);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void currentChanged(const QModelIndex &current, const QModelIndex &previous) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateGrid();

    QSize m_cellSize;
};

} // namespace descry
