#include "DetailPanel.h"
#include "Gallery.h"
#include "IngestController.h"
#include "IngestJob.h"
#include "MainWindow.h"
#include "ResultsModel.h"
#include "ResultsView.h"
#include "SearchController.h"
#include "SourcesPanel.h"
#include "TextPersonModel.h"
#include "Theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

namespace {

// --screenshot: once the first answer is on screen and every thumbnail and detail has loaded,
// grab the window into FILE and quit. Waiting for "settled" rather than a fixed delay keeps
// the picture complete on slow machines and the wait short on fast ones.
void takeScreenshotWhenSettled(descry::MainWindow *window, const QString &file)
{
    auto *poll = new QTimer(window);
    poll->setInterval(100);
    auto *deadline = new QElapsedTimer;
    deadline->start();
    QObject::connect(poll, &QTimer::timeout, window, [window, file, poll, deadline] {
        if (!window->isSettled() && deadline->elapsed() < 30000)
            return;
        poll->stop();
        delete deadline;
        const bool saved = window->grab().save(file);
        std::fprintf(
            stderr, saved ? "screenshot saved to %s\n" : "cannot write screenshot %s\n", qPrintable(file));
        QCoreApplication::exit(saved ? 0 : 1);
    });
    const auto start = [poll] { QTimer::singleShot(300, poll, qOverload<>(&QTimer::start)); };
    QObject::connect(window, &descry::MainWindow::resultsShown, poll, start, Qt::SingleShotConnection);
    QObject::connect(window->searchController(), &descry::SearchController::searchFailed, poll, start,
        Qt::SingleShotConnection);
}

// --query: show the first answer selected, so the detail panel is populated too.
void selectFirstResult(descry::MainWindow *window)
{
    QObject::connect(
        window, &descry::MainWindow::resultsShown, window,
        [window](int count) {
            if (count > 0) {
                window->resultsView()->setCurrentIndex(window->resultsModel()->index(0));
                window->resultsView()->setFocus();
            }
        },
        Qt::SingleShotConnection);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("Descry"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DESCRY_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Find people in surveillance footage from a typed description."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({ QStringLiteral("gallery"),
        QStringLiteral("Gallery file (default: %1).").arg(descry::Gallery::defaultPath()),
        QStringLiteral("PATH") });
    parser.addOption({ QStringLiteral("demo"),
        QStringLiteral("Open the guided tour of example queries (Page Up / Page Down step through it).") });
    parser.addOption(
        { QStringLiteral("query"), QStringLiteral("Run this query at start."), QStringLiteral("TEXT") });
    parser.addOption(
        { QStringLiteral("detector"), QStringLiteral("ONNX person detector for ingest (default: built-in)."),
            QStringLiteral("MODEL.onnx") });
    parser.addOption({ QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window once the first results have loaded, then quit."),
        QStringLiteral("FILE") });
    parser.addPositionalArgument(QStringLiteral("paths"),
        QStringLiteral("Video files or folders to add to the gallery at start."),
        QStringLiteral("[PATH...]"));
    parser.process(app);

    descry::applyTheme(app);
    const QString gallery = parser.value(QStringLiteral("gallery"));
    descry::MainWindow window(gallery.isEmpty() ? descry::Gallery::defaultPath() : gallery);
    descry::IngestOptions ingest;
    ingest.detector.onnxPath = parser.value(QStringLiteral("detector"));
    // Ingest stores the shipped model's embeddings with every tracklet (none found: attributes only).
    ingest.modelPath = descry::TextPersonModel::defaultModelPath();
    window.ingestController()->setOptions(ingest);
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.sourcesPanel()->addInputs(parser.positionalArguments());

    const QString query = parser.value(QStringLiteral("query"));
    if (parser.isSet(QStringLiteral("demo")) && query.isEmpty()) {
        QTimer::singleShot(0, &window, [&window] { window.startDemoTour(); });
    } else if (!query.isEmpty()) {
        selectFirstResult(&window);
        window.detailPanel()->setAutoShowFrame(true);
        QTimer::singleShot(0, &window, [&window, query] { window.runQuery(query); });
    }
    if (parser.isSet(QStringLiteral("screenshot")))
        takeScreenshotWhenSettled(&window, parser.value(QStringLiteral("screenshot")));
    return app.exec();
}
