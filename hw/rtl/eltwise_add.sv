// SPDX-License-Identifier: MIT
// Integer element-wise add of two streams on the same scale (the residual add), PE lanes,
// exact (OUT_W >= max(A_W, B_W) + 1): FINN's ElementwiseAdd. Unsigned inputs (ABC-Net's
// raw popcounts) are zero-extended.
`default_nettype none

module eltwise_add #(
    parameter int PE = 1,      // lanes per beat
    parameter int A_W = 8,     // lane width of input a
    parameter int B_W = 8,     // lane width of input b
    parameter bit A_SIGNED = 1,
    parameter bit B_SIGNED = 1,
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
        wire [A_W-1:0] ra = a_tdata[p*A_W +: A_W];
        wire [B_W-1:0] rb = b_tdata[p*B_W +: B_W];
        wire signed [A_W:0] a = A_SIGNED ? {ra[A_W-1], ra} : {1'b0, ra};
        wire signed [B_W:0] b = B_SIGNED ? {rb[B_W-1], rb} : {1'b0, rb};
        assign m_axis_tdata[p*OUT_W +: OUT_W] = OUT_W'(a) + OUT_W'(b);
    end
    wire unused = &{1'b0, ap_clk, ap_rst_n};
endmodule

`default_nettype wire
