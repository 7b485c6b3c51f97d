// SPDX-License-Identifier: MIT
// hls::vector<T, N> for cppsim without Xilinx tools (written here: Vitis' header is not open):
// a fixed-size array with element access and element-wise +, -, *, comparison, as
// finn-hlslib's flatten.hpp/concat.hpp and FINN's npy2vectorstream use it.
#ifndef BNFREE_HLS_VECTOR_H
#define BNFREE_HLS_VECTOR_H

#include <array>
#include <cstddef>

namespace hls {

template <typename T, std::size_t N>
struct vector {
    std::array<T, N> data{};

    vector() = default;
    explicit vector(const T &v) { data.fill(v); }
    T &operator[](std::size_t i) { return data[i]; }
    const T &operator[](std::size_t i) const { return data[i]; }
    static constexpr std::size_t size() { return N; }
    T *begin() { return data.begin(); }
    T *end() { return data.end(); }
    const T *begin() const { return data.begin(); }
    const T *end() const { return data.end(); }
    bool operator==(const vector &o) const { return data == o.data; }
    bool operator!=(const vector &o) const { return data != o.data; }
#define BNFREE_VEC_OP(op)                                                     \
    vector operator op(const vector &o) const {                               \
        vector r;                                                             \
        for (std::size_t i = 0; i < N; i++) r.data[i] = data[i] op o.data[i]; \
        return r;                                                             \
    }
    BNFREE_VEC_OP(+)
    BNFREE_VEC_OP(-)
    BNFREE_VEC_OP(*)
#undef BNFREE_VEC_OP
};

}  // namespace hls

#endif
