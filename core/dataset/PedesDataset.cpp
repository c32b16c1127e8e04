#include "PedesDataset.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace descry {

namespace {

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

// An annotation file name and the dataset it belongs to.
struct KnownLayout {
    const char *file;
    const char *format;
};

constexpr KnownLayout kLayouts[] = {
    { "reid_raw.json", "CUHK-PEDES" },
    { "caption_all.json", "CUHK-PEDES" },
    { "ICFG-PEDES.json", "ICFG-PEDES" },
    { "data_captions.json", "RSTPReid" },
};

QString formatOfFile(const QString &fileName)
{
    for (const KnownLayout &l : kLayouts)
        if (fileName == QLatin1String(l.file))
            return QLatin1String(l.format);
    return {};
}

// "line L, column C" of a byte offset, which is what a person fixing the file needs.
QString positionOf(const QByteArray &bytes, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, bytes.size());
    const QByteArray head = bytes.left(offset);
    const qsizetype lastNewline = head.lastIndexOf('\n');
    return QStringLiteral("line %1, column %2 (byte offset %3)")
        .arg(head.count('\n') + 1)
        .arg(offset - lastNewline)
        .arg(offset);
}

// Reads one entry; `pathKey` is "file_path" or "img_path".
bool readEntry(const QJsonValue &value, qsizetype index, const QString &pathKey, const QString &imageDir,
    PedesSample *out, QString *error)
{
    const QString where = QStringLiteral("entry %1").arg(index);
    if (!value.isObject())
        return fail(error, where + QStringLiteral(" is not a JSON object"));
    const QJsonObject o = value.toObject();
    const auto missing = [&](const QString &key, const char *what) {
        const QString got = o.contains(key) ? QStringLiteral("is not %1").arg(QLatin1String(what))
                                            : QStringLiteral("is missing");
        return fail(error, QStringLiteral("%1: \"%2\" %3").arg(where, key, got));
    };
    const QJsonValue id = o.value(QStringLiteral("id"));
    // Some conversions write the id as a string of digits; accept that, refuse anything else.
    bool idOk = id.isDouble() && id.toDouble() == static_cast<double>(id.toInteger());
    int identity = idOk ? static_cast<int>(id.toInteger()) : 0;
    if (!idOk && id.isString())
        identity = id.toString().toInt(&idOk);
    if (!idOk)
        return missing(QStringLiteral("id"), "an integer");
    const QJsonValue path = o.value(pathKey);
    if (!path.isString() || path.toString().isEmpty())
        return missing(pathKey, "a non-empty string");
    const QJsonValue captions = o.value(QStringLiteral("captions"));
    if (!captions.isArray())
        return missing(QStringLiteral("captions"), "an array of strings");
    QStringList texts;
    for (const QJsonValue &c : captions.toArray()) {
        if (!c.isString())
            return missing(QStringLiteral("captions"), "an array of strings");
        texts.append(c.toString());
    }
    const QJsonValue split = o.value(QStringLiteral("split"));
    if (!split.isString() || split.toString().isEmpty())
        return missing(QStringLiteral("split"), "a non-empty string");

    out->identity = identity;
    out->imagePath = QDir::cleanPath(QDir(imageDir).absoluteFilePath(path.toString()));
    out->captions = texts;
    out->split = split.toString();
    return true;
}

} // namespace

QStringList PedesDataset::knownJsonFiles()
{
    QStringList files;
    for (const KnownLayout &l : kLayouts)
        files.append(QLatin1String(l.file));
    return files;
}

