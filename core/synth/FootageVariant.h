#pragma once

#include <QString>

#include <functional>

namespace descry {

// Footage for benchmarks made from a real clip, for the cases no clip here shows: a camera that
// pans, a wide view in which the same people are small in a large frame, a high-resolution camera.
// The people stay real; only the camera is simulated.
struct FootageVariantOptions {
    enum class Kind {
        Pan, // a window of `panWindow` of the frame sweeps from the top left to the bottom right and back,
             // once
        Mosaic, // `mosaic` x `mosaic` copies side by side, copy k starting k / mosaic^2 into the clip
                // (wrapping)
        Scale, // every frame resized by `scale`
    };
    Kind kind = Kind::Pan;
    double panWindow = 2.0 / 3.0;
    int mosaic = 2;
    double scale = 2.5;
    QString validate() const; // empty when valid, else what is wrong
};

// Writes the variant of `input` to `output` (MJPG in AVI, the input's frame rate, every frame).
// `progress` gets the fraction done now and then. False with `error` saying why.
bool writeFootageVariant(const QString &input, const QString &output, const FootageVariantOptions &options,
    const std::function<void(double)> &progress, QString *error);

} // namespace descry
