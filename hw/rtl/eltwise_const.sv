// SPDX-License-Identifier: MIT
// Per-channel constant add or multiply on a stream, PE lanes, channels folded C/PE beats per
// pixel: out = in + K[c] (MUL = 0: the input mean subtraction, K = -mean) or in * K[c]
// (MUL = 1: ABC-Net's power-of-two basis multipliers; a scalar is given as C equal entries).
// FINN's ElementwiseSub/Add/Mul with a constant operand.
`default_nettype none

module eltwise_const #(
    parameter bit MUL = 0,           // 0: add, 1: multiply
    parameter int C = 3,             // channels
    parameter int PE = 1,            // lanes per beat
    parameter int IN_W = 8,          // input lane width
    parameter bit IN_SIGNED = 0,     // input lanes signed
    parameter int OUT_W = 9,         // output lane width (signed)
    parameter int K_W = 16,          // constant width (signed)
    parameter logic [C*K_W-1:0] K = '0  // constants, channel c at bits c*K_W
) (
    input  wire                ap_clk,
    input  wire                ap_rst_n,
    input  wire [PE*IN_W-1:0]  s_axis_tdata,
    input  wire                s_axis_tvalid,
    output wire                s_axis_tready,
    output wire [PE*OUT_W-1:0] m_axis_tdata,
    output wire                m_axis_tvalid,
    input  wire                m_axis_tready
);
    localparam int NF = C / PE;
    localparam int FW = (NF > 1) ? $clog2(NF) : 1;
    logic [FW-1:0] f;
    assign m_axis_tvalid = s_axis_tvalid;
    assign s_axis_tready = m_axis_tready;
    for (genvar p = 0; p < PE; p++) begin : lane
        wire [IN_W-1:0] raw = s_axis_tdata[p*IN_W +: IN_W];
        wire signed [IN_W:0] x = IN_SIGNED ? {raw[IN_W-1], raw} : {1'b0, raw};
        wire signed [K_W-1:0] k = K[(int'(f) * PE + p) * K_W +: K_W];
        wire signed [OUT_W-1:0] xe = OUT_W'(x);
        wire signed [OUT_W-1:0] ke = OUT_W'(k);
        assign m_axis_tdata[p*OUT_W +: OUT_W] = MUL ? OUT_W'(xe * ke) : xe + ke;
    end
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) f <= '0;
        else if (s_axis_tvalid && m_axis_tready) f <= (f == FW'(NF - 1)) ? '0 : f + 1'b1;
    end
endmodule

`default_nettype wire
