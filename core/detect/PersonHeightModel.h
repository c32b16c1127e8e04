#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace descry {

// How tall a standing person looks at each image row, learnt from recent clean observations.
// Seen by a fixed camera looking down on a ground plane, a person's height in pixels grows
// linearly with the row of their feet (h = slope * footY + offset, zero at the horizon).
// Only observations from the last `window` frames count, so the model is a pure function of
// those frames (needed for exact resume).
class PersonHeightModel {
public:
    explicit PersonHeightModel(int window = 120, int minObservations = 40);

    void clear();
    // One clean, fully visible person in frame `frame` (feet at row `footY`, `height` tall).
    void add(int64_t frame, float footY, float height);
    // Forgets observations older than the window before `frame` and refits.
    void update(int64_t frame);
    // Expected height of a person whose feet are at `footY`; nothing until enough data.
    std::optional<float> expectedHeight(float footY) const;
    int window() const { return m_window; }

private:
    struct Observation {
        int64_t frame;
        float footY, height;
    };
    void fit();

    int m_window, m_minObservations;
    std::deque<Observation> m_observations; // oldest first
    bool m_valid = false;
    double m_slope = 0, m_offset = 0;
};

} // namespace descry
