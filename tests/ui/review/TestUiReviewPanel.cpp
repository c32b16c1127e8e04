// The review panel driven through its keys on the offscreen platform: C / R / S / Space store
// decisions through the controller's worker, U / Ctrl+Z take them back, the arrows move, and
// keys typed into the label field stay text. Checks the gallery from this thread. Waits on
// signals, never sleeps.

#include "Gallery.h"
#include "ImageView.h"
#include "ReviewController.h"
#include "ReviewFixture.h"
#include "ReviewPanel.h"

#include <QApplication>
#include <QLineEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace descry;

namespace {

const QString kQuery = QStringLiteral("a man in a grey hoodie");

} // namespace

class TestUiReviewPanel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    Gallery m_gallery; // this thread's connection, for checking what the worker wrote
    std::vector<int64_t> m_ids;

    std::vector<ReviewQueueItem> items() const
    {
        std::vector<ReviewQueueItem> out;
        for (size_t i = 0; i < m_ids.size(); ++i)
            out.push_back({ m_ids[i], 0.9f - 0.1f * float(i) });
        return out;
    }

    // Presses a key on the panel and waits until the controller has answered every request.
    static bool press(ReviewPanel &panel, QWidget *target, Qt::Key key, Qt::KeyboardModifiers modifiers = {})
    {
        QSignalSpy idle(panel.controller(), &ReviewController::idle);
        QTest::keyClick(target, key, modifiers);
        return panel.controller()->isBusy() && idle.wait(20000);
    }

    // The verdict of the decision that counts for (kQuery, tracklet), or "" when there is none.
    QString verdictOf(int64_t trackletId)
    {
        for (const ReviewRecord &r : m_gallery.reviews(kQuery))
            if (r.trackletId == trackletId)
                return reviewVerdictKey(r.verdict);
        return QString();
    }

    static bool startAndShow(
        ReviewPanel &panel, const QString &query, const std::vector<ReviewQueueItem> &items)
    {
        QSignalSpy shown(&panel, &ReviewPanel::stateShown);
        panel.controller()->start(query, items);
        if (!shown.wait(20000))
            return false;
        panel.show();
        panel.activateWindow();
        if (!QTest::qWaitForWindowActive(&panel))
            return false;
        panel.setFocus();
        return panel.hasFocus();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_path = m_dir.filePath(QStringLiteral("g.sqlite"));
        QVERIFY2(m_gallery.open(m_path), qPrintable(m_gallery.lastError()));
        m_ids = test::addFixtureTracklets(m_gallery, 6, 2);
        QCOMPARE(m_ids.size(), size_t(6));
    }

    void keysDriveTheQueue()
    {
        ReviewController controller;
        controller.setGalleryPath(m_path);
        controller.setAuthor(QStringLiteral("tester"));
        ReviewPanel panel(&controller);
        QVERIFY(startAndShow(panel, kQuery, items()));
        QCOMPARE(panel.trackletId(), m_ids[0]);
        QCOMPARE(panel.progressText(), QStringLiteral("0 / 6 reviewed · 0 confirmed · 0 rejected"));
        QCOMPARE(panel.cropViews().front()->image().size(), QSize(24, 64));
        QVERIFY(!panel.cropViews()[1]->image().isNull()); // the second stored crop
        QVERIFY(panel.cropViews()[2]->image().isNull());

        QVERIFY(press(panel, &panel, Qt::Key_C));
        QCOMPARE(verdictOf(m_ids[0]), QStringLiteral("confirmed"));
        QCOMPARE(m_gallery.reviews(kQuery).front().author, QStringLiteral("tester"));
        QCOMPARE(panel.trackletId(), m_ids[1]);

        // Typing into the label: every letter here is also a review key, none may decide.
        QLineEdit *label = panel.labelEdit();
        label->setFocus();
        QTest::keyClicks(label, QStringLiteral("Carl Rusu"));
        QTest::keyClick(label, Qt::Key_Left);
        QTest::keyClick(label, Qt::Key_Z, Qt::ControlModifier); // the field's own undo
        QVERIFY(!controller.isBusy());
        label->clear();
        QTest::keyClicks(label, QStringLiteral("Carl Rusu"));
        QCOMPARE(label->text(), QStringLiteral("Carl Rusu"));
        QVERIFY(!controller.isBusy());
        QCOMPARE(m_gallery.reviews(kQuery).size(), size_t(1));
        QCOMPARE(panel.trackletId(), m_ids[1]);

        // Return in the label field confirms with the label, which stays for the next item.
        QVERIFY(press(panel, label, Qt::Key_Return));
        QCOMPARE(m_gallery.reviews(kQuery).back().label, QStringLiteral("Carl Rusu"));
        QCOMPARE(panel.trackletId(), m_ids[2]);
        QCOMPARE(label->text(), QStringLiteral("Carl Rusu"));
        QVERIFY(label->hasFocus());
        QTest::keyClick(label, Qt::Key_Escape);
        QVERIFY(panel.hasFocus());

        QVERIFY(press(panel, &panel, Qt::Key_R));
        QCOMPARE(verdictOf(m_ids[2]), QStringLiteral("rejected"));
        QVERIFY(press(panel, &panel, Qt::Key_S));
        QCOMPARE(verdictOf(m_ids[3]), QStringLiteral("skipped"));
        QVERIFY(press(panel, &panel, Qt::Key_Space));
        QCOMPARE(verdictOf(m_ids[4]), QStringLiteral("skipped"));
        QCOMPARE(panel.trackletId(), m_ids[5]);
        QCOMPARE(
            panel.progressText(), QStringLiteral("3 / 6 reviewed · 2 confirmed · 1 rejected · 2 skipped"));
        QCOMPARE(panel.progressBar()->value(), 3);

        // Undo, newest first, each time back on the item.
        QVERIFY(press(panel, &panel, Qt::Key_Z, Qt::ControlModifier));
        QCOMPARE(verdictOf(m_ids[4]), QString());
        QCOMPARE(panel.trackletId(), m_ids[4]);
        QVERIFY(press(panel, &panel, Qt::Key_U));
        QCOMPARE(verdictOf(m_ids[3]), QString());
        QCOMPARE(panel.trackletId(), m_ids[3]);
        QCOMPARE(panel.progressText(), QStringLiteral("3 / 6 reviewed · 2 confirmed · 1 rejected"));

        // The arrows move without deciding.
        const size_t rows = m_gallery.reviewsOfTracklet(m_ids[2]).size();
        QVERIFY(press(panel, &panel, Qt::Key_Left));
        QCOMPARE(panel.trackletId(), m_ids[2]);
        QVERIFY(press(panel, &panel, Qt::Key_Right));
        QVERIFY(press(panel, &panel, Qt::Key_Right));
        QCOMPARE(panel.trackletId(), m_ids[4]);
        QCOMPARE(m_gallery.reviewsOfTracklet(m_ids[2]).size(), rows);
    }

    void aKeyPressedTwiceDecidesOnce()
    {
        // The second C reaches the worker before the panel showed the next item: it must not
        // decide on an item the annotator has not seen.
        ReviewController controller;
        controller.setGalleryPath(m_path);
        ReviewPanel panel(&controller);
        const QString query = QStringLiteral("someone with a blue umbrella");
        QVERIFY(startAndShow(panel, query, items()));
        QSignalSpy idle(&controller, &ReviewController::idle);
        QTest::keyClick(&panel, Qt::Key_C);
        QTest::keyClick(&panel, Qt::Key_C);
        QVERIFY(idle.wait(20000));
        QCOMPARE(m_gallery.reviews(query).size(), size_t(1));
        QCOMPARE(panel.trackletId(), m_ids[1]);
    }

    void resumedQueueShowsStoredDecisions()
    {
        // After keysDriveTheQueue: items 0, 1 confirmed, 2 rejected, 3 and 4 undecided.
        ReviewController controller;
        controller.setGalleryPath(m_path);
        ReviewPanel panel(&controller);
        QVERIFY(startAndShow(panel, kQuery, items()));
        QCOMPARE(panel.trackletId(), m_ids[3]);
        QCOMPARE(panel.progressText(), QStringLiteral("3 / 6 reviewed · 2 confirmed · 1 rejected"));
        QVERIFY(press(panel, &panel, Qt::Key_Left));
        QVERIFY(press(panel, &panel, Qt::Key_Left));
        QCOMPARE(panel.trackletId(), m_ids[1]);
        QCOMPARE(panel.labelEdit()->text(), QStringLiteral("Carl Rusu")); // the stored label
        // Nothing of the earlier session to undo: the gallery keeps its rows.
        QVERIFY(press(panel, &panel, Qt::Key_U));
        QCOMPARE(verdictOf(m_ids[2]), QStringLiteral("rejected"));
        QCOMPARE(m_gallery.reviews(kQuery).size(), size_t(3));
        QVERIFY(!panel.findChild<QWidget *>(QStringLiteral("reviewError"))->isHidden());
    }

    void newQueueReplacesTheOld()
    {
        ReviewController controller;
        controller.setGalleryPath(m_path);
        ReviewPanel panel(&controller);
        QVERIFY(startAndShow(panel, QStringLiteral("first query"), items()));
        QSignalSpy idle(&controller, &ReviewController::idle);
        // Decided on the first queue, then replaced before its answer arrived.
        panel.confirm();
        controller.start(QStringLiteral("second query"), { { m_ids[5], 0.5f } });
        QVERIFY(idle.wait(20000));
        QCOMPARE(controller.state().queryText, QStringLiteral("second query"));
        QCOMPARE(panel.trackletId(), m_ids[5]);
        QCOMPARE(panel.progressText(), QStringLiteral("0 / 1 reviewed · 0 confirmed · 0 rejected"));
        QCOMPARE(m_gallery.reviews(QStringLiteral("first query")).size(), size_t(1));
        // Deciding the only item finishes the queue.
        QVERIFY(press(panel, &panel, Qt::Key_R));
        QVERIFY(controller.state().isFinished());
        QCOMPARE(panel.trackletId(), qint64(0));
    }
};

QTEST_MAIN(TestUiReviewPanel)
#include "TestUiReviewPanel.moc"
