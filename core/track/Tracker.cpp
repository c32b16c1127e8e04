#include "Tracker.h"

#include "AppearanceHistogram.h"
#include "CropSelector.h"
#include "Hungarian.h"
#include "KalmanBoxFilter.h"

#include <QDataStream>
#include <QIODevice>

#include <algorithm>
#include <cmath>

namespace descry {

namespace {

constexpr quint32 kStateMagic = 0x44545243; // "DTRC"
constexpr quint32 kStateVersion = 1;

constexpr double kInfeasible = 1e6;
constexpr float kIouWeight = 0.6f; // stage 1 cost: 0.6 (1 - IoU) + 0.4 appearance distance
constexpr float kLooseAppearance
    = 0.55f; // stage 1: overlapping boxes that look this different are not the same
constexpr float kTightAppearance = 0.3f; // stage 2: re-association without overlap needs a close look-alike
constexpr float kAppearanceAlpha = 0.15f; // how fast a track's appearance follows new detections
constexpr float kOccludedIou = 0.3f; // a detection overlapping another this much does not teach appearance
constexpr int kTentativeMisses = 2; // an unconfirmed track that misses this many frames is noise

struct Track {
    int64_t serial = 0; // creation order: fixes the order of everything that iterates tracks
    int id = 0; // 0 until confirmed (minDetections hits): dropped noise consumes no ids
    KalmanBoxFilter filter;
    std::vector<float> appearance;
    int hits = 0;
    int missed = 0;
    Tracklet tracklet;
    CropSelector crops { 0, 0 };
};

struct Candidate {
    std::vector<float> appearance;
    bool occluded = false;
};

void writeTracklet(QDataStream &out, const Tracklet &t)
{
    out << qint32(t.localId) << quint32(t.detections.size());
    for (const Detection &d : t.detections)
    {
        out << qint64(d.frame) << d.time << d.box.x << d.box.y << d.box.w << d.box.h << d.score;
        for (float c : d.carried)
            out << c;
    }
    out << quint32(t.crops.size());
    for (const Crop &c : t.crops)
        out << qint64(c.frame) << c.box.x << c.box.y << c.box.w << c.box.h << c.quality << c.jpeg
            << c.maskPng;
}

void readTracklet(QDataStream &in, Tracklet *t)
{
    qint32 id = 0;
    quint32 n = 0;
    in >> id >> n;
    t->localId = id;
    t->detections.clear();
    for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
        Detection d;
        qint64 frame = 0;
        in >> frame >> d.time >> d.box.x >> d.box.y >> d.box.w >> d.box.h >> d.score;
        for (float &c : d.carried)
            in >> c;
        d.frame = frame;
        t->detections.push_back(d);
    }
    in >> n;
    t->crops.clear();
    for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
        Crop c;
        qint64 frame = 0;
        in >> frame >> c.box.x >> c.box.y >> c.box.w >> c.box.h >> c.quality >> c.jpeg >> c.maskPng;
        c.frame = frame;
        t->crops.push_back(std::move(c));
    }
}

bool outsideFrame(const Box &b, const cv::Size &size)
{
    return !size.empty() && (b.right() <= 0 || b.bottom() <= 0 || b.x >= size.width || b.y >= size.height);
}

} // namespace

struct Tracker::Impl {
    TrackerOptions options;
    std::vector<Track> tracks; // live, in creation order
    std::vector<Tracklet> finished;
    int nextId = 1;
    int64_t nextSerial = 0;
    int64_t step = 0; // processed frames so far

