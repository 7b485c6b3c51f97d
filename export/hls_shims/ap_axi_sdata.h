// SPDX-License-Identifier: MIT
// The AXI-stream side-channel types finn-hlslib's streamtools.h names (Qdma2Stream_Batch):
// qdma_axis<D, 0, 0, 0> with data, keep and last, for cppsim without Xilinx tools (written
// here: Vitis' header is not open). None of this toolkit's layers uses them.
#ifndef BNFREE_AP_AXI_SDATA_H
#define BNFREE_AP_AXI_SDATA_H

#include <ap_int.h>

template <int D, int U, int TI, int TD>
struct qdma_axis {
    ap_uint<D> data;
    ap_uint<(D + 7) / 8> keep;
    ap_uint<1> last;
    ap_uint<D> get_data() const { return data; }
    void set_data(const ap_uint<D> &d) { data = d; }
    ap_uint<(D + 7) / 8> get_keep() const { return keep; }
    void set_keep(const ap_uint<(D + 7) / 8> &k) { keep = k; }
    ap_uint<1> get_last() const { return last; }
    void set_last(const ap_uint<1> &l) { last = l; }
};

#endif
