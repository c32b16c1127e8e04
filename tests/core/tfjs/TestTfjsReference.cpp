#include "PerceptionPackage.h"
#include "TfjsGraph.h"
#include "TfjsInterpreter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <torch/torch.h>

#include <cmath>
#include <iterator>

#ifndef DESCRY_TFJS_REFERENCE_DIR
#error "tests/core/tfjs/CMakeLists.txt must define DESCRY_TFJS_REFERENCE_DIR (tests/core/tfjs/data)"
#endif

using namespace descry;

namespace {

// Sampled outputs may differ from the float64 reference by this much (float32 arithmetic and a
// different summation order drift by ~4e-6 on these graphs); sums by this fraction of the sum of
// absolute values (the box logits' signed sums nearly cancel, so their own size is no measure).
constexpr double kTolerance = 1e-4;

// NanoDet's input: i * 7919 passes 2^31 over 1x3x416x416 elements, hence int64 indices.
torch::Tensor nanodetInput()
{
    const torch::Tensor i = torch::arange(int64_t(1) * 3 * 416 * 416, torch::kInt64);
    return ((i * 7919 % 1000).to(torch::kFloat32) / 250.f - 2.f).reshape({ 1, 3, 416, 416 });
}

torch::Tensor movenetInput()
{
    const torch::Tensor i = torch::arange(int64_t(1) * 192 * 192 * 3, torch::kInt32);
    return (i * 7 % 256).reshape({ 1, 192, 192, 3 });
}

// A model of the package, the input its fixture was computed for, and that input's formula as the
// fixture states it (compared, so that the script and this test cannot drift apart unnoticed).
struct Reference {
    const char *model;
    const char *formula;
    torch::Tensor (*input)();
};

const Reference kReferences[] = {
    { "nanodet", "((i * 7919) % 1000) / 250 - 2 (i: int64 flat index; float32 division and subtraction)",
        nanodetInput },
    { "movenet-lightning", "(i * 7) % 256 (i: flat index)", movenetInput },
};

QJsonObject readFixture(const QString &model)
{
    QFile file(QString::fromUtf8(DESCRY_TFJS_REFERENCE_DIR) + QLatin1Char('/') + model
        + QStringLiteral("-reference.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The first model file whose SHA-256 is not the one the fixture was computed from, or empty.
QString changedModelFile(const QJsonObject &sha256)
{
    for (auto it = sha256.begin(); it != sha256.end(); ++it) {
        QFile file(PerceptionPackage::folder() + QLatin1Char('/') + it.key());
        QCryptographicHash hash(QCryptographicHash::Sha256);
        if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file)
            || QString::fromLatin1(hash.result().toHex()) != it.value().toString())
            return it.key();
    }
    return {};
}

std::vector<int64_t> shapeOf(const QJsonValue &value)
{
    std::vector<int64_t> shape;
    for (const QJsonValue &d : value.toArray())
        shape.push_back(d.toInteger());
    return shape;
}

// One output against its fixture entry: shape, every sampled value, the two sums.
void compareOutput(const torch::Tensor &output, const QJsonObject &want)
{
    const QString name = want[QStringLiteral("name")].toString();
    QCOMPARE(output.sizes().vec(), shapeOf(want[QStringLiteral("shape")]));
    const torch::Tensor flat = output.to(torch::kCPU, torch::kFloat64).contiguous().reshape({ -1 });
    const double *got = flat.data_ptr<double>();

    const QJsonArray indices = want[QStringLiteral("indices")].toArray();
    const QJsonArray values = want[QStringLiteral("values")].toArray();
    QVERIFY(!indices.isEmpty() && indices.size() == values.size());
    double worst = 0;
    qsizetype worstAt = 0;
    for (qsizetype k = 0; k < indices.size(); ++k) {
        const double difference = std::abs(got[indices[k].toInteger()] - values[k].toDouble());
        if (!(difference <= worst)) { // NaN counts as the worst
            worst = difference;
            worstAt = k;
        }
    }
    qInfo("%s: %lld samples, max |difference| %.3g", qPrintable(name), qint64(indices.size()), worst);
    QVERIFY2(worst <= kTolerance,
        qPrintable(QStringLiteral("%1 at flat index %2: %3, reference %4")
                       .arg(name)
                       .arg(indices[worstAt].toInteger())
                       .arg(got[indices[worstAt].toInteger()], 0, 'g', 9)
                       .arg(values[worstAt].toDouble(), 0, 'g', 9)));

    const double sumAbs = want[QStringLiteral("sumAbs")].toDouble();
    const double gotSum = flat.sum().item<double>();
    const double gotSumAbs = flat.abs().sum().item<double>();
    QVERIFY2(std::abs(gotSum - want[QStringLiteral("sum")].toDouble()) <= kTolerance * sumAbs,
        qPrintable(QStringLiteral("%1: sum %2, reference %3")
                       .arg(name)
                       .arg(gotSum, 0, 'g', 9)
                       .arg(want[QStringLiteral("sum")].toDouble(), 0, 'g', 9)));
    QVERIFY2(std::abs(gotSumAbs - sumAbs) <= kTolerance * sumAbs,
        qPrintable(QStringLiteral("%1: sum of |values| %2, reference %3")
                       .arg(name)
                       .arg(gotSumAbs, 0, 'g', 9)
                       .arg(sumAbs, 0, 'g', 9)));
}

} // namespace

// The interpreter against outputs computed independently, in float64 numpy, by
// scripts/tfjs-reference.py (tests/core/tfjs/data/*-reference.json): the package's real graphs
// on inputs given by a formula, compared to 1e-4.
class TestTfjsReference : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesNumpyReference_data()
    {
        QTest::addColumn<int>("reference");
        for (int k = 0; k < int(std::size(kReferences)); ++k)
            QTest::newRow(kReferences[k].model) << k;
    }

