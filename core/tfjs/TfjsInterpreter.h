#pragma once

#include "TfjsGraph.h"

#include <c10/core/Device.h>

namespace descry {

// Runs a TfjsGraph node by node with LibTorch ops, on the CPU or a CUDA device, with
// TensorFlow's semantics where they differ from PyTorch's: NHWC tensors, "SAME" padding that puts
// the odd pixel at the bottom/right, max-pool padding with -inf, the three ResizeBilinear
// coordinate conventions (half-pixel centres, aligned corners, and the legacy one with neither).
// Integer tensors are carried as int64. Only the nodes the requested outputs need are run.
// Not thread-safe: one owner thread.
class TfjsInterpreter {
public:
    explicit TfjsInterpreter(const TfjsGraph &graph, c10::Device device = c10::Device(c10::DeviceType::CPU));

    static bool knowsOp(const QString &op);

    // `feeds`: a tensor per placeholder (by node name, "input_1", or tensor name, "input_1:0"),
    // and optionally for Const nodes, which it then replaces in this run (a trainable copy of a
    // weight: gradients flow through every op to it);
    // `outputs`: tensor names ("Identity:0", or "node" for output 0). False with a message that
    // names the node and op when a node cannot run (a missing feed, a shape the op refuses).
    bool run(const std::map<QString, torch::Tensor> &feeds, const QStringList &outputs,
        std::vector<torch::Tensor> *out, QString *error);

private:
    const TfjsGraph &m_graph;
    c10::Device m_device;
    std::map<QString, torch::Tensor> m_constants; // weights moved to the device once
};

} // namespace descry
