#include "SceneRenderer.h"
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace descry;

// descry-cli as a user runs it: exit codes, messages and the --json contract.
class TestCliCommands : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_gallery;
    QString m_clip;

    using Run = test::CliRun;

    Run cli(const QStringList &args)
    {
        return test::runCli(args);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const Run render = cli({ QStringLiteral("render"), QStringLiteral("--seed"), QStringLiteral("5"),
            QStringLiteral("--frames"), QStringLiteral("150"), QStringLiteral("--people"),
            QStringLiteral("6"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("scene")) });
        QVERIFY2(render.exitCode == 0, render.err.constData());
        m_clip = m_dir.filePath(QStringLiteral("scene/scene.avi"));
        m_gallery = m_dir.filePath(QStringLiteral("g.sqlite"));
        const Run ingest = cli({ QStringLiteral("ingest"), QStringLiteral("--detector"), QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off"), m_clip, QStringLiteral("--gallery"), m_gallery });
        QVERIFY2(ingest.exitCode == 0, ingest.err.constData());
        QVERIFY(ingest.out.contains("1 ingested"));
    }

    void searchJsonContract()
    {
        // --all: the contract is about the fields, not about how sure the shipped model is (its
        // calibrated cut-off would hide results it is unsure of).
        const Run r = cli({ QStringLiteral("search"),
            QStringLiteral("a man in a blue jacket and black trousers"), QStringLiteral("--gallery"),
            m_gallery, QStringLiteral("--top"), QStringLiteral("3"), QStringLiteral("--all"), QStringLiteral("--json") });
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonArray results = doc.object().value(QStringLiteral("results")).toArray();
        QCOMPARE(results.size(), 3);
        double previous = std::numeric_limits<double>::infinity(); // scores are ranked, not bounded
        for (const auto &v : results) {
            const QJsonObject o = v.toObject();
            for (const char *key :
                { "tracklet_id", "score", "source", "start_time", "end_time", "detections" })
                QVERIFY2(o.contains(QLatin1String(key)), key);
            QVERIFY(o.value(QStringLiteral("score")).toDouble() <= previous);
            previous = o.value(QStringLiteral("score")).toDouble();
            QCOMPARE(o.value(QStringLiteral("source")).toString(), m_clip);
            QVERIFY(o.value(QStringLiteral("end_time")).toDouble()
                >= o.value(QStringLiteral("start_time")).toDouble());
            const QJsonArray detections = o.value(QStringLiteral("detections")).toArray();
            QVERIFY(detections.size() >= 5);
            int lastFrame = -1;
            for (const auto &d : detections) {
                const QJsonObject det = d.toObject();
                const int frame = det.value(QStringLiteral("frame")).toInt(-1);
                QVERIFY(frame > lastFrame && frame < 150);
                lastFrame = frame;
                const QJsonArray box = det.value(QStringLiteral("box")).toArray();
                QCOMPARE(box.size(), 4);
                QVERIFY(box[0].toDouble() >= 0 && box[1].toDouble() >= 0);
                QVERIFY(box[2].toDouble() > 0 && box[3].toDouble() > 0);
                QVERIFY(box[0].toDouble() + box[2].toDouble() <= 768.5
                    && box[1].toDouble() + box[3].toDouble() <= 576.5);
            }
        }
    }

    void infoDescribesGallery()
    {
        const Run r = cli(
            { QStringLiteral("info"), QStringLiteral("--gallery"), m_gallery, QStringLiteral("--json") });
        QCOMPARE(r.exitCode, 0);
        const QJsonObject gallery
            = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("gallery")).toObject();
        QCOMPARE(gallery.value(QStringLiteral("sources")).toArray().size(), 1);
        QVERIFY(gallery.value(QStringLiteral("tracklets")).toInteger() >= 3);
    }

    void ingestAgainSkipsAndBadPathsAreReported()
    {
        const Run r = cli({ QStringLiteral("ingest"), QStringLiteral("--detector"), QStringLiteral("background"), QStringLiteral("--pose"), QStringLiteral("off"), m_clip, m_dir.filePath(QStringLiteral("missing.mp4")),
            QStringLiteral("--gallery"), m_gallery });
        QCOMPARE(r.exitCode, 1); // a problem was reported, the rest still went through
        QVERIFY(r.out.contains("1 already present"));
        QVERIFY(r.err.contains("missing.mp4: no such file or folder"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList {} << 2 << QStringLiteral("usage");
        QTest::newRow("unknown command")
            << QStringList { QStringLiteral("frobnicate") } << 2 << QStringLiteral("unknown command");
        QTest::newRow("ingest without paths")
            << QStringList { QStringLiteral("ingest") } << 2 << QStringLiteral("at least one");
        QTest::newRow("search without gallery") << QStringList { QStringLiteral("search"),
            QStringLiteral("red"), QStringLiteral("--gallery"), QStringLiteral("/nonexistent/g.sqlite") }
                                                << 1 << QStringLiteral("ingest footage first");
        QTest::newRow("unknown option") << QStringList { QStringLiteral("search"), QStringLiteral("--bogus") }
                                        << 2 << QStringLiteral("bogus");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err + r.out).contains(message, Qt::CaseInsensitive), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliCommands)
#include "TestCliCommands.moc"
