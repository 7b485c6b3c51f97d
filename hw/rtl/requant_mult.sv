// SPDX-License-Identifier: MIT
// Arithmetic requantiser of a folded-BN stream: per channel an arbitrary scale m and bias b
// in fixed point, y = sat((x * m + b) >>> F): a multiplier per lane. Used to measure what
// a non-threshold requantiser costs for BatchNorm (the BN vs BN-free report).
`default_nettype none

module requant_mult #(
    parameter int IN_W = 16,   // accumulator width
    parameter int OUT_W = 8,   // output width
    parameter int C = 32,      // channels (one m, b each, cycled per beat)
    parameter int M_W = 16,    // multiplier width (signed)
    parameter int F = 14       // fractional bits of m and b
) (
    input  wire                   ap_clk,
    input  wire [C*M_W-1:0]       mults,
    input  wire [C*(IN_W+M_W)-1:0] biases,
    input  wire signed [IN_W-1:0] x,
    output logic signed [OUT_W-1:0] y
);
    localparam int CW = (C > 1) ? $clog2(C) : 1;
    localparam int PW = IN_W + M_W;
    logic [CW-1:0] c = '0;
    always_ff @(posedge ap_clk) begin : rq
        logic signed [M_W-1:0] m;
        logic signed [PW-1:0] b, p;
        m = mults[int'(c) * M_W +: M_W];
        b = biases[int'(c) * PW +: PW];
        p = (PW'(x) * PW'(m) + b) >>> F;
        if (p > (2 ** (OUT_W - 1)) - 1) y <= OUT_W'((2 ** (OUT_W - 1)) - 1);
        else if (p < -(2 ** (OUT_W - 1))) y <= OUT_W'(-(2 ** (OUT_W - 1)));
        else y <= OUT_W'(p);
        c <= (c == CW'(C - 1)) ? '0 : c + 1'b1;
    end
endmodule

`default_nettype wire
