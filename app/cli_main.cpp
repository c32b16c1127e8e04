#include "Cli.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("Descry"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DESCRY_VERSION));
    return descry::cli::run(QCoreApplication::arguments().mid(1));
}
