#include "TorchDevice.h"

#include <torch/torch.h>

#include <dlfcn.h>
#include <malloc.h>

#include <mutex>

namespace descry {

namespace {

// Process-wide settings the networks need to run at speed on a few cores. Measured on ingest of
// vtest.avi with the NanoDet detector (3.3 analysed frames a second, 2 cores): 29-31 s as
// LibTorch leaves things, 16.6 s with both:
// - Debian's OpenBLAS (libopenblas0-pthread) runs its own thread pool, which
//   torch::set_num_threads does not reach; its idle thread spin-waits between the detector's
//   small matrix products (9 s of system time, a second core busy for nothing) while one BLAS
//   thread is as fast (59 vs 56 ms a frame). It is looked up at run time: another BLAS may be
//   the one installed.
// - glibc hands every freed block over 128 KB back to the kernel and page-faults it in again
//   for the next op's activations; blocks up to 32 MB (the most glibc allows) now stay in the heap,
//   and the heap keeps up to 128 MB of free memory at its top.
void setBlasThreads(int threads)
{
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(threads);
}

void tuneRuntime()
{
    setBlasThreads(1);
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
}

c10::Device chooseDevice()
{
    tuneRuntime();
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

void setComputeThreads(int threads)
{
    modelDevice(); // the process-wide settings first, once
    torch::set_num_threads(threads);
    setBlasThreads(threads);
}

QString torchErrorMessage(const c10::Error &error)
{
    return QString::fromUtf8(error.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0);
}

} // namespace descry
