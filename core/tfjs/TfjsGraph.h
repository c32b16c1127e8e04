#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <torch/types.h>

#include <map>
#include <memory>
#include <vector>

namespace descry {

// One node of a TensorFlow GraphDef as TensorFlow.js writes it (model.json "modelTopology").
struct TfjsNode {
    QString name;
    QString op;
    QStringList inputs; // "node" or "node:k" (k-th output); control inputs ("^node") dropped
    QJsonObject
        attr; // protobuf JSON: {"strides": {"list": {"i": ["1", ...]}}, "padding": {"s": base64}, ...}

    // Attribute readers (protobuf JSON encodes int64 as strings and bytes as base64).
    QString stringAttr(const QString &key, const QString &fallback = {}) const;
    int64_t intAttr(const QString &key, int64_t fallback = 0) const;
    double floatAttr(const QString &key, double fallback = 0) const;
    bool boolAttr(const QString &key, bool fallback = false) const;
    std::vector<int64_t> intListAttr(const QString &key) const;
};

// The files of one model and, when known, the SHA-256 each must have (hex); a file without an
// expected hash is not checked.
struct TfjsFiles {
    QString modelJson;
    std::map<QString, QString> sha256; // file name (as in the manifest, e.g. "nanodet.bin") -> hex
};

// A TensorFlow.js graph model ("format": "graph-model"): the graph's nodes and every weight as a
// float32 / int32 tensor on the CPU. Weights stored as float16 (the package's quantisation) are
// expanded to float32; affine uint8/uint16 quantisation is dequantised. Loading checks what it
// can before anything runs: every shard present, whole and of the expected hash, every weight's
// bytes accounted for, and every op of the graph known to the interpreter (TfjsInterpreter).
class TfjsGraph {
public:
    // Null with a message that names the file and what to do when anything is wrong.
    static std::unique_ptr<TfjsGraph> load(const TfjsFiles &files, QString *error);

    const std::vector<TfjsNode> &nodes() const { return m_nodes; }
    const TfjsNode *node(const QString &name) const;
    // The weight stored for a Const node, or null.
    const torch::Tensor *weight(const QString &name) const;
    // The signature's input and output tensor names ("input_1:0"), as the converter wrote them.
    QStringList inputNames() const { return m_inputs; }
    QStringList outputNames() const { return m_outputs; }
    QString path() const { return m_path; }

private:
    QString m_path;
    std::vector<TfjsNode> m_nodes;
    std::map<QString, std::size_t> m_index;
    std::map<QString, torch::Tensor> m_weights;
    QStringList m_inputs, m_outputs;
};

} // namespace descry
