#pragma once

#include <QDialog>
#include <QList>
#include <QString>

#include <utility>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace descry {

// Asks where a team's gallery lives on a PostgreSQL server (host, port, database, user, password,
// SSL mode) and writes it as the postgresql:// URL that Gallery::open() takes. A password left
// empty is not asked for again: libpq then reads PGPASSWORD or ~/.pgpass. What the dialog shows of
// the URL never holds the password; the caller keeps the full URL in memory only.
class GalleryServerDialog : public QDialog {
    Q_OBJECT
public:
    explicit GalleryServerDialog(QWidget *parent = nullptr);

    // postgresql://user[:password]@host:port/database?sslmode=..., every part percent-encoded.
    // The port is always written, so PGPORT cannot send the gallery elsewhere than the dialog said.
    QString url() const;
    // Fills the fields from a postgresql:// URL (the last server); false, nothing changed, for
    // anything else. Options the fields do not show (connect_timeout=...) are kept for url().
    bool setUrl(const QString &url);

    // libpq's SSL modes the combo box offers, the first being the default.
    static QStringList sslModes();

private:
    void updateState();

    QLineEdit *m_host = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_database = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QComboBox *m_sslMode = nullptr;
    QLabel *m_preview = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QList<std::pair<QString, QString>> m_otherOptions; // encoded query items besides sslmode
};

} // namespace descry
