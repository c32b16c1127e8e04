// descry-cli search filters, the relevance cut-off and `similar`, as a user runs them: flags,
// JSON fields, exit codes and messages. The gallery is placed by hand with an untrained tiny
// model (--model), so nothing depends on the shipped model.
#include "Gallery.h"
#include "ScoreCalibration.h"
#include "SearchFixture.h"
#include "TestSupport.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

using namespace descry;
using test::attr;

namespace {

const QString kQuery = QStringLiteral("a man in a red coat and blue jeans");

} // namespace

class TestCliSearch : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_config;
    QString m_modelId;
    QString m_gallery;
    QString m_image;
    std::vector<int64_t> m_ids; // a1 a2 a3 b1 b2
    std::vector<int64_t> m_sources;

    using Run = test::CliRun;

    Run cli(const QStringList &args)
    {
        return test::runCli(args);
    }

    Run search(const QStringList &options)
    {
        return cli(QStringList { QStringLiteral("search"), kQuery, QStringLiteral("--gallery"), m_gallery,
                       QStringLiteral("--model"), m_config, QStringLiteral("--json") }
            + options);
    }

    static QSet<qint64> ids(const QJsonObject &json)
    {
        QSet<qint64> out;
        for (const QJsonValue &v : json.value(QStringLiteral("results")).toArray())
            out.insert(v.toObject().value(QStringLiteral("tracklet_id")).toInteger());
        return out;
    }

    QSet<qint64> idsOf(std::initializer_list<int> indexes) const
    {
        QSet<qint64> out;
        for (int i : indexes)
            out.insert(m_ids[size_t(i)]);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        m_config = test::writeTinyNafsModel(m_dir.path(), QStringLiteral("tiny"), 5, &error);
        QVERIFY2(!m_config.isEmpty(), qPrintable(error));
        std::unique_ptr<TextPersonModel> model = TextPersonModel::load(m_config, &error);
        QVERIFY2(model, qPrintable(error));
        m_modelId = model->id();
        const std::vector<float> q = model->encodeQuery(kQuery).global;
        cv::Mat person(96, 40, CV_8UC3, cv::Scalar(30, 30, 200));
        m_image = m_dir.filePath(QStringLiteral("person.png"));
        QVERIFY(cv::imwrite(m_image.toStdString(), person));
        const VisualEmbedding crop = model->encodeCrops({ cv::imread(m_image.toStdString()) }).front();
        std::vector<float> imageGlobal;
        for (const EmbeddingRecord &e : TrackletEmbedder::pool({ crop }, m_modelId))
            if (e.kind == TrackletEmbedder::GlobalKind)
                imageGlobal = e.vector;
        using R = BodyRegion;
        const std::vector<test::PlacedTracklet> placed {
            { 0, 0, 5, test::vectorAt(q, 0.9f, 1),
                { attr(R::Upper, "colour:red", 0.6f), attr(R::Lower, "colour:black", 0.5f) } },
            { 0, 10, 20, test::vectorAt(q, 0.5f, 2), { attr(R::Upper, "colour:blue", 0.4f) } },
            { 0, 30, 40, imageGlobal,
                { attr(R::Upper, "colour:red", 0.3f), attr(R::Lower, "colour:blue", 0.8f) } },
            { 1, 2, 8, test::vectorAt(q, 0.8f, 4), { attr(R::Upper, "colour:blue", 0.5f) } },
            { 1, 12, 18, test::vectorAt(q, 0.95f, 5),
                { attr(R::Upper, "colour:red", 0.4f), attr(R::Lower, "garment:shorts", 0.8f) } },
        };
        m_gallery = m_dir.filePath(QStringLiteral("g.sqlite"));
        Gallery gallery;
        QVERIFY(gallery.open(m_gallery));
        QVERIFY(test::addPlacedTracklets(gallery, { QStringLiteral("Lobby"), QStringLiteral("car park") },
            placed, m_modelId, crop.features, &m_ids, &m_sources));
    }

    void searchJsonKeepsItsFieldsAndAddsConfidence()
    {
        const Run r = search({});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject json = r.json();
        QVERIFY(json.value(QStringLiteral("ranking")).toString().startsWith(QStringLiteral("model tiny@")));
        QCOMPARE(json.value(QStringLiteral("hidden_below_cutoff")).toInt(-1), 0);
        const QJsonArray results = json.value(QStringLiteral("results")).toArray();
        QCOMPARE(results.size(), 5);
        for (const QJsonValue &v : results) {
            const QJsonObject o = v.toObject();
            for (const char *key : { "tracklet_id", "score", "source", "camera", "start_time", "end_time",
                     "matched", "detections", "confidence" })
                QVERIFY2(o.contains(QLatin1String(key)), key);
            QCOMPARE(
                o.value(QStringLiteral("confidence")).toDouble(), -1.0); // the tiny model is not calibrated
        }
    }

    void filterFlags_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("--source") << QStringList { QStringLiteral("--source"), QStringLiteral("2") }
                                  << QList<int> { 3, 4 };
        QTest::newRow("--source list") << QStringList { QStringLiteral("--source"), QStringLiteral("1,2") }
                                       << QList<int> { 0, 1, 2, 3, 4 };
        QTest::newRow("--camera") << QStringList { QStringLiteral("--camera"), QStringLiteral("car park") }
                                  << QList<int> { 3, 4 };
        QTest::newRow("--camera twice") << QStringList { QStringLiteral("--camera"), QStringLiteral("lobby"),
            QStringLiteral("--camera"), QStringLiteral("Car Park") }
                                        << QList<int> { 0, 1, 2, 3, 4 };
        QTest::newRow("--from --to") << QStringList { QStringLiteral("--from"), QStringLiteral("9"),
            QStringLiteral("--to"), QStringLiteral("21") }
                                     << QList<int> { 1, 4 };
        QTest::newRow("--attribute") << QStringList { QStringLiteral("--attribute"),
            QStringLiteral("upper:red") }
                                     << QList<int> { 0, 2, 4 };
        QTest::newRow("--attribute AND") << QStringList { QStringLiteral("--attribute"),
            QStringLiteral("upper:red"), QStringLiteral("--attribute"), QStringLiteral("lower:black") }
                                         << QList<int> { 0 };
        QTest::newRow("all combined")
            << QStringList { QStringLiteral("--camera"), QStringLiteral("lobby"), QStringLiteral("--to"),
                   QStringLiteral("35"), QStringLiteral("--attribute"), QStringLiteral("upper:red") }
            << QList<int> { 0, 2 };
    }

    void filterFlags()
    {
        QFETCH(QStringList, options);
        QFETCH(QList<int>, expected);
        // Source ids are assigned 1, 2 in a fresh gallery: the rows above rely on it.
        QCOMPARE(m_sources, (std::vector<int64_t> { 1, 2 }));
        const Run r = search(options);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QSet<qint64> want;
        for (int i : expected)
            want.insert(m_ids[size_t(i)]);
        QCOMPARE(ids(r.json()), want);
    }

    void sortByTime()
    {
        const Run r = search({ QStringLiteral("--sort"), QStringLiteral("time") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QList<qint64> order;
        for (const QJsonValue &v : r.json().value(QStringLiteral("results")).toArray())
            order.append(v.toObject().value(QStringLiteral("tracklet_id")).toInteger());
        QCOMPARE(order, (QList<qint64> { m_ids[0], m_ids[1], m_ids[2], m_ids[3], m_ids[4] }));
    }

    void cutoffHidesAndAllShows()
    {
        // A calibration beside the model that puts every result below the cut-off.
        ScoreCalibration c;
        c.modelId = m_modelId;
        c.slope = 1;
        c.intercept = -100;
        QString error;
        const QString path = ScoreCalibration::pathForModel(m_config);
        QVERIFY2(c.save(path, &error), qPrintable(error));
        Run r = search({});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("hidden_below_cutoff")).toInt(), 5);
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().size(), 0);
        QCOMPARE(r.json().value(QStringLiteral("cutoff")).toDouble(), 0.5);
        r = search({ QStringLiteral("--all") });
        QCOMPARE(r.json().value(QStringLiteral("hidden_below_cutoff")).toInt(), 0);
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().size(), 5);
        const double confidence = r.json()
                                      .value(QStringLiteral("results"))
                                      .toArray()
                                      .first()
                                      .toObject()
                                      .value(QStringLiteral("confidence"))
                                      .toDouble();
        QVERIFY(confidence >= 0 && confidence < 1e-6);
        r = search({ QStringLiteral("--min-confidence"), QStringLiteral("0") });
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().size(), 5);
        // The readable listing says how many are hidden and how to see them.
        r = cli({ QStringLiteral("search"), kQuery, QStringLiteral("--gallery"), m_gallery,
            QStringLiteral("--model"), m_config });
        QVERIFY2(r.out.contains("5 more below the cut-off (confidence < 0.50); --all shows them"),
            r.out.constData());
        QVERIFY(QFile::remove(path));
    }

    // Damaged model files are refused at load with the reason, and search goes on without them:
    // weights or vocabulary -> attributes only; calibration -> no confidence. The bytes changed
    // are inside the largest tensor, where LibTorch's own reader notices nothing.
    void damagedModelFilesAreRefusedAndSearchGoesOn()
    {
        QTemporaryDir dir;
        for (const char *suffix : { ".json", ".vocab", ".pt" })
            QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("tiny") + QLatin1String(suffix)),
                dir.filePath(QStringLiteral("tiny") + QLatin1String(suffix))));
        const QString config = dir.filePath(QStringLiteral("tiny.json"));
        const auto searchWith = [&] {
            return cli({ QStringLiteral("search"), kQuery, QStringLiteral("--gallery"), m_gallery, QStringLiteral("--model"),
                config, QStringLiteral("--json") });
        };
        Run r = searchWith();
        QVERIFY2(r.exitCode == 0 && !r.err.contains("damaged"), r.err.constData());

        // Weights: one byte in the middle of the largest tensor's data (a stored zip entry).
        QFile weights(dir.filePath(QStringLiteral("tiny.pt")));
        QVERIFY(weights.open(QIODevice::ReadWrite));
        QByteArray bytes = weights.readAll();
        qsizetype largestStart = -1, largestSize = 0;
        const auto u16 = [&](qsizetype o) { return qsizetype(uchar(bytes[o])) | qsizetype(uchar(bytes[o + 1])) << 8; };
        const auto u32 = [&](qsizetype o) { return u16(o) | u16(o + 2) << 16; };
        // The zip's central directory has each entry's size and where its local header is.
        for (qsizetype at = bytes.indexOf("PK\x01\x02"); at >= 0 && at + 46 < bytes.size();
             at = bytes.indexOf("PK\x01\x02", at + 4)) {
            const qsizetype size = u32(at + 20), local = u32(at + 42);
            if (bytes.mid(at + 46, u16(at + 28)).contains("/data/") && size > largestSize) {
                largestSize = size;
                largestStart = local + 30 + u16(local + 26) + u16(local + 28);
            }
        }
        QVERIFY(largestSize > 64);
        const QByteArray original = bytes;
        bytes[largestStart + largestSize / 2] = char(bytes[largestStart + largestSize / 2] ^ 0x40);
        QVERIFY(weights.seek(0) && weights.write(bytes) == bytes.size());
        weights.close();
        r = searchWith();
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("ranking by attributes only") && r.err.contains("do not match the hash"), r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("ranking")).toString().left(10), QStringLiteral("attributes"));
        QVERIFY(weights.open(QIODevice::WriteOnly) && weights.write(original) == original.size());
        weights.close();

        // Vocabulary: one token changed.
        QFile vocabulary(dir.filePath(QStringLiteral("tiny.vocab")));
        QVERIFY(vocabulary.open(QIODevice::ReadOnly));
        const QByteArray words = vocabulary.readAll();
        vocabulary.close();
        QVERIFY(words.contains("\nred\n"));
        QVERIFY(vocabulary.open(QIODevice::WriteOnly) && vocabulary.write(QByteArray(words).replace("\nred\n", "\nrde\n")) > 0);
        vocabulary.close();
        r = searchWith();
        QVERIFY2(r.err.contains("ranking by attributes only") && r.err.contains("vocabulary") && r.err.contains("damaged"),
            r.err.constData());
        QVERIFY(vocabulary.open(QIODevice::WriteOnly) && vocabulary.write(words) > 0);
        vocabulary.close();

        // Calibration: one number changed.
        ScoreCalibration c;
        c.modelId = m_modelId; // the copy holds the same weights
        c.slope = 1;
        c.intercept = -1;
        QString error;
        const QString calibration = ScoreCalibration::pathForModel(config);
        QVERIFY2(c.save(calibration, &error), qPrintable(error));
        const auto confidence = [](const Run &run) {
            return run.json().value(QStringLiteral("results")).toArray().first().toObject().value(QStringLiteral("confidence")).toDouble();
        };
        QVERIFY(confidence(searchWith()) >= 0); // -1: not calibrated
        QFile file(calibration);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray text = file.readAll();
        file.close();
        QVERIFY(text.contains("\"intercept\": -1"));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(text.replace("\"intercept\": -1", "\"intercept\": -2")) > 0);
        file.close();
        r = searchWith();
        QVERIFY2(r.exitCode == 0 && r.err.contains("is damaged"), r.err.constData());
        QCOMPARE(confidence(r), -1.0);
    }

    // A write-protected case archive (here: --read-only) is searched without a byte written; a
    // damaged gallery is refused with the way out, and check / backup / repair work from the CLI.
    void readOnlyAndDamagedGalleries()
    {
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("case.sqlite"));
        Run r = cli({ QStringLiteral("gallery"), QStringLiteral("backup"), copy, QStringLiteral("--gallery"), m_gallery });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile file(copy);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray before = file.readAll();
        file.close();
        r = cli({ QStringLiteral("search"), kQuery, QStringLiteral("--gallery"), copy, QStringLiteral("--model"), m_config,
            QStringLiteral("--json"), QStringLiteral("--read-only") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().size(), 5);
        r = cli({ QStringLiteral("info"), QStringLiteral("--gallery"), copy, QStringLiteral("--read-only"), QStringLiteral("--json") });
        QVERIFY(r.json().value(QStringLiteral("gallery")).toObject().value(QStringLiteral("read_only")).toBool());
        r = cli({ QStringLiteral("review"), QStringLiteral("add"), QString::number(m_ids[0]), QStringLiteral("--query"), kQuery,
            QStringLiteral("--verdict"), QStringLiteral("confirmed"), QStringLiteral("--gallery"), copy,
            QStringLiteral("--read-only") });
        QVERIFY2(r.exitCode != 0 && r.err.contains("read-only"), r.err.constData());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), before);
        file.close();

        r = cli({ QStringLiteral("gallery"), QStringLiteral("check"), QStringLiteral("--gallery"), copy });
        QVERIFY2(r.exitCode == 0 && r.out.contains(": ok"), r.out.constData());
        // Garbage over the tracklets' first page (after the schema and the sources).
        QVERIFY(file.open(QIODevice::ReadWrite) && file.seek(4096 * 3));
        QVERIFY(file.write(QByteArray(4096, '\x5a')) == 4096);
        file.close();
        r = cli({ QStringLiteral("search"), kQuery, QStringLiteral("--gallery"), copy, QStringLiteral("--model"), m_config });
        QVERIFY2(r.exitCode == 1 && r.err.contains("is damaged") && r.err.contains("gallery repair"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        r = cli({ QStringLiteral("gallery"), QStringLiteral("check"), QStringLiteral("--gallery"), copy });
        QVERIFY2(r.exitCode == 1 && r.out.contains("DAMAGED"), r.out.constData());
        r = cli({ QStringLiteral("gallery"), QStringLiteral("backup"), dir.filePath(QStringLiteral("b.sqlite")),
            QStringLiteral("--gallery"), copy });
        QVERIFY2(r.exitCode == 1 && r.err.contains("repair"), r.err.constData());
        const QString repaired = dir.filePath(QStringLiteral("repaired.sqlite"));
        r = cli({ QStringLiteral("gallery"), QStringLiteral("repair"), repaired, QStringLiteral("--gallery"), copy,
            QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("sources")).toInt(), 2);
        r = cli({ QStringLiteral("search"), kQuery, QStringLiteral("--gallery"), repaired, QStringLiteral("--model"), m_config,
            QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void controlCharactersAreShownNotObeyed()
    {
        // A query (or a file name, a label) holding terminal escapes is printed with them spelled
        // out, in the text output and in messages; JSON escapes them itself.
        const QString query = QStringLiteral("red\x1b[2J coat\a");
        Run r = cli({ QStringLiteral("search"), query, QStringLiteral("--gallery"), m_gallery, QStringLiteral("--model"),
            m_config, QStringLiteral("--all") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!r.out.contains('\x1b') && !r.out.contains('\a'));
        QVERIFY2(r.out.contains("query: red\\x1b[2J coat\\x07"), r.out.constData());
        r = cli({ QStringLiteral("search"), query, QStringLiteral("--gallery"), m_gallery, QStringLiteral("--model"),
            m_config, QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!r.out.contains('\x1b'));
        QCOMPARE(r.json().value(QStringLiteral("query")).toString(), query);
    }

    void similarByTrackletAndImage()
    {
        Run r = cli({ QStringLiteral("similar"), QString::number(m_ids[0]), QStringLiteral("--gallery"),
            m_gallery, QStringLiteral("--model"), m_config, QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.json()
                    .value(QStringLiteral("ranking"))
                    .toString()
                    .startsWith(QStringLiteral("similar: model tiny@")));
        QCOMPARE(ids(r.json()), idsOf({ 1, 2, 3, 4 })); // every other tracklet, both sources
        QVERIFY(r.json().value(QStringLiteral("ranking")).toString().contains(QStringLiteral("neighbour attention 5:0.2")));
        r = cli({ QStringLiteral("similar"), QString::number(m_ids[0]), QStringLiteral("--gallery"), m_gallery,
            QStringLiteral("--model"), m_config, QStringLiteral("--json"), QStringLiteral("--attention"), QStringLiteral("off") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(ids(r.json()), idsOf({ 1, 2, 3, 4 }));
        QVERIFY(!r.json().value(QStringLiteral("ranking")).toString().contains(QStringLiteral("attention")));
        r = cli({ QStringLiteral("similar"), QString::number(m_ids[0]), QStringLiteral("--gallery"),
            m_gallery, QStringLiteral("--model"), m_config, QStringLiteral("--json"),
            QStringLiteral("--camera"), QStringLiteral("car park"), QStringLiteral("--top"),
            QStringLiteral("1"), QStringLiteral("--rvn") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().size(), 1);
        QVERIFY(idsOf({ 3, 4 }).contains(*ids(r.json()).begin()));
        QVERIFY(r.json().value(QStringLiteral("ranking")).toString().endsWith(QStringLiteral("+ RVN")));

        r = cli({ QStringLiteral("similar"), QStringLiteral("--image"), m_image, QStringLiteral("--gallery"),
            m_gallery, QStringLiteral("--model"), m_config, QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject first = r.json().value(QStringLiteral("results")).toArray().first().toObject();
        QCOMPARE(
            first.value(QStringLiteral("tracklet_id")).toInteger(), m_ids[2]); // stores this image's feature
        QVERIFY(first.value(QStringLiteral("score")).toDouble() > 0.9999);

        r = cli({ QStringLiteral("similar"), QString::number(m_ids[0]), QStringLiteral("--gallery"),
            m_gallery, QStringLiteral("--model"), m_config });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("ranked by: similar: model tiny@"));
        QVERIFY(r.out.contains("4 results of 5 tracklets"));
    }

    void identitiesGroupMergeAndSplit()
    {
        // On a copy: the grouping writes to the gallery.
        const QString gallery = m_dir.filePath(QStringLiteral("identities.sqlite"));
        QVERIFY(QFile::copy(m_gallery, gallery));
        auto identities = [&](const QStringList &more) {
            return cli(QStringList { QStringLiteral("identities"), QStringLiteral("--gallery"), gallery,
                           QStringLiteral("--model"), m_config, QStringLiteral("--json") }
                + more);
        };
        // Threshold 1: only identical tracklets would group, so each is its own identity.
        Run r = identities({ QStringLiteral("--regroup"), QStringLiteral("--threshold"), QStringLiteral("1") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("grouping")).toObject().value(QStringLiteral("tracklets")).toInt(), 5);
        QCOMPARE(r.json().value(QStringLiteral("identities")).toArray().size(), 5);
        auto identityOf = [](const QJsonObject &json, int64_t tracklet) {
            for (const QJsonValue &v : json.value(QStringLiteral("identities")).toArray())
                for (const QJsonValue &t : v.toObject().value(QStringLiteral("tracklets")).toArray())
                    if (t.toInteger() == tracklet)
                        return v.toObject().value(QStringLiteral("id")).toInteger();
            return qint64(-1);
        };
        const qint64 lobby = identityOf(r.json(), m_ids[0]), carPark = identityOf(r.json(), m_ids[3]);
        QVERIFY(lobby > 0 && carPark > 0 && lobby != carPark);

        // An annotator's merge across cameras holds through regrouping at the same threshold.
        r = identities({ QStringLiteral("merge"), QString::number(lobby), QString::number(carPark),
            QStringLiteral("--author"), QStringLiteral("ann") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(identityOf(r.json(), m_ids[3]), lobby);
        QCOMPARE(r.json().value(QStringLiteral("grouping")).toObject().value(QStringLiteral("threshold")).toDouble(), 1.0);
        const QJsonObject person = r.json().value(QStringLiteral("identities")).toArray().first().toObject();
        QCOMPARE(person.value(QStringLiteral("sources")).toArray().size(), 2); // seen by both cameras
        r = identities({ QStringLiteral("--regroup") });
        QCOMPARE(identityOf(r.json(), m_ids[3]), lobby);
        // All appearances of the person, in time order; and one result per person in a search.
        r = cli({ QStringLiteral("search"), QString(), QStringLiteral("--person"), QString::number(lobby),
            QStringLiteral("--sort"), QStringLiteral("time"), QStringLiteral("--gallery"), gallery,
            QStringLiteral("--model"), m_config, QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(ids(r.json()), idsOf({ 0, 3 }));
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().first().toObject().value(QStringLiteral("identity_id")).toInteger(), lobby);
        r = cli({ QStringLiteral("search"), kQuery, QStringLiteral("--by-person"), QStringLiteral("--all"),
            QStringLiteral("--gallery"), gallery, QStringLiteral("--model"), m_config, QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("results")).toArray().size(), 4); // 5 tracklets, 4 people
        bool folded = false;
        for (const QJsonValue &v : r.json().value(QStringLiteral("results")).toArray())
            if (v.toObject().value(QStringLiteral("identity_id")).toInteger() == lobby) {
                QCOMPARE(v.toObject().value(QStringLiteral("identity_tracklets")).toInt(), 2);
                QCOMPARE(v.toObject().value(QStringLiteral("same_identity")).toArray().size(), 1);
                folded = true;
            }
        QVERIFY(folded);
        // ... and a split takes it out again, for good.
        r = identities({ QStringLiteral("split"), QString::number(m_ids[3]) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(identityOf(r.json(), m_ids[3]) != lobby);

        // Text output: one line per person.
        r = cli({ QStringLiteral("identities"), QStringLiteral("--gallery"), gallery, QStringLiteral("--model"), m_config });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("seen 1x (") && r.out.contains("tracklets"), r.out.constData());

        // Mistakes say what is wrong.
        r = identities({ QStringLiteral("merge"), QString::number(lobby), QString::number(lobby) });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("itself"), r.err.constData());
        r = identities({ QStringLiteral("merge"), QString::number(lobby), QStringLiteral("999") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no identity 999"), r.err.constData());
        r = identities({ QStringLiteral("split"), QStringLiteral("999") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("999"), r.err.constData());
        r = identities({ QStringLiteral("merge"), QString::number(lobby) });
        QCOMPARE(r.exitCode, 2);
        r = identities({ QStringLiteral("--threshold"), QStringLiteral("2") });
        QCOMPARE(r.exitCode, 2);

        // Cameras and time: a recording time and a transit are stored and listed.
        const auto cameras = [&](const QStringList &args) {
            return cli(QStringList { QStringLiteral("cameras"), QStringLiteral("--gallery"), gallery } + args);
        };
        r = cameras({ QStringLiteral("recorded"), QString::number(m_sources[0]), QStringLiteral("2026-12-01 10:00:00") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("identities --regroup"), r.err.constData());
        r = cameras({ QStringLiteral("transit"), QStringLiteral("Lobby"), QStringLiteral("car park"), QStringLiteral("90"),
            QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject places = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(places.value(QStringLiteral("transits")).toArray().size(), 1);
        QCOMPARE(places.value(QStringLiteral("transits")).toArray()[0].toObject().value(QStringLiteral("min_seconds")).toDouble(), 90.0);
        bool recorded = false;
        for (const QJsonValue &camera : places.value(QStringLiteral("cameras")).toArray())
            for (const QJsonValue &source : camera.toObject().value(QStringLiteral("sources")).toArray())
                recorded = recorded
                    || source.toObject().value(QStringLiteral("recorded_at")).toString() == QStringLiteral("2026-12-01T10:00:00Z");
        QVERIFY(recorded);
        r = identities({ QStringLiteral("--regroup") }); // grouping reads them
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(cameras({ QStringLiteral("recorded"), QStringLiteral("1"), QStringLiteral("yesterday") }).exitCode, 2);
        QCOMPARE(cameras({ QStringLiteral("transit"), QStringLiteral("Lobby"), QStringLiteral("car park"), QStringLiteral("-3") }).exitCode, 2);
        QCOMPARE(cameras({ QStringLiteral("recorded"), QStringLiteral("999"), QStringLiteral("unknown") }).exitCode, 1);
        QCOMPARE(cameras({ QStringLiteral("transit"), QStringLiteral("Lobby"), QStringLiteral("Lobby"), QStringLiteral("5") }).exitCode, 1);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad sort") << QStringList { QStringLiteral("search"), QStringLiteral("red"),
            QStringLiteral("--sort"), QStringLiteral("sideways") }
                                  << 2 << "--sort is relevance or time";
        QTest::newRow("bad chip") << QStringList { QStringLiteral("search"), QStringLiteral("red"),
            QStringLiteral("--attribute"), QStringLiteral("middle:red") }
                                  << 2 << "not a body region";
        QTest::newRow("bad time") << QStringList { QStringLiteral("search"), QStringLiteral("red"),
            QStringLiteral("--from"), QStringLiteral("soon") }
                                  << 2 << "--from must be a number of seconds";
        QTest::newRow("reversed range") << QStringList { QStringLiteral("search"), QStringLiteral("red"),
            QStringLiteral("--from"), QStringLiteral("10"), QStringLiteral("--to"), QStringLiteral("5") }
                                        << 2 << "is before --from";
        QTest::newRow("bad source") << QStringList { QStringLiteral("search"), QStringLiteral("red"),
            QStringLiteral("--source"), QStringLiteral("one") }
                                    << 2 << "--source takes source ids";
        QTest::newRow("bad confidence") << QStringList { QStringLiteral("search"), QStringLiteral("red"),
            QStringLiteral("--min-confidence"), QStringLiteral("2") }
                                        << 2 << "--min-confidence must be a number in [0, 1]";
        QTest::newRow("empty description") << QStringList { QStringLiteral("search"), QStringLiteral("  ") } << 2
                                           << "type a description";
        QTest::newRow("similar without probe")
            << QStringList { QStringLiteral("similar") } << 2 << "give one probe";
        QTest::newRow("similar with two probes") << QStringList { QStringLiteral("similar"),
            QStringLiteral("1"), QStringLiteral("--image"), QStringLiteral("x.png") }
                                                 << 2 << "give one probe";
        QTest::newRow("similar, not an id")
            << QStringList { QStringLiteral("similar"), QStringLiteral("abc") } << 2 << "not a tracklet id";
        QTest::newRow("similar, unknown tracklet")
            << QStringList { QStringLiteral("similar"), QStringLiteral("999") } << 1 << "no tracklet 999";
        QTest::newRow("similar, bad attention") << QStringList { QStringLiteral("similar"), QStringLiteral("1"),
            QStringLiteral("--attention"), QStringLiteral("5") } << 2 << "--attention takes K:TEMPERATURE";
        QTest::newRow("similar without a model")
            << QStringList { QStringLiteral("similar"), QStringLiteral("1"), QStringLiteral("--no-model") }
            << 1 << "no text-to-person model";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QStringList full = args;
        full << QStringLiteral("--gallery") << m_gallery;
        if (!full.contains(QStringLiteral("--no-model")))
            full << QStringLiteral("--model") << m_config;
        const Run r = cli(full);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err + r.out).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSearch)
#include "TestCliSearch.moc"
