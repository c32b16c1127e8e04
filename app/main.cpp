#include "DetailPanel.h"
#include "HeatmapPanel.h"
#include "Gallery.h"
#include "IngestController.h"
#include "IngestJob.h"
#include "MainWindow.h"
#include "ResultsModel.h"
#include "ResultsView.h"
#include "ReviewPanel.h"
#include "SearchController.h"
#include "SourcesPanel.h"
#include "TextPersonModel.h"
#include "Theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

namespace {

// What --screenshot grabs: the whole window; the "Why this match" dock with one word of the
// query selected; or the window with the review queue opened on the results.
struct ScreenshotView {
    enum Kind { Window, Heatmap, Review } kind = Window;
    QString word; // heatmap: the query word (or phrase) whose attention is shown
};

bool parseScreenshotView(const QString &text, ScreenshotView *out)
{
    if (text.isEmpty() || text == QLatin1String("window")) {
        out->kind = ScreenshotView::Window;
    } else if (text == QLatin1String("review")) {
        out->kind = ScreenshotView::Review;
    } else if (text.startsWith(QLatin1String("heatmap"))) {
        out->kind = ScreenshotView::Heatmap;
        out->word = text.section(QLatin1Char(':'), 1);
    } else {
        return false;
    }
    return true;
}

// Gets the view ready once the window has settled; true when it is ready to grab.
bool prepareView(descry::MainWindow *window, const ScreenshotView &view, bool *prepared)
{
    if (*prepared)
        return true;
    *prepared = true;
    if (view.kind == ScreenshotView::Review) {
        window->reviewResults();
        return false; // grab once the queue has loaded
    }
    if (view.kind == ScreenshotView::Heatmap) {
        const descry::MatchExplanation &e = window->heatmapPanel()->explanation();
        for (int unit = 0; unit < int(e.units.size()) && !view.word.isEmpty(); ++unit)
            if (e.units[size_t(unit)].text.compare(view.word, Qt::CaseInsensitive) == 0) {
                window->heatmapPanel()->selectUnit(unit);
                break;
            }
        // Crops large enough to read the stripes: the dock floats at a size of its own.
        auto *dock = window->findChild<QDockWidget *>(QStringLiteral("heatmapDock"));
        dock->setFloating(true);
        dock->resize(760, 720);
        return false; // grab after the new layout
    }
    return true;
}

// --screenshot: once the first answer is on screen and every thumbnail and detail has loaded,
// grab the window (or a view of it) into FILE and quit. Waiting for "settled" rather than a
// fixed delay keeps the picture complete on slow machines and the wait short on fast ones.
void takeScreenshotWhenSettled(descry::MainWindow *window, const QString &file, const ScreenshotView &view)
{
    auto *poll = new QTimer(window);
    poll->setInterval(100);
    auto *deadline = new QElapsedTimer;
    deadline->start();
    auto *prepared = new bool(false);
    QObject::connect(poll, &QTimer::timeout, window, [window, file, poll, deadline, view, prepared] {
        const bool explained = view.kind != ScreenshotView::Heatmap
            || window->heatmapPanel()->explanation().unitCount() > 0;
        if ((!window->isSettled() || !explained) && deadline->elapsed() < 30000)
            return;
        if (!prepareView(window, view, prepared) && deadline->elapsed() < 30000)
            return;
        if (!window->isSettled() && deadline->elapsed() < 30000)
            return;
        poll->stop();
        delete deadline;
        delete prepared;
        QWidget *target = window;
        if (view.kind == ScreenshotView::Heatmap)
            target = window->findChild<QDockWidget *>(QStringLiteral("heatmapDock"));
        const bool saved = target->grab().save(file);
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
        QStringLiteral(
            "Gallery file (default: %1), or a team's gallery on a PostgreSQL server: "
            "postgresql://user[:password]@host[:port]/database[?sslmode=require]; without a password, "
            "libpq reads PGPASSWORD or ~/.pgpass.")
            .arg(descry::Gallery::defaultPath()),
        QStringLiteral("PATH|URL") });
    parser.addOption({ QStringLiteral("read-only"),
        QStringLiteral("Open the gallery read-only (a case archive): searches work and write no history; "
                       "changes are refused. A write-protected gallery opens so anyway.") });
    parser.addOption({ QStringLiteral("demo"),
        QStringLiteral("Open the guided tour of example queries (Page Up / Page Down step through it).") });
    parser.addOption(
        { QStringLiteral("query"), QStringLiteral("Run this query at start."), QStringLiteral("TEXT") });
    parser.addOption({ QStringLiteral("detector"),
        QStringLiteral("Person detector for ingest: nanodet (default), background or MODEL.onnx; the "
                       "Ingest settings in the window choose it too."),
        QStringLiteral("NAME|MODEL.onnx") });
    parser.addOption({ QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window once the first results have loaded, then quit."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("screenshot-view"),
        QStringLiteral("What --screenshot grabs: window (default), review (the review queue opened on the results) "
                       "or heatmap[:WORD] (the \"Why this match\" dock, with WORD of the query selected)."),
        QStringLiteral("VIEW") });
    parser.addPositionalArgument(QStringLiteral("paths"),
        QStringLiteral("Video files or folders to add to the gallery at start."),
        QStringLiteral("[PATH...]"));
    parser.process(app);
    ScreenshotView screenshotView;
    if (!parseScreenshotView(parser.value(QStringLiteral("screenshot-view")), &screenshotView)) {
        std::fprintf(stderr, "descry: --screenshot-view must be window, review or heatmap[:WORD], not '%s'\n",
            qPrintable(parser.value(QStringLiteral("screenshot-view"))));
        return 2;
    }

    if (parser.isSet(QStringLiteral("read-only")))
        descry::Gallery::setDefaultAccess(descry::Gallery::Access::ReadOnly);
    descry::applyTheme(app);
    const QString gallery = parser.value(QStringLiteral("gallery"));
    descry::MainWindow window(gallery.isEmpty() ? descry::Gallery::defaultPath() : gallery);
    // The detector the Sources panel remembers, unless --detector names one.
    descry::IngestOptions ingest = window.ingestController()->options();
    if (parser.isSet(QStringLiteral("detector"))) {
        const auto detector = descry::DetectorOptions::fromArgument(parser.value(QStringLiteral("detector")));
        if (!detector) {
            std::fprintf(stderr, "descry: --detector must be nanodet, background or a MODEL.onnx file, not '%s'\n",
                qPrintable(parser.value(QStringLiteral("detector"))));
            return 2;
        }
        ingest.detector = *detector;
    }
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
        takeScreenshotWhenSettled(&window, parser.value(QStringLiteral("screenshot")), screenshotView);
    return app.exec();
}
