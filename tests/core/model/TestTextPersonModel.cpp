// The torch-free model facade: loading (native config + weights + vocabulary, or TorchScript),
// clear errors for every kind of bad model file, and the TorchScript export matching the
// native network.
#include "NafsConfig.h"
#include "NafsScript.h"
#include "NafsWeights.h"
#include "TextPersonModel.h"
#include "TinyNafsModel.h"
#include "WordPieceVocabulary.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/script.h>
#include <torch/torch.h>

#include <opencv2/imgproc.hpp>

using namespace descry;

namespace {

// The shared tiny model with a deeper, uneven backbone and two text layers, so that the
// TorchScript export meets every block shape (projection shortcuts, repeated blocks).
NafsConfig tinyConfig(const QString &name = QStringLiteral("tiny"))
{
    NafsConfig c = test::tinyNafsConfig(name);
    c.model.widths = {4, 8, 8, 12};
    c.model.blocks = {1, 2, 1, 1};
    c.model.maxTokens = 24;
    c.model.textLayers = 2;
    return c;
}

QStringList tinyCorpus()
{
    return {QStringLiteral("a woman in a red coat, black trousers."),
        QStringLiteral("a man in a blue coat, blue jeans and a backpack, carrying a bag.")};
}

WordPieceVocabulary tinyVocabulary()
{
    WordPieceVocabulary v;
    QString error;
    const QStringList corpus = tinyCorpus() + tinyCorpus(); // every word twice: whole-word tokens
    if (!v.build(corpus, WordPieceBuildOptions(), &error))
        qFatal("%s", qPrintable(error));
    return v;
}

std::vector<cv::Mat> crops()
{
    std::vector<cv::Mat> out;
    for (int i = 0; i < 3; ++i) {
        cv::Mat m(90 + 10 * i, 40, CV_8UC3, cv::Scalar(40 * i, 200 - 30 * i, 90));
        cv::rectangle(m, cv::Rect(5, 10 + 5 * i, 25, 30), cv::Scalar(0, 0, 220), cv::FILLED);
        out.push_back(m);
    }
    return out;
}

} // namespace

