#include "BenchSupport.h"
#include "CliSupport.h"
#include "Gallery.h"
#include "PoseBenchmark.h"
#include "PoseEstimator.h"

#include <QJsonArray>

namespace descry::cli {

namespace {

QJsonObject toJson(const PoseModelScore &s)
{
    return { { QStringLiteral("model"), s.model }, { QStringLiteral("crops"), s.crops },
        { QStringLiteral("ms_per_crop"), s.msPerCrop }, { QStringLiteral("neck_placed"), s.placedShare[0] },
        { QStringLiteral("waist_placed"), s.placedShare[1] },
        { QStringLiteral("ankles_placed"), s.placedShare[2] },
        { QStringLiteral("whole_body_seen"), s.wholeShare },
        { QStringLiteral("mean_quality_factor"), s.meanFactor } };
}

} // namespace

int benchPose(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs MoveNet lightning and thunder on the kept crops of a gallery (real people, as ingest stored "
        "them) and reports time per crop, how often the keypoints place the body zones, and how far the "
        "two models agree. There is no keypoint truth: agreement is not accuracy."));
    addGalleryOption(parser);
    parser.addOption({ QStringLiteral("limit"), QStringLiteral("At most N crops (default: all)."),
        QStringLiteral("N"), QStringLiteral("0") });
    parser.addOption(
        { QStringLiteral("out"), QStringLiteral("Write the JSON result here."), QStringLiteral("FILE") });
    if (!parseArgs(parser, QStringList { QStringLiteral("bench pose") } + args))
        return parser.isSet(QStringLiteral("help")) ? 0 : 2;
    Gallery gallery;
    if (!gallery.open(galleryPath(parser))) {
        printErr(QStringLiteral("bench pose: %1").arg(gallery.lastError()));
        return 1;
    }
    const std::vector<PoseCrop> crops = galleryCrops(gallery, parser.value(QStringLiteral("limit")).toInt());
    if (crops.empty()) {
        printErr(QStringLiteral("bench pose: the gallery has no crops; ingest footage first"));
        return 1;
    }
    QJsonArray models;
    std::vector<std::vector<Pose>> poses;
    for (const auto variant : { PoseEstimator::Variant::Lightning, PoseEstimator::Variant::Thunder }) {
        QString error;
        const std::unique_ptr<PoseEstimator> estimator = PoseEstimator::load(variant, &error);
        if (!estimator) {
            printErr(QStringLiteral("bench pose: %1").arg(error));
            return 1;
        }
        poses.emplace_back();
        const PoseModelScore s = scorePoseModel(*estimator, crops, &poses.back());
        printErr(
            QStringLiteral("%1: %2 crops, %3 ms/crop; keypoints placed neck %4, waist %5, ankles %6; whole "
                           "body seen %7")
                .arg(s.model)
                .arg(s.crops)
                .arg(s.msPerCrop, 0, 'f', 1)
                .arg(s.placedShare[0], 0, 'f', 2)
                .arg(s.placedShare[1], 0, 'f', 2)
                .arg(s.placedShare[2], 0, 'f', 2)
                .arg(s.wholeShare, 0, 'f', 2));
        models.append(toJson(s));
    }
    const PoseAgreement a = poseAgreement(crops, poses[0], poses[1]);
    printErr(
        QStringLiteral("lightning vs thunder: %1 of %2 keypoints both see within 0.1 x height; zone bounds "
                       "%3 person heights apart (%4 bounds)")
            .arg(a.pck, 0, 'f', 3)
            .arg(a.keypointPairs)
            .arg(a.meanBoundDistance, 0, 'f', 3)
            .arg(a.boundPairs));
    const QJsonObject result { { QStringLiteral("bench"), QStringLiteral("pose") },
        { QStringLiteral("gallery"), gallery.path() }, { QStringLiteral("crops"), int(crops.size()) },
        { QStringLiteral("models"), models },
        { QStringLiteral("agreement"),
            QJsonObject { { QStringLiteral("keypoint_pairs"), a.keypointPairs },
                { QStringLiteral("pck_0_1_height"), a.pck }, { QStringLiteral("bound_pairs"), a.boundPairs },
                { QStringLiteral("mean_bound_distance_heights"), a.meanBoundDistance } } } };
    return writeBenchResult(result, parser.value(QStringLiteral("out"))) ? 0 : 1;
}

} // namespace descry::cli
