// SPDX-License-Identifier: MIT
// Element-granular stream width converter: IN_ELEMS elements of ELEM_W bits per input beat
// to OUT_ELEMS per output beat (element 0 in the LSBs on both sides), order kept.
//   equal widths: wires;
//   OUT a multiple of IN: input beats shifted into a word, which is then emitted;
//   IN a multiple of OUT: the input word held and emitted in slices;
//   any other ratio: a buffer of IN + OUT elements with a variable shift.
// The integer ratios (every edge of the networks here) need no variable shifter.
// REG_READY: s_axis_tready comes from registers only, never from m_axis_tready in the same
// clock, at the price of one clock between input beats where the output side would
// otherwise free the converter's word and take a new one in the same clock (down: K output
// beats per K + 1 clocks instead of per K; up: K input beats per K + 1 clocks; any ratio: a
// new input beat only into room left before this clock's output). For an edge the consumer
// drains at most that fast (the stitch sets it where the design's clocks per pixel allow):
// the producer's wide output register slice then takes its lanes' clock enables from a
// flip-flop near it instead of from the consumer's handshake logic (a 720p seed's slowest
// path crossed the chip that way).
`default_nettype none

module stream_dwc #(
    parameter int ELEM_W = 1,     // bits per element
    parameter int IN_ELEMS = 8,   // elements per input beat
    parameter int OUT_ELEMS = 2,  // elements per output beat
    parameter bit REG_READY = 0   // s_axis_tready from registers only (see above)
) (
    input  wire                          ap_clk,
    input  wire                          ap_rst_n,
    input  wire [IN_ELEMS*ELEM_W-1:0]    s_axis_tdata,
    input  wire                          s_axis_tvalid,
    output wire                          s_axis_tready,
    output wire [OUT_ELEMS*ELEM_W-1:0]   m_axis_tdata,
    output wire                          m_axis_tvalid,
    input  wire                          m_axis_tready
);
    localparam int IW = IN_ELEMS * ELEM_W;
    localparam int OW = OUT_ELEMS * ELEM_W;
    initial if (REG_READY && IN_ELEMS == OUT_ELEMS)
        $error("stream_dwc: REG_READY needs a converter (equal widths are wires)");

    if (IN_ELEMS == OUT_ELEMS) begin : same
        assign m_axis_tdata = s_axis_tdata;
        assign m_axis_tvalid = s_axis_tvalid;
        assign s_axis_tready = m_axis_tready;
        wire unused = &{1'b0, ap_clk, ap_rst_n};
    end else if (OUT_ELEMS % IN_ELEMS == 0) begin : up
        localparam int K = OUT_ELEMS / IN_ELEMS;
        localparam int KW = (K > 1) ? $clog2(K) : 1;
        logic [OW-1:0] acc, od;
        logic [KW-1:0] n;          // input beats in acc
        logic ov;
        wire free = !ov || m_axis_tready;
        wire last = n == KW'(K - 1);
        assign s_axis_tready = !last || (REG_READY ? !ov : free);
        assign m_axis_tvalid = ov;
        assign m_axis_tdata = od;
        wire push = s_axis_tvalid && s_axis_tready;
        always_ff @(posedge ap_clk) begin
            if (push) begin
                acc <= {s_axis_tdata, acc[OW-1:IW]};
                if (last) od <= {s_axis_tdata, acc[OW-1:IW]};
            end
            if (!ap_rst_n) begin
                n <= '0;
                ov <= 1'b0;
            end else begin
                if (push) n <= last ? '0 : n + 1'b1;
                if (push && last) ov <= 1'b1;
                else if (m_axis_tready) ov <= 1'b0;
            end
        end
    end else if (IN_ELEMS % OUT_ELEMS == 0) begin : down
        localparam int K = IN_ELEMS / OUT_ELEMS;
        localparam int KW = (K > 1) ? $clog2(K) : 1;
        logic [IW-1:0] hold;
        logic [KW-1:0] n;          // slice being emitted
        logic hv;
        wire take = hv && m_axis_tready;
        wire last = n == KW'(K - 1);
        assign s_axis_tready = !hv || (!REG_READY && take && last);
        assign m_axis_tvalid = hv;
        assign m_axis_tdata = hold[OW-1:0];
        wire push = s_axis_tvalid && s_axis_tready;
        always_ff @(posedge ap_clk) begin
            if (push) hold <= s_axis_tdata;
            else if (take) hold <= hold >> OW;
            if (!ap_rst_n) begin
                n <= '0;
                hv <= 1'b0;
            end else begin
                if (take) n <= last ? '0 : n + 1'b1;
                if (push) hv <= 1'b1;
                else if (take && last) hv <= 1'b0;
            end
        end
    end else begin : any
        localparam int CAP = IN_ELEMS + OUT_ELEMS;
        localparam int CW = $clog2(2 * CAP + 1);  // room for n + IN_ELEMS without wrapping
        logic [CAP*ELEM_W-1:0] buf_q;
        logic [CW-1:0] n;  // elements held
        wire pop = m_axis_tvalid && m_axis_tready;
        wire [CW-1:0] n_after_pop = pop ? n - CW'(OUT_ELEMS) : n;
        assign m_axis_tvalid = n >= CW'(OUT_ELEMS);
        assign m_axis_tdata = buf_q[OW-1:0];
        assign s_axis_tready = (REG_READY ? n : n_after_pop) + CW'(IN_ELEMS) <= CW'(CAP);
        wire push = s_axis_tvalid && s_axis_tready;
        always_ff @(posedge ap_clk) begin
            if (!ap_rst_n) begin
                n <= '0;
                buf_q <= '0;  // invariant: bits above the held elements are zero
            end else begin : update
                logic [CAP*ELEM_W-1:0] b;
                b = pop ? (buf_q >> OW) : buf_q;
                if (push) b = b | ((CAP*ELEM_W)'(s_axis_tdata) << (int'(n_after_pop) * ELEM_W));
                buf_q <= b;
                n <= n_after_pop + (push ? CW'(IN_ELEMS) : '0);
            end
        end
    end
endmodule

`default_nettype wire
