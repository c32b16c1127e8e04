#include "Gallery.h"
#include "IngestJob.h"
#include "RenderedFootageIngest.h"
#include "SceneRenderer.h"
#include "TestSupport.h"
#include "TinyNafsModel.h"
#include "TrackletEmbedder.h"

#include "PersonDetector.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <cmath>

using namespace descry;

namespace {

// Everything ingest stores about a gallery's tracklets, in id order, for exact comparison.
struct TrackletDump {
    TrackletRecord record;
    std::vector<DetectionRecord> detections;
    std::vector<QByteArray> crops;
    AttributeSet attributes;
};

std::vector<TrackletDump> dump(const QString &galleryPath)
{
    Gallery g;
    if (!g.open(galleryPath))
        return {};
    std::vector<TrackletDump> out;
    for (const TrackletRecord &t : g.tracklets()) {
        TrackletDump d { t, g.detections(t.id), {}, g.attributes(t.id) };
        for (const CropRecord &c : g.crops(t.id))
            d.crops.push_back(g.cropImage(c.id));
        out.push_back(std::move(d));
    }
    return out;
}

void compareDumps(const std::vector<TrackletDump> &a, const std::vector<TrackletDump> &b)
{
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].record.id, b[i].record.id);
        QCOMPARE(a[i].record.localId, b[i].record.localId);
        QCOMPARE(a[i].record.startFrame, b[i].record.startFrame);
        QCOMPARE(a[i].record.endFrame, b[i].record.endFrame);
        QCOMPARE(a[i].detections.size(), b[i].detections.size());
        for (size_t k = 0; k < a[i].detections.size(); ++k) {
            QCOMPARE(a[i].detections[k].frame, b[i].detections[k].frame);
            QCOMPARE(a[i].detections[k].box, b[i].detections[k].box);
            QCOMPARE(a[i].detections[k].score, b[i].detections[k].score);
        }
        QCOMPARE(a[i].crops, b[i].crops);
        QCOMPARE(a[i].attributes.size(), b[i].attributes.size());
        for (size_t k = 0; k < a[i].attributes.size(); ++k) {
            QCOMPARE(a[i].attributes[k].name, b[i].attributes[k].name);
            QCOMPARE(a[i].attributes[k].value, b[i].attributes[k].value);
        }
    }
}

} // namespace

