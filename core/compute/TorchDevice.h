#pragma once

#include "ModelDevice.h"

#include <QString>

#include <c10/core/Device.h>
#include <c10/util/Exception.h>

namespace descry {

// The device every Descry network runs on, chosen once per process: CUDA when this LibTorch
// build supports it and a GPU is present (unless DESCRY_DEVICE=cpu), else the CPU. The first
// call also sets LibTorch's intra-op threads: DESCRY_THREADS, default 1 (measured: see
// TorchDevice.cpp; the trainer uses its config's thread count), OpenBLAS's to 1 and glibc's malloc
// to keep activation-sized blocks (tuneRuntime() in TorchDevice.cpp: ingest with the CNN detector
// 1.8x faster).
c10::Device modelDevice();
// LibTorch's and OpenBLAS's threads, for work that has the cores to itself (training).
void setComputeThreads(int threads);
// The first line of a LibTorch error (the rest is a C++ stack trace), for messages to users.
QString torchErrorMessage(const c10::Error &error);

} // namespace descry
