// Fine-tuning from reviews end to end, the way an annotator's work reaches the model: confirmed
// (query, tracklet) pairs in a gallery -> 'descry-cli review export-dataset' -> 'descry-cli
// train --init' on them -> a model the product loads, which differs from the one it started from
// and keeps its vocabulary.

#include "Gallery.h"
#include "ReviewFixture.h"
#include "TestSupport.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

using namespace descry;

class TestReviewFineTune : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_gallery;
    std::vector<int64_t> m_ids;

    using Run = test::CliRun;

    static Run cli(const QStringList &args)
    {
        return test::runCli(args);
    }

    bool confirm(int64_t trackletId, const QString &text)
    {
        Gallery gallery;
        if (!gallery.open(m_gallery))
            return false;
        ReviewRecord review;
        review.trackletId = trackletId;
        review.queryText = text;
        review.verdict = ReviewVerdict::Confirmed;
        review.author = QStringLiteral("test");
        return gallery.addReview(&review);
    }

    QJsonObject exportDataset(const QString &name)
    {
        const Run r
            = cli({ QStringLiteral("review"), QStringLiteral("export-dataset"), QStringLiteral("--gallery"),
                m_gallery, QStringLiteral("--out"), m_dir.filePath(name), QStringLiteral("--json") });
        if (r.exitCode != 0)
            qWarning("export-dataset failed: %s", r.err.constData());
        return QJsonDocument::fromJson(r.out).object();
    }

    static QByteArray fileHash(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                                           : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_gallery = m_dir.filePath(QStringLiteral("g.sqlite"));
        Gallery gallery;
        QVERIFY2(gallery.open(m_gallery), qPrintable(gallery.lastError()));
        // 6 tracklets of 3 crops, each a colour of its own (ReviewFixture.h), two descriptions each.
        m_ids = test::addFixtureTracklets(gallery, 6, 3);
        QCOMPARE(m_ids.size(), size_t(6));
    }

    void confirmedPairsFineTuneAModel()
    {
        const QStringList colours { QStringLiteral("red"), QStringLiteral("orange"), QStringLiteral("green"),
            QStringLiteral("teal"), QStringLiteral("cyan"), QStringLiteral("blue") };
        for (size_t i = 0; i < m_ids.size(); ++i) {
            QVERIFY(confirm(m_ids[i], QStringLiteral("a person in %1 clothes").arg(colours[int(i)])));
            QVERIFY(confirm(m_ids[i], QStringLiteral("someone dressed in %1").arg(colours[int(i)])));
        }
        const QJsonObject baseData = exportDataset(QStringLiteral("base-data"));
        QCOMPARE(baseData.value(QStringLiteral("images")).toInt(), 18);
        QCOMPARE(baseData.value(QStringLiteral("captions")).toInt(), 36);

        // The model to start from: the tiny architecture trained one epoch (4 steps) on them.
        QString error;
        const QString tiny = test::writeTinyNafsModel(
            m_dir.filePath(QStringLiteral("tiny")), QStringLiteral("tiny"), 5, &error);
        QVERIFY2(!tiny.isEmpty(), qPrintable(error));
        const QString base = m_dir.filePath(QStringLiteral("base"));
        Run r = cli({ QStringLiteral("train"), QStringLiteral("--config"), tiny, QStringLiteral("--data"),
            m_dir.filePath(QStringLiteral("base-data")), QStringLiteral("--out"), base,
            QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--batch-size"),
            QStringLiteral("8"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString baseModel = base + QStringLiteral("/tiny.json");

        // A later confirmation whose caption has a word the base model's vocabulary lacks.
        QVERIFY(confirm(m_ids[5], QStringLiteral("a zqxjv figure in blue")));
        QCOMPARE(exportDataset(QStringLiteral("ft-data")).value(QStringLiteral("captions")).toInt(), 39);
        const QString ft = m_dir.filePath(QStringLiteral("ft"));
        r = cli({ QStringLiteral("train"), QStringLiteral("--init"), baseModel, QStringLiteral("--data"),
            m_dir.filePath(QStringLiteral("ft-data")), QStringLiteral("--out"), ft,
            QStringLiteral("--epochs"), QStringLiteral("2"), QStringLiteral("--batch-size"),
            QStringLiteral("8"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(r.out).object();
        QVERIFY(result.value(QStringLiteral("finished")).toBool());
        QCOMPARE(result.value(QStringLiteral("steps")).toInt(), 8); // 39 captions / 8 = 4 steps x 2 epochs
        QCOMPARE(result.value(QStringLiteral("config")).toString(), ft + QStringLiteral("/tiny-ft.json"));
        QVERIFY2(result.value(QStringLiteral("notes"))
                     .toArray()
                     .first()
                     .toString()
                     .contains(QStringLiteral("zqxjv")),
            r.out.constData());
        QVERIFY2(r.err.contains("zqxjv"), r.err.constData()); // said before training, too

        const std::unique_ptr<TextPersonModel> before = TextPersonModel::load(baseModel, &error);
        QVERIFY2(before, qPrintable(error));
        const std::unique_ptr<TextPersonModel> after
            = TextPersonModel::load(ft + QStringLiteral("/tiny-ft.json"), &error);
        QVERIFY2(after, qPrintable(error));
        QCOMPARE(result.value(QStringLiteral("init")).toString(), before->id());
        QVERIFY(after->id().startsWith(QStringLiteral("tiny-ft@")));
        QCOMPARE(
            fileHash(ft + QStringLiteral("/tiny-ft.vocab")), fileHash(base + QStringLiteral("/tiny.vocab")));
        QVERIFY(fileHash(ft + QStringLiteral("/tiny-ft.pt")) != fileHash(base + QStringLiteral("/tiny.pt")));
        // The weights moved: the same crop is seen differently.
        const cv::Mat crop(64, 24, CV_8UC3, cv::Scalar(40, 60, 200)); // BGR: a red person
        const std::vector<VisualEmbedding> a = before->encodeCrops({ crop });
        const std::vector<VisualEmbedding> b = after->encodeCrops({ crop });
        QCOMPARE(a.size(), size_t(1));
        QCOMPARE(b.size(), size_t(1));
        QCOMPARE(a[0].features.size(), b[0].features.size());
        QVERIFY(a[0].features != b[0].features);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("neither config nor init")
            << QStringList {} << 2 << QStringLiteral("--init MODEL.json");
        QTest::newRow("zero epochs") << QStringList { QStringLiteral("--init"), QStringLiteral("m.json"),
            QStringLiteral("--epochs"), QStringLiteral("0") }
                                     << 2 << QStringLiteral("--epochs must be a positive integer");
        QTest::newRow("bad learning rate") << QStringList { QStringLiteral("--init"),
            QStringLiteral("m.json"), QStringLiteral("--learning-rate"), QStringLiteral("fast") }
                                           << 2 << QStringLiteral("--learning-rate must be");
        QTest::newRow("missing init")
            << QStringList { QStringLiteral("--init"), QStringLiteral("/nowhere/m.json") } << 1
            << QStringLiteral("--init: cannot read model config");
        QTest::newRow("TorchScript init") << QStringList { QStringLiteral("--init"), QStringLiteral("m.ts") }
                                          << 1 << QStringLiteral("cannot be fine-tuned");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = cli(QStringList { QStringLiteral("train") } + args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestReviewFineTune)
#include "TestReviewFineTune.moc"
