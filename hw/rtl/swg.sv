// SPDX-License-Identifier: MIT
// Sliding-window generator with built-in zero padding, stride 1 (FINN's FMPadding followed
// by ConvolutionInputGenerator, in one core). Written here because finn-rtllib's generator
// routes at 67 MHz on an ECP5 (a combinational read/write arbitration over wide counters)
// and needs a separate padding core with an AXI-lite port; this one buffers RB =
// (KH-1)*DH + 2 image rows in one dual-port memory and keeps every comparison on counters.
//
// In:  H x W pixels, C channels, C/SIMD beats of SIMD elements (EW bits each) per pixel.
// Out: per output pixel (oy, ox) of OH x OW, the window in FINN's order: for ky, kx, channel
//      fold: SIMD elements of input (oy - PT + ky*DH, ox - PL + kx*DW), zero outside the image.
// An output pixel is issued once its last needed input pixel is written; an input pixel is
// written once the row it overwrites (RB rows back) is needed by no remaining output.
// Four free-running output stages (address, memory read, a register beside the memory,
// output register) into a small FIFO whose free room gates the issue of a beat.
// Frames follow each other without a gap. One output beat per clock.
// FINN's parallel_window (the whole window per beat) is swg_lb.sv: line buffers shared by
// every tap.
`default_nettype none

module swg #(
    parameter int C = 8,      // channels
    parameter int SIMD = 1,   // elements per beat (in and out)
    parameter int EW = 1,     // bits per element
    parameter int H = 8,      // input rows
    parameter int W = 8,      // input columns
    parameter int KH = 3,     // kernel rows
    parameter int KW = 3,     // kernel columns
    parameter int DH = 1,     // row dilation
    parameter int DW = 1,     // column dilation
    parameter int PT = 1,     // zero rows above
    parameter int PL = 1,     // zero columns left
    parameter int OH = 8,     // output rows (H + PT + bottom pad - (KH-1)*DH)
    parameter int OW = 8      // output columns
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [SIMD*EW-1:0]    s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    output wire [SIMD*EW-1:0]    m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready
);
    localparam int CF = C / SIMD;                   // beats per pixel
    localparam int RB = (KH - 1) * DH + 2;          // buffered rows
    localparam int WCF = W * CF;                    // words per row
    localparam int DEPTH = RB * WCF;
    localparam int AW = $clog2(DEPTH + 1) + 1;      // address arithmetic, one spare bit
    localparam int NPW = $clog2(H * W + RB * W + 1) + 2;  // pixel counters (modular)
    localparam int SW = $clog2((H > W ? H : W) + RB + KH * DH + KW * DW + 2) + 2;  // signed rows/cols
    localparam int RN0 = ((KH - 1) * DH - PT < H - 1) ? (KH - 1) * DH - PT : H - 1;
    localparam int CN0 = ((KW - 1) * DW - PL < W - 1) ? (KW - 1) * DW - PL : W - 1;
    localparam int HB = (H % RB) * WCF;             // a frame's rows, as a buffer offset
    localparam int TOPOFF = (RB - PT) * WCF;        // row -PT of a frame, from its row 0

    function automatic logic [AW-1:0] wrap(input logic [AW-1:0] a);  // a < 2 * DEPTH
        return (a >= AW'(DEPTH)) ? a - AW'(DEPTH) : a;
    endfunction

    localparam int OWD = SIMD * EW;                 // output beat bits
    localparam int LAT = 4;                         // issue -> output register, clocks

    // ---------------------------------------------------------------- input side
    logic [AW-1:0] waddr;
    logic [$clog2(CF + 1)-1:0] wcf;
    logic [NPW-1:0] in_pix;         // input pixels completely written (all frames)
    logic [NPW-1:0] lim;            // input pixels may be written while in_pix < lim
    logic [NPW-1:0] lim1;           // lim - 1, a register of its own
    // space = lim - in_pix (signed, modular counters): space > 0 and space > 1 as the signs
    // of space - 1 = lim + ~in_pix and space - 2 = lim1 + ~in_pix, one carry chain each from
    // registers (lim - in_pix, then a compare, were two in a row)
    wire [NPW-1:0] space_m1 = lim + ~in_pix;
    wire [NPW-1:0] space_m2 = lim1 + ~in_pix;
    // ready from a register (the compare's carry chain does not reach the write enables):
    // lim never decreases and in_pix grows by at most one pixel a clock, so the room seen a
    // clock late is a safe lower bound
    logic rdy;
    assign s_axis_tready = rdy;
    wire wr = s_axis_tvalid && rdy;
    wire px_done = wr && wcf == $bits(wcf)'(CF - 1);

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) rdy <= 1'b0;
        else rdy <= !space_m2[NPW-1] || (!space_m1[NPW-1] && !px_done);
    end
`ifdef VERILATOR
    always_ff @(posedge ap_clk)
        if (ap_rst_n && lim1 != lim - 1'b1) $error("swg: lim1 %0d is not lim %0d - 1", lim1, lim);
`endif

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            waddr <= '0;
            wcf <= '0;
            in_pix <= '0;
        end else if (wr) begin
            waddr <= (waddr == AW'(DEPTH - 1)) ? '0 : waddr + 1'b1;
            if (wcf == $bits(wcf)'(CF - 1)) begin
                wcf <= '0;
                in_pix <= in_pix + 1'b1;
            end else begin
                wcf <= wcf + 1'b1;
            end
        end
    end

    // ---------------------------------------------------------------- output side
    // pixel registers: the output pixel being issued
    logic [$clog2(OH + 1)-1:0] oy;
    logic [$clog2(OW + 1)-1:0] ox;
    logic signed [SW-1:0] top_iy, px_ix;       // oy - PT, ox - PL
    logic signed [AW+$clog2(CF+1):0] px_ixb;   // (ox - PL) * CF
    logic [AW-1:0] top_base, frame_base;       // buffer word of row oy - PT, of row 0
    logic [AW-1:0] nfb, ntb;                   // the same for the next frame (precomputed)
    logic [NPW-1:0] fpix, nfpix;               // first input pixel of this frame, the next
    logic [NPW-1:0] need_row, tail;            // row rn's first pixel; tail: first needed
    logic signed [SW-1:0] rn, cn;
    logic [NPW-1:0] need;                      // need_row + cn: the last input this pixel needs
    logic [NPW-1:0] need_same, need_down, need_frame;  // need at the next row / frame start
    // need + 1 and the next-row / frame values + 1, kept as registers of their own: the next
    // pixel's need is then a mux of registers, and the ready compare after it is the only
    // carry chain on the path (need + 1 then the compare were two)
    logic [NPW-1:0] need1, need_same1, need_down1, need_frame1, need_next1;
    // window registers: the beat being issued
    logic [$clog2(KH + 1)-1:0] ky;
    logic [$clog2(KW + 1)-1:0] kx;
    logic [$clog2(CF + 1)-1:0] cf;
    logic signed [SW-1:0] iy, ix;
    logic signed [AW+$clog2(CF+1):0] ixb;      // ix * CF
    logic [AW-1:0] cur_base;                   // buffer word of row iy
    // pipeline (free-running): 1 = address registered, 2 = memory read, 3 = output register
    // (a block RAM's clock-to-out ends at a register); a beat is issued only when the output
    // FIFO has room for it
    logic v1, v2, v2q, v3;
    wire room;                                 // the output FIFO can take one more beat

    // ready: the input holds every pixel the current window needs. Registered, from the
    // need of the current pixel or, when this clock ends its window, of the next one (both
    // compared in parallel); in_pix only grows, so a clock-old in_pix is safe.
    logic ready;
    logic [NPW-1:0] need_next;
    wire issue = room && ready;
    // in_pix > need as the sign of in_pix - need - 1 (one carry chain, modular counters)
    wire [NPW-1:0] slack_cur = in_pix + ~need;
    wire [NPW-1:0] slack_next = in_pix + ~need_next;
    wire last_c = cf == $bits(cf)'(CF - 1);
    wire last_x = last_c && kx == $bits(kx)'(KW - 1);
    wire last_w = last_x && ky == $bits(ky)'(KH - 1);  // last beat of the window
    // the position flags are registers, set when the pixel advances (no compare on the
    // path from the counters to ready)
    logic end_row, last_oy, cn_lt, rn_lt;      // ox == OW-1, oy == OH-1, cn < W-1, rn < H-1
    wire end_frame = end_row && last_oy;
    wire pad = iy < 0 || iy >= SW'(H) || ix < 0 || ix >= SW'(W);

    always_comb begin : next_need
        if (!end_row) need_next = cn_lt ? need1 : need;
        else if (end_frame) need_next = need_frame;
        else need_next = rn_lt ? need_down : need_same;
        if (!end_row) need_next1 = cn_lt ? need1 + 1'b1 : need1;
        else if (end_frame) need_next1 = need_frame1;
        else need_next1 = rn_lt ? need_down1 : need_same1;
    end
`ifdef VERILATOR
    always_ff @(posedge ap_clk)
        if (ap_rst_n && need1 != need + 1'b1) $error("swg: need1 %0d is not need %0d + 1", need1, need);
`endif

    // the next output pixel's registers
    logic signed [SW-1:0] n_top_iy, n_px_ix;
    logic signed [AW+$clog2(CF+1):0] n_px_ixb;
    logic [AW-1:0] n_top_base;
    always_comb begin
        n_top_iy = top_iy;
        n_top_base = top_base;
        n_px_ix = px_ix + 1;
        n_px_ixb = px_ixb + CF;
        if (end_row) begin
            n_px_ix = -SW'(PL);
            n_px_ixb = -($bits(px_ixb))'(PL * CF);
            n_top_iy = end_frame ? -SW'(PT) : top_iy + 1;
            n_top_base = end_frame ? ntb : wrap(top_base + AW'(WCF));
        end
    end

    logic [OWD-1:0] push_data;
    credit_fifo #(.WIDTH(OWD), .DEPTH(LAT + 8)) u_out (
        .ap_clk, .ap_rst_n, .issue, .room, .room_next(), .push(v3), .push_data,
        .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);

    if (1) begin : g_seq   // (the one implementation; a named scope for its memory)
        // no_rw_check: a live read never meets a write to its address (an input pixel is
        // written only once no remaining output needs the row it overwrites; checked in
        // simulation below), so Yosys need not emulate read-old-data across the block
        // RAM's ports with a bypass mux and copies of the write data and address
        (* no_rw_check *) logic [SIMD*EW-1:0] mem [DEPTH];
        logic [AW-1:0] raddr1;
        logic pad1, pad2, pad2q, pad3;
        logic [SIMD*EW-1:0] rdata2, rq, out3;
        assign push_data = pad3 ? '0 : out3;
        always_ff @(posedge ap_clk) begin
            if (wr) mem[waddr] <= s_axis_tdata;
            out3 <= rq;
            // a register with the memory as its only source and out3 as its only load: the
            // placer can keep it beside the block RAM, whose clock-to-out is most of a clock
            rq <= rdata2;
            pad3 <= pad2q;
            pad2q <= pad2;
            rdata2 <= mem[raddr1];
            pad2 <= pad1;
            if (issue) begin
                raddr1 <= wrap(cur_base + AW'(ixb) + AW'(cf));
                pad1 <= pad;
            end
`ifdef VERILATOR
            if (wr && v1 && !pad1 && waddr == raddr1)
                $error("swg: a live read meets a write at address %0d", waddr);
`endif
        end
        always_ff @(posedge ap_clk) begin
            v3 <= v2q; v2q <= v2; v2 <= v1; v1 <= issue;
            if (!ap_rst_n) begin v1 <= 1'b0; v2 <= 1'b0; v2q <= 1'b0; v3 <= 1'b0; end
        end
    end

    always_ff @(posedge ap_clk) begin
        nfb <= wrap(frame_base + AW'(HB));
        ntb <= wrap(nfb + AW'(TOPOFF));
        nfpix <= fpix + NPW'(H * W);
        // the need at the start of the next row (rn stays or moves down) and frame: they
        // change only with the row, so these registers are ready when the row ends
        ready <= (issue && last_w) ? !slack_next[NPW-1] : !slack_cur[NPW-1];
        need_same <= need_row + NPW'(CN0);
        need_down <= need_row + NPW'(W + CN0);
        need_frame <= nfpix + NPW'(RN0 * W + CN0);
        need_same1 <= need_row + NPW'(CN0 + 1);
        need_down1 <= need_row + NPW'(W + CN0 + 1);
        need_frame1 <= nfpix + NPW'(RN0 * W + CN0 + 1);
        lim <= tail + NPW'(RB * W);   // registered: a freed row is written a cycle later
        lim1 <= tail + NPW'(RB * W - 1);
        if (!ap_rst_n) begin
            oy <= '0; ox <= '0; ky <= '0; kx <= '0; cf <= '0;
            top_iy <= -SW'(PT); px_ix <= -SW'(PL); px_ixb <= -($bits(px_ixb))'(PL * CF);
            iy <= -SW'(PT); ix <= -SW'(PL); ixb <= -($bits(ixb))'(PL * CF);
            frame_base <= '0;
            top_base <= AW'(TOPOFF % DEPTH);
            cur_base <= AW'(TOPOFF % DEPTH);
            fpix <= '0;
            need_row <= NPW'(RN0 * W);
            need <= NPW'(RN0 * W + CN0);
            need1 <= NPW'(RN0 * W + CN0 + 1);
            ready <= 1'b0;
            rn <= SW'(RN0); cn <= SW'(CN0);
            end_row <= OW == 1; last_oy <= OH == 1;
            cn_lt <= CN0 < W - 1; rn_lt <= RN0 < H - 1;
            tail <= '0;
            lim <= NPW'(RB * W);
            lim1 <= NPW'(RB * W - 1);
        end else if (issue) begin
            if (!last_c) begin
                cf <= cf + 1'b1;
            end else if (!last_x) begin
                cf <= '0;
                kx <= kx + 1'b1;
                ix <= ix + SW'(DW);
                ixb <= ixb + DW * CF;
            end else if (!last_w) begin
                cf <= '0;
                kx <= '0;
                ky <= ky + 1'b1;
                ix <= px_ix;
                ixb <= px_ixb;
                iy <= iy + SW'(DH);
                cur_base <= wrap(cur_base + AW'(DH * WCF));
            end else begin  // window done: next output pixel
                cf <= '0; kx <= '0; ky <= '0;
                ox <= end_row ? '0 : ox + 1'b1;
                end_row <= end_row ? OW == 1 : ox == $bits(ox)'(OW - 2);
                cn_lt <= end_row ? CN0 < W - 1 : cn < SW'(W - 2);
                if (end_row) begin
                    last_oy <= end_frame ? OH == 1 : oy == $bits(oy)'(OH - 2);
                    rn_lt <= end_frame ? RN0 < H - 1 : rn < SW'(H - 2);
                end
                px_ix <= n_px_ix; px_ixb <= n_px_ixb;
                ix <= n_px_ix; ixb <= n_px_ixb;
                top_iy <= n_top_iy; iy <= n_top_iy;
                top_base <= n_top_base; cur_base <= n_top_base;
                if (!end_row) begin
                    if (cn_lt) cn <= cn + 1;
                    need <= need_next;
                    need1 <= need_next1;
                end else begin
                    cn <= SW'(CN0);
                    if (end_frame) begin
                        oy <= '0;
                        frame_base <= nfb;
                        fpix <= nfpix;
                        tail <= nfpix;
                        rn <= SW'(RN0);
                        need_row <= nfpix + NPW'(RN0 * W);
                        need <= need_next;
                        need1 <= need_next1;
                    end else begin
                        oy <= oy + 1'b1;
                        if (rn_lt) begin
                            rn <= rn + 1;
                            need_row <= need_row + NPW'(W);
                        end
                        need <= need_next;
                        need1 <= need_next1;
                        if (n_top_iy > 0) tail <= tail + NPW'(W);
                    end
                end
            end
        end
    end
endmodule

`default_nettype wire