class TestIngest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_clip; // 300 frames, 8 people
    QString m_model; // a tiny untrained text-to-person model (never the shipped one)

    IngestSummary ingest(
        const QString &gallery, const QStringList &inputs, IngestOptions options = test::renderedFootageIngest())
    {
        IngestJob job(gallery, inputs, options);
        return job.run();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SceneOptions scene;
        scene.seed = 3;
        scene.frames = 300;
        scene.people = 8;
        QString error;
        QVERIFY2(writeScene(scene, m_dir.filePath(QStringLiteral("scene")), false, nullptr, &error),
            qPrintable(error));
        m_clip = m_dir.filePath(QStringLiteral("scene/scene.avi"));
        m_model = test::writeTinyNafsModel(
            m_dir.filePath(QStringLiteral("model")), QStringLiteral("tiny"), 1, &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
    }

    void ingestsRenderedSceneOnceByContent()
    {
        const QString gallery = m_dir.filePath(QStringLiteral("once.sqlite"));
        const IngestSummary first = ingest(gallery, { m_clip });
        QCOMPARE(first.sources.size(), size_t(1));
        QCOMPARE(first.sources[0].outcome, IngestOutcome::Ingested);
        QVERIFY2(first.problems.isEmpty(), qPrintable(first.problems.join(QLatin1Char('\n'))));
        QVERIFY2(first.sources[0].tracklets >= 4, qPrintable(first.sources[0].message));

        // Same file again, and a copy under another name: both recognised by content.
        const QString copy = m_dir.filePath(QStringLiteral("copy-of-scene.avi"));
        QVERIFY(QFile::copy(m_clip, copy));
        const IngestSummary again = ingest(gallery, { m_clip, copy });
        QCOMPARE(again.count(IngestOutcome::AlreadyPresent), 2);
        Gallery g;
        QVERIFY(g.open(gallery));
        QCOMPARE(g.sources().size(), size_t(1));
        QCOMPARE(g.sources()[0].status, SourceStatus::Done);
        QCOMPARE(int(g.trackletCount()), first.sources[0].tracklets);
    }

    void resumeAfterStopGivesSameTracklets_data()
    {
        QTest::addColumn<int>("stopAfter");
        QTest::addColumn<int>("checkpointEvery");
        QTest::newRow("before first checkpoint") << 15 << 40;
        QTest::newRow("just after a checkpoint") << 81 << 40;
        QTest::newRow("late, small checkpoints") << 270 << 7;
    }

    void resumeAfterStopGivesSameTracklets()
    {
        QFETCH(int, stopAfter);
        QFETCH(int, checkpointEvery);
        IngestOptions options = test::renderedFootageIngest();
        options.checkpointEvery = checkpointEvery;
        const QString reference
            = m_dir.filePath(QStringLiteral("ref-%1-%2.sqlite").arg(stopAfter).arg(checkpointEvery));
        QCOMPARE(ingest(reference, { m_clip }, options).count(IngestOutcome::Ingested), 1);

        const QString resumed
            = m_dir.filePath(QStringLiteral("resumed-%1-%2.sqlite").arg(stopAfter).arg(checkpointEvery));
        IngestOptions stopping = options;
        stopping.stopAfterFrames = stopAfter;
        QCOMPARE(ingest(resumed, { m_clip }, stopping).count(IngestOutcome::Cancelled), 1);
        const IngestSummary second = ingest(resumed, { m_clip }, options);
        QCOMPARE(second.sources.size(), size_t(1));
        const IngestOutcome expected
            = stopAfter >= checkpointEvery ? IngestOutcome::Resumed : IngestOutcome::Ingested;
        QCOMPARE(second.sources[0].outcome, expected);
        compareDumps(dump(reference), dump(resumed));
    }

    void resumeAfterRealKill()
    {
        // The CLI raises SIGKILL on itself after 130 analysed frames: no destructor, no cleanup.
        // With a model: every tracklet, before and after the kill, gets its embeddings.
        const QString reference = m_dir.filePath(QStringLiteral("kill-ref.sqlite"));
        IngestOptions options = test::renderedFootageIngest();
        options.checkpointEvery = 25;
        options.modelPath = m_model;
        const IngestSummary uninterrupted = ingest(reference, { m_clip }, options);
        QCOMPARE(uninterrupted.count(IngestOutcome::Ingested), 1);
        QVERIFY(!uninterrupted.modelId.isEmpty());

        const QString killed = m_dir.filePath(QStringLiteral("killed.sqlite"));
        QProcess cli;
        cli.start(test::cliPath(),
            { QStringLiteral("ingest"), m_clip, QStringLiteral("--gallery"), killed,
                QStringLiteral("--checkpoint-every"), QStringLiteral("25"), QStringLiteral("--kill-after"),
                QStringLiteral("130"), QStringLiteral("--model"), m_model, QStringLiteral("--detector"),
                QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off") });
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitStatus(), QProcess::CrashExit);
        {
            Gallery g;
            QVERIFY(g.open(killed));
            QCOMPARE(g.sources().size(), size_t(1));
            QCOMPARE(g.sources()[0].status, SourceStatus::Ingesting);
            QCOMPARE(g.sources()[0].processedFrames, int64_t(125));
            // Tracklets written before the kill came with their embeddings.
            QVERIFY(g.trackletCount() > 0);
            QCOMPARE(
                g.embeddingCount(uninterrupted.modelId, TrackletEmbedder::GlobalKind), g.trackletCount());
        }
        const IngestSummary resumed = ingest(killed, { m_clip }, options);
        QCOMPARE(resumed.count(IngestOutcome::Resumed), 1);
        QCOMPARE(resumed.modelId, uninterrupted.modelId);
        compareDumps(dump(reference), dump(killed));

        // Every tracklet has both kinds, equal to the uninterrupted run's (checkpoint batches
        // differ between the runs, so allow float noise).
        Gallery a, b;
        QVERIFY(a.open(reference) && b.open(killed));
        for (const QString &kind : { TrackletEmbedder::GlobalKind, TrackletEmbedder::ItemsKind }) {
            QVERIFY(b.trackletsWithoutEmbedding(resumed.modelId, kind, 1000).empty());
            for (const TrackletRecord &t : a.tracklets()) {
                const auto expected = a.embedding(t.id, resumed.modelId, kind);
                const auto actual = b.embedding(t.id, resumed.modelId, kind);
                QVERIFY(!expected.empty());
                QCOMPARE(actual.size(), expected.size());
                for (size_t k = 0; k < actual.size(); ++k)
                    QVERIFY(std::abs(actual[k] - expected[k]) < 1e-4f);
            }
        }
    }

    void cancelKeepsACheckpoint()
    {
        const QString gallery = m_dir.filePath(QStringLiteral("cancel.sqlite"));
        IngestJob job(gallery, { m_clip }, test::renderedFootageIngest());
        // Cancel from the first analysing progress report: the job stops at the next frame.
        connect(
            &job, &IngestJob::progress, &job,
            [&job](const IngestProgress &p) {
                if (p.stage == QLatin1String("analysing"))
                    job.requestCancel();
            },
            Qt::DirectConnection);
        const IngestSummary summary = job.run();
        QVERIFY(summary.cancelled);
        QCOMPARE(summary.count(IngestOutcome::Cancelled), 1);
        QVERIFY(summary.sources[0].message.contains(QStringLiteral("resume")));
        const IngestSummary again = ingest(gallery, { m_clip });
        QCOMPARE(again.count(IngestOutcome::Resumed), 1);
    }

    void badInputsAreReportedAndTheRestGoesOn()
    {
        const QString root = m_dir.filePath(QStringLiteral("mixed"));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/nested")));
        QVERIFY(QFile::copy(m_clip, root + QStringLiteral("/nested/good.avi")));
        // A text file dressed as a video.
        QFile fake(root + QStringLiteral("/notes.mp4"));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("this is not a video\n");
        fake.close();
        // The first third of a real video: truncated mid-stream.
        QFile source(m_clip);
        QVERIFY(source.open(QIODevice::ReadOnly));
        QFile truncated(root + QStringLiteral("/truncated.avi"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(source.read(source.size() / 3));
        truncated.close();
        const QString missing = m_dir.filePath(QStringLiteral("no-such-file.mkv"));

        const QString gallery = m_dir.filePath(QStringLiteral("mixed.sqlite"));
        const IngestSummary summary = ingest(gallery, { missing, root });

        // Missing path and fake video: one line each naming the file.
        QVERIFY2(summary.problems.size() == 2, qPrintable(summary.problems.join(QLatin1Char('\n'))));
        QVERIFY(summary.problems.filter(QStringLiteral("no-such-file.mkv")).size() == 1);
        QVERIFY(summary.problems.filter(QStringLiteral("notes.mp4")).size() == 1);
        // The good file is ingested; the truncated one keeps what could be decoded.
        QCOMPARE(summary.count(IngestOutcome::Ingested), 2);
        bool sawTruncated = false;
        for (const auto &r : summary.sources) {
            if (r.path.endsWith(QStringLiteral("truncated.avi"))) {
                sawTruncated = true;
                QVERIFY2(r.message.contains(QStringLiteral("truncated")), qPrintable(r.message));
                // What was decoded is what the gallery says the source holds (300 frames in the
                // header; about a third of them in the file).
                Gallery g;
                QVERIFY(g.open(gallery));
                const auto stored = g.source(r.sourceId);
                QVERIFY(stored);
                QVERIFY2(stored->frameCount > 0 && stored->frameCount < 200, qPrintable(QString::number(stored->frameCount)));
                QVERIFY(qAbs(stored->duration - double(stored->frameCount) / stored->fps) < 1e-6);
                QCOMPARE(r.footageSeconds, stored->duration);
            }
        }
        QVERIFY(sawTruncated);
    }

    void ingestsRealFootage()
    {
        const QString vtest = test::sharedFile(QStringLiteral("footage/vtest.avi"));
        if (vtest.isEmpty())
            QSKIP("../shared/footage/vtest.avi not present");
        const IngestSummary summary = ingest(m_dir.filePath(QStringLiteral("vtest.sqlite")), { vtest });
        QCOMPARE(summary.count(IngestOutcome::Ingested), 1);
        const IngestSourceResult &r = summary.sources[0];
        qInfo("vtest.avi: %d tracklets, %.1f s for %.1f s of footage (%.3f x)", r.tracklets, r.seconds,
            r.footageSeconds, r.seconds / r.footageSeconds);
        // 79.5 s of a walkway with 4-9 people in view at a time, each crossing in ~10-40 s:
        // a few dozen tracklets. Far fewer means people are lost; far more means fragmentation.
        QVERIFY2(r.tracklets >= 20 && r.tracklets <= 90, qPrintable(r.message));
        Gallery g;
        QVERIFY(g.open(m_dir.filePath(QStringLiteral("vtest.sqlite"))));
        const auto source = g.sources().front();
        QCOMPARE(source.width, 768);
        QCOMPARE(source.height, 576);
        QCOMPARE(source.frameCount, int64_t(795));
        for (const TrackletRecord &t : g.tracklets()) {
            QVERIFY(t.detectionCount >= 5);
            QVERIFY(t.bestCropId > 0);
        }
    }

    // A photo is footage of one frame. With nobody in it, the source is ingested and a problem
    // line says so, and why, instead of a silent "0 tracklets".
    void photoWithNobodySaysSo()
    {
        const QString photo = m_dir.filePath(QStringLiteral("empty-room.png"));
        QVERIFY(cv::imwrite(photo.toStdString(), cv::Mat(240, 320, CV_8UC3, cv::Scalar(90, 120, 150))));
        const IngestSummary summary = ingest(m_dir.filePath(QStringLiteral("empty-photo.sqlite")), { photo });
        QCOMPARE(summary.count(IngestOutcome::Ingested), 1);
        QCOMPARE(summary.sources[0].tracklets, 0);
        QVERIFY2(summary.sources[0].message.contains(QStringLiteral("from a photo")),
            qPrintable(summary.sources[0].message));
        QCOMPARE(summary.problems.size(), 1);
        QVERIFY2(summary.problems[0].contains(QStringLiteral("no people found"))
                && summary.problems[0].contains(QStringLiteral("nanodet")),
            qPrintable(summary.problems[0]));
    }

    // Real photos for the tests below: frames of vtest.avi saved as PNG, ingested with the
    // default detector (which needs the perception package).
    static bool realPhotoAvailable(const IngestOptions &options)
    {
        QString error;
        return !test::sharedFile(QStringLiteral("footage/vtest.avi")).isEmpty()
            && createPersonDetector(options.detector, &error) != nullptr;
    }
    static bool writeVtestFrame(int frameIndex, const QString &path)
    {
        cv::VideoCapture capture(test::sharedFile(QStringLiteral("footage/vtest.avi")).toStdString());
        capture.set(cv::CAP_PROP_POS_FRAMES, frameIndex);
        cv::Mat frame;
        return capture.read(frame) && cv::imwrite(path.toStdString(), frame);
    }

    // A real photo (a frame of vtest.avi saved as PNG) with the default detector: each person is
    // a tracklet of one detection, with a crop and attributes, like any other.
    void photoOfPeopleIsSearchable()
    {
        const IngestOptions options; // the default detector
        const QString photo = m_dir.filePath(QStringLiteral("walkway.png"));
        if (!realPhotoAvailable(options))
            QSKIP("needs ../shared/footage/vtest.avi and the perception package");
        QVERIFY(writeVtestFrame(300, photo));
        const QString gallery = m_dir.filePath(QStringLiteral("photo.sqlite"));
        const IngestSummary summary = ingest(gallery, { photo }, options);
        QCOMPARE(summary.count(IngestOutcome::Ingested), 1);
        QVERIFY(summary.problems.isEmpty());
        // 6 people are on this frame (counted by eye; YOLOX finds the same 6 and a sign post).
        QVERIFY2(summary.sources[0].tracklets >= 5 && summary.sources[0].tracklets <= 8,
            qPrintable(summary.sources[0].message));
        Gallery g;
        QVERIFY(g.open(gallery));
        QVERIFY(g.sources().front().pipelineKey.contains(QStringLiteral("det=nanodet-")));
        QVERIFY(g.sources().front().pipelineKey.contains(QStringLiteral("pose=movenet-lightning-")));
        int placed = 0;
        for (const TrackletRecord &t : g.tracklets()) {
            QCOMPARE(t.detectionCount, 1);
            QVERIFY(t.bestCropId > 0);
            QVERIFY(!g.attributes(t.id).empty());
            // Every kept crop has its pose; on these real people the keypoints place the zones.
            const std::optional<CropBody> body = g.bestCropBody(t.id);
            QVERIFY(body.has_value());
            placed += body->layout().posed() ? 1 : 0;
        }
        QVERIFY2(placed >= int(g.tracklets().size()) - 1, qPrintable(QString::number(placed)));
    }

    // NanoDet takes a traffic cone of vtest.avi for a person (16 x 21 px at x 163, y 187, person
    // score ~0.47); the pose model sees no body in it, so ingest leaves it out, says so, and keeps
    // the 6 people of the frame.
    void objectsWithoutABodyAreLeftOut()
    {
        const IngestOptions options; // NanoDet and MoveNet lightning
        const QString photo = m_dir.filePath(QStringLiteral("cone.png"));
        if (!realPhotoAvailable(options))
            QSKIP("needs ../shared/footage/vtest.avi and the perception package");
        QVERIFY(writeVtestFrame(560, photo));
        const Box cone { 163, 187, 16, 21 };
        const auto onCone = [&](const QString &galleryPath) {
            Gallery g;
            int n = 0;
            if (g.open(galleryPath))
                for (const TrackletRecord &t : g.tracklets())
                    n += iou(g.detections(t.id).front().box, cone) > 0.5f ? 1 : 0;
            return n;
        };
        IngestOptions off = options;
        off.pose = PoseModel::Off;
        const QString withoutPath = m_dir.filePath(QStringLiteral("cone-off.sqlite"));
        const IngestSummary without = ingest(withoutPath, { photo }, off);
        QCOMPARE(onCone(withoutPath), 1);
        const QString withPath = m_dir.filePath(QStringLiteral("cone-pose.sqlite"));
        const IngestSummary with = ingest(withPath, { photo }, options);
        QVERIFY(with.problems.isEmpty());
        QCOMPARE(onCone(withPath), 0);
        QCOMPARE(with.sources[0].tracklets, without.sources[0].tracklets - 1);
        QCOMPARE(with.sources[0].tracklets, 6); // counted by eye
        QVERIFY2(with.sources[0].message.contains(QStringLiteral("left out 1 tracked object in which the pose model saw no body")),
            qPrintable(with.sources[0].message));
    }

    // The CNN detector runs on frames ahead of the tracker, on as many threads as asked: real
    // footage ingested on two detection threads, stopped and resumed, stores exactly what one
    // thread stores uninterrupted (vtest.avi at 1 analysed frame a second: 80 frames).
    void detectionThreadsChangeNothing()
    {
        IngestOptions options; // NanoDet and MoveNet lightning
        if (!realPhotoAvailable(options))
            QSKIP("needs ../shared/footage/vtest.avi and the perception package");
        const QString vtest = test::sharedFile(QStringLiteral("footage/vtest.avi"));
        options.analysisFps = 1;
        options.checkpointEvery = 10;
        options.detectionThreads = 1;
        const QString reference = m_dir.filePath(QStringLiteral("threads-1.sqlite"));
        const IngestSummary one = ingest(reference, { vtest }, options);
        QCOMPARE(one.count(IngestOutcome::Ingested), 1);
        QCOMPARE(one.detectionThreads, 1);
        QVERIFY2(one.sources[0].tracklets >= 5, qPrintable(one.sources[0].message));

        options.detectionThreads = 2;
        IngestOptions stopping = options;
        stopping.stopAfterFrames = 35;
        const QString resumed = m_dir.filePath(QStringLiteral("threads-2.sqlite"));
        QCOMPARE(ingest(resumed, { vtest }, stopping).count(IngestOutcome::Cancelled), 1);
        const IngestSummary two = ingest(resumed, { vtest }, options);
        QCOMPARE(two.count(IngestOutcome::Resumed), 1);
        QCOMPARE(two.detectionThreads, 2);
        compareDumps(dump(reference), dump(resumed));
    }

    // A file made with one detector can be analysed again with another: its tracklets are
    // replaced, unless reviews hang on them.
    void reingestReplacesTrackletsButKeepsReviews()
    {
        const QString gallery = m_dir.filePath(QStringLiteral("reingest.sqlite"));
        QCOMPARE(ingest(gallery, { m_clip }).count(IngestOutcome::Ingested), 1);
        IngestOptions other = test::renderedFootageIngest();
        other.detector.minScore = 0.5f; // another pipeline
        const IngestSummary skipped = ingest(gallery, { m_clip }, other);
        QCOMPARE(skipped.count(IngestOutcome::AlreadyPresent), 1);
        QVERIFY2(skipped.sources[0].message.contains(QStringLiteral("made with bgs-median-v1")),
            qPrintable(skipped.sources[0].message));

        other.reingest = true;
        const IngestSummary again = ingest(gallery, { m_clip }, other);
        QCOMPARE(again.count(IngestOutcome::Ingested), 1);
        Gallery g;
        QVERIFY(g.open(gallery));
        QCOMPARE(g.sources().size(), size_t(1));
        QVERIFY(g.sources().front().pipelineKey.contains(QStringLiteral("min=0.5")));
        QCOMPARE(g.trackletCount(), int64_t(again.sources[0].tracklets));
        QVERIFY(again.sources[0].tracklets > 0);

        ReviewRecord review;
        review.trackletId = g.tracklets().front().id;
        review.queryText = QStringLiteral("a person");
        review.verdict = ReviewVerdict::Confirmed;
        QVERIFY(g.addReview(&review));
        IngestOptions back = test::renderedFootageIngest();
        back.reingest = true;
        const IngestSummary refused = ingest(gallery, { m_clip }, back);
        QCOMPARE(refused.count(IngestOutcome::Failed), 1);
        QVERIFY2(refused.problems.filter(QStringLiteral("1 reviews")).size() == 1,
            qPrintable(refused.problems.join(QLatin1Char('\n'))));
        QCOMPARE(g.reviews().size(), size_t(1));
    }

    void unreadableFolderIsReported()
    {
        const QString root = m_dir.filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/secret")));
        QVERIFY(QFile::copy(m_clip, root + QStringLiteral("/visible.avi")));
        QFile::setPermissions(root + QStringLiteral("/secret"), QFileDevice::Permissions());
        if (QDir(root + QStringLiteral("/secret")).isReadable()
            && QDir(root + QStringLiteral("/secret")).entryList().size() >= 0
            && QFileInfo(root + QStringLiteral("/secret")).isReadable()) {
            QFile::setPermissions(root + QStringLiteral("/secret"),
                QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            QSKIP("running as root: permissions do not block reading, an unreadable folder cannot be made");
        }
        const IngestSummary summary = ingest(m_dir.filePath(QStringLiteral("locked.sqlite")), { root });
        QFile::setPermissions(root + QStringLiteral("/secret"),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QVERIFY2(summary.problems.filter(QStringLiteral("secret")).size() == 1,
            qPrintable(summary.problems.join(QLatin1Char('\n'))));
        QCOMPARE(summary.count(IngestOutcome::AlreadyPresent) + summary.count(IngestOutcome::Ingested), 1);
    }
};

QTEST_GUILESS_MAIN(TestIngest)
#include "TestIngest.moc"
