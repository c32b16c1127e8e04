#include "PedesDataset.h"
#include "SyntheticPedes.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

using namespace descry;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes);
}

// A small person-like image (tall, coloured) at `path`.
void writeImage(const QString &path, int height = 60, int width = 24)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const cv::Mat image(height, width, CV_8UC3, cv::Scalar(30, 90, 200));
    QVERIFY(cv::imwrite(QFile::encodeName(path).toStdString(), image));
}

QJsonObject entry(
    int id, const QString &pathKey, const QString &path, const QStringList &captions, const QString &split)
{
    return { { QStringLiteral("id"), id }, { pathKey, path },
        { QStringLiteral("captions"), QJsonArray::fromStringList(captions) },
        { QStringLiteral("split"), split } };
}

// Checks that labels are 0..k-1 within each split, one per identity, in order of first appearance.
void checkLabels(const PedesDataset &dataset)
{
    for (const QString &split : dataset.splits()) {
        QHash<int, int> labelOf;
        int next = 0;
        for (int i : dataset.indices(split)) {
            const PedesSample &s = dataset.samples()[size_t(i)];
            QCOMPARE(dataset.label(i), s.label);
            if (!labelOf.contains(s.identity)) {
                QCOMPARE(s.label, next);
                labelOf.insert(s.identity, next++);
            }
            QCOMPARE(s.label, labelOf.value(s.identity));
        }
        QCOMPARE(next, dataset.identityCount(split));
    }
}

using Run = test::CliRun;

Run cli(const QStringList &args)
{
    return test::runCli(args);
}

} // namespace

