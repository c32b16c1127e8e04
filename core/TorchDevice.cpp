#include "TorchDevice.h"

#include <QThread>

#include <torch/torch.h>

#include <mutex>

namespace descry {

namespace {

c10::Device chooseDevice()
{
    bool ok = false;
    int threads = qEnvironmentVariableIntValue("DESCRY_THREADS", &ok);
    if (!ok || threads < 1)
        threads = std::max(1, QThread::idealThreadCount());
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

} // namespace descry
