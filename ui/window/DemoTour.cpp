#include "DemoTour.h"

#include <QFile>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace descry {

DemoTour::DemoTour(QWidget *parent)
    : QWidget(parent)
    , m_position(new QLabel(this))
    , m_query(new QLabel(this))
    , m_caption(new QLabel(this))
    , m_previous(new QPushButton(tr("◀ Previous"), this))
    , m_next(new QPushButton(tr("Next ▶"), this))
{
    setObjectName(QStringLiteral("demoTour"));
    m_position->setObjectName(QStringLiteral("demoPosition"));
    m_query->setObjectName(QStringLiteral("demoQuery"));
    m_caption->setObjectName(QStringLiteral("demoCaption"));
    m_caption->setWordWrap(true);
    QFont queryFont = m_query->font();
    queryFont.setPointSizeF(queryFont.pointSizeF() * 1.2);
    queryFont.setBold(true);
    m_query->setFont(queryFont);
    m_previous->setToolTip(tr("Previous example (Page Up)"));
    m_next->setToolTip(tr("Next example (Page Down)"));
    m_previous->setFocusPolicy(Qt::NoFocus); // keys keep working in the results grid
    m_next->setFocusPolicy(Qt::NoFocus);

    auto *text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(m_query);
    text->addWidget(m_caption);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->addWidget(m_position);
    layout->addLayout(text, 1);
    layout->addWidget(m_previous);
    layout->addWidget(m_next);

    connect(m_previous, &QPushButton::clicked, this, &DemoTour::previous);
    connect(m_next, &QPushButton::clicked, this, &DemoTour::next);
    for (const QKeySequence &key : {QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::CTRL | Qt::Key_Right)})
        connect(new QShortcut(key, this, nullptr, nullptr, Qt::WindowShortcut), &QShortcut::activated, this, &DemoTour::next);
    for (const QKeySequence &key : {QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::CTRL | Qt::Key_Left)})
        connect(new QShortcut(key, this, nullptr, nullptr, Qt::WindowShortcut), &QShortcut::activated, this, &DemoTour::previous);
    setSteps(builtInSteps());
}

bool DemoTour::loadSteps(const QString &path, QList<Step> *steps, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("cannot read the demo tour %1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    const QJsonArray array = doc.object().value(QStringLiteral("steps")).toArray();
    if (doc.isNull() || array.isEmpty()) {
        *error = tr("the demo tour %1 has no \"steps\" (%2)").arg(path, parse.errorString());
        return false;
    }
    steps->clear();
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        const QString query = o.value(QStringLiteral("query")).toString().trimmed();
        if (query.isEmpty()) {
            *error = tr("a step of the demo tour %1 has no \"query\"").arg(path);
            return false;
        }
        steps->append({query, o.value(QStringLiteral("caption")).toString()});
    }
    return true;
}

QList<DemoTour::Step> DemoTour::builtInSteps()
{
    QList<Step> steps;
    QString error;
    if (!loadSteps(QStringLiteral(":/descry/demo-tour.json"), &steps, &error))
        qWarning("%s", qPrintable(error)); // a build without its resources: an empty tour
    return steps;
}

void DemoTour::setSteps(const QList<Step> &steps)
{
    m_steps = steps;
    m_current = -1;
    m_position->setText(tr("Tour"));
    m_query->setText(steps.isEmpty() ? tr("No examples") : tr("%1 examples — press Page Down").arg(steps.size()));
    m_caption->clear();
    m_previous->setEnabled(false);
    m_next->setEnabled(!steps.isEmpty());
}

void DemoTour::start()
{
    goTo(0);
}

void DemoTour::next()
{
    goTo(m_current + 1);
}

void DemoTour::previous()
{
    goTo(m_current - 1);
}

void DemoTour::goTo(int step)
{
    if (step < 0 || step >= stepCount())
        return;
    m_current = step;
    const Step &s = m_steps.at(step);
    m_position->setText(tr("%1 / %2").arg(step + 1).arg(stepCount()));
    m_query->setText(QStringLiteral("“%1”").arg(s.query));
    m_caption->setText(s.caption);
    m_previous->setEnabled(step > 0);
    m_next->setEnabled(step + 1 < stepCount());
    Q_EMIT queryRequested(s.query);
}

} // namespace descry