    void matchesNumpyReference()
    {
        QFETCH(int, reference);
        const Reference &r = kReferences[reference];
        const QString model = QString::fromLatin1(r.model);
        const QString json = PerceptionPackage::folder() + QLatin1Char('/') + model + QStringLiteral(".json");
        if (!QFile::exists(json))
            QSKIP("needs scripts/fetch-perception-models.sh");
        const QJsonObject fixture = readFixture(model);
        QVERIFY2(!fixture.isEmpty(), qPrintable(model + QStringLiteral("-reference.json unreadable")));
        const QString changed = changedModelFile(fixture[QStringLiteral("sha256")].toObject());
        if (!changed.isEmpty())
            QSKIP(qPrintable(changed
                + QStringLiteral(" is not the file the reference was computed from; rerun "
                                 "scripts/tfjs-reference.py")));

        const QJsonObject input = fixture[QStringLiteral("input")].toObject();
        QCOMPARE(input[QStringLiteral("formula")].toString(), QString::fromLatin1(r.formula));
        const torch::Tensor x = r.input();
        QCOMPARE(x.sizes().vec(), shapeOf(input[QStringLiteral("shape")]));

        QString error;
        const auto graph = TfjsGraph::load({ json, {} }, &error);
        QVERIFY2(graph, qPrintable(error));
        const QJsonArray outputs = fixture[QStringLiteral("outputs")].toArray();
        QStringList names;
        for (const QJsonValue &o : outputs)
            names << o[QStringLiteral("name")].toString();
        std::vector<torch::Tensor> got;
        {
            c10::InferenceMode guard;
            TfjsInterpreter interpreter(*graph);
            QVERIFY2(
                interpreter.run({ { input[QStringLiteral("name")].toString(), x } }, names, &got, &error),
                qPrintable(error));
        }
        QCOMPARE(got.size(), std::size_t(outputs.size()));
        for (qsizetype k = 0; k < outputs.size(); ++k) {
            compareOutput(got[std::size_t(k)], outputs[k].toObject());
            if (QTest::currentTestFailed())
                return;
        }
    }
};

QTEST_GUILESS_MAIN(TestTfjsReference)
#include "TestTfjsReference.moc"
