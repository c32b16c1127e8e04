#include "SearchBar.h"

#include "SearchController.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCompleter>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStringListModel>
#include <QVBoxLayout>

namespace descry {

SearchBar::SearchBar(SearchController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_edit(new QLineEdit(this))
    , m_button(new QPushButton(tr("Search"), this))
    , m_understood(new QLabel(this))
    , m_history(new QStringListModel(this))
    , m_completer(new QCompleter(m_history, this))
{
    setObjectName(QStringLiteral("searchBar"));
    m_edit->setObjectName(QStringLiteral("searchEdit"));
    m_button->setObjectName(QStringLiteral("searchButton"));
    m_understood->setObjectName(QStringLiteral("understoodLabel"));
    m_edit->setPlaceholderText(tr("Describe a person — “red coat, black trousers, backpack”"));
    m_edit->setClearButtonEnabled(true);
    m_edit->addAction(QIcon(QStringLiteral(":/descry/search.png")), QLineEdit::LeadingPosition);
    m_edit->setAccessibleName(tr("Description to search for"));
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(12);
    m_edit->setCompleter(m_completer);
    m_button->setDefault(true);
    m_understood->setTextFormat(Qt::RichText);
    m_understood->setWordWrap(true);
    m_understood->setText(tr("Colours, garments and accessories are understood: "
                             "<i>red top, dark trousers, backpack, hat…</i>"));

    auto *row = new QHBoxLayout;
    row->setSpacing(8);
    row->addWidget(m_edit, 1);
    row->addWidget(m_button);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 6);
    layout->setSpacing(6);
    layout->addLayout(row);
    layout->addWidget(m_understood);

    connect(m_edit, &QLineEdit::returnPressed, this, &SearchBar::runSearch);
    connect(m_button, &QPushButton::clicked, this, &SearchBar::runSearch);
    connect(m_controller, &SearchController::historyChanged, m_history, &QStringListModel::setStringList);
    connect(m_controller, &SearchController::resultsReady, this, &SearchBar::showResponse);
    connect(m_controller, &SearchController::searchStarted, this, [this] { showBusy(true); });
    connect(m_controller, &SearchController::idle, this, [this] { showBusy(false); });
    connect(
        m_controller, &SearchController::searchFailed, this, [this](const QString &, const QString &error) {
            m_understood->setText(
                QStringLiteral("<span style='color:#e06c60'>%1</span>").arg(error.toHtmlEscaped()));
        });
}

void SearchBar::focusSearch()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

void SearchBar::setQuery(const QString &text)
{
    m_edit->setText(text);
}

void SearchBar::runSearch()
{
    // The completer's popup may still be open after Enter picked an entry.
    if (m_completer->popup())
        m_completer->popup()->hide();
    const QString text = m_edit->text().trimmed();
    if (text.isEmpty()) {
        // An empty description matches nobody in particular: ask for one instead of listing
        // everyone at score 0.
        m_understood->setText(QStringLiteral("<span style='color:#e06c60'>%1</span>")
                                  .arg(tr("Type a description first, e.g. “a woman in a red coat, black trousers”.")
                                           .toHtmlEscaped()));
        m_edit->setFocus();
        return;
    }
    m_controller->search(text);
}

void SearchBar::showBusy(bool busy)
{
    m_button->setText(busy ? tr("Searching…") : tr("Search"));
}

QString SearchBar::describeTerm(const QString &understood)
{
    // SearchEngine words a term "region: kind:value (phrase)".
    const QString region = understood.section(QLatin1Char(':'), 0, 0).trimmed();
    QString attribute = understood.section(QLatin1Char(':'), 1).section(QLatin1String(" ("), 0, 0).trimmed();
    const QString value = attribute.section(QLatin1Char(':'), -1).replace(QLatin1Char('_'), QLatin1Char(' '));
    return region == QLatin1String("whole") ? value : QStringLiteral("%1 %2").arg(region, value);
}

void SearchBar::showResponse(const SearchResponse &response)
{
    QStringList chips;
    for (const QString &term : response.understood)
        chips.append(QStringLiteral("<span style='background:#2f4f6f;color:#e8f0f8'>&nbsp;%1&nbsp;</span>")
                         .arg(describeTerm(term).toHtmlEscaped()));
    if (response.galleryTracklets == 0) {
        m_understood->setText(tr("The gallery holds no people yet: add footage to search it."));
        return;
    }
    QString html = chips.isEmpty()
        ? tr("Understood: <i>nothing to rank by</i> — showing every person in time order")
        : tr("Understood: %1").arg(chips.join(QStringLiteral("&nbsp; ")));
    if (!response.unknownWords.isEmpty())
        html += tr("&nbsp;&nbsp;&nbsp;Not understood: <span style='color:#e0a050'>%1</span>")
                    .arg(response.unknownWords.join(QStringLiteral(", ")).toHtmlEscaped());
    m_understood->setText(html);
}

QString SearchBar::understoodText() const
{
    return m_understood->text();
}

} // namespace descry
