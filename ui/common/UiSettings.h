#pragma once

#include <QSettings>

#include <memory>

namespace descry {

// Where the GUI keeps its preferences (window layout, last folder): ~/.config/Descry/descry.conf.
// Named explicitly because the application sets no organisation name (which would otherwise
// put the file under "Unknown Organization").
std::unique_ptr<QSettings> uiSettings();

} // namespace descry