    void update(const Frame &frame, const std::vector<Detection> &detections, const cv::Mat &foreground);
    std::vector<Candidate> describe(
        const Frame &frame, const std::vector<Detection> &detections, const cv::Mat &foreground) const;
    std::vector<std::pair<int, int>> matchByOverlap(const std::vector<int> &trackIdx,
        const std::vector<Detection> &detections, const std::vector<Candidate> &candidates) const;
    std::vector<std::pair<int, int>> matchLost(const std::vector<int> &trackIdx,
        const std::vector<int> &detIdx, const std::vector<Detection> &detections,
        const std::vector<Candidate> &candidates) const;
    void assign(
        Track &t, const Frame &frame, const Detection &d, const Candidate &c, const cv::Mat &foreground);
    void start(const Frame &frame, const Detection &d, const Candidate &c, const cv::Mat &foreground);
    void retire(const cv::Size &frameSize);
    void close(Track &t);

    void write(QDataStream &out) const;
    bool read(QDataStream &in);
};

std::vector<Candidate> Tracker::Impl::describe(
    const Frame &frame, const std::vector<Detection> &detections, const cv::Mat &foreground) const
{
    std::vector<Candidate> out(detections.size());
    for (size_t i = 0; i < detections.size(); ++i) {
        out[i].appearance = AppearanceHistogram::compute(frame.image, detections[i].box, foreground);
        for (size_t j = 0; j < detections.size(); ++j)
            if (j != i && iou(detections[i].box, detections[j].box) > kOccludedIou)
                out[i].occluded = true;
    }
    return out;
}

// Stage 1: every track against every detection by overlap with the predicted box, with
// appearance blended in and used as a veto for look-alikes that clearly differ.
std::vector<std::pair<int, int>> Tracker::Impl::matchByOverlap(const std::vector<int> &trackIdx,
    const std::vector<Detection> &detections, const std::vector<Candidate> &candidates) const
{
    const int rows = int(trackIdx.size()), cols = int(detections.size());
    std::vector<double> cost(size_t(rows) * size_t(cols), kInfeasible);
    for (int r = 0; r < rows; ++r) {
        const Track &t = tracks[size_t(trackIdx[size_t(r)])];
        const Box predicted = t.filter.box();
        for (int c = 0; c < cols; ++c) {
            const float overlap = iou(predicted, detections[size_t(c)].box);
            const float app = AppearanceHistogram::distance(t.appearance, candidates[size_t(c)].appearance);
            if (overlap < options.minIou || app > kLooseAppearance)
                continue;
            const double value
                = app < 0 ? 1.0 - overlap : kIouWeight * (1.0 - overlap) + (1 - kIouWeight) * app;
            cost[size_t(r) * size_t(cols) + size_t(c)] = value;
        }
    }
    return Hungarian::solve(cost, rows, cols, kInfeasible);
}

// Stage 2: tracks that coasted through an occlusion against the detections nobody took,
// by predicted position (a gate that widens with the time lost) and a close appearance.
std::vector<std::pair<int, int>> Tracker::Impl::matchLost(const std::vector<int> &trackIdx,
    const std::vector<int> &detIdx, const std::vector<Detection> &detections,
    const std::vector<Candidate> &candidates) const
{
    const int rows = int(trackIdx.size()), cols = int(detIdx.size());
    std::vector<double> cost(size_t(rows) * size_t(cols), kInfeasible);
    for (int r = 0; r < rows; ++r) {
        const Track &t = tracks[size_t(trackIdx[size_t(r)])];
        const Box p = t.filter.box();
        const double gate = std::min(2.0, 0.5 + 0.15 * t.missed);
        for (int c = 0; c < cols; ++c) {
            const Box &b = detections[size_t(detIdx[size_t(c)])].box;
            const double ratio = double(b.h) / std::max(1.f, p.h);
            const double dist
                = std::hypot(b.centerX() - p.centerX(), b.centerY() - p.centerY()) / std::max(1.f, p.h);
            const float app = AppearanceHistogram::distance(
                t.appearance, candidates[size_t(detIdx[size_t(c)])].appearance);
            const bool looksSame = app >= 0 ? app <= kTightAppearance : dist <= 0.5;
            if (ratio < 0.7 || ratio > 1.4 || dist > gate || !looksSame)
                continue;
            cost[size_t(r) * size_t(cols) + size_t(c)] = std::max(0.f, app) + 0.25 * dist;
        }
    }
    auto pairs = Hungarian::solve(cost, rows, cols, kInfeasible);
    for (auto &[r, c] : pairs)
        c = detIdx[size_t(c)];
    return pairs;
}

