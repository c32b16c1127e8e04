#include "TfjsGraph.h"

#include "TfjsInterpreter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <torch/torch.h>

#include <cstring>
#include <set>

namespace descry {

namespace {

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

int64_t jsonInt(const QJsonValue &v)
{
    return v.isString() ? v.toString().toLongLong() : static_cast<int64_t>(v.toDouble());
}

// The bytes one element takes in the shard and how it becomes a tensor.
struct StoredType {
    QString dtype; // float32, float16, int32, uint8, uint16, bool
    int bytes = 0;
};

bool storedType(const QJsonObject &weight, StoredType *out)
{
    const QJsonObject q = weight.value(QStringLiteral("quantization")).toObject();
    out->dtype = q.isEmpty() ? weight.value(QStringLiteral("dtype")).toString()
                             : q.value(QStringLiteral("dtype")).toString();
    static const std::map<QString, int> sizes { { QStringLiteral("float32"), 4 },
        { QStringLiteral("int32"), 4 }, { QStringLiteral("float16"), 2 }, { QStringLiteral("uint16"), 2 },
        { QStringLiteral("uint8"), 1 }, { QStringLiteral("bool"), 1 } };
    const auto it = sizes.find(out->dtype);
    if (it == sizes.end())
        return false;
    out->bytes = it->second;
    return true;
}

torch::Tensor decodeWeight(const char *data, int64_t count, const StoredType &type, const QJsonObject &weight,
    const std::vector<int64_t> &shape)
{
    auto raw = [&](torch::ScalarType t) {
        return torch::from_blob(const_cast<char *>(data), { count }, t).clone();
    };
    torch::Tensor flat;
    if (type.dtype == QLatin1String("float32"))
        flat = raw(torch::kFloat32);
    else if (type.dtype == QLatin1String("int32"))
        flat = raw(torch::kInt32);
    else if (type.dtype == QLatin1String("float16"))
        flat = raw(torch::kFloat16).to(torch::kFloat32);
    else if (type.dtype == QLatin1String("bool"))
        flat = raw(torch::kUInt8).to(torch::kBool);
    else { // affine quantisation: value = q * scale + min
        const QJsonObject q = weight.value(QStringLiteral("quantization")).toObject();
        const torch::Tensor codes = type.dtype == QLatin1String("uint8")
            ? raw(torch::kUInt8).to(torch::kFloat32)
            : raw(torch::kInt16).to(torch::kInt32).bitwise_and(0xffff).to(torch::kFloat32);
        flat
            = codes * q.value(QStringLiteral("scale")).toDouble() + q.value(QStringLiteral("min")).toDouble();
        if (weight.value(QStringLiteral("dtype")).toString() == QLatin1String("int32"))
            flat = flat.round().to(torch::kInt32);
    }
    return flat.reshape(shape);
}

} // namespace

QString TfjsNode::stringAttr(const QString &key, const QString &fallback) const
{
    const QJsonValue v = attr.value(key).toObject().value(QStringLiteral("s"));
    return v.isUndefined() ? fallback : QString::fromUtf8(QByteArray::fromBase64(v.toString().toLatin1()));
}

int64_t TfjsNode::intAttr(const QString &key, int64_t fallback) const
{
    const QJsonValue v = attr.value(key).toObject().value(QStringLiteral("i"));
    return v.isUndefined() ? fallback : jsonInt(v);
}

double TfjsNode::floatAttr(const QString &key, double fallback) const
{
    const QJsonValue v = attr.value(key).toObject().value(QStringLiteral("f"));
    return v.isUndefined() ? fallback : v.toDouble();
}

bool TfjsNode::boolAttr(const QString &key, bool fallback) const
{
    const QJsonValue v = attr.value(key).toObject().value(QStringLiteral("b"));
    return v.isUndefined() ? fallback : v.toBool();
}

std::vector<int64_t> TfjsNode::intListAttr(const QString &key) const
{
    std::vector<int64_t> out;
    for (const QJsonValue &v : attr.value(key)
                                   .toObject()
                                   .value(QStringLiteral("list"))
                                   .toObject()
                                   .value(QStringLiteral("i"))
                                   .toArray())
        out.push_back(jsonInt(v));
    return out;
}

const TfjsNode *TfjsGraph::node(const QString &name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

const torch::Tensor *TfjsGraph::weight(const QString &name) const
{
    const auto it = m_weights.find(name);
    return it == m_weights.end() ? nullptr : &it->second;
}

std::unique_ptr<TfjsGraph> TfjsGraph::load(const TfjsFiles &files, QString *error)
{
    auto bad = [&](const QString &why) {
        fail(error, QStringLiteral("%1: %2").arg(files.modelJson, why));
        return nullptr;
    };
    const QString reinstall
        = QStringLiteral("reinstall the perception models (scripts/fetch-perception-models.sh)");
    QFile file(files.modelJson);
    if (!file.open(QIODevice::ReadOnly))
        return bad(QStringLiteral("cannot read it (%1); %2").arg(file.errorString(), reinstall));
    const QByteArray json = file.readAll();
    const QDir dir = QFileInfo(files.modelJson).dir();
    auto hashMatches = [&](const QString &name, const QByteArray &bytes) {
        const auto expected = files.sha256.find(name);
        return expected == files.sha256.end()
            || QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()
            == expected->second.toLatin1();
    };
    if (!hashMatches(QFileInfo(files.modelJson).fileName(), json))
        return bad(QStringLiteral("its SHA-256 is not the pinned one (a changed or damaged file); %1")
                       .arg(reinstall));
    QJsonParseError parseError;
    const QJsonObject root = QJsonDocument::fromJson(json, &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return bad(QStringLiteral("not JSON (%1 at byte %2): a truncated or damaged file; %3")
                       .arg(parseError.errorString())
                       .arg(parseError.offset)
                       .arg(reinstall));
    if (root.value(QStringLiteral("format")).toString() != QLatin1String("graph-model"))
        return bad(QStringLiteral("not a TensorFlow.js graph model (\"format\" is \"%1\")")
                       .arg(root.value(QStringLiteral("format")).toString()));

    auto graph = std::unique_ptr<TfjsGraph>(new TfjsGraph);
    graph->m_path = files.modelJson;
    std::set<QString> unknownOps;
    for (const QJsonValue &v :
        root.value(QStringLiteral("modelTopology")).toObject().value(QStringLiteral("node")).toArray()) {
        const QJsonObject o = v.toObject();
        TfjsNode n { o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("op")).toString(), {},
            o.value(QStringLiteral("attr")).toObject() };
        for (const QJsonValue &in : o.value(QStringLiteral("input")).toArray())
            if (!in.toString().startsWith(QLatin1Char('^')))
                n.inputs << in.toString();
        if (!TfjsInterpreter::knowsOp(n.op))
            unknownOps.insert(n.op);
        graph->m_index[n.name] = graph->m_nodes.size();
        graph->m_nodes.push_back(std::move(n));
    }
    if (graph->m_nodes.empty())
        return bad(QStringLiteral("the graph has no nodes"));
    if (!unknownOps.empty())
        return bad(QStringLiteral("the graph uses ops Descry's interpreter does not know: %1")
                       .arg(QStringList(unknownOps.begin(), unknownOps.end()).join(QStringLiteral(", "))));
    const QJsonObject signature = root.value(QStringLiteral("signature")).toObject();
    graph->m_inputs = signature.value(QStringLiteral("inputs")).toObject().keys();
    graph->m_outputs = signature.value(QStringLiteral("outputs")).toObject().keys();

    for (const QJsonValue &g : root.value(QStringLiteral("weightsManifest")).toArray()) {
        const QJsonObject group = g.toObject();
        QByteArray bytes;
        for (const QJsonValue &p : group.value(QStringLiteral("paths")).toArray()) {
            QFile shard(dir.filePath(p.toString()));
            if (!shard.open(QIODevice::ReadOnly))
                return bad(QStringLiteral("its weight shard %1 is missing or unreadable (%2); %3")
                               .arg(p.toString(), shard.errorString(), reinstall));
            const QByteArray part = shard.readAll();
            if (!hashMatches(p.toString(), part))
                return bad(QStringLiteral(
                    "the weight shard %1 does not have the pinned SHA-256 (a changed or damaged file); %2")
                               .arg(p.toString(), reinstall));
            bytes += part;
        }
        int64_t offset = 0;
        for (const QJsonValue &w : group.value(QStringLiteral("weights")).toArray()) {
            const QJsonObject weight = w.toObject();
            const QString name = weight.value(QStringLiteral("name")).toString();
            std::vector<int64_t> shape;
            int64_t count = 1;
            for (const QJsonValue &d : weight.value(QStringLiteral("shape")).toArray()) {
                shape.push_back(jsonInt(d));
                count *= shape.back();
            }
            StoredType type;
            if (!storedType(weight, &type))
                return bad(QStringLiteral("weight %1 has a storage type Descry cannot read (%2)")
                               .arg(name, weight.value(QStringLiteral("dtype")).toString()));
            const int64_t size = count * type.bytes;
            if (offset + size > bytes.size())
                return bad(QStringLiteral(
                    "its weight shards are truncated: %1 bytes, the manifest needs more than %2 "
                    "(at weight %3); %4")
                               .arg(bytes.size())
                               .arg(offset + size - 1)
                               .arg(name, reinstall));
            graph->m_weights[name] = decodeWeight(bytes.constData() + offset, count, type, weight, shape);
            offset += size;
        }
        if (offset != bytes.size())
            return bad(QStringLiteral("its weight shards hold %1 bytes but the manifest accounts for %2; %3")
                           .arg(bytes.size())
                           .arg(offset)
                           .arg(reinstall));
    }
    for (const TfjsNode &n : graph->m_nodes)
        if (n.op == QLatin1String("Const") && !graph->weight(n.name))
            return bad(QStringLiteral("constant %1 has no stored value in the weights manifest").arg(n.name));
    return graph;
}

} // namespace descry
