// SPDX-License-Identifier: MIT
// Included before FINN's generated cppsim code (g++ -include): the 16-bit float type `half`
// that FINN's cnpy.h names in a type trait (Vitis defines it in hls_half.h, which is not
// open). Only its name matters here: none of this toolkit's layers uses 16-bit floats.
#ifndef BNFREE_PRELUDE_H
#define BNFREE_PRELUDE_H

#include <cstdint>

struct half {
    std::uint16_t bits;
};

#endif
