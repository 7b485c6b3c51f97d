// SPDX-License-Identifier: MIT
// Integer element-wise add of two streams on the same scale (the residual add), PE lanes,
// exact (OUT_W >= max(A_W, B_W) + 1): FINN's ElementwiseAdd.
`default_nettype none

module eltwise_add #(
    parameter int PE = 1,      // lanes per beat
    parameter int A_W = 8,     // lane width of input a (signed)
    parameter int B_W = 8,     // lane width of input b (signed)
    parameter int OUT_W = 9    // lane width of the sum (signed)
) (
    input  wire                ap_clk,
    input  wire                ap_rst_n,
    input  wire [PE*A_W-1:0]   a_tdata,
    input  wire                a_tvalid,
    output wire                a_tready,
    input  wire [PE*B_W-1:0]   b_tdata,
    input  wire                b_tvalid,
    output wire                b_tready,
    output wire [PE*OUT_W-1:0] m_axis_tdata,
    output wire                m_axis_tvalid,
    input  wire                m_axis_tready
);
    wire both = a_tvalid && b_tvalid;
    assign m_axis_tvalid = both;
    assign a_tready = both && m_axis_tready;
    assign b_tready = both && m_axis_tready;
    for (genvar p = 0; p < PE; p++) begin : lane
        wire signed [A_W-1:0] a = a_tdata[p*A_W +: A_W];
        wire signed [B_W-1:0] b = b_tdata[p*B_W +: B_W];
        assign m_axis_tdata[p*OUT_W +: OUT_W] = OUT_W'(a) + OUT_W'(b);
    end
    wire unused = &{1'b0, ap_clk, ap_rst_n};
endmodule

`default_nettype wire
