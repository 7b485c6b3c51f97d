// SPDX-License-Identifier: MIT
// C++ harness of the stitched network (hw.gen's sr_top) for Verilator: no Python per clock.
// Streams the input words of a file into s_axis, takes m_axis into a file, with random input
// gaps and output backpressure (AXI-stream legal: a valid word is held until taken), and
// records the cycle at which each frame's last output word was taken. Written here because
// cocotb drives every clock from Python (~10 k cycles/s); the cocotb bench stays the test.
//
//   harness IN.bin OUT.bin N_IN N_OUT PER_FRAME PAUSE_IN PAUSE_OUT SEED CYCLE_LIMIT
// Words are little-endian arrays of ceil(width/32) 32-bit chunks. Prints one JSON line.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <type_traits>
#include <vector>

#include "Vsr_top.h"
#include "verilated.h"

static const int IN_CH = (IN_W + 31) / 32, OUT_CH = (OUT_W + 31) / 32;

template <typename T> static void put(T& port, const uint32_t* w, int n) {
    if constexpr (std::is_integral_v<T>) {
        uint64_t v = w[0];
        if (n > 1) v |= uint64_t(w[1]) << 32;
        port = T(v);
    } else {
        for (int i = 0; i < n; i++) port[i] = w[i];
    }
}

template <typename T> static void get(const T& port, uint32_t* w, int n) {
    if constexpr (std::is_integral_v<T>) {
        uint64_t v = uint64_t(port);
        w[0] = uint32_t(v);
        if (n > 1) w[1] = uint32_t(v >> 32);
    } else {
        for (int i = 0; i < n; i++) w[i] = port[i];
    }
}

struct Rng {  // xorshift64*: reproducible pauses without the C++ library's distributions
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    double next() {
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
        return double((s * 0x2545F4914F6CDD1Dull) >> 11) / double(1ull << 53);
    }
};

int main(int argc, char** argv) {
    if (argc != 10) {
        std::fprintf(stderr, "usage: %s IN.bin OUT.bin N_IN N_OUT PER_FRAME PAUSE_IN PAUSE_OUT "
                             "SEED CYCLE_LIMIT\n", argv[0]);
        return 2;
    }
    const long n_in = std::atol(argv[3]), n_out = std::atol(argv[4]), per_frame = std::atol(argv[5]);
    const double p_in = std::atof(argv[6]), p_out = std::atof(argv[7]);
    const uint64_t seed = std::strtoull(argv[8], nullptr, 10);
    const long limit = std::atol(argv[9]);
    std::vector<uint32_t> in(size_t(n_in) * IN_CH), out(size_t(n_out) * OUT_CH);
    FILE* f = std::fopen(argv[1], "rb");
    if (!f || std::fread(in.data(), 4, in.size(), f) != in.size()) {
        std::fprintf(stderr, "cannot read %ld input words from %s\n", n_in, argv[1]);
        return 2;
    }
    std::fclose(f);

    auto ctx = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<Vsr_top>(ctx.get());
    Rng r_in(2 * seed + 1), r_out(2 * seed + 2);
    top->ap_clk = 0;
    top->ap_rst_n = 0;
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    for (int i = 0; i < 8; i++) { top->ap_clk = !top->ap_clk; top->eval(); }
    top->ap_rst_n = 1;

    long i_in = 0, i_out = 0, cycle = 0;
    bool held = false;
    std::vector<long> done;
    auto t0 = std::chrono::steady_clock::now();
    while (i_out < n_out && cycle < limit) {
        if (!held && i_in < n_in && !(p_in > 0 && r_in.next() < p_in)) {
            put(top->s_axis_tdata, &in[size_t(i_in) * IN_CH], IN_CH);
            held = true;
        }
        top->s_axis_tvalid = held;
        top->m_axis_tready = !(p_out > 0 && r_out.next() < p_out);
        top->ap_clk = 0;
        top->eval();
        const bool fire_in = held && top->s_axis_tready;
        const bool fire_out = top->m_axis_tvalid && top->m_axis_tready;
        if (fire_out) get(top->m_axis_tdata, &out[size_t(i_out) * OUT_CH], OUT_CH);
        top->ap_clk = 1;
        top->eval();
        cycle++;
        if (fire_in) { i_in++; held = false; }
        if (fire_out && (++i_out % per_frame) == 0) done.push_back(cycle);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    top->final();
    f = std::fopen(argv[2], "wb");
    std::fwrite(out.data(), 4, size_t(i_out) * OUT_CH, f);
    std::fclose(f);
    std::printf("{\"cycles\": %ld, \"words_in\": %ld, \"words_out\": %ld, \"seconds\": %.6f, "
                "\"frame_done_cycles\": [", cycle, i_in, i_out, secs);
    for (size_t k = 0; k < done.size(); k++) std::printf("%s%ld", k ? ", " : "", done[k]);
    std::printf("]}\n");
    return i_out == n_out ? 0 : 3;
}
