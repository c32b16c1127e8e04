#pragma once

#include "SearchEngine.h"

#include <QWidget>

class QCompleter;
class QLabel;
class QLineEdit;
class QPushButton;
class QStringListModel;

namespace descry {

class SearchController;

// The query line: type a description, Enter or "Search" runs it on the SearchController.
// Offers earlier queries (from the gallery's history) as completions, and shows under the
// line what the parser understood and which words it did not know.
class SearchBar : public QWidget {
    Q_OBJECT
public:
    explicit SearchBar(SearchController *controller, QWidget *parent = nullptr);

    QLineEdit *lineEdit() const { return m_edit; }
    QString understoodText() const;
    // Puts the query in the line (as if typed) without running it.
    void setQuery(const QString &text);

    // "upper: colour:red (red top)" -> "upper red"; exposed for the empty-results message.
    static QString describeTerm(const QString &understood);

public Q_SLOTS:
    void focusSearch();
    void runSearch();

private:
    void showResponse(const SearchResponse &response);
    void showBusy(bool busy);

    SearchController *m_controller;
    QLineEdit *m_edit;
    QPushButton *m_button;
    QLabel *m_understood;
    QStringListModel *m_history;
    QCompleter *m_completer;
};

} // namespace descry
