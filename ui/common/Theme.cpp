#include "Theme.h"

#include <QApplication>
#include <QFile>
#include <QPalette>
#include <QStyleFactory>

// Q_INIT_RESOURCE declares an extern function, so it must be used outside any namespace.
static void registerDescryResources()
{
    Q_INIT_RESOURCE(descry);
}

namespace descry {

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor text(0xd8, 0xde, 0xe6);
    const QColor dimText(0x6b, 0x74, 0x80);
    p.setColor(QPalette::Window, QColor(0x1e, 0x23, 0x2b));
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, QColor(0x16, 0x1a, 0x20));
    p.setColor(QPalette::AlternateBase, QColor(0x22, 0x28, 0x32));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2a, 0x31, 0x3c));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7b, 0xd9));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x96, 0xa6));
    p.setColor(QPalette::Light, QColor(0x3a, 0x43, 0x50));
    p.setColor(QPalette::Midlight, QColor(0x30, 0x38, 0x44));
    p.setColor(QPalette::Mid, QColor(0x2e, 0x35, 0x40));
    p.setColor(QPalette::Dark, QColor(0x12, 0x16, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::ToolTipBase, QColor(0x2a, 0x31, 0x3c));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Link, QColor(0x6a, 0xa8, 0xff));
    for (auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        p.setColor(QPalette::Disabled, role, dimText);
    return p;
}

} // namespace

void applyTheme(QApplication &app)
{
    initResources();
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    app.setPalette(darkPalette());
    QFile sheet(QStringLiteral(":/descry/descry.qss"));
    if (sheet.open(QIODevice::ReadOnly))
        app.setStyleSheet(QString::fromUtf8(sheet.readAll()));
}

void initResources()
{
    static const bool done = (registerDescryResources(), true);
    Q_UNUSED(done)
}

} // namespace descry