void Tracker::Impl::assign(
    Track &t, const Frame &frame, const Detection &d, const Candidate &c, const cv::Mat &foreground)
{
    t.filter.update(d.box);
    t.missed = 0;
    ++t.hits;
    if (!c.occluded)
        AppearanceHistogram::blend(&t.appearance, c.appearance, kAppearanceAlpha);
    t.tracklet.detections.push_back(d);
    t.crops.offer(frame, d, foreground, step);
    if (t.id == 0 && t.hits >= options.minDetections)
        t.id = nextId++;
}

void Tracker::Impl::start(
    const Frame &frame, const Detection &d, const Candidate &c, const cv::Mat &foreground)
{
    Track t;
    t.serial = nextSerial++;
    t.filter = KalmanBoxFilter(d.box);
    t.appearance = c.appearance;
    t.hits = 1;
    t.crops = CropSelector(options.cropsPerTracklet, options.minCropGap);
    t.tracklet.detections.push_back(d);
    t.crops.offer(frame, d, foreground, step);
    if (options.minDetections <= 1)
        t.id = nextId++;
    tracks.push_back(std::move(t));
}

void Tracker::Impl::close(Track &t)
{
    if (t.id == 0)
        return; // never confirmed: noise
    t.tracklet.localId = t.id;
    t.tracklet.crops = t.crops.bestFirst();
    finished.push_back(std::move(t.tracklet));
}

// Ends tracks lost for too long, unconfirmed tracks that missed, and tracks predicted
// to have left the frame.
void Tracker::Impl::retire(const cv::Size &frameSize)
{
    std::vector<Track> kept;
    kept.reserve(tracks.size());
    for (Track &t : tracks) {
        const bool lost = t.missed > options.maxMissedFrames;
        const bool noise = t.id == 0 && t.missed >= kTentativeMisses;
        const bool left = t.missed > 0 && outsideFrame(t.filter.box(), frameSize);
        if (lost || noise || left)
            close(t);
        else
            kept.push_back(std::move(t));
    }
    tracks = std::move(kept);
}

void Tracker::Impl::update(
    const Frame &frame, const std::vector<Detection> &detections, const cv::Mat &foreground)
{
    ++step;
    const std::vector<Candidate> candidates = describe(frame, detections, foreground);
    for (Track &t : tracks)
        t.filter.predict();

    std::vector<int> all(tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i)
        all[i] = int(i);
    std::vector<int> trackOf(detections.size(), -1);
    for (const auto &[r, c] : matchByOverlap(all, detections, candidates))
        trackOf[size_t(c)] = all[size_t(r)];

    std::vector<char> trackTaken(tracks.size(), 0);
    for (int t : trackOf)
        if (t >= 0)
            trackTaken[size_t(t)] = 1;
    std::vector<int> lost, freeDets;
    for (size_t i = 0; i < tracks.size(); ++i)
        if (!trackTaken[i] && tracks[i].id != 0 && tracks[i].missed > 0)
            lost.push_back(int(i));
    for (size_t c = 0; c < detections.size(); ++c)
        if (trackOf[c] < 0)
            freeDets.push_back(int(c));
    for (const auto &[r, c] : matchLost(lost, freeDets, detections, candidates)) {
        trackOf[size_t(c)] = lost[size_t(r)];
        trackTaken[size_t(lost[size_t(r)])] = 1;
    }

    for (size_t i = 0; i < tracks.size(); ++i)
        if (!trackTaken[i])
            ++tracks[i].missed; // coasting on the prediction; no detection is invented
    for (size_t c = 0; c < detections.size(); ++c) {
        if (trackOf[c] >= 0)
            assign(tracks[size_t(trackOf[c])], frame, detections[c], candidates[c], foreground);
        else
            start(frame, detections[c], candidates[c], foreground);
    }
    retire(frame.image.size());
}

