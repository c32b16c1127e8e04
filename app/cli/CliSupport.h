#pragma once

#include <QCommandLineParser>
#include <QString>

namespace descry::cli {

// Shared plumbing of the subcommands: the --gallery option, argument parsing with clear
// errors, and the two output streams.
void addGalleryOption(QCommandLineParser &parser);
QString galleryPath(const QCommandLineParser &parser);
// Parses `args` (subcommand name first); prints the error + help to stderr and returns false
// on bad usage.
bool parseArgs(QCommandLineParser &parser, const QStringList &args);

void printOut(const QString &text); // stdout, newline added
void printErr(const QString &text); // stderr, newline added
// A progress line on stderr: rewritten in place on a terminal, printed every few seconds
// otherwise (logs, CI), always printed when `force`.
void printProgress(const QString &line, bool force = false);
// Seconds left as "mm:ss" for progress lines, "--:--" while unknown (< 0).
QString formatEta(double seconds);

} // namespace descry::cli
