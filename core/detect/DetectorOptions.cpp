#include "DetectorOptions.h"

namespace descry {

QString DetectorOptions::kindName(DetectorKind kind)
{
    switch (kind) {
    case DetectorKind::NanoDet:
        return QStringLiteral("nanodet");
    case DetectorKind::Background:
        return QStringLiteral("background");
    case DetectorKind::Onnx:
        return QStringLiteral("onnx");
    }
    return {};
}

std::optional<DetectorKind> DetectorOptions::kindFromName(const QString &name)
{
    for (DetectorKind kind : { DetectorKind::NanoDet, DetectorKind::Background, DetectorKind::Onnx })
        if (name.compare(kindName(kind), Qt::CaseInsensitive) == 0)
            return kind;
    return std::nullopt;
}

std::optional<DetectorOptions> DetectorOptions::fromArgument(const QString &value)
{
    DetectorOptions options;
    if (value.endsWith(QStringLiteral(".onnx"), Qt::CaseInsensitive)) {
        options.kind = DetectorKind::Onnx;
        options.onnxPath = value;
        return options;
    }
    const std::optional<DetectorKind> kind = kindFromName(value);
    if (!kind || *kind == DetectorKind::Onnx)
        return std::nullopt;
    options.kind = *kind;
    return options;
}

} // namespace descry
