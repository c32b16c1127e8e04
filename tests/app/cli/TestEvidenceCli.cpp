#include "Gallery.h"
#include "IngestJob.h"
#include "RenderedFootageIngest.h"
#include "SceneRenderer.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace descry;

// `descry-cli evidence` as a user runs it: exit codes, messages, the --json summary, the folder
// it writes, and the review decisions it exports (--confirmed, verdict/label/note per item).
class TestEvidenceCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_gallery;
    QStringList m_ids; // the first tracklets' ids

    using Run = test::CliRun;

    Run cli(const QStringList &args)
    {
        // The CLI picks its platform itself; make sure the test does not hand it a display.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        return test::runCli(QStringList { QStringLiteral("evidence"), QStringLiteral("--gallery"), m_gallery } + args, env);
    }

    QString out(const QString &name) const { return m_dir.filePath(QStringLiteral("out/") + name); }

    static QByteArray readAll(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static QJsonArray exportedItems(const QString &dir)
    {
        return QJsonDocument::fromJson(readAll(dir + QStringLiteral("/results.json")))
            .object()
            .value(QStringLiteral("items"))
            .toArray();
    }

    bool addReview(const QString &trackletId, const QString &query, ReviewVerdict verdict,
        const QString &label = {}, const QString &note = {})
    {
        Gallery gallery;
        if (!gallery.open(m_gallery))
            return false;
        ReviewRecord review;
        review.trackletId = trackletId.toLongLong();
        review.queryText = query;
        review.verdict = verdict;
        review.label = label;
        review.note = note;
        review.author = QStringLiteral("test");
        return gallery.addReview(&review);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SceneOptions scene;
        scene.seed = 11;
        scene.frames = 120;
        scene.people = 5;
        QString error;
        QVERIFY2(writeScene(scene, m_dir.filePath(QStringLiteral("scene")), false, nullptr, &error),
            qPrintable(error));
        m_gallery = m_dir.filePath(QStringLiteral("g.sqlite"));
        IngestJob job(m_gallery, { m_dir.filePath(QStringLiteral("scene/scene.avi")) }, test::renderedFootageIngest());
        QVERIFY(job.run().problems.isEmpty());
        Gallery gallery;
        QVERIFY(gallery.open(m_gallery));
        for (const TrackletRecord &t : gallery.tracklets())
            m_ids << QString::number(t.id);
        QVERIFY(m_ids.size() >= 3);
    }

    void exportsTrackletsById()
    {
        const QString dir = out(QStringLiteral("by-id"));
        const Run r = cli({ QStringLiteral("--out"), dir, QStringLiteral("--tracklets"),
            m_ids[2] + QLatin1Char(',') + m_ids[0], QStringLiteral("--case"), QStringLiteral("Case <7>"),
            QStringLiteral("--author"), QStringLiteral("CLI test"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(summary.value(QStringLiteral("items")).toInt(), 2);
        QCOMPARE(summary.value(QStringLiteral("out")).toString(), QDir::cleanPath(dir));
        QCOMPARE(summary.value(QStringLiteral("manifest_sha256")).toString().size(), 64);
        QVERIFY(summary.value(QStringLiteral("notes")).toArray().isEmpty());

        const QJsonObject results
            = QJsonDocument::fromJson(readAll(dir + QStringLiteral("/results.json"))).object();
        QCOMPARE(results.value(QStringLiteral("title")).toString(), QStringLiteral("Case <7>"));
        QCOMPARE(results.value(QStringLiteral("author")).toString(), QStringLiteral("CLI test"));
        const QJsonArray items = results.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 2);
        // In the order given, without scores.
        QCOMPARE(
            QString::number(items[0].toObject().value(QStringLiteral("tracklet_id")).toInteger()), m_ids[2]);
        QCOMPARE(
            QString::number(items[1].toObject().value(QStringLiteral("tracklet_id")).toInteger()), m_ids[0]);
        QVERIFY(items[0].toObject().value(QStringLiteral("score")).isNull());
        QVERIFY(readAll(dir + QStringLiteral("/report.pdf")).startsWith("%PDF"));
        QVERIFY(readAll(dir + QStringLiteral("/report.html")).contains("Case &lt;7&gt;"));

        // The same folder again: refused, then replaced with --overwrite.
        const Run again = cli({ QStringLiteral("--out"), dir, QStringLiteral("--tracklets"), m_ids[1] });
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("is not empty"), again.err.constData());
        const Run replaced = cli({ QStringLiteral("--out"), dir, QStringLiteral("--tracklets"), m_ids[1],
            QStringLiteral("--overwrite") });
        QVERIFY2(replaced.exitCode == 0, replaced.err.constData());
        QVERIFY(replaced.out.contains("wrote 1 tracklets to"));
        QVERIFY(replaced.out.contains("manifest.json SHA-256: "));
    }

    void exportsTopResultsOfQuery()
    {
        const QString dir = out(QStringLiteral("by-query"));
        // --no-model: the attribute ranking, deterministic and independent of the shipped model.
        const Run r = cli({ QStringLiteral("--out"), dir, QStringLiteral("--query"),
            QStringLiteral("a person in a blue jacket and black trousers"), QStringLiteral("--top"),
            QStringLiteral("2"), QStringLiteral("--no-model"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("items")).toInt(), 2);
        const QJsonObject results
            = QJsonDocument::fromJson(readAll(dir + QStringLiteral("/results.json"))).object();
        QCOMPARE(results.value(QStringLiteral("query")).toString(),
            QStringLiteral("a person in a blue jacket and black trousers"));
        QCOMPARE(results.value(QStringLiteral("ranking")).toString(), QStringLiteral("attributes"));
        const QJsonArray items = results.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 2);
        QVERIFY(items[0].toObject().value(QStringLiteral("score")).isDouble());
        QVERIFY(items[0].toObject().value(QStringLiteral("score")).toDouble()
            >= items[1].toObject().value(QStringLiteral("score")).toDouble());
        const QStringList csv = QString::fromUtf8(readAll(dir + QStringLiteral("/results.csv")))
                                    .split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 3);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no --out") << QStringList { QStringLiteral("--tracklets"), QStringLiteral("1") } << 2
                                  << QStringLiteral("--out DIR");
        QTest::newRow("neither ids nor query")
            << QStringList { QStringLiteral("--out"), QStringLiteral("x") } << 2 << QStringLiteral("either");
        QTest::newRow("both ids and query") << QStringList { QStringLiteral("--out"), QStringLiteral("x"),
            QStringLiteral("--tracklets"), QStringLiteral("1"), QStringLiteral("--query"),
            QStringLiteral("red") } << 2 << QStringLiteral("either");
        QTest::newRow("bad ids") << QStringList { QStringLiteral("--out"), QStringLiteral("x"),
            QStringLiteral("--tracklets"), QStringLiteral("3,x") }
                                 << 2 << QStringLiteral("separated by commas");
        QTest::newRow("confirmed and ids") << QStringList { QStringLiteral("--out"), QStringLiteral("x"),
            QStringLiteral("--tracklets"), QStringLiteral("1"), QStringLiteral("--confirmed") }
                                           << 2 << QStringLiteral("either");
        QTest::newRow("confirmed with --top") << QStringList { QStringLiteral("--out"), QStringLiteral("x"),
            QStringLiteral("--confirmed"), QStringLiteral("--top"), QStringLiteral("3") }
                                              << 2 << QStringLiteral("leave out --top");
        QTest::newRow("unknown tracklet") << QStringList { QStringLiteral("--out"), QStringLiteral("x"),
            QStringLiteral("--tracklets"), QStringLiteral("987654") }
                                          << 1 << QStringLiteral("not in the gallery");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        // Relative --out paths land in the temporary folder, never the build tree.
        for (int i = 0; i + 1 < args.size(); ++i)
            if (args[i] == QLatin1String("--out"))
                args[i + 1] = out(args[i + 1]);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(!QFileInfo::exists(out(QStringLiteral("x"))));
    }

    void missingGalleryIsNotCreated()
    {
        const QString saved = m_gallery;
        m_gallery = m_dir.filePath(QStringLiteral("absent/g.sqlite"));
        const Run r = cli({ QStringLiteral("--out"), out(QStringLiteral("y")), QStringLiteral("--tracklets"),
            QStringLiteral("1") });
        m_gallery = saved;
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no gallery at"), r.err.constData());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("absent"))));
    }

    // Runs after the tests above: they export a gallery without reviews.
    void exportsConfirmedTrackletsWithTheirReviews()
    {
        const QString jacket = QStringLiteral("a person in a blue jacket");
        const QString bag = QStringLiteral("someone with a bag");
        QVERIFY(addReview(m_ids[0], jacket, ReviewVerdict::Confirmed, QStringLiteral("Anna"), QStringLiteral("at the gate")));
        QVERIFY(addReview(m_ids[1], jacket, ReviewVerdict::Confirmed));
        QVERIFY(addReview(m_ids[1], jacket, ReviewVerdict::Rejected, {}, QStringLiteral("not her"))); // supersedes
        QVERIFY(addReview(m_ids[2], bag, ReviewVerdict::Confirmed, QStringLiteral("Ben")));

        // Confirmed for one query: its latest confirmations only, with label and note.
        const QString forJacket = out(QStringLiteral("confirmed-jacket"));
        Run r = cli({ QStringLiteral("--out"), forJacket, QStringLiteral("--confirmed"), QStringLiteral("--query"),
            jacket, QStringLiteral("--no-model"), QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonArray items = exportedItems(forJacket);
        QCOMPARE(items.size(), 1);
        QJsonObject item = items[0].toObject();
        QCOMPARE(QString::number(item.value(QStringLiteral("tracklet_id")).toInteger()), m_ids[0]);
        QCOMPARE(item.value(QStringLiteral("verdict")).toString(), QStringLiteral("confirmed"));
        QCOMPARE(item.value(QStringLiteral("label")).toString(), QStringLiteral("Anna"));
        QCOMPARE(item.value(QStringLiteral("note")).toString(), QStringLiteral("at the gate"));
        QCOMPARE(QJsonDocument::fromJson(readAll(forJacket + QStringLiteral("/results.json")))
                     .object()
                     .value(QStringLiteral("query"))
                     .toString(),
            jacket);

        // Confirmed for any query, in footage order; without a case query the note names the
        // query each decision was made on.
        const QString all = out(QStringLiteral("confirmed-all"));
        r = cli({ QStringLiteral("--out"), all, QStringLiteral("--confirmed"), QStringLiteral("--no-model") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        items = exportedItems(all);
        QCOMPARE(items.size(), 2);
        QCOMPARE(QString::number(items[0].toObject().value(QStringLiteral("tracklet_id")).toInteger()), m_ids[0]);
        QCOMPARE(items[0].toObject().value(QStringLiteral("note")).toString(),
            QStringLiteral("on \"a person in a blue jacket\": at the gate"));
        item = items[1].toObject();
        QCOMPARE(QString::number(item.value(QStringLiteral("tracklet_id")).toInteger()), m_ids[2]);
        QCOMPARE(item.value(QStringLiteral("label")).toString(), QStringLiteral("Ben"));
        QCOMPARE(item.value(QStringLiteral("note")).toString(), QStringLiteral("on \"someone with a bag\""));
        QVERIFY(readAll(all + QStringLiteral("/results.csv")).contains("Ben"));

        // Chosen by id: each carries the decision that counts, whatever it is.
        const QString byId = out(QStringLiteral("by-id-reviewed"));
        r = cli({ QStringLiteral("--out"), byId, QStringLiteral("--tracklets"), m_ids[1] + QLatin1Char(',') + m_ids[3] });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        items = exportedItems(byId);
        QCOMPARE(items.size(), 2);
        QCOMPARE(items[0].toObject().value(QStringLiteral("verdict")).toString(), QStringLiteral("rejected"));
        QCOMPARE(items[0].toObject().value(QStringLiteral("note")).toString(),
            QStringLiteral("on \"a person in a blue jacket\": not her"));
        QCOMPARE(items[1].toObject().value(QStringLiteral("verdict")).toString(), QString());

        // The top results of a query carry that query's decisions only: tracklet 2's confirmation
        // was on another query.
        const QString top = out(QStringLiteral("top-reviewed"));
        r = cli({ QStringLiteral("--out"), top, QStringLiteral("--query"), jacket, QStringLiteral("--top"),
            QString::number(m_ids.size()), QStringLiteral("--no-model") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        items = exportedItems(top);
        QVERIFY(!items.isEmpty());
        const QMap<QString, QString> expected { { m_ids[0], QStringLiteral("confirmed") },
            { m_ids[1], QStringLiteral("rejected") } };
        for (const QJsonValue &v : items) {
            const QString id = QString::number(v.toObject().value(QStringLiteral("tracklet_id")).toInteger());
            QCOMPARE(v.toObject().value(QStringLiteral("verdict")).toString(), expected.value(id));
        }

        // Nothing confirmed for the query: refused, nothing written.
        r = cli({ QStringLiteral("--out"), out(QStringLiteral("none")), QStringLiteral("--confirmed"),
            QStringLiteral("--query"), QStringLiteral("a red hat"), QStringLiteral("--no-model") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no tracklet is confirmed for \"a red hat\""), r.err.constData());
        QVERIFY(!QFileInfo::exists(out(QStringLiteral("none"))));
    }

    // Identity level: every appearance of a person (--person), and the people of chosen tracklets
    // with all their appearances (--with-appearances), in footage order, each with its person.
    void exportsEveryAppearanceOfAPerson()
    {
        std::vector<TrackletRecord> byTime;
        {
            Gallery gallery;
            QVERIFY(gallery.open(m_gallery));
            byTime = gallery.tracklets();
            std::sort(byTime.begin(), byTime.end(),
                [](const TrackletRecord &a, const TrackletRecord &b) { return a.startTime < b.startTime; });
            // Grouped by hand: the first and third tracklets in time are person 1, the rest person 2.
            std::map<int64_t, int64_t> people;
            for (size_t i = 0; i < byTime.size(); ++i)
                people[byTime[i].id] = i == 0 || i == 2 ? 1 : 2;
            IdentityGroupingRecord grouping { 0, QStringLiteral("by hand"), 0.7, int64_t(people.size()), 2, 0, {}, {} };
            QVERIFY(gallery.replaceIdentities(&grouping, people));
        }
        const QString first = QString::number(byTime[0].id), third = QString::number(byTime[2].id);

        const QString person = out(QStringLiteral("person"));
        Run r = cli({ QStringLiteral("--out"), person, QStringLiteral("--person"), QStringLiteral("1"), QStringLiteral("--no-verify") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonArray items = exportedItems(person);
        QCOMPARE(items.size(), 2);
        QCOMPARE(QString::number(items[0].toObject().value(QStringLiteral("tracklet_id")).toInteger()), first);
        QCOMPARE(QString::number(items[1].toObject().value(QStringLiteral("tracklet_id")).toInteger()), third);
        for (const QJsonValue &item : items)
            QCOMPARE(item.toObject().value(QStringLiteral("person_id")).toInteger(), 1);
        const QString csv = QString::fromUtf8(readAll(person + QStringLiteral("/results.csv")));
        QVERIFY(csv.startsWith(QStringLiteral("rank,tracklet_id,person_id,")));

        // The third tracklet chosen: its person's first appearance joins it, said to be one.
        const QString appearances = out(QStringLiteral("appearances"));
        r = cli({ QStringLiteral("--out"), appearances, QStringLiteral("--tracklets"), third,
            QStringLiteral("--with-appearances"), QStringLiteral("--no-verify") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("1 more appearance"), r.err.constData());
        items = exportedItems(appearances);
        QCOMPARE(items.size(), 2);
        QCOMPARE(QString::number(items[0].toObject().value(QStringLiteral("tracklet_id")).toInteger()), first);
        // Added by grouping, not chosen: the note says so (before any review note it has).
        QVERIFY2(items[0].toObject().value(QStringLiteral("note")).toString().startsWith(
                     QStringLiteral("another appearance of person 1")),
            qPrintable(items[0].toObject().value(QStringLiteral("note")).toString()));
        QCOMPARE(QString::number(items[1].toObject().value(QStringLiteral("tracklet_id")).toInteger()), third);

        r = cli({ QStringLiteral("--out"), out(QStringLiteral("nobody")), QStringLiteral("--person"), QStringLiteral("99") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no tracklet belongs to person 99"), r.err.constData());
        r = cli({ QStringLiteral("--out"), out(QStringLiteral("twice")), QStringLiteral("--person"), QStringLiteral("1"),
            QStringLiteral("--with-appearances") });
        QCOMPARE(r.exitCode, 2);
        r = cli({ QStringLiteral("--out"), out(QStringLiteral("both")), QStringLiteral("--person"), QStringLiteral("1"),
            QStringLiteral("--tracklets"), first });
        QCOMPARE(r.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestEvidenceCli)
#include "TestEvidenceCli.moc"
