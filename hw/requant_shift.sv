// SPDX-License-Identifier: MIT
// Arithmetic requantiser of the BTM residual stream: per channel a power-of-two scale, so
// y = sat((x + 2^(S-1)) >>> S) (round half up), a shift and an add: no multiplier.
// Used to measure what a non-threshold requantiser costs (the BN vs BN-free report).
`default_nettype none

module requant_shift #(
    parameter int IN_W = 16,   // accumulator width
    parameter int OUT_W = 8,   // output width
    parameter int C = 32,      // channels (one shift each, cycled per beat)
    parameter int S_W = 4      // shift amount width
) (
    input  wire                   ap_clk,
    input  wire [C*S_W-1:0]       shifts,
    input  wire signed [IN_W-1:0] x,
    output logic signed [OUT_W-1:0] y
);
    localparam int CW = (C > 1) ? $clog2(C) : 1;
    logic [CW-1:0] c = '0;
    always_ff @(posedge ap_clk) begin : rq
        logic [S_W-1:0] s;
        logic signed [IN_W:0] r;
        s = shifts[int'(c) * S_W +: S_W];
        r = ($signed({x[IN_W-1], x}) + ((IN_W+1)'(1) << s >> 1)) >>> s;
        if (r > (2 ** (OUT_W - 1)) - 1) y <= OUT_W'((2 ** (OUT_W - 1)) - 1);
        else if (r < -(2 ** (OUT_W - 1))) y <= OUT_W'(-(2 ** (OUT_W - 1)));
        else y <= OUT_W'(r);
        c <= (c == CW'(C - 1)) ? '0 : c + 1'b1;
    end
endmodule

`default_nettype wire
