#pragma once

#include "Box.h"

#include <cstdint>

namespace descry {

// One person box in one frame, as a detector reports it.
struct Detection {
    int64_t frame = 0; // index of the frame in the source, from 0
    double time = 0; // seconds from the start of the source
    Box box; // source pixels
    float score = 0; // detector confidence in [0, 1]
};

} // namespace descry
