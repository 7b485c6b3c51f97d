// SPDX-License-Identifier: MIT
// A C++ model of Vitis HLS's hls::stream for cppsim without Xilinx tools (written here: the
// hls_stream.h that ships beside the open ap_types carries a proprietary notice). A FIFO over
// std::deque with the blocking/non-blocking API FINN's generated code and finn-hlslib use. A
// read from an empty stream is a deadlock in hardware: here it stops the program with a
// message naming the stream (cppsim runs single-threaded, nothing would ever fill it).
#ifndef BNFREE_HLS_STREAM_H
#define BNFREE_HLS_STREAM_H

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

namespace hls {

template <typename T, int DEPTH = 0>
class stream {
public:
    stream() : name_("unnamed") {}
    explicit stream(const char *name) : name_(name ? name : "unnamed") {}
    stream(const stream &) = delete;
    stream &operator=(const stream &) = delete;

    bool empty() const { return q_.empty(); }
    bool full() const { return false; }
    std::size_t size() const { return q_.size(); }

    T read() {
        if (q_.empty()) {
            std::fprintf(stderr, "hls::stream '%s': read from an empty stream\n", name_.c_str());
            std::exit(3);
        }
        T v = q_.front();
        q_.pop_front();
        return v;
    }
    void read(T &v) { v = read(); }
    bool read_nb(T &v) {
        if (q_.empty()) return false;
        v = read();
        return true;
    }
    void write(const T &v) { q_.push_back(v); }
    bool write_nb(const T &v) { write(v); return true; }
    void operator>>(T &v) { read(v); }
    void operator<<(const T &v) { write(v); }

private:
    std::string name_;
    std::deque<T> q_;
};

}  // namespace hls

#endif
