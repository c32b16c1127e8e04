// descry-cli review as scripts use it: add / list / export-dataset on a gallery of fixture
// tracklets, exit codes and the --json contract.

#include "Gallery.h"
#include "PedesDataset.h"
#include "ReviewFixture.h"
#include "TestSupport.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace descry;

class TestCliReview : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_gallery;
    std::vector<int64_t> m_ids;

    using Run = test::CliRun;

    Run cli(const QStringList &args)
    {
        return test::runCli(args);
    }

    Run review(const QStringList &args)
    {
        return cli(QStringList { QStringLiteral("review") } + args
            + QStringList { QStringLiteral("--gallery"), m_gallery });
    }

    QString id(int i) const { return QString::number(m_ids[size_t(i)]); }

private Q_SLOTS:
    void initTestCase()
    {
        m_gallery = m_dir.filePath(QStringLiteral("g.sqlite"));
        Gallery g;
        QVERIFY2(g.open(m_gallery), qPrintable(g.lastError()));
        m_ids = test::addFixtureTracklets(g, 3, 2);
        QCOMPARE(m_ids.size(), size_t(3));
    }

    void addStoresAndListShowsTheLatest()
    {
        const QString coat = QStringLiteral("a woman in a red coat");
        Run r = review({ QStringLiteral("add"), id(0), QStringLiteral("--query"), coat,
            QStringLiteral("--verdict"), QStringLiteral("confirmed"), QStringLiteral("--label"),
            QStringLiteral("Anna"), QStringLiteral("--note"), QStringLiteral("at the gate"),
            QStringLiteral("--author"), QStringLiteral("ann"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject added = QJsonDocument::fromJson(r.out).object();
        QVERIFY(added.value(QStringLiteral("id")).toInteger() > 0);
        QCOMPARE(added.value(QStringLiteral("tracklet_id")).toInteger(), m_ids[0]);
        QCOMPARE(added.value(QStringLiteral("verdict")).toString(), QStringLiteral("confirmed"));
        QCOMPARE(added.value(QStringLiteral("author")).toString(), QStringLiteral("ann"));
        r = review({ QStringLiteral("add"), id(1), QStringLiteral("--query"), coat,
            QStringLiteral("--verdict"), QStringLiteral("confirmed") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("confirmed"));
        // A second opinion on tracklet 1: it supersedes, the history keeps both.
        r = review(
            { QStringLiteral("add"), id(1), QStringLiteral("--query"), coat, QStringLiteral("--verdict"),
                QStringLiteral("rejected"), QStringLiteral("--author"), QStringLiteral("bob") });
        QCOMPARE(r.exitCode, 0);
        r = review({ QStringLiteral("add"), id(2), QStringLiteral("--query"),
            QStringLiteral("a man with a dog"), QStringLiteral("--verdict"), QStringLiteral("confirmed") });
        QCOMPARE(r.exitCode, 0);

        r = review({ QStringLiteral("list"), QStringLiteral("--json") });
        QCOMPARE(r.exitCode, 0);
        QJsonArray rows = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("reviews")).toArray();
        QCOMPARE(rows.size(), 3);
        r = review({ QStringLiteral("list"), QStringLiteral("--query"),
            QStringLiteral(" a woman in a  red coat"), QStringLiteral("--json") });
        rows = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("reviews")).toArray();
        QCOMPARE(rows.size(), 2);
        const QJsonObject first = rows[0].toObject();
        for (const char *key :
            { "id", "tracklet_id", "query", "verdict", "label", "note", "author", "created_at" })
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QCOMPARE(first.value(QStringLiteral("label")).toString(), QStringLiteral("Anna"));
        QCOMPARE(first.value(QStringLiteral("note")).toString(), QStringLiteral("at the gate"));
        QCOMPARE(rows[1].toObject().value(QStringLiteral("verdict")).toString(), QStringLiteral("rejected"));
        QCOMPARE(rows[1].toObject().value(QStringLiteral("author")).toString(), QStringLiteral("bob"));
        r = review({ QStringLiteral("list"), QStringLiteral("--tracklet"), id(1), QStringLiteral("--json") });
        QCOMPARE(
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("reviews")).toArray().size(), 2);
        // Plain text: one line per decision.
        r = review({ QStringLiteral("list") });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed().split('\n').size(), 3);
        QVERIFY(r.out.contains("label: Anna"));
    }

    void exportDatasetWritesATrainingSet()
    {
        const QString out = m_dir.filePath(QStringLiteral("dataset"));
        const Run r = review(
            { QStringLiteral("export-dataset"), QStringLiteral("--out"), out, QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject counts = QJsonDocument::fromJson(r.out).object();
        // Confirmed now: (coat, t0) and (dog, t2); (coat, t1) was rejected last.
        QCOMPARE(counts.value(QStringLiteral("pairs")).toInt(), 2);
        QCOMPARE(counts.value(QStringLiteral("identities")).toInt(), 2);
        QCOMPARE(counts.value(QStringLiteral("images")).toInt(), 4);
        QCOMPARE(counts.value(QStringLiteral("val_identities")).toInt(), 0);
        PedesDataset dataset;
        QString error;
        QVERIFY2(dataset.load(out, &error), qPrintable(error));
        QVERIFY2(dataset.verify(&error), qPrintable(error));
        QCOMPARE(dataset.identityCount(QStringLiteral("train")), 2);
        QCOMPARE(dataset.samples().front().captions, QStringList { QStringLiteral("a woman in a red coat") });
        // Text summary; a folder in use is refused.
        const Run again = review({ QStringLiteral("export-dataset"), QStringLiteral("--out"), out });
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("not empty"));
        const Run text = review({ QStringLiteral("export-dataset"), QStringLiteral("--out"),
            m_dir.filePath(QStringLiteral("dataset2")), QStringLiteral("--val-fraction"),
            QStringLiteral("0.5") });
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("2 identities (1 train, 1 val)"), text.out.constData());
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString gallery = m_gallery;
        const auto withGallery
            = [gallery](QStringList args) { return args << QStringLiteral("--gallery") << gallery; };
        QTest::newRow("no action") << QStringList { QStringLiteral("review") } << 2
                                   << QStringLiteral("export-dataset");
        QTest::newRow("unknown action") << QStringList { QStringLiteral("review"), QStringLiteral("frob") }
                                        << 2 << QStringLiteral("unknown action");
        QTest::newRow("bad verdict") << withGallery(
            { QStringLiteral("review"), QStringLiteral("add"), id(0), QStringLiteral("--query"),
                QStringLiteral("x"), QStringLiteral("--verdict"), QStringLiteral("maybe") })
                                     << 2 << QStringLiteral("confirmed, rejected or skipped");
        QTest::newRow("no query") << withGallery({ QStringLiteral("review"), QStringLiteral("add"), id(0),
            QStringLiteral("--verdict"), QStringLiteral("confirmed") })
                                  << 2 << QStringLiteral("--query");
        QTest::newRow("bad tracklet") << withGallery({ QStringLiteral("review"), QStringLiteral("add"),
            QStringLiteral("abc"), QStringLiteral("--query"), QStringLiteral("x"),
            QStringLiteral("--verdict"), QStringLiteral("confirmed") })
                                      << 2 << QStringLiteral("tracklet id");
        QTest::newRow("unknown tracklet") << withGallery({ QStringLiteral("review"), QStringLiteral("add"),
            QStringLiteral("99999"), QStringLiteral("--query"), QStringLiteral("x"),
            QStringLiteral("--verdict"), QStringLiteral("confirmed") })
                                          << 1 << QStringLiteral("not in the gallery");
        QTest::newRow("no gallery") << QStringList { QStringLiteral("review"), QStringLiteral("list"),
            QStringLiteral("--gallery"), m_dir.filePath(QStringLiteral("none.sqlite")) }
                                    << 1 << QStringLiteral("ingest footage first");
        QTest::newRow("export without out")
            << withGallery({ QStringLiteral("review"), QStringLiteral("export-dataset") }) << 2
            << QStringLiteral("--out");
        QTest::newRow("bad fraction") << withGallery({ QStringLiteral("review"),
            QStringLiteral("export-dataset"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x")),
            QStringLiteral("--val-fraction"), QStringLiteral("1.5") })
                                      << 2 << QStringLiteral("--val-fraction");
        QTest::newRow("listed in the usage")
            << QStringList { QStringLiteral("--help") } << 0 << QStringLiteral("review ACTION");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err + r.out).contains(message, Qt::CaseInsensitive), r.err.constData());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("none.sqlite"))));
    }
};

QTEST_MAIN(TestCliReview)
#include "TestCliReview.moc"
