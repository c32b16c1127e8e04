#include "ResultsModel.h"

#include "DisplayFormat.h"
#include "ThumbnailLoader.h"

#include <QFileInfo>
#include <QPainter>
#include <QPainterPath>

namespace descry {

namespace {

// "person 12 · seen 5× · 2 cameras", or within one video "person 12 · seen 5× · 00:42.0 – 01:19.3".
QString personSummary(const SearchResult &r)
{
    const qint64 id = r.tracklet.identityId;
    if (r.identityTracklets <= 1)
        return ResultsModel::tr("person %1").arg(id);
    const QString where = r.identityCameras > 1 ? ResultsModel::tr("%1 cameras").arg(r.identityCameras)
        : r.identitySources > 1                 ? ResultsModel::tr("%1 videos").arg(r.identitySources)
                                                : formatTimeRange(r.identityStart, r.identityEnd);
    return ResultsModel::tr("person %1 · seen %2× · %3").arg(id).arg(r.identityTracklets).arg(where);
}

} // namespace

ResultsModel::ResultsModel(ThumbnailLoader *thumbnails, QObject *parent)
    : QAbstractListModel(parent)
    , m_thumbnails(thumbnails)
    , m_placeholder(placeholder(thumbnails ? thumbnails->thumbnailSize() : QSize(136, 180)))
{
    if (m_thumbnails)
        connect(m_thumbnails, &ThumbnailLoader::thumbnailReady, this,
            [this](qint64 cropId) { onThumbnailReady(cropId); });
}

void ResultsModel::setResults(std::vector<SearchResult> results)
{
    beginResetModel();
    m_results = std::move(results);
    m_rowOfCrop.clear();
    m_rowOfCrop.reserve(qsizetype(m_results.size()));
    for (size_t row = 0; row < m_results.size(); ++row)
        m_rowOfCrop.insert(m_results[row].tracklet.bestCropId, int(row));
    m_shown = std::min(kBatchSize, int(m_results.size()));
    endResetModel();
}

int ResultsModel::rowOf(qint64 trackletId) const
{
    for (size_t row = 0; row < m_results.size(); ++row)
        if (m_results[row].tracklet.id == trackletId)
            return int(row);
    return -1;
}

void ResultsModel::clear()
{
    setResults({});
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

bool ResultsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_shown < int(m_results.size());
}

void ResultsModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const int more = std::min(kBatchSize, int(m_results.size()) - m_shown);
    beginInsertRows(QModelIndex(), m_shown, m_shown + more - 1);
    m_shown += more;
    endInsertRows();
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || index.row() >= m_shown)
        return {};
    const SearchResult &r = m_results[size_t(index.row())];
    const TrackletRecord &t = r.tracklet;
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1 · %2 · %3")
            .arg(r.score, 0, 'f', 2)
            .arg(t.cameraLabel, formatTimeRange(t.startTime, t.endTime));
    case Qt::DecorationRole:
        return decoration(r);
    case Qt::ToolTipRole:
        return QStringLiteral("%1\n%2 – %3%5\n%4")
            .arg(QFileInfo(t.sourcePath).fileName(), formatClock(t.startTime), formatClock(t.endTime),
                r.matched.isEmpty() ? QStringLiteral("no attribute matched") : r.matched.join(QLatin1Char('\n')),
                r.sameIdentity.empty() ? QString()
                                       : tr("\nthis person also in %n more result(s) folded here", nullptr,
                                           int(r.sameIdentity.size())));
    case ScoreRole:
        return r.score;
    case TrackletIdRole:
        return qint64(t.id);
    case CropIdRole:
        return qint64(t.bestCropId);
    case TimeRangeRole:
        return formatTimeRange(t.startTime, t.endTime);
    case CameraRole:
        return t.cameraLabel;
    case SourcePathRole:
        return t.sourcePath;
    case MatchedRole:
        return r.matched;
    case ThumbnailReadyRole:
        return m_thumbnails && m_thumbnails->isCached(t.bestCropId);
    case PersonRole:
        if (t.identityId <= 0)
            return QString();
        return personSummary(r);
    default:
        return {};
    }
}

QVariant ResultsModel::decoration(const SearchResult &result) const
{
    if (!m_thumbnails)
        return m_placeholder;
    const QImage image = m_thumbnails->thumbnail(result.tracklet.bestCropId);
    return image.isNull() ? m_placeholder : image;
}

QHash<int, QByteArray> ResultsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ScoreRole, "score");
    names.insert(TrackletIdRole, "trackletId");
    names.insert(CropIdRole, "cropId");
    names.insert(TimeRangeRole, "timeRange");
    names.insert(CameraRole, "camera");
    names.insert(SourcePathRole, "sourcePath");
    names.insert(MatchedRole, "matched");
    names.insert(ThumbnailReadyRole, "thumbnailReady");
    names.insert(PersonRole, "person");
    return names;
}

void ResultsModel::onThumbnailReady(qint64 cropId)
{
    const auto it = m_rowOfCrop.constFind(cropId);
    if (it == m_rowOfCrop.cend() || *it >= m_shown)
        return;
    const QModelIndex changed = index(*it);
    Q_EMIT dataChanged(changed, changed, { Qt::DecorationRole, ThumbnailReadyRole });
}

QImage ResultsModel::placeholder(const QSize &size)
{
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(128, 128, 128, 70));
    // A head and shoulders, centred: reads as "a person goes here" at any theme.
    const qreal w = size.width(), h = size.height();
    const qreal head = std::min(w, h) * 0.22;
    painter.drawEllipse(QPointF(w / 2, h * 0.32), head / 2, head / 2);
    QPainterPath body;
    body.addRoundedRect(
        QRectF(w / 2 - head * 0.9, h * 0.32 + head * 0.62, head * 1.8, head * 2.0), head * 0.5, head * 0.5);
    painter.drawPath(body);
    return image;
}

} // namespace descry
