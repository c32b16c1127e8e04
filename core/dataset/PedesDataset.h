#pragma once

#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <vector>

namespace descry {

// One image of a text-based person search dataset with its descriptions.
struct PedesSample {
    int identity = 0; // the person id as written in the dataset file
    QString imagePath; // absolute
    QStringList captions; // may be empty (an image used only as a gallery entry)
    QString split; // as written in the file: "train", "val" or "test" in the known datasets
    // 0 .. identityCount(split) - 1: the identity's rank of first appearance within its split,
    // so classification heads get contiguous labels whatever the dataset's ids are.
    int label = -1;
};

// Reads the annotation file of a text-based person search dataset in any of the layouts that
// published models train on, so that real datasets and Descry's synthetic ones (descry-cli
// synth, PedesDatasetWriter) go through the same commands:
//  - CUHK-PEDES: DIR/reid_raw.json (or DIR/caption_all.json), a JSON array of
//    {"id": int, "file_path": "rel/path.jpg", "captions": [...], "split": "train"|"val"|"test"}
//  - ICFG-PEDES: DIR/ICFG-PEDES.json, the same fields (splits "train" and "test")
//  - RSTPReid: DIR/data_captions.json, {"id", "img_path", "captions", "split"}
// Images are under DIR/imgs/ in all three. Other keys of an entry are ignored. Samples keep the
// file's order, so everything derived from them is deterministic.
class PedesDataset {
public:
    // Annotation file names looked for in a dataset folder, in this order.
    static QStringList knownJsonFiles();

    // `dirOrJson`: the dataset folder (the layout is detected from the annotation file found
    // there) or the annotation file itself (images in imgs/ next to it; a file of another name
    // is read as CUHK-PEDES when its entries have "file_path", as RSTPReid with "img_path").
    // Replaces what was loaded before; on failure the dataset is left empty. Image files are
    // not opened here (see verify()).
    bool load(const QString &dirOrJson, QString *error);

    // "CUHK-PEDES", "ICFG-PEDES" or "RSTPReid"; empty before a successful load().
    QString format() const { return m_format; }
    QString jsonPath() const { return m_jsonPath; }
    QString imageDir() const { return m_imageDir; }

    const std::vector<PedesSample> &samples() const { return m_samples; }
    // The samples of one split, in file order.
    std::vector<PedesSample> samples(const QString &split) const;
    // Indices into samples() of one split's samples, in file order.
    std::vector<int> indices(const QString &split) const;
    // The splits present, in order of first appearance.
    QStringList splits() const;
    // Distinct identities in `split`, or in the whole dataset when `split` is empty.
    int identityCount(const QString &split = {}) const;
    // Captions over the samples of `split` (all samples when empty).
    int captionCount(const QString &split = {}) const;
    // samples()[sampleIndex].label, or -1 when the index is out of range.
    int label(int sampleIndex) const;

    // Checks that every image file exists and is not empty (no decoding). Returns false with
    // the number of missing files and the first few of them named in `error`.
    bool verify(QString *error, int *missingCount = nullptr) const;

private:
    QString m_format;
    QString m_jsonPath;
    QString m_imageDir;
    std::vector<PedesSample> m_samples;
};

// Reads an image file (JPEG, PNG, ... as the datasets ship them) and resizes it to exactly
// `height` x `width` pixels, ignoring the aspect ratio as text-to-person models do (their
// inputs are person crops already close to 3:1). Returns a BGR CV_8UC3 image, or an empty Mat
// with `error` set when the file is missing or cannot be decoded.
cv::Mat loadPersonImage(const QString &path, int height, int width, QString *error);

} // namespace descry
