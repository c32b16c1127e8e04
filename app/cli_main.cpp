#include "Cli.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

int main(int argc, char **argv)
{
    // The evidence report lays out text for its PDF and explain draws labelled heatmaps, and Qt
    // has fonts only in a QGuiApplication; the offscreen platform gives one without a display.
    // Other commands keep QCoreApplication.
    const bool needsFonts
        = argc > 1 && (qstrcmp(argv[1], "evidence") == 0 || qstrcmp(argv[1], "explain") == 0);
    if (needsFonts && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app = needsFonts ? std::make_unique<QGuiApplication>(argc, argv)
                                                             : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("Descry"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DESCRY_VERSION));
    return descry::cli::run(QCoreApplication::arguments().mid(1));
}
