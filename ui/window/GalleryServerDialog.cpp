#include "GalleryServerDialog.h"

#include "GalleryLocation.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace descry {

namespace {

constexpr int kDefaultPort = 5432;
const QLatin1String kSslMode("sslmode");

QString loginName()
{
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? qEnvironmentVariable("USERNAME") : user;
}

} // namespace

GalleryServerDialog::GalleryServerDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("galleryServerDialog"));
    setWindowTitle(tr("Connect to a team gallery"));

    auto *intro = new QLabel(tr("A gallery on a PostgreSQL server is shared by everyone who connects to it: "
                                "footage one adds, others can search. The database must exist; Descry "
                                "makes its tables."),
        this);
    intro->setWordWrap(true);

    m_host = new QLineEdit(QStringLiteral("localhost"), this);
    m_host->setObjectName(QStringLiteral("hostEdit"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_port->setRange(1, 65535);
    m_port->setValue(kDefaultPort);
    m_database = new QLineEdit(this);
    m_database->setObjectName(QStringLiteral("databaseEdit"));
    m_user = new QLineEdit(loginName(), this);
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("empty: from PGPASSWORD or ~/.pgpass"));
    m_password->setToolTip(tr("Kept only while Descry runs; never saved"));
    m_sslMode = new QComboBox(this);
    m_sslMode->setObjectName(QStringLiteral("sslModeCombo"));
    m_sslMode->addItem(tr("Prefer (encrypted when the server offers it)"), sslModes().at(0));
    m_sslMode->addItem(tr("Require (encrypted, or no connection)"), sslModes().at(1));
    m_sslMode->addItem(tr("Disable (not encrypted)"), sslModes().at(2));
    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("urlPreview"));
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&Database:"), m_database);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("Pass&word:"), m_password);
    form->addRow(tr("&Encryption:"), m_sslMode);
    form->addRow(tr("Address:"), m_preview);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->setObjectName(QStringLiteral("buttons"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_buttons);

    for (QLineEdit *edit : { m_host, m_database, m_user, m_password })
        connect(edit, &QLineEdit::textChanged, this, &GalleryServerDialog::updateState);
    connect(m_port, &QSpinBox::valueChanged, this, &GalleryServerDialog::updateState);
    connect(m_sslMode, &QComboBox::currentIndexChanged, this, &GalleryServerDialog::updateState);
    m_database->setFocus();
    updateState();
}

QStringList GalleryServerDialog::sslModes()
{
    return { QStringLiteral("prefer"), QStringLiteral("require"), QStringLiteral("disable") };
}

QString GalleryServerDialog::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    // Every character typed is data: '@', ':', '/' or '%' in a name or password come out
    // percent-encoded instead of being read as the URL's punctuation. The password is encoded by
    // hand because QUrl leaves a ':' in it as it is (legal there, but not every reader agrees).
    const QString user = m_user->text().trimmed();
    if (!user.isEmpty())
        url.setUserName(user, QUrl::DecodedMode);
    if (!m_password->text().isEmpty())
        url.setPassword(QString::fromLatin1(QUrl::toPercentEncoding(m_password->text())), QUrl::StrictMode);
    url.setHost(m_host->text().trimmed());
    url.setPort(m_port->value());
    url.setPath(QLatin1Char('/') + m_database->text().trimmed(), QUrl::DecodedMode);
    QUrlQuery query;
    query.addQueryItem(kSslMode, m_sslMode->currentData().toString());
    for (const auto &[key, value] : m_otherOptions)
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}

bool GalleryServerDialog::setUrl(const QString &location)
{
    const QUrl parsed(location, QUrl::StrictMode);
    if (!GalleryLocation::isServer(location) || !parsed.isValid())
        return false;
    m_host->setText(parsed.host());
    m_port->setValue(parsed.port(kDefaultPort));
    m_database->setText(parsed.path(QUrl::FullyDecoded).mid(1));
    m_user->setText(parsed.userName(QUrl::FullyDecoded));
    m_password->setText(parsed.password(QUrl::FullyDecoded));
    m_otherOptions.clear();
    QString mode = sslModes().constFirst(); // libpq's default when the URL names none
    for (const auto &[key, value] : QUrlQuery(parsed).queryItems(QUrl::FullyEncoded)) {
        if (key == kSslMode)
            mode = QUrl::fromPercentEncoding(value.toUtf8());
        else
            m_otherOptions.append({ key, value });
    }
    // A mode the combo box does not offer (verify-full...) is kept as it was written.
    if (m_sslMode->findData(mode) < 0)
        m_sslMode->addItem(mode, mode);
    m_sslMode->setCurrentIndex(m_sslMode->findData(mode));
    updateState();
    return true;
}

void GalleryServerDialog::updateState()
{
    const bool complete = !m_host->text().trimmed().isEmpty() && !m_database->text().trimmed().isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(complete);
    m_preview->setText(
        complete ? GalleryLocation::displayName(url()) : tr("(a host and a database are needed)"));
}

} // namespace descry
