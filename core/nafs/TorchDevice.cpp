#include "TorchDevice.h"

#include <torch/torch.h>

#include <mutex>

namespace descry {

namespace {

c10::Device chooseDevice()
{
    // One intra-op thread unless DESCRY_THREADS says otherwise: the product's inference is
    // either a query (one text, a few hundred candidates) or a checkpoint's worth of crops,
    // while ingest, search and the GUI share the cores. Measured on 2 busy cores, 100k-tracklet
    // gallery: query p50 20 ms with one thread, 74-98 ms with two (OpenMP threads spin waiting
    // for a core); ingest of vtest.avi with the model 7.1-7.5 s with one, 13-14 s with two.
    // Training sets its own thread count (training.threads).
    bool ok = false;
    int threads = qEnvironmentVariableIntValue("DESCRY_THREADS", &ok);
    if (!ok || threads < 1)
        threads = 1;
    torch::set_num_threads(threads);
    const QByteArray forced = qgetenv("DESCRY_DEVICE").toLower();
    if (forced != "cpu" && torch::cuda::is_available())
        return c10::Device(c10::DeviceType::CUDA, 0);
    return c10::Device(c10::DeviceType::CPU);
}

} // namespace

c10::Device modelDevice()
{
    static std::once_flag once;
    static c10::Device device(c10::DeviceType::CPU);
    std::call_once(once, [] { device = chooseDevice(); });
    return device;
}

QString modelDeviceName()
{
    const c10::Device device = modelDevice();
    if (device.is_cuda())
        return QStringLiteral("cuda:%1").arg(device.index());
    return QStringLiteral("cpu (%1 threads)").arg(torch::get_num_threads());
}

QString torchErrorMessage(const c10::Error &error)
{
    return QString::fromUtf8(error.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
}

} // namespace descry
