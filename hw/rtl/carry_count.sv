// SPDX-License-Identifier: MIT
// Counts of mismatches in groups of three bit pairs, made in ECP5 carry chains
// (xnor_mvtu CARRY_COUNT): for group g of a lane, y_i = x_i ^ w_i (i = 3g .. 3g + 2) and
// cnt[3g +: 2] = y_3g + y_3g+1 + y_3g+2 (bit 3g + 2 zero: the layout of xnor_mvtu's counts).
//
// Why: on LUT4 fabric the 2-bit count of three XNORs is two functions of six inputs, about
// five LUT4 per group (1.7 per synapse bit, most of an XNOR layer's logic at video-rate
// foldings). An ECP5 CCU2C half-cell holds a LUT4 (its propagate) and a LUT2 on the same
// A and B inputs, INIT[3:0] (its generate), and a carry mux: with A, B = x0, w0 and C, D =
// x1, w1 its propagate is y0 ^ y1 (INIT 16'h6996) and its generate y0 (INIT[3:0] = 4'h6),
// so the half-cell is a full adder of y0, y1 and its carry-in: the sum is bit 0 of the
// count, the carry out bit 1. The carry-in y2 comes from the half-cell before, whose
// propagate is 0 (C, D tied high, INIT[15:12] = 0) and generate y2 (A, B = x2, w2): that
// half-cell's sum output is its own carry-in, i.e. the previous group's bit 1. So one
// CCU2C per group (and one more per chain to read its last carry): 2 LUT sites per three
// synapse bits. Yosys has no map that makes this (it builds adders from $alu cells, whose
// operands are words), so the cells are instantiated here.
//
// For ECP5 synthesis (`ECP5_CCU2C`, defined by hw.synth for that target) the cells are
// Lattice's CCU2C; elsewhere (simulation, other targets) ccu2c_cell describes the same
// half-cells (the semantics of Yosys' CCU2C model, INJECT1 = "NO"), so the simulated
// network runs these INIT values too. tests/hw/test_synth.py proves the ECP5 form equal
// to the counts over every input with SAT on Yosys' own CCU2C model.
`default_nettype none

// One CCU2C (two half-cells, carry chained), INJECT1_0 = INJECT1_1 = "NO". FIRST: the
// chain's first cell, whose half 0 has propagate 0, so CIN is never used: on ECP5 it is
// left unconnected (a connected one makes nextpnr put a feed-in CCU2C before the chain),
// in simulation taken as 0.
module ccu2c_cell #(
    parameter logic [15:0] INIT0 = 16'h0000,
    parameter logic [15:0] INIT1 = 16'h0000,
    parameter bit FIRST = 0
) (
    input  wire CIN,
    input  wire A0, B0, C0, D0, A1, B1, C1, D1,
    output wire S0, S1,
    output wire COUT
);
`ifdef ECP5_CCU2C
    CCU2C #(.INIT0(INIT0), .INIT1(INIT1), .INJECT1_0("NO"), .INJECT1_1("NO")) u (
        .CIN(FIRST ? 1'bx : CIN), .A0, .B0, .C0, .D0, .A1, .B1, .C1, .D1, .S0, .S1, .COUT);
`else
    // half-cell: LUT4 = INIT[{D, C, B, A}] (propagate), LUT2 = INIT[{B, A}] (generate)
    wire ci = FIRST ? 1'b0 : CIN;
    wire p0 = INIT0[{D0, C0, B0, A0}], g0 = INIT0[{B0, A0}];
    wire p1 = INIT1[{D1, C1, B1, A1}], g1 = INIT1[{B1, A1}];
    wire c0 = p0 ? ci : g0;
    assign S0 = p0 ^ ci;
    assign S1 = p1 ^ c0;
    assign COUT = p1 ? c0 : g1;
`endif
endmodule

module carry_count #(
    parameter int NG = 4,      // groups of three bit pairs
    parameter int L = 8        // groups per carry chain (a chain of L + 1 CCU2C)
) (
    input  wire [3*NG-1:0] x,
    input  wire [3*NG-1:0] w,
    output wire [3*NG-1:0] cnt   // group g: mismatches of bits 3g..3g+2 at [3g +: 2]
);
    localparam int NC = (NG + L - 1) / L;   // chains
    for (genvar c = 0; c < NC; c++) begin : chain
        localparam int G0 = c * L;
        localparam int N = (NG - G0 < L) ? NG - G0 : L;   // groups in this chain
        for (genvar k = 0; k <= N; k++) begin : k_
            localparam int G = G0 + k;                     // group of half 1 (k < N)
            localparam int GI = (k < N) ? G : 0;           // (an index in range either way)
            // a wire per cell, not a vector over the chain (Verilator would see a loop)
            wire co, s0, s1;
            wire cin;
            if (k == 0) begin : first
                assign cin = 1'b0;           // not used (ccu2c_cell FIRST)
            end else begin : next
                assign cin = k_[k - 1].co;   // the previous CCU2C's carry out
            end
            // the last cell only reads the chain's last carry: its other inputs tied high
            wire x2 = (k < N) ? x[3*GI + 2] : 1'b1, w2 = (k < N) ? w[3*GI + 2] : 1'b1;
            wire x0 = (k < N) ? x[3*GI] : 1'b1, w0 = (k < N) ? w[3*GI] : 1'b1;
            wire x1 = (k < N) ? x[3*GI + 1] : 1'b1, w1 = (k < N) ? w[3*GI + 1] : 1'b1;
            // half 0: propagate 0 (C, D high), generate y2; half 1: full adder of y0, y1
            ccu2c_cell #(.INIT0(16'h0006), .INIT1(16'h6996), .FIRST(k == 0)) u_cc (
                .CIN(cin), .A0(x2), .B0(w2), .C0(1'b1), .D0(1'b1),
                .A1(x0), .B1(w0), .C1(x1), .D1(w1), .S0(s0), .S1(s1), .COUT(co));
            if (k < N) begin : bit0
                assign cnt[3*G] = s1;
                assign cnt[3*G + 2] = 1'b0;
            end else begin : unused
                wire u = &{1'b0, s1, co};
            end
            if (k > 0) begin : bit1
                assign cnt[3*(G - 1) + 1] = s0;   // the carry of the group before
            end
        end
    end
endmodule

// The sum of two selectively complemented signed words in one ECP5 carry chain
// (mvtu_acc XSEL, the binary-weight tail's first adder level): y = (a ^ {W{sa}}) +
// (b ^ {W{sb}}), signed, W + 1 bits. Yosys builds this as an adder with a LUT in front of
// each operand bit (the select), but a CCU2C half-cell with A, B = a_j, sa and C, D = b_j,
// sb has propagate a_j ^ sa ^ b_j ^ sb (INIT 16'h6996) and generate a_j ^ sa (INIT[3:0]):
// a full adder of the two selected bits, so the selects cost nothing. Half 0 starts the
// chain (inputs tied high, INIT 0: carry 0), halves 1..W are bits 0..W-1, half W + 1 the
// sign bit (the top bits again). tests/hw/test_synth.py proves it equal to the sum.
module xsel_add #(
    parameter int W = 9
) (
    input  wire [W-1:0] a,
    input  wire         sa,
    input  wire [W-1:0] b,
    input  wire         sb,
    output wire [W:0]   y
);
    localparam int H = W + 2;                   // half-cells: start, W bits, sign
    localparam int NC = (H + 1) / 2;            // CCU2C
    // operands per half-cell h (bit h - 1; the sign half repeats the top bit; the start
    // half and a last unused half tied high)
    wire [2*NC-1:0] ah, bh, sah, sbh, sum;
    for (genvar h = 0; h < 2 * NC; h++) begin : half
        localparam int J = (h == 0 || h > W + 1) ? 0 : (h <= W ? h - 1 : W - 1);
        localparam bit LIVE = h >= 1 && h <= W + 1;
        assign ah[h] = LIVE ? a[J] : 1'b1;
        assign bh[h] = LIVE ? b[J] : 1'b1;
        assign sah[h] = LIVE ? sa : 1'b1;
        assign sbh[h] = LIVE ? sb : 1'b1;
    end
    for (genvar k = 0; k < NC; k++) begin : k_
        wire co, cin;
        if (k == 0) begin : first
            assign cin = 1'b0;           // not used (ccu2c_cell FIRST)
        end else begin : next
            assign cin = k_[k - 1].co;
        end
        ccu2c_cell #(.INIT0(k == 0 ? 16'h0000 : 16'h6996), .INIT1(16'h6996), .FIRST(k == 0)) u_cc (
            .CIN(cin), .A0(ah[2*k]), .B0(sah[2*k]), .C0(bh[2*k]), .D0(sbh[2*k]),
            .A1(ah[2*k + 1]), .B1(sah[2*k + 1]), .C1(bh[2*k + 1]), .D1(sbh[2*k + 1]),
            .S0(sum[2*k]), .S1(sum[2*k + 1]), .COUT(co));
    end
    assign y = sum[W + 1:1];
    wire unused = &{1'b0, sum[0], (2 * NC > W + 2) ? sum[2*NC - 1] : 1'b0, k_[NC - 1].co};
endmodule

`default_nettype wire