void Tracker::Impl::write(QDataStream &out) const
{
    out << kStateMagic << kStateVersion;
    out << qint32(options.maxMissedFrames) << qint32(options.minDetections)
        << qint32(options.cropsPerTracklet) << qint32(options.minCropGap) << options.minIou;
    out << qint32(nextId) << qint64(nextSerial) << qint64(step);
    out << quint32(tracks.size());
    for (const Track &t : tracks) {
        out << qint64(t.serial) << qint32(t.id) << qint32(t.hits) << qint32(t.missed);
        t.filter.write(out);
        out << quint32(t.appearance.size());
        for (float v : t.appearance)
            out << v;
        writeTracklet(out, t.tracklet);
        t.crops.write(out);
    }
    out << quint32(finished.size());
    for (const Tracklet &t : finished)
        writeTracklet(out, t);
}

bool Tracker::Impl::read(QDataStream &in)
{
    quint32 magic = 0, version = 0;
    in >> magic >> version;
    if (magic != kStateMagic || version != kStateVersion)
        return false;
    qint32 maxMissed = 0, minDet = 0, cropsPer = 0, gap = 0, id = 0;
    qint64 serial = 0, steps = 0;
    in >> maxMissed >> minDet >> cropsPer >> gap >> options.minIou >> id >> serial >> steps;
    options.maxMissedFrames = maxMissed;
    options.minDetections = minDet;
    options.cropsPerTracklet = cropsPer;
    options.minCropGap = gap;
    nextId = id;
    nextSerial = serial;
    step = steps;
    quint32 n = 0;
    in >> n;
    for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
        Track t;
        qint32 tid = 0, hits = 0, missed = 0;
        quint32 bins = 0;
        in >> serial >> tid >> hits >> missed;
        t.serial = serial;
        t.id = tid;
        t.hits = hits;
        t.missed = missed;
        t.filter.read(in);
        in >> bins;
        if (bins > 4096)
            return false;
        t.appearance.resize(bins);
        for (float &v : t.appearance)
            in >> v;
        readTracklet(in, &t.tracklet);
        t.crops = CropSelector(options.cropsPerTracklet, options.minCropGap);
        t.crops.read(in);
        tracks.push_back(std::move(t));
    }
    in >> n;
    for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
        Tracklet t;
        readTracklet(in, &t);
        finished.push_back(std::move(t));
    }
    return in.status() == QDataStream::Ok;
}

Tracker::Tracker(const TrackerOptions &options)
    : d(std::make_unique<Impl>())
{
    d->options = options;
}

Tracker::~Tracker() = default;

void Tracker::update(const Frame &frame, const std::vector<Detection> &detections, const cv::Mat &foreground)
{
    d->update(frame, detections, foreground);
}

std::vector<Tracklet> Tracker::takeFinished()
{
    std::vector<Tracklet> out = std::move(d->finished);
    d->finished.clear();
    return out;
}

std::vector<Tracklet> Tracker::finish()
{
    for (Track &t : d->tracks)
        d->close(t);
    d->tracks.clear();
    return takeFinished();
}

QByteArray Tracker::saveState() const
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out.setFloatingPointPrecision(QDataStream::DoublePrecision);
    d->write(out);
    return bytes;
}

bool Tracker::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    in.setVersion(QDataStream::Qt_6_4);
    in.setFloatingPointPrecision(QDataStream::DoublePrecision);
    auto fresh = std::make_unique<Impl>();
    fresh->options = d->options;
    if (!fresh->read(in) || !in.atEnd())
        return false; // the tracker keeps its previous state
    d = std::move(fresh);
    return true;
}

} // namespace descry
