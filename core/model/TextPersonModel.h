#pragma once

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

// Crops arrive as OpenCV images, but the GUI includes this header: a declaration keeps OpenCV's
// headers out of every file that only holds a model (callers of encodeCrops include OpenCV).
namespace cv {
class Mat;
}

namespace descry {

// What a text-to-person model says about one person crop: joint-space features of every image
// scale, `items` rows of `dim` floats, row-major — row 0 the global feature, then the region
// stripes and the patch stripes, top to bottom. Stored in the gallery with the model's id.
struct VisualEmbedding {
    int items = 0;
    int dim = 0;
    std::vector<float> features;
    const float *global() const { return features.data(); }
};

// Which text scale a token is: the sentence [CLS], a sub-sentence [SUB], or a word piece.
enum class TextScale { Sentence, SubSentence, Word };

// A query as the model reads it: the L2-normalised global text feature for the coarse ranking,
// and every text item (sentence, sub-sentences, words) for the non-local re-scoring, with the
// tokens they stand for (for heatmap labels).
struct QueryEmbedding {
    QString text;
    int dim = 0;
    std::vector<float> global; // dim, unit length
    int items = 0;
    std::vector<float> itemFeatures; // items x dim
    QStringList tokens; // items
    std::vector<TextScale> scales; // items
    // Where each item came from, for explanations: the query's words (WordPieceTokenizer::
    // basicTokenize, punctuation included), per item the word it is a piece of (-1 for [CLS],
    // [SUB], [SEP]) and its sub-sentence (-1 for sentence-level items).
    QStringList words;
    std::vector<int> wordOf; // items
    std::vector<int> spanOf; // items
};

// The attention behind one query/crop score (NAFS 3.3): imageToText[a * textItems + b] is how
// much image item a attended to text item b, textToImage[b * imageItems + a] the other way.
struct AttentionMap {
    int imageItems = 0;
    int textItems = 0;
    std::vector<float> imageToText;
    std::vector<float> textToImage;
    // The per-item relevances both directions average into the local similarity (cosine of an
    // item with what it attended to; 0 for items that took no part). Empty when the model does
    // not report them (an older TorchScript module).
    std::vector<float> imageItemRelevance; // imageItems
    std::vector<float> textItemRelevance; // textItems
};

// Which image scales take part in the non-local alignment (the seed's scale ablation).
enum class ImageScaleSet { GlobalOnly, GlobalAndPatch, All };

// Descry's text-to-person model behind a torch-free interface, so the gallery, search and UI
// code never include LibTorch. Loads the shipped NAFS model (config JSON + weights + vocabulary)
// and runs it on modelDevice(). Not thread-safe: one owner thread (the model worker) uses it.
class TextPersonModel {
public:
    ~TextPersonModel();
    TextPersonModel(const TextPersonModel &) = delete;
    TextPersonModel &operator=(const TextPersonModel &) = delete;

    // `path`: a model config (models/<name>.json, with <name>.pt and <name>.vocab beside it), or a
    // TorchScript file (.ts) that follows Descry's model interface (NafsScript.h).
    // Every failure (missing files, damaged or mismatched weights, another model version)
    // returns null with a message that says what is wrong and what to do.
    static std::unique_ptr<TextPersonModel> load(const QString &path, QString *error);
    // The default model: $DESCRY_MODEL, else models/descry-nafs-p.json next to the executable's
    // install prefix or source tree (see ARCHITECTURE.md) when the perception package its trunk
    // starts from is installed, else models/descry-nafs-s.json; empty when none is found.
    static QString defaultModelPath();

    // "<name>@<first 12 hex digits of the weights' SHA-256>": what embeddings are stored under.
    QString id() const;
    // The model file it was loaded from (absolute): models/<name>.json or a .ts file. Files that
    // belong to the model sit beside it (ScoreCalibration::pathForModel).
    QString path() const;
    QString name() const;
    int embeddingSize() const;
    int imageItems() const;
    int regionStripes() const;
    int patchStripes() const;
    QString device() const;
    // How the weights' bytes were checked at load: "tensors SHA-256 <12 hex> matches the weights
    // file's record" (or the config's), or that nothing vouches for them (older files, TorchScript).
    QString weightsCheck() const;
    QString weightsDigest() const; // the tensors' SHA-256 (hex); empty for TorchScript

    // Person crops (BGR, any size), batched internally.
    std::vector<VisualEmbedding> encodeCrops(const std::vector<cv::Mat> &crops);
    std::vector<QueryEmbedding> encodeQueries(const QStringList &texts);
    QueryEmbedding encodeQuery(const QString &text);

    // NAFS's non-local similarity of the query with each crop (mean of both directions), in
    // [-1, 1]; the search score is global cosine + this. `maps` (optional) receives the attention
    // per crop.
    std::vector<float> localSimilarity(const QueryEmbedding &query, const std::vector<const VisualEmbedding *> &crops,
        ImageScaleSet scales = ImageScaleSet::All, std::vector<AttentionMap> *maps = nullptr);

    // Cosine of the query's global feature with a crop's global feature.
    static float globalCosine(const QueryEmbedding &query, const VisualEmbedding &crop);

    struct Impl;

private:
    explicit TextPersonModel(std::unique_ptr<Impl> impl);
    // Runs one blank crop and one text through the network and checks the shapes.
    bool selfCheck(QString *error);
    std::unique_ptr<Impl> d;
};

} // namespace descry
