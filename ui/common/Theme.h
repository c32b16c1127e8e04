#pragma once

class QApplication;

namespace descry {

// The GUI's look: Fusion with a dark palette (footage reads better on dark surroundings, as in
// video tools) and the style sheet from the resources.
void applyTheme(QApplication &app);

// Registers the icons and style sheet compiled into descry_ui (a static library, so the
// linker would otherwise drop them). Safe to call more than once.
void initResources();

} // namespace descry
