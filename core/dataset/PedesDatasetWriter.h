#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <map>
#include <utility>

namespace descry {

// How people are cut into a dataset: the crop options are read by the scene writer
// (SceneDataset.h), the split fractions by every writer.
struct PedesDatasetOptions {
    int viewsPerIdentity = 4; // crops per identity, from frames spread over its time in view
    int captionsPerImage = 2; // CUHK-PEDES has two descriptions per image
    float minVisible = 0.85f; // only crops of people at least this visible (not occluded or cut)
    int minHeight = 40; // ... and at least this many pixels tall
    double margin = 0.05; // context added around the box on each side, fraction of its height
    double valFraction = 0.1; // identities held out for validation and test
    double testFraction = 0.1;
    int jpegQuality = 92;
};

// Writes people as a dataset in the CUHK-PEDES layout that text-to-person models read:
// `dir`/imgs/<id>/<n>.jpg crops and `dir`/reid_raw.json, a JSON array of
// {"id", "file_path": "<id>/<n>.jpg", "captions": [...], "split": "train"|"val"|"test"}
// (plus extra keys such as "scene" and "frame", which readers of the original format ignore).
// The people come from rendered scenes (addSceneToDataset, synth/) or from reviewed gallery
// tracklets (ReviewDatasetWriter). Identity ids continue across everything added, and the
// split is by identity, spread evenly (a low-discrepancy sequence), never by image.
// `dir` should be new or empty; files of an earlier dataset there are overwritten.
class PedesDatasetWriter {
public:
    explicit PedesDatasetWriter(const QString &dir, const PedesDatasetOptions &options = {});

    // addIdentity opens the next identity and returns its dataset id; its split is `split`, or
    // the writer's low-discrepancy rule when empty. addImage stores `jpeg` as it is as the next
    // image of that identity (imgs/<id>/<n>.jpg) with its captions; `extra` keys go into the
    // entry (readers of the format ignore them).
    int addIdentity(const QString &split = {});
    bool addImage(int datasetId, const QByteArray &jpeg, const QStringList &captions, QString *error,
        const QJsonObject &extra = {});

    // Writes reid_raw.json with every image added so far.
    bool finish(QString *error);

    const PedesDatasetOptions &options() const { return m_options; }
    int identityCount() const { return m_identities; }
    int imageCount() const { return static_cast<int>(m_entries.size()); }

private:
    QString splitOf(int datasetId) const;

    QString m_dir;
    PedesDatasetOptions m_options;
    int m_identities = 0;
    QJsonArray m_entries;
    // Of identities opened by addIdentity (by dataset id): the split, and images written so far.
    std::map<int, std::pair<QString, int>> m_added;
};

} // namespace descry
