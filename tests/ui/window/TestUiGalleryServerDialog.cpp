// The team-gallery connection dialog: the postgresql:// URL its fields make (every part
// percent-encoded, the SSL mode in the query), OK only once a host and a database are given, and
// a URL read back into the fields as it was. Driven through its widgets by object name.

#include "GalleryServerDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QUrl>

using namespace descry;

namespace {

struct Fields {
    QLineEdit *host = nullptr;
    QSpinBox *port = nullptr;
    QLineEdit *database = nullptr;
    QLineEdit *user = nullptr;
    QLineEdit *password = nullptr;
    QComboBox *sslMode = nullptr;
    QLabel *preview = nullptr;
    QPushButton *ok = nullptr;

    explicit Fields(const GalleryServerDialog &dialog)
        : host(dialog.findChild<QLineEdit *>(QStringLiteral("hostEdit")))
        , port(dialog.findChild<QSpinBox *>(QStringLiteral("portSpin")))
        , database(dialog.findChild<QLineEdit *>(QStringLiteral("databaseEdit")))
        , user(dialog.findChild<QLineEdit *>(QStringLiteral("userEdit")))
        , password(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit")))
        , sslMode(dialog.findChild<QComboBox *>(QStringLiteral("sslModeCombo")))
        , preview(dialog.findChild<QLabel *>(QStringLiteral("urlPreview")))
    {
        if (auto *buttons = dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttons")))
            ok = buttons->button(QDialogButtonBox::Ok);
    }
    bool complete() const { return host && port && database && user && password && sslMode && preview && ok; }
    void setSslMode(const QString &mode) const { sslMode->setCurrentIndex(sslMode->findData(mode)); }
};

} // namespace

class TestUiGalleryServerDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsWithLocalDefaultsAndWaitsForADatabase()
    {
        GalleryServerDialog dialog;
        const Fields f(dialog);
        QVERIFY(f.complete());
        QCOMPARE(f.host->text(), QStringLiteral("localhost"));
        QCOMPARE(f.port->value(), 5432);
        QCOMPARE(f.password->echoMode(), QLineEdit::Password);
        QCOMPARE(f.sslMode->currentData().toString(), QStringLiteral("prefer"));
        QVERIFY(!f.ok->isEnabled()); // no database yet

        QTest::keyClicks(f.database, QStringLiteral("cases"));
        QVERIFY(f.ok->isEnabled());
        f.host->clear();
        QVERIFY(!f.ok->isEnabled());
        f.host->setText(QStringLiteral("   "));
        QVERIFY(!f.ok->isEnabled()); // blanks are no host
        f.host->setText(QStringLiteral("db.example.org"));
        QVERIFY(f.ok->isEnabled());
        f.database->clear();
        QVERIFY(!f.ok->isEnabled());
    }

    void buildsAnEncodedUrl_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("database");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("sslMode");
        QTest::addColumn<QString>("expected");

        QTest::newRow("plain") << "ann"
                               << ""
                               << "cases" << 5432 << "prefer"
                               << "postgresql://ann@db.example.org:5432/cases?sslmode=prefer";
        QTest::newRow("password with @ and :")
            << "ann"
            << "p@ss:word"
            << "cases" << 6543 << "require"
            << "postgresql://ann:p%40ss%3Aword@db.example.org:6543/cases?sslmode=require";
        QTest::newRow("user with : and @, odd password, database with space")
            << "ann:lee@corp"
            << "a/b%c#d?e"
            << "case files" << 5432 << "disable"
            << "postgresql://ann%3Alee%40corp:a%2Fb%25c%23d%3Fe@db.example.org:5432/"
               "case%20files?sslmode=disable";
        QTest::newRow("no user: libpq's own") << ""
                                              << ""
                                              << "cases" << 5432 << "require"
                                              << "postgresql://db.example.org:5432/cases?sslmode=require";
    }

    void buildsAnEncodedUrl()
    {
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(QString, database);
        QFETCH(int, port);
        QFETCH(QString, sslMode);
        QFETCH(QString, expected);

        GalleryServerDialog dialog;
        const Fields f(dialog);
        QVERIFY(f.complete());
        f.host->setText(QStringLiteral("db.example.org"));
        f.port->setValue(port);
        f.database->setText(database);
        f.user->setText(user);
        f.password->setText(password);
        f.setSslMode(sslMode);
        QCOMPARE(dialog.url(), expected);

        // What Gallery::open() reads back out of it is what was typed.
        const QUrl parsed(dialog.url(), QUrl::StrictMode);
        QVERIFY(parsed.isValid());
        QCOMPARE(parsed.userName(), user);
        QCOMPARE(parsed.password(), password);
        QCOMPARE(parsed.path().mid(1), database);
        QCOMPARE(parsed.port(), port);

        // The address shown never holds the password.
        QVERIFY(f.preview->text().contains(QStringLiteral("db.example.org")));
        QVERIFY(f.preview->text().contains(QStringLiteral("sslmode=") + sslMode));
        if (!password.isEmpty()) {
            QVERIFY2(!f.preview->text().contains(password), qPrintable(f.preview->text()));
            QVERIFY2(!f.preview->text().contains(QUrl::toPercentEncoding(password)),
                qPrintable(f.preview->text()));
        }
    }

    void setUrlRoundTrips_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("every field")
            << "postgresql://ann:p%40ss%3Aword@db.example.org:6543/cases?sslmode=require";
        QTest::newRow("no password") << "postgresql://ann@10.0.0.7:5432/shared%20gallery?sslmode=disable";
        QTest::newRow("other options kept")
            << "postgresql://ann@db.example.org:5432/cases?sslmode=prefer&connect_timeout=10";
        QTest::newRow("a mode the box does not list")
            << "postgresql://ann@db.example.org:5432/cases?sslmode=verify-full";
    }

    void setUrlRoundTrips()
    {
        QFETCH(QString, url);
        GalleryServerDialog dialog;
        QVERIFY(dialog.setUrl(url));
        QCOMPARE(dialog.url(), url);
        QVERIFY(Fields(dialog).ok->isEnabled());
        // Read back into a second dialog, field by field, it is the same again.
        GalleryServerDialog again;
        QVERIFY(again.setUrl(dialog.url()));
        QCOMPARE(again.url(), url);
    }

    void setUrlFillsTheFields()
    {
        GalleryServerDialog dialog;
        const Fields f(dialog);
        QVERIFY(dialog.setUrl(QStringLiteral("postgres://ann%3Alee:p%40ss%3Aword@db.example.org/cases")));
        QCOMPARE(f.host->text(), QStringLiteral("db.example.org"));
        QCOMPARE(f.port->value(), 5432); // none written: libpq's default
        QCOMPARE(f.database->text(), QStringLiteral("cases"));
        QCOMPARE(f.user->text(), QStringLiteral("ann:lee"));
        QCOMPARE(f.password->text(), QStringLiteral("p@ss:word"));
        QCOMPARE(f.sslMode->currentData().toString(), QStringLiteral("prefer"));

        // Not a server's URL: nothing changes.
        QVERIFY(!dialog.setUrl(QStringLiteral("/home/ann/gallery.sqlite")));
        QVERIFY(!dialog.setUrl(QString()));
        QCOMPARE(f.host->text(), QStringLiteral("db.example.org"));
        QCOMPARE(f.password->text(), QStringLiteral("p@ss:word"));
    }
};

QTEST_MAIN(TestUiGalleryServerDialog)
#include "TestUiGalleryServerDialog.moc"