bool PedesDataset::load(const QString &dirOrJson, QString *error)
{
    *this = PedesDataset();
    const QFileInfo given(dirOrJson);
    if (!given.exists())
        return fail(error,
            QStringLiteral("dataset %1 does not exist: give a dataset folder or its annotation file")
                .arg(dirOrJson));
    QString jsonPath;
    if (given.isDir()) {
        const QDir dir(given.absoluteFilePath());
        for (const QString &name : knownJsonFiles()) {
            if (QFileInfo(dir.filePath(name)).isFile()) {
                jsonPath = dir.filePath(name);
                break;
            }
        }
        if (jsonPath.isEmpty())
            return fail(error,
                QStringLiteral("%1 holds no known annotation file (looked for %2): give the folder of a "
                               "CUHK-PEDES, ICFG-PEDES or RSTPReid dataset, or the annotation file itself")
                    .arg(dir.path(), knownJsonFiles().join(QStringLiteral(", "))));
    } else {
        jsonPath = given.absoluteFilePath();
    }

    QFile file(jsonPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, QStringLiteral("cannot read %1: %2").arg(jsonPath, file.errorString()));
    const QByteArray bytes = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(error,
            QStringLiteral("%1 is not valid JSON: %2 at %3")
                .arg(jsonPath, parseError.errorString(), positionOf(bytes, parseError.offset)));
    if (!doc.isArray())
        return fail(error, QStringLiteral("%1: expected a JSON array of entries").arg(jsonPath));
    const QJsonArray entries = doc.array();

    QString format = formatOfFile(QFileInfo(jsonPath).fileName());
    if (format.isEmpty() && !entries.isEmpty()) {
        // An annotation file under another name: the path key tells the two entry shapes apart.
        const QJsonObject first = entries.first().toObject();
        if (first.contains(QStringLiteral("file_path")))
            format = QStringLiteral("CUHK-PEDES");
        else if (first.contains(QStringLiteral("img_path")))
            format = QStringLiteral("RSTPReid");
        else
            return fail(error,
                QStringLiteral("%1: entries have neither \"file_path\" (CUHK-PEDES, ICFG-PEDES) nor "
                               "\"img_path\" (RSTPReid)")
                    .arg(jsonPath));
    }
    if (format.isEmpty())
        format = QStringLiteral("CUHK-PEDES");
    const QString pathKey
        = format == QLatin1String("RSTPReid") ? QStringLiteral("img_path") : QStringLiteral("file_path");
    const QString imageDir = QFileInfo(jsonPath).absoluteDir().filePath(QStringLiteral("imgs"));
    if (!QFileInfo(imageDir).isDir())
        return fail(error,
            QStringLiteral("%1: the images folder %2 is missing (%3 keeps its images in imgs/ next to the "
                           "annotation file)")
                .arg(jsonPath, imageDir, format));

    std::vector<PedesSample> samples;
    samples.reserve(static_cast<std::size_t>(entries.size()));
    QHash<QString, QHash<int, int>> labels; // split -> identity -> label
    for (qsizetype i = 0; i < entries.size(); ++i) {
        PedesSample s;
        QString why;
        if (!readEntry(entries.at(i), i, pathKey, imageDir, &s, &why))
            return fail(error, QStringLiteral("%1: %2").arg(jsonPath, why));
        QHash<int, int> &splitLabels = labels[s.split];
        auto label = splitLabels.constFind(s.identity);
        if (label == splitLabels.constEnd())
            label = splitLabels.insert(s.identity, static_cast<int>(splitLabels.size()));
        s.label = label.value();
        samples.push_back(std::move(s));
    }
    m_format = format;
    m_jsonPath = jsonPath;
    m_imageDir = imageDir;
    m_samples = std::move(samples);
    return true;
}

std::vector<PedesSample> PedesDataset::samples(const QString &split) const
{
    std::vector<PedesSample> out;
    for (const PedesSample &s : m_samples)
        if (s.split == split)
            out.push_back(s);
    return out;
}

std::vector<int> PedesDataset::indices(const QString &split) const
{
    std::vector<int> out;
    for (std::size_t i = 0; i < m_samples.size(); ++i)
        if (m_samples[i].split == split)
            out.push_back(static_cast<int>(i));
    return out;
}

QStringList PedesDataset::splits() const
{
    QStringList out;
    for (const PedesSample &s : m_samples)
        if (!out.contains(s.split))
            out.append(s.split);
    return out;
}

int PedesDataset::identityCount(const QString &split) const
{
    QSet<int> ids;
    for (const PedesSample &s : m_samples)
        if (split.isEmpty() || s.split == split)
            ids.insert(s.identity);
    return static_cast<int>(ids.size());
}

int PedesDataset::captionCount(const QString &split) const
{
    qsizetype n = 0;
    for (const PedesSample &s : m_samples)
        if (split.isEmpty() || s.split == split)
            n += s.captions.size();
    return static_cast<int>(n);
}

int PedesDataset::label(int sampleIndex) const
{
    if (sampleIndex < 0 || static_cast<std::size_t>(sampleIndex) >= m_samples.size())
        return -1;
    return m_samples[static_cast<std::size_t>(sampleIndex)].label;
}

bool PedesDataset::verify(QString *error, int *missingCount) const
{
    constexpr int kNamed = 5;
    QStringList named;
    int missing = 0;
    for (const PedesSample &s : m_samples) {
        const QFileInfo info(s.imagePath);
        if (info.isFile() && info.size() > 0)
            continue;
        if (++missing <= kNamed)
            named.append(s.imagePath);
    }
    if (missingCount)
        *missingCount = missing;
    if (missing == 0)
        return true;
    return fail(error,
        QStringLiteral("%1 of %2 images of %3 are missing or empty: %4%5")
            .arg(missing)
            .arg(m_samples.size())
            .arg(m_jsonPath, named.join(QStringLiteral(", ")),
                missing > kNamed ? QStringLiteral(", ...") : QString()));
}

cv::Mat loadPersonImage(const QString &path, int height, int width, QString *error)
{
    if (height <= 0 || width <= 0) {
        fail(error, QStringLiteral("cannot resize %1 to %2x%3 pixels").arg(path).arg(height).arg(width));
        return {};
    }
    // Read through QFile: Qt paths are Unicode, and a missing file and an undecodable one then
    // give different messages.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(error, QStringLiteral("cannot read image %1: %2").arg(path, file.errorString()));
        return {};
    }
    const QByteArray bytes = file.readAll();
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char *>(bytes.constData()));
    const cv::Mat image = bytes.isEmpty() ? cv::Mat() : cv::imdecode(raw, cv::IMREAD_COLOR);
    if (image.empty()) {
        fail(error, QStringLiteral("%1 is not an image OpenCV can decode (JPEG, PNG, ...)").arg(path));
        return {};
    }
    if (image.rows == height && image.cols == width)
        return image;
    // Area averaging when shrinking avoids aliasing; bilinear when enlarging small crops.
    const bool shrinking = image.rows >= height && image.cols >= width;
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return resized;
}

} // namespace descry