class TestTextPersonModel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_config;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(writeUntrainedNafsModel(m_dir.path(), tinyConfig(), tinyVocabulary(), &m_config, &error), qPrintable(error));
    }

    void encodesCropsAndQueries()
    {
        QString error;
        std::unique_ptr<TextPersonModel> model = TextPersonModel::load(m_config, &error);
        QVERIFY2(model, qPrintable(error));
        QVERIFY(model->id().startsWith(QStringLiteral("tiny@")));
        QCOMPARE(model->id().size(), 5 + 12);
        QCOMPARE(model->imageItems(), 7);
        const std::vector<VisualEmbedding> v = model->encodeCrops(crops());
        QCOMPARE(v.size(), size_t(3));
        QCOMPARE(v[0].items, 7);
        QCOMPARE(v[0].dim, 8);
        QCOMPARE(v[0].features.size(), size_t(56));
        const QueryEmbedding q = model->encodeQuery(QStringLiteral("A woman in a red coat, black trousers."));
        // [CLS], [SUB] a woman in a red coat , [SUB] black trousers .  ([SEP] is not an item)
        QCOMPARE(q.tokens.join(QLatin1Char(' ')), QStringLiteral("[CLS] [SUB] a woman in a red coat , [SUB] black trousers ."));
        QCOMPARE(q.items, 13);
        QCOMPARE(q.tokens.first(), QStringLiteral("[CLS]"));
        QVERIFY(q.scales.front() == TextScale::Sentence);
        QVERIFY(q.scales[1] == TextScale::SubSentence);
        QVERIFY(q.scales[2] == TextScale::Word);
        QCOMPARE(q.tokens.at(9), QStringLiteral("[SUB]"));
        double norm = 0;
        for (float x : q.global)
            norm += double(x) * x;
        QVERIFY(std::abs(norm - 1.0) < 1e-5);

        std::vector<AttentionMap> maps;
        const std::vector<float> local = model->localSimilarity(q, {&v[0], &v[1], &v[2]}, ImageScaleSet::All, &maps);
        QCOMPARE(local.size(), size_t(3));
        QCOMPARE(maps.size(), size_t(3));
        QCOMPARE(maps[1].imageToText.size(), size_t(7 * 13));
        QCOMPARE(maps[1].textToImage.size(), size_t(13 * 7));
        // Scored alone or in a batch, a crop gets the same similarity.
        const std::vector<float> alone = model->localSimilarity(q, {&v[1]});
        QVERIFY(std::abs(alone[0] - local[1]) < 1e-5f);
        // Scale ablations switch items off: with the global item only, stripes get no attention.
        std::vector<AttentionMap> globalMaps;
        model->localSimilarity(q, {&v[0]}, ImageScaleSet::GlobalOnly, &globalMaps);
        float stripeAttention = 0;
        for (int b = 0; b < 13; ++b)
            for (int a = 1; a < 7; ++a)
                stripeAttention += globalMaps[0].textToImage[size_t(b * 7 + a)];
        QCOMPARE(stripeAttention, 0.0f);
    }

    void torchScriptExportMatchesNativeModel()
    {
        QString error;
        const QString ts = m_dir.filePath(QStringLiteral("tiny.ts"));
        QVERIFY2(exportNafsTorchScript(m_config, ts, &error), qPrintable(error));
        std::unique_ptr<TextPersonModel> native = TextPersonModel::load(m_config, &error);
        std::unique_ptr<TextPersonModel> scripted = TextPersonModel::load(ts, &error);
        QVERIFY2(native && scripted, qPrintable(error));
        QCOMPARE(scripted->name(), QStringLiteral("tiny"));
        QVERIFY(scripted->id() != native->id()); // the id names the file the features came from
        const std::vector<VisualEmbedding> a = native->encodeCrops(crops());
        const std::vector<VisualEmbedding> b = scripted->encodeCrops(crops());
        for (size_t i = 0; i < a.size(); ++i)
            for (size_t j = 0; j < a[i].features.size(); ++j)
                QVERIFY2(std::abs(a[i].features[j] - b[i].features[j]) < 1e-4f, qPrintable(QString::number(j)));
        const QString text = QStringLiteral("A man in a blue coat, carrying a backpack.");
        const QueryEmbedding qa = native->encodeQuery(text), qb = scripted->encodeQuery(text);
        QCOMPARE(qa.tokens, qb.tokens);
        for (size_t j = 0; j < qa.itemFeatures.size(); ++j)
            QVERIFY(std::abs(qa.itemFeatures[j] - qb.itemFeatures[j]) < 1e-4f);
        std::vector<AttentionMap> ma, mb;
        const std::vector<float> la = native->localSimilarity(qa, {&a[0], &a[1], &a[2]}, ImageScaleSet::All, &ma);
        const std::vector<float> lb = scripted->localSimilarity(qa, {&a[0], &a[1], &a[2]}, ImageScaleSet::All, &mb);
        for (size_t i = 0; i < la.size(); ++i)
            QVERIFY(std::abs(la[i] - lb[i]) < 1e-4f);
        for (size_t j = 0; j < ma[2].imageToText.size(); ++j)
            QVERIFY(std::abs(ma[2].imageToText[j] - mb[2].imageToText[j]) < 1e-4f);
    }

    void badModelFilesGiveClearErrors_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing weights") << "missing-weights" << "are missing";
        QTest::newRow("truncated weights") << "truncated-weights" << "cannot be read";
        QTest::newRow("wrong shapes") << "wrong-shapes" << "has shape";
        QTest::newRow("other format version") << "other-format" << "format version 99";
        QTest::newRow("other vocabulary") << "other-vocabulary" << "vocabulary of";
        QTest::newRow("config version") << "config-version" << "format version 7";
        QTest::newRow("missing vocabulary") << "missing-vocabulary" << "vocabulary";
        QTest::newRow("torchscript garbage") << "ts-garbage" << "cannot load TorchScript";
        QTest::newRow("torchscript without interface") << "ts-plain" << "descry/config.json";
        QTest::newRow("trunk without its package") << "trunk-no-package" << "perception package";
    }

    void badModelFilesGiveClearErrors()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QString error, path;
        QVERIFY(writeUntrainedNafsModel(dir.path(), tinyConfig(QStringLiteral("bad")), tinyVocabulary(), &path, &error));
        const QString weights = dir.filePath(QStringLiteral("bad.pt"));
        if (damage == QLatin1String("missing-weights")) {
            QFile::remove(weights);
        } else if (damage == QLatin1String("truncated-weights")) {
            QFile f(weights);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.resize(f.size() / 2));
        } else if (damage == QLatin1String("wrong-shapes")) {
            NafsConfig other = tinyConfig(QStringLiteral("other"));
            other.model.embedding = 16;
            QString otherPath;
            QVERIFY(writeUntrainedNafsModel(dir.path(), other, tinyVocabulary(), &otherPath, &error));
            QFile::remove(weights);
            QVERIFY(QFile::copy(dir.filePath(QStringLiteral("other.pt")), weights));
        } else if (damage == QLatin1String("other-format")) {
            torch::serialize::OutputArchive archive;
            archive.write("descry_format", torch::tensor({int64_t(99), int64_t(tinyVocabulary().size())}));
            archive.save_to(weights.toStdString());
        } else if (damage == QLatin1String("other-vocabulary")) {
            WordPieceVocabulary bigger;
            const QStringList more = tinyCorpus() + tinyCorpus() + QStringList{QStringLiteral("umbrella hat umbrella hat")};
            QVERIFY(bigger.build(more, WordPieceBuildOptions(), &error));
            QVERIFY(bigger.size() != tinyVocabulary().size());
            QVERIFY(bigger.save(dir.filePath(QStringLiteral("bad.vocab")), &error));
        } else if (damage == QLatin1String("config-version")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray json = f.readAll().replace("\"version\": 1", "\"version\": 7");
            f.close();
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(json);
        } else if (damage == QLatin1String("missing-vocabulary")) {
            QFile::remove(dir.filePath(QStringLiteral("bad.vocab")));
        } else if (damage == QLatin1String("ts-garbage")) {
            path = dir.filePath(QStringLiteral("garbage.ts"));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        } else if (damage == QLatin1String("ts-plain")) {
            path = dir.filePath(QStringLiteral("plain.ts"));
            torch::jit::Module m("Plain");
            m.define("def forward(self, x: Tensor) -> Tensor:\n    return x * 2\n");
            m.save(path.toStdString());
        }
        const QByteArray packageBefore = qgetenv("DESCRY_HUMAN_MODELS");
        if (damage == QLatin1String("trunk-no-package")) {
            // A model whose lower stages are a pretrained network, on a machine without the
            // package that network's graph comes from: an error, not an exception.
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            QJsonObject model = json.value(QStringLiteral("model")).toObject();
            model[QStringLiteral("trunk")] = QStringLiteral("nanodet-backbone");
            model[QStringLiteral("imageWidth")] = 32;
            json[QStringLiteral("model")] = model;
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(json).toJson());
            f.close();
            qputenv("DESCRY_HUMAN_MODELS", dir.filePath(QStringLiteral("no-package")).toUtf8());
        }
        std::unique_ptr<TextPersonModel> model = TextPersonModel::load(path, &error);
        qputenv("DESCRY_HUMAN_MODELS", packageBefore);
        if (packageBefore.isEmpty())
            qunsetenv("DESCRY_HUMAN_MODELS");
        QVERIFY(!model);
        QVERIFY2(error.contains(expected), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestTextPersonModel)
#include "TestTextPersonModel.moc"
