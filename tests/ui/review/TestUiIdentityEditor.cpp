// The GUI's identity edits (IdentityEditor on its worker thread): a merge of two people seen at
// the same time is refused with the reason, a split takes an appearance out and says which
// person it became, a merge after the split is refused because an annotator said so, and a merge
// that can go through joins the people and names the person that holds them. A hand-made gallery
// with 2-D vectors, so every grouping is known. Waits on signals, never sleeps.
#include "Gallery.h"
#include "IdentityFixture.h"
#include "IdentityEditor.h"
#include "IdentityGrouper.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace descry;

namespace {

constexpr int kWaitMs = 20000;
const QString kModel = QStringLiteral("m@1");

TrackletWithAttributes tracklet(int localId, double start, double end, std::vector<float> visual)
{
    return test::timedTracklet(localId, start, end, std::move(visual), kModel);
}

} // namespace

class TestUiIdentityEditor : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    std::vector<int64_t> m_ids; // a, b, c, d: a and b look alike, c and d too; c is on screen with a

    int64_t identityOf(int64_t tracklet)
    {
        Gallery gallery;
        return gallery.open(m_path) ? gallery.identities().at(tracklet) : -1;
    }

    // The editor's answer to the last edit: ok, message, person.
    static QList<QVariant> answer(QSignalSpy &spy)
    {
        if (spy.isEmpty() && !spy.wait(kWaitMs))
            return {};
        return spy.takeFirst();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("g.sqlite"));
        Gallery gallery;
        QVERIFY(gallery.open(m_path));
        SourceRecord s = test::cameraSource(QStringLiteral("hall"));
        QVERIFY2(gallery.addSource(&s), qPrintable(gallery.lastError()));
        QVERIFY(gallery.commitProgress(s.id, { 300, 30, {} },
            { tracklet(1, 0, 5, { 1, 0 }), tracklet(2, 10, 15, { 0.99f, 0.14f }), tracklet(3, 3, 8, { 0, 1 }),
                tracklet(4, 20, 25, { 0.1f, 0.99f }) },
            true));
        for (const TrackletRecord &t : gallery.tracklets())
            m_ids.push_back(t.id);
        QCOMPARE(m_ids.size(), size_t(4));
    }

    void withoutPeopleSaysWhatToDo()
    {
        IdentityEditor editor;
        editor.setGalleryPath(m_path);
        QSignalSpy finished(&editor, &IdentityEditor::finished);
        editor.separate(m_ids[1]);
        const QList<QVariant> a = answer(finished);
        QCOMPARE(a.size(), 3);
        QVERIFY(!a[0].toBool());
        QVERIFY2(a[1].toString().contains(QStringLiteral("no people yet")), qPrintable(a[1].toString()));
    }

    void mergeRefusedSplitAndMerge()
    {
        {
            Gallery gallery;
            QVERIFY(gallery.open(m_path));
            IdentityGrouper grouper(gallery, kModel);
            IdentityGroupingResult result;
            QString error;
            QVERIFY2(grouper.regroup({}, &result, &error), qPrintable(error));
        }
        const int64_t a = m_ids[0], b = m_ids[1], c = m_ids[2], d = m_ids[3];
        QCOMPARE(identityOf(a), identityOf(b));
        QCOMPARE(identityOf(c), identityOf(d));
        QVERIFY(identityOf(a) != identityOf(c));

        IdentityEditor editor;
        editor.setGalleryPath(m_path);
        editor.setAuthor(QStringLiteral("ann"));
        QSignalSpy finished(&editor, &IdentityEditor::finished);

        // a and c were on screen together: never one person, and the annotator is told why.
        editor.merge(identityOf(a), identityOf(c));
        QList<QVariant> r = answer(finished);
        QVERIFY(!r.isEmpty() && !r[0].toBool());
        QVERIFY2(r[1].toString().startsWith(QStringLiteral("Not merged:"))
                && r[1].toString().contains(QStringLiteral("same time")),
            qPrintable(r[1].toString()));
        QVERIFY(identityOf(a) != identityOf(c));

        // b is someone else: it leaves a's person, and the answer names b's new person.
        editor.separate(b);
        r = answer(finished);
        QVERIFY2(!r.isEmpty() && r[0].toBool(), qPrintable(r.value(1).toString()));
        QVERIFY(identityOf(a) != identityOf(b));
        QCOMPARE(r[2].toLongLong(), identityOf(b));
        QVERIFY(!editor.isBusy());

        // ... and merging them back is refused: an annotator said they are two people.
        editor.merge(identityOf(b), identityOf(a));
        r = answer(finished);
        QVERIFY(!r.isEmpty() && !r[0].toBool());
        QVERIFY2(r[1].toString().contains(QStringLiteral("ann")), qPrintable(r[1].toString()));

        // b with c and d: never seen at once, so one person, named in the answer.
        const int64_t bPerson = identityOf(b), cPerson = identityOf(c);
        editor.merge(bPerson, cPerson);
        r = answer(finished);
        QVERIFY2(!r.isEmpty() && r[0].toBool(), qPrintable(r.value(1).toString()));
        QCOMPARE(identityOf(b), identityOf(c));
        QCOMPARE(identityOf(c), identityOf(d));
        QCOMPARE(r[2].toLongLong(), identityOf(b));
        QVERIFY2(r[1].toString().contains(QStringLiteral("Person %1 and person %2").arg(bPerson).arg(cPerson)),
            qPrintable(r[1].toString()));
    }
};

QTEST_GUILESS_MAIN(TestUiIdentityEditor)
#include "TestUiIdentityEditor.moc"
