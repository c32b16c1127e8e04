#include "ResultsView.h"

#include <QKeyEvent>

namespace descry {

ResultsView::ResultsView(QWidget *parent)
    : QListView(parent)
{
    setViewMode(QListView::IconMode);
    setMovement(QListView::Static);
    setResizeMode(QListView::Adjust);
    setFlow(QListView::LeftToRight);
    setWrapping(true);
    setUniformItemSizes(true);
    setLayoutMode(QListView::Batched);
    setBatchSize(200);
    setSpacing(2);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setMouseTracking(true); // hover highlight
    setObjectName(QStringLiteral("resultsView"));
    setAccessibleName(tr("Search results"));
    connect(this, &QAbstractItemView::doubleClicked, this, &ResultsView::openRequested);
}

void ResultsView::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && currentIndex().isValid()) {
        Q_EMIT openRequested(currentIndex());
        event->accept();
        return;
    }
    QListView::keyPressEvent(event);
}

void ResultsView::currentChanged(const QModelIndex &current, const QModelIndex &previous)
{
    QListView::currentChanged(current, previous);
    Q_EMIT currentResultChanged(current);
}

void ResultsView::setCellSize(const QSize &size)
{
    m_cellSize = size;
    updateGrid();
}

void ResultsView::resizeEvent(QResizeEvent *event)
{
    QListView::resizeEvent(event);
    updateGrid();
}

void ResultsView::updateGrid()
{
    if (!m_cellSize.isValid())
        return;
    const int width = viewport()->width() - 1;
    const int columns = std::max(1, width / m_cellSize.width());
    const QSize grid(std::max(m_cellSize.width(), width / columns), m_cellSize.height());
    if (grid != gridSize())
        setGridSize(grid);
}

} // namespace descry
