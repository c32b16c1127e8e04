#include "TfjsInterpreter.h"

#include <QJsonArray>

#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace descry {

namespace {

using Tensors = std::vector<torch::Tensor>;
namespace F = torch::nn::functional;

// A refusal inside an op, turned into the run's error message with the node's name.
struct OpError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void require(bool ok, const char *what)
{
    if (!ok)
        throw OpError(what);
}

std::vector<int64_t> values(const torch::Tensor &t)
{
    const torch::Tensor c = t.to(torch::kCPU).to(torch::kLong).contiguous().reshape({ -1 });
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

int64_t axisOf(const torch::Tensor &axis, int64_t rank)
{
    const int64_t a = values(axis).at(0);
    return a < 0 ? a + rank : a;
}

// "NHWC" (TensorFlow's default) or "NCHW": where the spatial dimensions are.
bool isNchw(const TfjsNode &node)
{
    return node.stringAttr(QStringLiteral("data_format"), QStringLiteral("NHWC")) == QLatin1String("NCHW");
}

// Padding (before, after) of one spatial dimension for TensorFlow's "SAME": the output has
// ceil(in / stride) elements and the odd padded pixel goes after.
std::pair<int64_t, int64_t> samePadding(int64_t in, int64_t kernel, int64_t stride, int64_t dilation)
{
    const int64_t out = (in + stride - 1) / stride;
    const int64_t effective = (kernel - 1) * dilation + 1;
    const int64_t total = std::max<int64_t>(0, (out - 1) * stride + effective - in);
    return { total / 2, total - total / 2 };
}

// x in NCHW; pads H and W as the node's padding attribute says for this kernel.
torch::Tensor padSpatial(const torch::Tensor &x, const TfjsNode &node, int64_t kh, int64_t kw, int64_t sh,
    int64_t sw, int64_t dh, int64_t dw, double value)
{
    const QString padding = node.stringAttr(QStringLiteral("padding"));
    if (padding == QLatin1String("VALID"))
        return x;
    if (padding == QLatin1String("SAME")) {
        const auto [top, bottom] = samePadding(x.size(2), kh, sh, dh);
        const auto [left, right] = samePadding(x.size(3), kw, sw, dw);
        return torch::constant_pad_nd(x, { left, right, top, bottom }, value);
    }
    require(padding == QLatin1String("EXPLICIT"), "unknown padding");
    std::vector<int64_t> p = node.intListAttr(QStringLiteral("explicit_paddings")); // per dim (before, after)
    require(p.size() == 8, "explicit_paddings needs 8 values");
    const int h = isNchw(node) ? 2 : 1, w = isNchw(node) ? 3 : 2;
    return torch::constant_pad_nd(
        x, { p[size_t(2 * w)], p[size_t(2 * w + 1)], p[size_t(2 * h)], p[size_t(2 * h + 1)] }, value);
}

// Strides / dilations / ksize as (h, w) from a 4-value attribute in the node's data format.
std::pair<int64_t, int64_t> spatialPair(const TfjsNode &node, const QString &key)
{
    const std::vector<int64_t> v = node.intListAttr(key);
    if (v.size() != 4)
        return { 1, 1 };
    return isNchw(node) ? std::pair { v[2], v[3] } : std::pair { v[1], v[2] };
}

torch::Tensor toNchw(const torch::Tensor &x, const TfjsNode &node)
{
    return isNchw(node) ? x : x.permute({ 0, 3, 1, 2 });
}
torch::Tensor fromNchw(const torch::Tensor &x, const TfjsNode &node)
{
    return isNchw(node) ? x.contiguous() : x.permute({ 0, 2, 3, 1 }).contiguous();
}

// Conv2D (filter H, W, in, out) and DepthwiseConv2dNative (filter H, W, in, multiplier).
torch::Tensor convolution(
    const TfjsNode &node, const torch::Tensor &input, const torch::Tensor &filter, bool depthwise)
{
    require(input.dim() == 4 && filter.dim() == 4, "convolution needs 4-d input and filter");
    const auto [sh, sw] = spatialPair(node, QStringLiteral("strides"));
    const auto [dh, dw] = spatialPair(node, QStringLiteral("dilations"));
    const torch::Tensor x
        = padSpatial(toNchw(input, node), node, filter.size(0), filter.size(1), sh, sw, dh, dw, 0.0);
    torch::Tensor weight;
    int64_t groups = 1;
    if (depthwise) {
        groups = filter.size(2);
        weight = filter.permute({ 2, 3, 0, 1 })
                     .reshape({ filter.size(2) * filter.size(3), 1, filter.size(0), filter.size(1) });
    } else {
        weight = filter.permute({ 3, 2, 0, 1 });
    }
    const std::vector<int64_t> stride { sh, sw }, padding { 0, 0 }, dilation { dh, dw };
    const torch::Tensor y
        = torch::conv2d(x, weight.contiguous(), torch::Tensor(), stride, padding, dilation, groups);
    return fromNchw(y, node);
}

// What grappler folded into _FusedConv2D / FusedDepthwiseConv2dNative after the convolution.
torch::Tensor applyFusedOps(const TfjsNode &node, torch::Tensor y, const Tensors &args)
{
    QStringList fused;
    for (const QJsonValue &s : node.attr.value(QStringLiteral("fused_ops"))
                                   .toObject()
                                   .value(QStringLiteral("list"))
                                   .toObject()
                                   .value(QStringLiteral("s"))
                                   .toArray())
        fused << QString::fromUtf8(QByteArray::fromBase64(s.toString().toLatin1()));
    std::size_t next = 0;
    for (const QString &op : fused) {
        if (op == QLatin1String("BiasAdd")) {
            require(next < args.size(), "BiasAdd without its bias");
            const torch::Tensor bias = args[next++];
            y = isNchw(node) ? y + bias.reshape({ 1, -1, 1, 1 }) : y + bias;
        } else if (op == QLatin1String("Relu")) {
            y = torch::relu(y);
        } else if (op == QLatin1String("Relu6")) {
            y = torch::clamp(y, 0, 6);
        } else if (op == QLatin1String("LeakyRelu")) {
            y = F::leaky_relu(y,
                F::LeakyReLUFuncOptions().negative_slope(
                    node.floatAttr(QStringLiteral("leakyrelu_alpha"), 0.2)));
        } else if (op == QLatin1String("Elu")) {
            y = torch::elu(y);
        } else {
            throw OpError(("unknown fused op " + op.toStdString()).c_str());
        }
    }
    return y;
}

// One spatial axis of a bilinear resize: source indices below/above and the weight of "above".
struct ResizeAxis {
    torch::Tensor lower, upper, weight;
};

ResizeAxis resizeAxis(int64_t in, int64_t out, bool alignCorners, bool halfPixel, const c10::Device &device)
{
    const double scale
        = (alignCorners && out > 1) ? double(in - 1) / double(out - 1) : double(in) / double(out);
    const auto n = static_cast<std::size_t>(out);
    std::vector<int64_t> lo(n), hi(n);
    std::vector<float> w(n);
    for (int64_t i = 0; i < out; ++i) {
        const double src = halfPixel ? (double(i) + 0.5) * scale - 0.5 : double(i) * scale;
        const double floor = std::floor(src);
        lo[size_t(i)] = std::clamp<int64_t>(int64_t(floor), 0, in - 1);
        hi[size_t(i)] = std::clamp<int64_t>(int64_t(std::ceil(src)), 0, in - 1);
        w[size_t(i)] = float(src - floor);
    }
    auto longs = [&](const std::vector<int64_t> &v) { return torch::tensor(v, torch::kLong).to(device); };
    return { longs(lo), longs(hi), torch::tensor(w, torch::kFloat32).to(device) };
}

// ResizeBilinear on NHWC with TensorFlow's coordinate conventions.
torch::Tensor resizeBilinear(const TfjsNode &node, const torch::Tensor &x, const torch::Tensor &size)
{
    const std::vector<int64_t> hw = values(size);
    require(x.dim() == 4 && hw.size() == 2, "ResizeBilinear needs NHWC input and a 2-value size");
    const bool align = node.boolAttr(QStringLiteral("align_corners"));
    const bool half = node.boolAttr(QStringLiteral("half_pixel_centers"));
    const torch::Tensor xf = x.to(torch::kFloat32);
    const ResizeAxis h = resizeAxis(x.size(1), hw[0], align, half, x.device());
    const ResizeAxis w = resizeAxis(x.size(2), hw[1], align, half, x.device());
    const torch::Tensor wh = h.weight.reshape({ 1, -1, 1, 1 });
    const torch::Tensor rows = xf.index_select(1, h.lower) * (1 - wh) + xf.index_select(1, h.upper) * wh;
    const torch::Tensor ww = w.weight.reshape({ 1, 1, -1, 1 });
    return rows.index_select(2, w.lower) * (1 - ww) + rows.index_select(2, w.upper) * ww;
}

torch::Tensor maxPool(const TfjsNode &node, const torch::Tensor &input)
{
    const auto [kh, kw] = spatialPair(node, QStringLiteral("ksize"));
    const auto [sh, sw] = spatialPair(node, QStringLiteral("strides"));
    const torch::Tensor x = padSpatial(
        toNchw(input, node), node, kh, kw, sh, sw, 1, 1, -std::numeric_limits<double>::infinity());
    return fromNchw(torch::max_pool2d(x, { kh, kw }, { sh, sw }), node);
}

torch::Tensor pad(const torch::Tensor &x, const torch::Tensor &paddings, double value)
{
    const std::vector<int64_t> p = values(paddings);
    require(int64_t(p.size()) == 2 * x.dim(), "paddings need (before, after) per dimension");
    std::vector<int64_t> reversed; // constant_pad_nd: last dimension first
    for (int64_t d = x.dim() - 1; d >= 0; --d) {
        reversed.push_back(p[size_t(2 * d)]);
        reversed.push_back(p[size_t(2 * d + 1)]);
    }
    return torch::constant_pad_nd(x, reversed, value);
}

torch::ScalarType dtypeOf(const QString &type)
{
    if (type == QLatin1String("DT_FLOAT") || type == QLatin1String("DT_HALF")
        || type == QLatin1String("DT_DOUBLE"))
        return torch::kFloat32;
    if (type == QLatin1String("DT_BOOL"))
        return torch::kBool;
    return torch::kLong; // every integer type
}

QString typeAttr(const TfjsNode &node, const QString &key)
{
    return node.attr.value(key).toObject().value(QStringLiteral("type")).toString();
}

// TensorFlow's index tensors (..., depth): the last dimension names a position in the first
// `depth` dimensions, as GatherNd and SparseToDense read it.
std::vector<torch::indexing::TensorIndex> indexTuple(const torch::Tensor &indices)
{
    const torch::Tensor longs = indices.to(torch::kLong);
    std::vector<torch::indexing::TensorIndex> index;
    // Room for all of them first: LibTorch 1.13's TensorIndex leaves its bool member unset when it
    // holds a tensor, so moving one (a vector growing) reads an indeterminate bool, which
    // UndefinedBehaviorSanitizer reports (scripts/run-sanitizers.sh).
    index.reserve(size_t(longs.size(-1)));
    for (int64_t d = 0; d < longs.size(-1); ++d)
        index.emplace_back(longs.select(-1, d));
    return index;
}

using Kernel = std::function<Tensors(const TfjsNode &, const Tensors &)>;

Tensors one(const torch::Tensor &t)
{
    return { t };
}

const std::map<QString, Kernel> &kernels()
{
    static const std::map<QString, Kernel> table = [] {
        std::map<QString, Kernel> k;
        auto binary = [&](const char *name,
                          std::function<torch::Tensor(const torch::Tensor &, const torch::Tensor &)> f) {
            k[QString::fromLatin1(name)] = [f](const TfjsNode &, const Tensors &in) {
                require(in.size() == 2, "needs two inputs");
                return one(f(in[0], in[1]));
            };
        };
        auto unary = [&](const char *name, std::function<torch::Tensor(const torch::Tensor &)> f) {
            k[QString::fromLatin1(name)] = [f](const TfjsNode &, const Tensors &in) {
                require(!in.empty(), "needs an input");
                return one(f(in[0]));
            };
        };
        binary("Add", [](const auto &a, const auto &b) { return a + b; });
        binary("AddV2", [](const auto &a, const auto &b) { return a + b; });
        binary("BiasAdd", [](const auto &a, const auto &b) { return a + b; });
        binary("Sub", [](const auto &a, const auto &b) { return a - b; });
        binary("Mul", [](const auto &a, const auto &b) { return a * b; });
        binary("RealDiv",
            [](const auto &a, const auto &b) { return a.to(torch::kFloat32) / b.to(torch::kFloat32); });
        binary("FloorDiv", [](const auto &a, const auto &b) { return torch::div(a, b, "floor"); });
        binary("Maximum", [](const auto &a, const auto &b) { return torch::maximum(a, b); });
        binary("Minimum", [](const auto &a, const auto &b) { return torch::minimum(a, b); });
        binary("SquaredDifference", [](const auto &a, const auto &b) { return (a - b) * (a - b); });
        unary("Identity", [](const auto &a) { return a; });
        unary("Sigmoid", [](const auto &a) { return torch::sigmoid(a); });
        unary("Relu", [](const auto &a) { return torch::relu(a); });
        unary("Relu6", [](const auto &a) { return torch::clamp(a, 0, 6); });
        unary("Tanh", [](const auto &a) { return torch::tanh(a); });
        unary("Sqrt", [](const auto &a) { return torch::sqrt(a); });
        unary("Exp", [](const auto &a) { return torch::exp(a); });
        unary("Neg", [](const auto &a) { return -a; });
        k[QStringLiteral("LeakyRelu")] = [](const TfjsNode &n, const Tensors &in) {
            return one(F::leaky_relu(in.at(0),
                F::LeakyReLUFuncOptions().negative_slope(n.floatAttr(QStringLiteral("alpha"), 0.2))));
        };
        k[QStringLiteral("Cast")] = [](const TfjsNode &n, const Tensors &in) {
            return one(in.at(0).to(dtypeOf(typeAttr(n, QStringLiteral("DstT")))));
        };
        k[QStringLiteral("Transpose")] = [](const TfjsNode &, const Tensors &in) {
            return one(in.at(0).permute(values(in.at(1))).contiguous());
        };
        k[QStringLiteral("Reshape")]
            = [](const TfjsNode &, const Tensors &in) { return one(in.at(0).reshape(values(in.at(1)))); };
        k[QStringLiteral("ExpandDims")] = [](const TfjsNode &, const Tensors &in) {
            return one(in.at(0).unsqueeze(axisOf(in.at(1), in.at(0).dim() + 1)));
        };
        k[QStringLiteral("Squeeze")] = [](const TfjsNode &n, const Tensors &in) {
            std::vector<int64_t> dims = n.intListAttr(QStringLiteral("squeeze_dims"));
            torch::Tensor x = in.at(0);
            if (dims.empty())
                return one(x.squeeze());
            for (int64_t &d : dims)
                d = d < 0 ? d + x.dim() : d;
            std::sort(dims.rbegin(), dims.rend());
            for (int64_t d : dims)
                x = x.squeeze(d);
            return one(x);
        };
        k[QStringLiteral("ConcatV2")] = [](const TfjsNode &, const Tensors &in) {
            require(in.size() >= 2, "ConcatV2 needs inputs and an axis");
            const Tensors parts(in.begin(), in.end() - 1);
            return one(torch::cat(parts, axisOf(in.back(), parts.front().dim())));
        };
        k[QStringLiteral("Pack")] = [](const TfjsNode &n, const Tensors &in) {
            const int64_t axis = n.intAttr(QStringLiteral("axis"));
            return one(torch::stack(in, axis < 0 ? axis + in.at(0).dim() + 1 : axis));
        };
        k[QStringLiteral("Unpack")] = [](const TfjsNode &n, const Tensors &in) {
            const int64_t axis = n.intAttr(QStringLiteral("axis"));
            return in.at(0).unbind(axis < 0 ? axis + in.at(0).dim() : axis);
        };
        k[QStringLiteral("SplitV")] = [](const TfjsNode &, const Tensors &in) {
            const torch::Tensor &x = in.at(0);
            const int64_t axis = axisOf(in.at(2), x.dim());
            std::vector<int64_t> sizes = values(in.at(1));
            int64_t known = 0, unknown = -1;
            for (std::size_t i = 0; i < sizes.size(); ++i)
                sizes[i] < 0 ? unknown = int64_t(i) : known += sizes[i];
            if (unknown >= 0)
                sizes[size_t(unknown)] = x.size(axis) - known;
            return x.split_with_sizes(sizes, axis);
        };
        k[QStringLiteral("Split")] = [](const TfjsNode &n, const Tensors &in) {
            const torch::Tensor &x = in.at(1);
            const int64_t axis = axisOf(in.at(0), x.dim());
            return x.split(x.size(axis) / n.intAttr(QStringLiteral("num_split"), 1), axis);
        };
        k[QStringLiteral("Pad")]
            = [](const TfjsNode &, const Tensors &in) { return one(pad(in.at(0), in.at(1), 0.0)); };
        k[QStringLiteral("PadV2")] = [](const TfjsNode &, const Tensors &in) {
            return one(pad(in.at(0), in.at(1), in.at(2).to(torch::kCPU).item<double>()));
        };
        k[QStringLiteral("Conv2D")] = [](const TfjsNode &n, const Tensors &in) {
            return one(convolution(n, in.at(0), in.at(1), false));
        };
        k[QStringLiteral("DepthwiseConv2dNative")] = [](const TfjsNode &n, const Tensors &in) {
            return one(convolution(n, in.at(0), in.at(1), true));
        };
        k[QStringLiteral("_FusedConv2D")] = [](const TfjsNode &n, const Tensors &in) {
            return one(applyFusedOps(
                n, convolution(n, in.at(0), in.at(1), false), Tensors(in.begin() + 2, in.end())));
        };
        k[QStringLiteral("FusedDepthwiseConv2dNative")] = [](const TfjsNode &n, const Tensors &in) {
            return one(applyFusedOps(
                n, convolution(n, in.at(0), in.at(1), true), Tensors(in.begin() + 2, in.end())));
        };
        k[QStringLiteral("MaxPool")]
            = [](const TfjsNode &n, const Tensors &in) { return one(maxPool(n, in.at(0))); };
        k[QStringLiteral("ResizeBilinear")]
            = [](const TfjsNode &n, const Tensors &in) { return one(resizeBilinear(n, in.at(0), in.at(1))); };
        k[QStringLiteral("ArgMax")] = [](const TfjsNode &, const Tensors &in) {
            return one(in.at(0).argmax(axisOf(in.at(1), in.at(0).dim())));
        };
        k[QStringLiteral("GatherNd")]
            = [](const TfjsNode &, const Tensors &in) { return one(in.at(0).index(indexTuple(in.at(1)))); };
        k[QStringLiteral("SparseToDense")] = [](const TfjsNode &, const Tensors &in) {
            const torch::Tensor &values_ = in.at(2);
            torch::Tensor dense = torch::full(values(in.at(1)), in.at(3).to(torch::kCPU).item(),
                torch::TensorOptions().dtype(values_.scalar_type()).device(values_.device()));
            const torch::Tensor &indices = in.at(0);
            if (indices.numel() > 0)
                dense.index_put_(indexTuple(indices), values_.expand({ indices.size(0) }));
            return one(dense);
        };
        return k;
    }();
    return table;
}

// "node:2" -> ("node", 2); "node" -> ("node", 0).
std::pair<QString, int> splitTensorName(const QString &name)
{
    const int colon = name.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const int index = colon > 0 ? name.mid(colon + 1).toInt(&ok) : 0;
    return ok ? std::pair { name.left(colon), index } : std::pair { name, 0 };
}

} // namespace

TfjsInterpreter::TfjsInterpreter(const TfjsGraph &graph, c10::Device device)
    : m_graph(graph)
    , m_device(device)
{ }

bool TfjsInterpreter::knowsOp(const QString &op)
{
    return op == QLatin1String("Const") || op == QLatin1String("Placeholder") || kernels().count(op) > 0;
}

bool TfjsInterpreter::run(
    const std::map<QString, torch::Tensor> &feeds, const QStringList &outputs, Tensors *out, QString *error)
{
    std::map<QString, Tensors> done;
    std::map<QString, torch::Tensor> fed;
    for (const auto &[name, tensor] : feeds)
        fed[splitTensorName(name).first] = tensor.to(m_device);
    QString failure;
    // Depth-first from the outputs; the graph is acyclic (no control flow in these models).
    std::function<const Tensors *(const QString &)> evaluate = [&](const QString &name) -> const Tensors * {
        if (const auto it = done.find(name); it != done.end())
            return &it->second;
        const TfjsNode *node = m_graph.node(name);
        if (!node) {
            failure = QStringLiteral("no node %1 in the graph").arg(name);
            return nullptr;
        }
        Tensors result;
        if (node->op == QLatin1String("Placeholder")) {
            const auto it = fed.find(name);
            if (it == fed.end()) {
                failure = QStringLiteral("input %1 was not given").arg(name);
                return nullptr;
            }
            result = { it->second };
        } else if (node->op == QLatin1String("Const")) {
            if (const auto given = fed.find(name); given != fed.end()) {
                result = { given->second };
                return &done.emplace(name, std::move(result)).first->second;
            }
            auto it = m_constants.find(name);
            if (it == m_constants.end()) {
                torch::Tensor value = *m_graph.weight(name);
                if (value.scalar_type() == torch::kInt32)
                    value = value.to(torch::kLong);
                it = m_constants.emplace(name, value.to(m_device)).first;
            }
            result = { it->second };
        } else {
            Tensors inputs;
            for (const QString &input : node->inputs) {
                const auto [source, index] = splitTensorName(input);
                const Tensors *values = evaluate(source);
                if (!values)
                    return nullptr;
                if (index >= int(values->size())) {
                    failure = QStringLiteral("%1 (%2) asks for output %3 of %4, which has %5")
                                  .arg(name, node->op, QString::number(index), source,
                                      QString::number(values->size()));
                    return nullptr;
                }
                inputs.push_back((*values)[size_t(index)]);
            }
            try {
                result = kernels().at(node->op)(*node, inputs);
            } catch (const std::exception &e) {
                failure
                    = QStringLiteral("%1 (%2) failed: %3")
                          .arg(name, node->op, QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0));
                return nullptr;
            }
        }
        return &done.emplace(name, std::move(result)).first->second;
    };
    out->clear();
    for (const QString &output : outputs) {
        const auto [source, index] = splitTensorName(output);
        const Tensors *values = evaluate(source);
        if (!values || index >= int(values->size())) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(
                    m_graph.path(), failure.isEmpty() ? QStringLiteral("no output %1").arg(output) : failure);
            return false;
        }
        out->push_back((*values)[size_t(index)]);
    }
    return true;
}

} // namespace descry
