#include "CalibrationTable.h"
#include "Cli.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "RealPairCalibration.h"
#include "TextPersonModel.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <memory>

namespace descry::cli {

namespace {

struct CalibrateInputs {
    std::vector<LabelledQuery> queries;
    QStringList data; // the query files and/or "reviews in GALLERY"
    RealPairOptions options;
};

// The labelled queries the options name; false (after saying why) on a usage or file problem.
bool readInputs(const QCommandLineParser &parser, Gallery &gallery, CalibrateInputs *in, int *exitCode)
{
    const QStringList files = parser.values(QStringLiteral("queries"));
    const bool reviews = parser.isSet(QStringLiteral("from-reviews"));
    if (files.isEmpty() && !reviews) {
        printErr(QStringLiteral(
            "calibrate: give labelled pairs: --queries FILE.json (models/queries/) and/or --from-reviews"));
        *exitCode = 2;
        return false;
    }
    QString error;
    for (const QString &file : files) {
        if (!loadLabelledQueryFile(file, &in->queries, &error, parser.value(QStringLiteral("split")))) {
            printErr(QStringLiteral("calibrate: ") + error);
            *exitCode = 1;
            return false;
        }
        in->data << QDir::toNativeSeparators(file);
    }
    if (reviews) {
        const int taken = addReviewedQueries(gallery, &in->queries);
        if (taken == 0) {
            printErr(QStringLiteral(
                "calibrate: note: the gallery has no confirm or reject decisions (skips do not count)"));
        }
        in->data << QStringLiteral("reviews in %1").arg(QDir::toNativeSeparators(gallery.path()));
    }
    bool ok = false;
    in->options.attributeWeight = parser.value(QStringLiteral("attribute-weight")).toFloat(&ok);
    if (!ok || in->options.attributeWeight < 0) {
        printErr(QStringLiteral("calibrate: --attribute-weight must be a number >= 0"));
        *exitCode = 2;
        return false;
    }
    if (parser.isSet(QStringLiteral("source"))) {
        const qint64 source = parser.value(QStringLiteral("source")).toLongLong(&ok);
        if (!ok || !gallery.source(source)) {
            printErr(QStringLiteral(
                "calibrate: --source %1 is not a source of the gallery (see 'descry-cli info')")
                         .arg(parser.value(QStringLiteral("source"))));
            *exitCode = 2;
            return false;
        }
        in->options.sourceIds = { source };
    } else if (!files.isEmpty() && gallery.sources().size() > 1
        && std::any_of(in->queries.begin(), in->queries.end(), [](const LabelledQuery &q) { return q.footage.isEmpty(); })) {
        // A query file names tracklets by time in one footage, and calls every other tracklet a
        // non-match: other footage in the gallery would be labelled by a file never written for it.
        // (A caption set names its footage, and labels only that.)
        printErr(QStringLiteral(
            "calibrate: the gallery holds %1 sources and a query file describes one footage: give "
            "--source ID (see 'descry-cli info')")
                     .arg(gallery.sources().size()));
        *exitCode = 2;
        return false;
    }
    return true;
}

QJsonObject pairsJson(const LabelledPairs &pairs, const ScoreCalibration &c)
{
    QJsonArray list;
    for (size_t i = 0; i < pairs.scores.size(); ++i)
        list.append(QJsonObject { { QStringLiteral("query"), pairs.queryTexts.at(pairs.queryOf[i]) },
            { QStringLiteral("tracklet_id"), qint64(pairs.trackletIds[i]) },
            { QStringLiteral("score"), double(pairs.scores[i]) },
            { QStringLiteral("match"), pairs.matches[i] != 0 },
            { QStringLiteral("confidence"), double(c.confidence(pairs.scores[i])) } });
    return { { QStringLiteral("pairs"), list },
        { QStringLiteral("notes"), QJsonArray::fromStringList(pairs.notes) } };
}

} // namespace

int runCalibrate(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fit the score calibration (Platt scaling: raw search score -> confidence) on real "
                       "labelled pairs of a gallery, or "
                       "check an existing calibration on held-out ones. Each labelled query is searched as "
                       "the product searches it "
                       "(every result, no cut-off, RVN off) and each labelled tracklet's score is paired "
                       "with its label. Labels come "
                       "from query files (models/queries/*.json: relevant tracklets by start/end time; every "
                       "other tracklet is a "
                       "non-match) and/or the gallery's review decisions (the latest per query and tracklet: "
                       "confirm = match, "
                       "reject = non-match; skips ignored)."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("model"), QStringLiteral("Model config (default: the shipped model)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("queries"), QStringLiteral("A labelled query file (repeatable)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("split"),
        QStringLiteral("With a caption set (models/queries/real-people.json): only the people of this split "
                       "(dev, test; default all)."),
        QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("from-reviews"),
        QStringLiteral("Also take the gallery's confirm / reject decisions as labels.") });
    parser.addOption({ QStringLiteral("source"),
        QStringLiteral("Only the tracklets of this source (needed when a gallery with "
                       "several sources is labelled by a query file)."),
        QStringLiteral("ID") });
    parser.addOption({ QStringLiteral("attribute-weight"),
        QStringLiteral("Weight of the attribute agreement in the score (default 0.5); written with the fit, search "
                       "then uses it unless told another."),
        QStringLiteral("W"), QStringLiteral("0.5") });
    parser.addOption({ QStringLiteral("cutoff"),
        QStringLiteral("The default relevance cut-off written with the fit (default 0: nothing hidden until "
                       "a cut-off is "
                       "chosen from the figures)."),
        QStringLiteral("X"), QStringLiteral("0") });
    parser.addOption({ QStringLiteral("out"),
        QStringLiteral(
            "Write the calibration to FILE (default: beside the model, <name>.calibration.json, which search "
            "then uses)."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("check"),
        QStringLiteral(
            "Measure the calibration in FILE on these (held-out) pairs instead of fitting; writes nothing."),
        QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("json"),
        QStringLiteral("Print the calibration, the pairs and the notes as JSON.") });
    if (!parseArgs(parser, QStringList { QStringLiteral("calibrate") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    const bool checking = parser.isSet(QStringLiteral("check"));
    if (checking && (parser.isSet(QStringLiteral("out")) || parser.isSet(QStringLiteral("cutoff")))) {
        printErr(QStringLiteral("calibrate: --check writes nothing; --out and --cutoff are for fitting"));
        return 2;
    }
    bool ok = false;
    const double cutoff = parser.value(QStringLiteral("cutoff")).toDouble(&ok);
    if (!ok || cutoff < 0 || cutoff > 1) {
        printErr(QStringLiteral("calibrate: --cutoff must be a number in [0, 1]"));
        return 2;
    }
    QString error;
    ScoreCalibration checked;
    if (checking && !ScoreCalibration::load(parser.value(QStringLiteral("check")), &checked, &error)) {
        printErr(QStringLiteral("calibrate: ") + error);
        return 1;
    }
    const QString path = galleryPath(parser);
    if (!QFileInfo::exists(path)) {
        printErr(QStringLiteral(
            "calibrate: no gallery at %1; ingest footage first (descry-cli ingest PATH --gallery %1)")
                     .arg(path));
        return 1;
    }
    Gallery gallery;
    if (!gallery.open(path)) {
        printErr(QStringLiteral("calibrate: ") + gallery.lastError());
        return 1;
    }
    const QString modelPath = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model"))
                                                                    : TextPersonModel::defaultModelPath();
    if (modelPath.isEmpty()) {
        printErr(
            QStringLiteral("calibrate: no model found; pass --model models/<name>.json or set DESCRY_MODEL"));
        return 1;
    }
    const std::unique_ptr<TextPersonModel> model = TextPersonModel::load(modelPath, &error);
    if (!model) {
        printErr(QStringLiteral("calibrate: ") + error);
        return 1;
    }
    // Fail before any search when the file is for another model.
    if (checking && checked.modelId != model->id()) {
        ScoreCalibration unused;
        RealPairCalibration::check(checked, model->id(), {}, &unused, &error);
        printErr(QStringLiteral("calibrate: ") + error);
        return 1;
    }
    CalibrateInputs in;
    int exitCode = 0;
    if (!readInputs(parser, gallery, &in, &exitCode))
        return exitCode;
    if (checking) // scores made the way the calibration was fitted
        in.options.attributeWeight = float(checked.attributeWeight);

    LabelledPairs pairs;
    if (!RealPairCalibration::collect(gallery, *model, in.queries, in.options, &pairs, &error)) {
        printErr(QStringLiteral("calibrate: ") + error);
        return 1;
    }
    for (const QString &note : pairs.notes)
        printErr(QStringLiteral("calibrate: note: ") + note);

    ScoreCalibration result;
    QString outPath;
    if (checking) {
        if (!RealPairCalibration::check(checked, model->id(), pairs, &result, &error)) {
            printErr(QStringLiteral("calibrate: ") + error);
            return 1;
        }
    } else {
        if (!RealPairCalibration::fit(pairs, model->id(), in.options.attributeWeight, &result, &error)) {
            printErr(QStringLiteral("calibrate: ") + error);
            return 1;
        }
        result.data = in.data.join(QStringLiteral(" + "));
        result.split = QStringLiteral(
            "real labelled pairs: every tracklet of a query file's gallery (relevant spans matched to "
            "0.05 s, the rest non-matches) and/or reviewed tracklets (latest confirm/reject, skips "
            "ignored); scored by search, all %1 embedded tracklets re-scored per query")
                           .arg(pairs.rescored);
        result.cutoff = cutoff;
        QStringList command { QStringLiteral("descry-cli calibrate --gallery"), path,
            QStringLiteral("--model"), modelPath };
        for (const QString &file : parser.values(QStringLiteral("queries")))
            command << QStringLiteral("--queries") << file;
        if (parser.isSet(QStringLiteral("split")))
            command << QStringLiteral("--split") << parser.value(QStringLiteral("split"));
        if (parser.isSet(QStringLiteral("from-reviews")))
            command << QStringLiteral("--from-reviews");
        if (!in.options.sourceIds.empty())
            command << QStringLiteral("--source") << QString::number(in.options.sourceIds.front());
        command << QStringLiteral("--attribute-weight") << QString::number(double(in.options.attributeWeight))
                << QStringLiteral("--cutoff") << QString::number(cutoff);
        result.command = command.join(QLatin1Char(' '));
        outPath = parser.isSet(QStringLiteral("out")) ? parser.value(QStringLiteral("out"))
                                                      : ScoreCalibration::pathForModel(modelPath);
        if (!result.save(outPath, &error)) {
            printErr(QStringLiteral("calibrate: ") + error);
            return 1;
        }
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject json = pairsJson(pairs, result);
        json.insert(QStringLiteral("calibration"), result.toJson());
        json.insert(checking ? QStringLiteral("checked") : QStringLiteral("written"),
            checking ? parser.value(QStringLiteral("check")) : outPath);
        json.insert(QStringLiteral("measured_on"), in.data.join(QStringLiteral(" + ")));
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        printOut(calibrationTable(result, !checking, outPath, in.data.join(QStringLiteral(" + "))));
    }
    return 0;
}

} // namespace descry::cli