class TestPedesDataset : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    SyntheticPedesOptions m_options;
    SyntheticPedesSummary m_summary;
    QString m_synth;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_options.seed = 7;
        m_options.identities = 14;
        m_options.viewsPerIdentity = 3;
        m_options.captionsPerImage = 2;
        m_synth = path(QStringLiteral("synth"));
        int calls = 0, last = 0;
        QString error;
        QVERIFY2(writeSyntheticPedes(
                     m_synth, m_options,
                     [&](const SyntheticPedesProgress &p) {
                         ++calls;
                         QVERIFY(p.identities >= last && p.identities <= p.total);
                         last = p.identities;
                     },
                     &m_summary, &error),
            qPrintable(error));
        QCOMPARE(m_summary.identities, 14);
        QCOMPARE(calls, m_summary.scenes);
        QCOMPARE(last, 14);
    }

    void synthesisedDatasetLoads()
    {
        PedesDataset dataset;
        QString error;
        QVERIFY2(dataset.load(m_synth, &error), qPrintable(error));
        QCOMPARE(dataset.format(), QStringLiteral("CUHK-PEDES"));
        QCOMPARE(dataset.jsonPath(), QDir(m_synth).filePath(QStringLiteral("reid_raw.json")));
        QCOMPARE(int(dataset.samples().size()), m_summary.images);
        QCOMPARE(dataset.identityCount(), 14);
        QCOMPARE(dataset.captionCount(), m_summary.captions);
        QCOMPARE(m_summary.captions, 2 * m_summary.images);
        // Every identity has between 1 and `views` images; ids are 1..14.
        QHash<int, int> images;
        for (const PedesSample &s : dataset.samples()) {
            ++images[s.identity];
            QCOMPARE(s.captions.size(), 2);
            QVERIFY(QFileInfo(s.imagePath).isAbsolute());
            QVERIFY2(QFileInfo::exists(s.imagePath), qPrintable(s.imagePath));
            QVERIFY(s.imagePath.startsWith(dataset.imageDir() + QLatin1Char('/')));
        }
        QCOMPARE(images.size(), 14);
        for (auto it = images.cbegin(); it != images.cend(); ++it) {
            QVERIFY(it.key() >= 1 && it.key() <= 14);
            QVERIFY(it.value() >= 1 && it.value() <= 3);
        }
        // Split by identity: an identity is in one split only, and the splits add up.
        int sum = 0;
        for (const QString &split : dataset.splits()) {
            QVERIFY(QStringList({ "train", "val", "test" }).contains(split));
            sum += dataset.identityCount(split);
            QCOMPARE(int(dataset.samples(split).size()), int(dataset.indices(split).size()));
        }
        QCOMPARE(sum, 14);
        QVERIFY(dataset.identityCount(QStringLiteral("train")) >= 10);
        checkLabels(dataset);
        QVERIFY2(dataset.verify(&error), qPrintable(error));

        const cv::Mat image = loadPersonImage(dataset.samples().front().imagePath, 384, 128, &error);
        QVERIFY2(!image.empty(), qPrintable(error));
        QCOMPARE(image.rows, 384);
        QCOMPARE(image.cols, 128);
        QCOMPARE(image.type(), CV_8UC3);
    }

    void synthesisIsDeterministic()
    {
        SyntheticPedesOptions options = m_options;
        options.identities = 5;
        const QString a = path(QStringLiteral("det-a")), b = path(QStringLiteral("det-b")),
                      c = path(QStringLiteral("det-c"));
        QString error;
        QVERIFY2(writeSyntheticPedes(a, options, {}, nullptr, &error), qPrintable(error));
        QVERIFY2(writeSyntheticPedes(b, options, {}, nullptr, &error), qPrintable(error));
        options.seed = 8;
        QVERIFY2(writeSyntheticPedes(c, options, {}, nullptr, &error), qPrintable(error));
        for (const QString name : { "reid_raw.json", "synth.json", "imgs/1/0.jpg" }) {
            const QByteArray first = readAll(QDir(a).filePath(name));
            QVERIFY(!first.isEmpty());
            QCOMPARE(readAll(QDir(b).filePath(name)), first);
        }
        QVERIFY(readAll(QDir(c).filePath(QStringLiteral("reid_raw.json")))
            != readAll(QDir(a).filePath(QStringLiteral("reid_raw.json"))));
        // A folder that already holds something is refused rather than mixed into.
        QVERIFY(!writeSyntheticPedes(a, options, {}, nullptr, &error));
        QVERIFY2(error.contains(QStringLiteral("not empty")), qPrintable(error));
    }

    void scenesVary()
    {
        // Over a few dozen scenes every kind of variation occurs, and each scene is renderable.
        QSet<int> widths;
        int distant = 0, blurred = 0, noisy = 0, lighting = 0, crowded = 0, sparse = 0;
        for (int i = 0; i < 40; ++i) {
            const SceneOptions o = syntheticSceneOptions(3, i);
            QVERIFY2(o.validate().isEmpty(), qPrintable(o.validate()));
            QVERIFY(o == syntheticSceneOptions(3, i));
            widths.insert(o.width);
            distant += o.maxHeight <= 120;
            blurred += o.blur;
            noisy += o.noise;
            lighting += o.lightingChange;
            crowded += o.people >= 10;
            sparse += o.people <= 5;
        }
        QVERIFY(widths.size() >= 3);
        for (int n : { distant, blurred, noisy, lighting, crowded, sparse })
            QVERIFY2(n > 0 && n < 40, qPrintable(QString::number(n)));
        QVERIFY(syntheticSceneOptions(3, 0).seed != syntheticSceneOptions(4, 0).seed);
        QVERIFY(syntheticSceneOptions(3, 0).seed != syntheticSceneOptions(3, 1).seed);
    }

    void synthCommand()
    {
        const QString out = path(QStringLiteral("cli"));
        const Run r = cli({ QStringLiteral("synth"), QStringLiteral("--seed"), QStringLiteral("2"),
            QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--views"), QStringLiteral("2"),
            QStringLiteral("--captions"), QStringLiteral("1"), QStringLiteral("--out"), out,
            QStringLiteral("--json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("3/3 identities"), r.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(json.value(QStringLiteral("identities")).toInt(), 3);
        const int images = json.value(QStringLiteral("images")).toInt();
        QVERIFY(images >= 3 && images <= 6);
        QCOMPARE(json.value(QStringLiteral("captions")).toInt(), images);
        PedesDataset dataset;
        QString error;
        QVERIFY2(dataset.load(out, &error), qPrintable(error));
        QCOMPARE(int(dataset.samples().size()), images);

        QCOMPARE(cli({ QStringLiteral("synth"), QStringLiteral("--count"), QStringLiteral("0"),
                         QStringLiteral("--out"), path(QStringLiteral("cli0")) })
                     .exitCode,
            2);
        QCOMPARE(
            cli({ QStringLiteral("synth"), QStringLiteral("--count"), QStringLiteral("3") }).exitCode, 2);
        const Run again = cli({ QStringLiteral("synth"), QStringLiteral("--count"), QStringLiteral("3"),
            QStringLiteral("--out"), out });
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("not empty"), again.err.constData());
    }

    void layouts_data()
    {
        QTest::addColumn<QString>("jsonName");
        QTest::addColumn<QString>("pathKey");
        QTest::addColumn<QString>("format");
        QTest::newRow("CUHK-PEDES reid_raw") << "reid_raw.json"
                                             << "file_path"
                                             << "CUHK-PEDES";
        QTest::newRow("CUHK-PEDES caption_all") << "caption_all.json"
                                                << "file_path"
                                                << "CUHK-PEDES";
        QTest::newRow("ICFG-PEDES") << "ICFG-PEDES.json"
                                    << "file_path"
                                    << "ICFG-PEDES";
        QTest::newRow("RSTPReid") << "data_captions.json"
                                  << "img_path"
                                  << "RSTPReid";
        QTest::newRow("other name, file_path") << "mine.json"
                                               << "file_path"
                                               << "CUHK-PEDES";
        QTest::newRow("other name, img_path") << "mine.json"
                                              << "img_path"
                                              << "RSTPReid";
    }

    void layouts()
    {
        QFETCH(QString, jsonName);
        QFETCH(QString, pathKey);
        QFETCH(QString, format);
        QTemporaryDir dir;
        const QDir root(dir.path());
        // Real datasets: ids far from 0, not contiguous, PNG as well as JPEG, sub-folders.
        const QJsonArray entries {
            entry(305, pathKey, "CUHK01/0305001.png", { "A man in a red coat.", "He wears a red coat." },
                "train"),
            entry(305, pathKey, "CUHK01/0305002.jpg", { "A man wearing a red coat." }, "train"),
            entry(17, pathKey, "test_query/p17.jpg", { "A woman with a white bag." }, "test"),
            entry(9, pathKey, "train_query/p9.jpg", { "A woman in blue jeans.", "Blue jeans." }, "train"),
        };
        writeFile(root.filePath(jsonName), QJsonDocument(entries).toJson());
        for (const auto &e : entries)
            writeImage(root.filePath(QStringLiteral("imgs/") + e.toObject().value(pathKey).toString()));

        PedesDataset dataset;
        QString error;
        const bool namedFile = !PedesDataset::knownJsonFiles().contains(jsonName);
        const QString given = namedFile ? root.filePath(jsonName) : dir.path();
        QVERIFY2(dataset.load(given, &error), qPrintable(error));
        QCOMPARE(dataset.format(), format);
        QCOMPARE(dataset.samples().size(), size_t(4));
        QCOMPARE(dataset.splits(), QStringList({ "train", "test" }));
        QCOMPARE(dataset.identityCount(), 3);
        QCOMPARE(dataset.identityCount(QStringLiteral("train")), 2);
        QCOMPARE(dataset.identityCount(QStringLiteral("test")), 1);
        QCOMPARE(dataset.identityCount(QStringLiteral("val")), 0);
        QCOMPARE(dataset.captionCount(), 6);
        QCOMPARE(dataset.captionCount(QStringLiteral("train")), 5);
        const PedesSample &first = dataset.samples()[0];
        QCOMPARE(first.identity, 305);
        QCOMPARE(first.imagePath, QDir(dataset.imageDir()).filePath(QStringLiteral("CUHK01/0305001.png")));
        QCOMPARE(QFileInfo(first.imagePath).canonicalFilePath(),
            QFileInfo(root.filePath(QStringLiteral("imgs/CUHK01/0305001.png"))).canonicalFilePath());
        QCOMPARE(first.captions, QStringList({ "A man in a red coat.", "He wears a red coat." }));
        // Labels: contiguous per split in order of first appearance.
        QCOMPARE(dataset.label(0), 0);
        QCOMPARE(dataset.label(1), 0);
        QCOMPARE(dataset.label(2), 0); // the first test identity
        QCOMPARE(dataset.label(3), 1);
        QCOMPARE(dataset.label(4), -1);
        QCOMPARE(dataset.indices(QStringLiteral("train")), std::vector<int>({ 0, 1, 3 }));
        QCOMPARE(dataset.samples(QStringLiteral("test")).front().identity, 17);
        checkLabels(dataset);
        QVERIFY2(dataset.verify(&error), qPrintable(error));

        // A missing image is found by verify(), named, and counted.
        QVERIFY(QFile::remove(dataset.samples()[2].imagePath));
        int missing = 0;
        QVERIFY(!dataset.verify(&error, &missing));
        QCOMPARE(missing, 1);
        QVERIFY2(error.contains(QStringLiteral("p17.jpg")), qPrintable(error));
    }

    void loadErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected"); // fragments of the error message
        const QByteArray good
            = R"({"id": 1, "file_path": "1/0.jpg", "captions": ["A man."], "split": "train"})";
        QTest::newRow("bad JSON") << QByteArray("[\n") + good + ",\n {\"id\": 2,, }]"
                                  << QStringList { "not valid JSON", "line 3" };
        QTest::newRow("not an array") << QByteArray("{\"id\": 1}") << QStringList { "JSON array" };
        QTest::newRow("missing captions")
            << QByteArray("[") + good + R"(, {"id": 2, "file_path": "2/0.jpg", "split": "train"}])"
            << QStringList { "entry 1", "\"captions\" is missing" };
        QTest::newRow("missing split") << QByteArray(R"([{"id": 2, "file_path": "2/0.jpg", "captions": []}])")
                                       << QStringList { "entry 0", "\"split\" is missing" };
        QTest::newRow("missing path") << QByteArray(R"([{"id": 2, "captions": ["x"], "split": "test"}])")
                                      << QStringList { "entry 0", "\"file_path\" is missing" };
        QTest::newRow("id not an integer")
            << QByteArray(R"([{"id": 2.5, "file_path": "2/0.jpg", "captions": ["x"], "split": "test"}])")
            << QStringList { "entry 0", "\"id\" is not an integer" };
        QTest::newRow("caption not a string")
            << QByteArray(R"([{"id": 2, "file_path": "2/0.jpg", "captions": [3], "split": "test"}])")
            << QStringList { "entry 0", "\"captions\" is not an array of strings" };
        QTest::newRow("entry not an object")
            << QByteArray("[") + good + ", 5]" << QStringList { "entry 1", "not a JSON object" };
    }

    void loadErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        QDir().mkpath(QDir(dir.path()).filePath(QStringLiteral("imgs")));
        writeFile(QDir(dir.path()).filePath(QStringLiteral("reid_raw.json")), json);
        PedesDataset dataset;
        QString error;
        QVERIFY(!dataset.load(dir.path(), &error));
        for (const QString &fragment : expected)
            QVERIFY2(error.contains(fragment), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("reid_raw.json")), qPrintable(error));
        QVERIFY(dataset.samples().empty());
        QVERIFY(dataset.format().isEmpty());
    }

    void folderErrors()
    {
        PedesDataset dataset;
        QString error;
        QVERIFY(!dataset.load(path(QStringLiteral("no-such-folder")), &error));
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));

        QTemporaryDir empty;
        QVERIFY(!dataset.load(empty.path(), &error));
        for (const QString &name : PedesDataset::knownJsonFiles())
            QVERIFY2(error.contains(name), qPrintable(error));

        // Annotations without the images folder.
        QTemporaryDir noImages;
        writeFile(QDir(noImages.path()).filePath(QStringLiteral("data_captions.json")), "[]");
        QVERIFY(!dataset.load(noImages.path(), &error));
        QVERIFY2(error.contains(QStringLiteral("imgs")), qPrintable(error));

        // A failed load leaves nothing of an earlier one.
        QVERIFY2(dataset.load(m_synth, &error), qPrintable(error));
        QVERIFY(!dataset.load(empty.path(), &error));
        QVERIFY(dataset.samples().empty());
    }

    void personImages()
    {
        QString error;
        const QString small = path(QStringLiteral("small.png"));
        // Grey and much smaller than the model input: enlarged, three channels.
        const cv::Mat grey(30, 11, CV_8U, cv::Scalar(128));
        QVERIFY(cv::imwrite(QFile::encodeName(small).toStdString(), grey));
        cv::Mat image = loadPersonImage(small, 384, 128, &error);
        QVERIFY2(!image.empty(), qPrintable(error));
        QCOMPARE(image.size(), cv::Size(128, 384));
        QCOMPARE(image.type(), CV_8UC3);
        QCOMPARE(image.at<cv::Vec3b>(200, 60), cv::Vec3b(128, 128, 128));
        // Larger than the input: shrunk; the colour survives (BGR order kept).
        const QString large = path(QStringLiteral("large.jpg"));
        writeImage(large, 500, 210);
        image = loadPersonImage(large, 96, 32, &error);
        QCOMPARE(image.size(), cv::Size(32, 96));
        const cv::Vec3b centre = image.at<cv::Vec3b>(48, 16);
        QVERIFY(centre[0] < 60 && centre[2] > 170);

        QVERIFY(loadPersonImage(path(QStringLiteral("missing.jpg")), 384, 128, &error).empty());
        QVERIFY2(error.contains(QStringLiteral("missing.jpg")), qPrintable(error));
        const QString text = path(QStringLiteral("text.jpg"));
        writeFile(text, "not an image");
        QVERIFY(loadPersonImage(text, 384, 128, &error).empty());
        QVERIFY2(error.contains(QStringLiteral("decode")), qPrintable(error));
        QVERIFY(loadPersonImage(large, 0, 128, &error).empty());
    }
};

QTEST_GUILESS_MAIN(TestPedesDataset)
#include "TestPedesDataset.moc"
