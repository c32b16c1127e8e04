#pragma once

#include <QString>

namespace descry {

// "cpu" or "cuda:0 (<GPU name when known>)": the device every Descry network runs on (see
// modelDevice() in TorchDevice.h), for logs and benchmark files. Torch-free, so that command
// lines and the GUI can name the device without LibTorch's headers.
QString modelDeviceName();

} // namespace descry
