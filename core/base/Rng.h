#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

namespace descry {

// A small deterministic random generator (SplitMix64) with its own distribution helpers.
// std:: distributions are not used on purpose: their output is implementation-defined, and
// the synthetic scenes, captions and datasets must be identical on every standard library.
// `derive()` gives independent sub-streams keyed by integers, so that e.g. frame 57 can be
// rendered without first drawing the random numbers of frames 0..56 (random access).
class Rng {
public:
    explicit Rng(uint64_t seed = 0)
        : m_state(seed)
    { }

    // The next 64 uniformly distributed bits.
    uint64_t next()
    {
        m_state += 0x9E3779B97F4A7C15ull;
        return mix(m_state);
    }

    // Uniform in [0, 1) with 53 bits of precision.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // Uniform real in [lo, hi).
    double uniformReal(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Uniform integer in [lo, hi] (both inclusive); lo when hi < lo.
    int uniformInt(int lo, int hi)
    {
        if (hi <= lo)
            return lo;
        const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
        return static_cast<int>(lo + static_cast<int64_t>(boundedBelow(span)));
    }

    // True with probability p.
    bool chance(double p) { return uniform() < p; }

    // Standard normal deviate (Box-Muller, one value per call for simplicity).
    double normal(double mean = 0, double stddev = 1)
    {
        const double u1 = 1.0 - uniform(); // (0, 1]: log stays finite
        const double u2 = uniform();
        return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    // Index in [0, size); 0 for an empty range.
    std::size_t index(std::size_t size)
    {
        return size == 0 ? 0 : static_cast<std::size_t>(boundedBelow(size));
    }

    // Index drawn with probability proportional to `weights` (non-negative); 0 when all are 0.
    std::size_t weightedIndex(const std::vector<double> &weights)
    {
        double total = 0;
        for (double w : weights)
            total += w > 0 ? w : 0;
        if (total <= 0)
            return 0;
        double x = uniform() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            const double w = weights[i] > 0 ? weights[i] : 0;
            if (x < w)
                return i;
            x -= w;
        }
        return weights.size() - 1;
    }

    template<typename T> const T &choice(const std::vector<T> &items) { return items[index(items.size())]; }

    // Fisher-Yates with this generator.
    template<typename T> void shuffle(std::vector<T> &items)
    {
        for (std::size_t i = items.size(); i > 1; --i) {
            const std::size_t j = index(i);
            std::swap(items[i - 1], items[j]);
        }
    }

    // An independent generator for sub-stream `key` of this generator's current state. It does
    // not advance this generator, so the order in which sub-streams are derived does not matter.
    Rng derive(uint64_t key) const { return Rng(mix(streamKey() ^ mix(key + 0x632BE59BD9B4E019ull))); }
    Rng derive(uint64_t key1, uint64_t key2) const { return derive(key1).derive(key2); }

private:
    static uint64_t mix(uint64_t z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    uint64_t streamKey() const { return mix(m_state ^ 0xD1B54A32D192ED03ull); }

    // Uniform in [0, bound) without modulo bias (rejection of the short last interval).
    uint64_t boundedBelow(uint64_t bound)
    {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        uint64_t x = next();
        while (x >= limit)
            x = next();
        return x % bound;
    }

    uint64_t m_state;
};

} // namespace descry
