#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace descry {

// The person detectors ingest can use (createPersonDetector in PersonDetector.h).
enum class DetectorKind {
    NanoDet, // the default: a CNN trained on real people (the perception package)
    Background, // the embedded background subtractor: fast, fixed cameras and moving people only
    Onnx, // a COCO detector the user brings as an ONNX file (YOLOX or NanoDet layout)
};

// Which person detector ingest uses. Plain, so that ingest settings can cross into the GUI
// without OpenCV.
struct DetectorOptions {
    DetectorKind kind = DetectorKind::NanoDet;
    QString onnxPath; // the model for DetectorKind::Onnx
    std::optional<float> minScore; // unset: the detector's own default
    // The CNN's tiling: frames whose longer side has at least this many pixels are also searched
    // in 2 x 2 tiles; 0: never; unset: the detector's default (NanoDetParams::tileFrom).
    std::optional<int> tileFrom;

    // Frames a second ingest analyses with this detector by default. The background detector needs
    // frequent frames for its model of the scene (10). A CNN costs ~60 ms a frame on one core, so
    // it sees 3.3 a second, which the tracker bridges: vtest.avi ingests in 0.15-0.18 x its
    // duration with pose and embeddings on two detection threads (docs/bench/ingest-vtest-nanodet.json).
    double defaultAnalysisFps() const { return kind == DetectorKind::Background ? 10.0 : 3.3; }

    // "nanodet", "background", "onnx": the names the CLI and settings use.
    static QString kindName(DetectorKind kind);
    static std::optional<DetectorKind> kindFromName(const QString &name);
    // A --detector value: a kind's name, or a path to an .onnx file (DetectorKind::Onnx).
    static std::optional<DetectorOptions> fromArgument(const QString &value);
};

} // namespace descry
