#pragma once

#include "SearchEngine.h"

#include <QAbstractListModel>
#include <QHash>
#include <QImage>

#include <vector>

namespace descry {

class ThumbnailLoader;

// The ranked tracklets of the last search, for the results grid. Holds the whole answer as
// plain structs but shows it in batches of kBatchSize (canFetchMore/fetchMore), so a view over
// ten thousand results lays out only what has been scrolled to. Thumbnails come from the
// ThumbnailLoader on demand: DecorationRole answers with a placeholder until the image
// arrives, then that row alone is updated.
class ResultsModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        ScoreRole = Qt::UserRole + 1, // float
        TrackletIdRole, // qint64
        CropIdRole, // qint64, the best crop
        TimeRangeRole, // QString, "00:01.2 – 00:05.0"
        CameraRole, // QString
        SourcePathRole, // QString
        MatchedRole, // QStringList, why it ranked here
        ThumbnailReadyRole, // bool: DecorationRole is the real crop, not the placeholder
        PersonRole, // QString, "person 12 · seen 5×"; empty when the tracklet has no identity
    };

    static constexpr int kBatchSize = 200;

    explicit ResultsModel(ThumbnailLoader *thumbnails = nullptr, QObject *parent = nullptr);

    void setResults(std::vector<SearchResult> results);
    void clear();
    int totalCount() const { return int(m_results.size()); }
    const SearchResult &result(int row) const { return m_results.at(size_t(row)); }
    // The row of a tracklet among all results (shown or not yet fetched), -1 when absent.
    int rowOf(qint64 trackletId) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // Shown while a thumbnail loads (a neutral figure, so the grid does not jump).
    static QImage placeholder(const QSize &size);

private:
    void onThumbnailReady(qint64 cropId);
    QVariant decoration(const SearchResult &result) const;

    ThumbnailLoader *m_thumbnails = nullptr;
    std::vector<SearchResult> m_results;
    QHash<qint64, int> m_rowOfCrop;
    int m_shown = 0;
    QImage m_placeholder;
};

} // namespace descry
