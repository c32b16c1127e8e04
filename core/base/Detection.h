#pragma once

#include "Box.h"

#include <array>
#include <cstdint>

namespace descry {

// Things a person can be seen carrying, as an object detector names them (COCO classes).
enum class Carried { Backpack, Handbag, Suitcase, Umbrella, Phone };
constexpr int kCarriedKinds = 5;
// The query lexicon's word for each ("backpack", "handbag", "suitcase", "umbrella", "phone").
const char *carriedName(Carried kind);

// One person box in one frame, as a detector reports it.
struct Detection {
    int64_t frame = 0; // index of the frame in the source, from 0
    double time = 0; // seconds from the start of the source
    Box box; // source pixels
    float score = 0; // detector confidence in [0, 1]
    // Per Carried kind, the detector's score for such a thing held or worn by this person in
    // this frame; 0: looked, none seen; -1: not looked for (a detector that does not see objects).
    std::array<float, kCarriedKinds> carried { -1, -1, -1, -1, -1 };
};

inline const char *carriedName(Carried kind)
{
    constexpr std::array<const char *, kCarriedKinds> names { "backpack", "handbag", "suitcase", "umbrella", "phone" };
    return names[size_t(kind)];
}

} // namespace descry
