// SPDX-License-Identifier: MIT
// Arithmetic requantiser: what a BN-free layer's MultiThreshold computes, as shifts, an add
// and a clamp (no multiplier, no threshold memory). Per channel c and PE lane:
//     piece = (x >= PIVOT[c]) ? P : N
//     y     = clamp(((x <<< SHL[piece][c]) + B[piece][c]) >>> SHR[piece][c], LO, HI)
// (>>> is floor). The generator (hw/gen/requant.py) finds these parameters from a node's
// thresholds and proves them equal on every input of the node's range; two pieces carry a
// PReLU's two slopes, LO/HI are FINN's ActVal and ActVal + (number of thresholds).
//
// Stream: NF beats per pixel of PE lanes; lane p of beat f is channel f*PE + p. With NP = 1
// one parameter set serves every channel, else NP = NF*PE sets, channel c at index c.
// Three pipeline stages (piece select, shift-add, shift-clamp) advance together and stall
// only when the output is held: one beat per clock.
`default_nettype none

module requant_arith #(
    parameter int PE = 1,              // lanes per beat
    parameter int NF = 1,              // beats per pixel (channel folds)
    parameter int NP = 1,              // parameter sets: 1 (shared) or NF*PE (per channel)
    parameter int IN_W = 9,            // input lane width
    parameter bit IN_SIGNED = 1,       // input lanes signed (1) or unsigned (0)
    parameter int OUT_W = 8,           // output lane width
    parameter int LO = -128,           // smallest output (FINN ActVal)
    parameter int HI = 127,            // largest output (ActVal + thresholds)
    parameter int Z_W = 16,            // signed width of (x << shl) + bias and of the pivot
    parameter int SH_W = 4,            // width of a shift amount
    parameter logic [NP*Z_W-1:0] PIVOT = '0,   // per set: x >= pivot selects piece P
    parameter logic [NP*SH_W-1:0] SHL_P = '0,  // piece P: left shift
    parameter logic [NP*SH_W-1:0] SHR_P = '0,  // piece P: right shift (floor)
    parameter logic [NP*Z_W-1:0] B_P = '0,     // piece P: bias
    parameter logic [NP*SH_W-1:0] SHL_N = '0,  // piece N (x < pivot): left shift
    parameter logic [NP*SH_W-1:0] SHR_N = '0,  // piece N: right shift
    parameter logic [NP*Z_W-1:0] B_N = '0      // piece N: bias
) (
    input  wire                 ap_clk,
    input  wire                 ap_rst_n,
    input  wire [PE*IN_W-1:0]   s_axis_tdata,
    input  wire                 s_axis_tvalid,
    output wire                 s_axis_tready,
    output wire [PE*OUT_W-1:0]  m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready
);
    localparam int KW = (NP > 1) ? $clog2(NP) : 1;

    logic v1, v2, v3;
    logic [KW-1:0] f;                       // first channel (fold * PE) of the next input beat
    logic [KW-1:0] f1, f2;                  // ... of the beat in stage 1, 2
    logic signed [Z_W-1:0] x1 [PE];         // stage 1: input, extended
    logic pos1 [PE], pos2 [PE];             // piece P selected
    logic signed [Z_W-1:0] t2 [PE];         // stage 2: (x << shl) + bias
    logic [PE*OUT_W-1:0] y3;                // stage 3: shifted and clamped

    wire adv = !v3 || m_axis_tready;
    assign s_axis_tready = adv;
    assign m_axis_tvalid = v3;
    assign m_axis_tdata = y3;

    always_ff @(posedge ap_clk) begin
        if (adv) begin
            f1 <= f;
            f2 <= f1;
        end
        if (!ap_rst_n) begin
            v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0;
            f <= '0;
        end else if (adv) begin
            v1 <= s_axis_tvalid;
            v2 <= v1;
            v3 <= v2;
            if (s_axis_tvalid && NP > 1 && NF > 1) f <= (f == KW'((NF - 1) * PE)) ? '0 : f + KW'(PE);
        end
    end

    // table lookups as a compare per entry (a variable part-select would elaborate into a
    // multiplier); with one set, or one fold, the index is constant and the lookup wiring
    function automatic logic signed [Z_W-1:0] at_z(input logic [NP*Z_W-1:0] v, input int unsigned k);
        logic signed [Z_W-1:0] r;
        r = $signed(v[Z_W-1:0]);
        for (int i = 1; i < NP; i++) if (k == i) r = $signed(v[i*Z_W +: Z_W]);
        return r;
    endfunction
    function automatic logic [SH_W-1:0] at_sh(input logic [NP*SH_W-1:0] v, input int unsigned k);
        logic [SH_W-1:0] r;
        r = v[SH_W-1:0];
        for (int i = 1; i < NP; i++) if (k == i) r = v[i*SH_W +: SH_W];
        return r;
    endfunction

    for (genvar p = 0; p < PE; p++) begin : lane
        wire [IN_W-1:0] raw = s_axis_tdata[p*IN_W +: IN_W];
        wire signed [Z_W-1:0] x = IN_SIGNED ? Z_W'($signed(raw)) : Z_W'({1'b0, raw});
        // parameter set of this lane's channel in each stage
        wire [31:0] k0 = (NP == 1) ? 0 : (NF == 1) ? p : 32'(f) + p;
        wire [31:0] k1 = (NP == 1) ? 0 : (NF == 1) ? p : 32'(f1) + p;
        wire [31:0] k2 = (NP == 1) ? 0 : (NF == 1) ? p : 32'(f2) + p;
        wire [SH_W-1:0] shl = pos1[p] ? at_sh(SHL_P, k1) : at_sh(SHL_N, k1);
        wire signed [Z_W-1:0] b = pos1[p] ? at_z(B_P, k1) : at_z(B_N, k1);
        wire [SH_W-1:0] shr = pos2[p] ? at_sh(SHR_P, k2) : at_sh(SHR_N, k2);
        wire signed [Z_W-1:0] z = t2[p] >>> shr;
        always_ff @(posedge ap_clk) begin
            if (adv) begin
                // 1: which piece
                x1[p] <= x;
                pos1[p] <= x >= at_z(PIVOT, k0);
                // 2: shift left and add the bias
                t2[p] <= (x1[p] <<< shl) + b;
                pos2[p] <= pos1[p];
                // 3: shift right (floor) and saturate
                if (z < Z_W'(LO)) y3[p*OUT_W +: OUT_W] <= OUT_W'(LO);
                else if (z > Z_W'(HI)) y3[p*OUT_W +: OUT_W] <= OUT_W'(HI);
                else y3[p*OUT_W +: OUT_W] <= OUT_W'(z);
            end
        end
    end
endmodule

`default_nettype wire
