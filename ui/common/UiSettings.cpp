#include "UiSettings.h"

namespace descry {

std::unique_ptr<QSettings> uiSettings()
{
    return std::make_unique<QSettings>(
        QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("Descry"), QStringLiteral("descry"));
}

} // namespace descry
