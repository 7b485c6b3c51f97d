// SPDX-License-Identifier: MIT
// Element-granular stream width converter: IN_ELEMS elements of ELEM_W bits per input beat
// to OUT_ELEMS per output beat, any ratio (element 0 in the LSBs on both sides), order kept.
`default_nettype none

module stream_dwc #(
    parameter int ELEM_W = 1,     // bits per element
    parameter int IN_ELEMS = 8,   // elements per input beat
    parameter int OUT_ELEMS = 2   // elements per output beat
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
    localparam int CAP = IN_ELEMS + OUT_ELEMS;
    localparam int CW = $clog2(2 * CAP + 1);  // room for n + IN_ELEMS without wrapping
    logic [CAP*ELEM_W-1:0] buf_q;
    logic [CW-1:0] n;  // elements held
    wire pop = m_axis_tvalid && m_axis_tready;
    wire [CW-1:0] n_after_pop = pop ? n - CW'(OUT_ELEMS) : n;
    assign m_axis_tvalid = n >= CW'(OUT_ELEMS);
    assign m_axis_tdata = buf_q[OUT_ELEMS*ELEM_W-1:0];
    assign s_axis_tready = n_after_pop + CW'(IN_ELEMS) <= CW'(CAP);
    wire push = s_axis_tvalid && s_axis_tready;
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            n <= '0;
            buf_q <= '0;  // invariant: bits above the held elements are zero
        end else begin : update
            logic [CAP*ELEM_W-1:0] b;
            b = pop ? (buf_q >> (OUT_ELEMS*ELEM_W)) : buf_q;
            if (push) b = b | ((CAP*ELEM_W)'(s_axis_tdata) << (int'(n_after_pop) * ELEM_W));
            buf_q <= b;
            n <= n_after_pop + (push ? CW'(IN_ELEMS) : '0);
        end
    end
endmodule

`default_nettype wire
