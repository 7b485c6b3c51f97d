// SPDX-License-Identifier: MIT
// Streaming XNOR-popcount matrix-vector unit with FINN MVAU semantics
// (binaryXnorMode=1): per input vector of MW bits, MH neurons, folded as
// SF = MW/SIMD synapse folds and NF = MH/PE neuron folds; one fold step per clock.
//
// Stream order (as FINN's MVAU): the input vector arrives as SF beats of SIMD bits
// (bit i of a beat = element sf*SIMD + i); the output is NF beats of PE values
// (PE lane p of beat nf = neuron nf*PE + p, lane 0 in the LSBs). The input vector is
// buffered on the first neuron fold and reused for the others.
//
// Output: the popcount P = #(x == w) over the MW synapses, unsigned CNT_W bits (FINN's
// signed ±1-dot-product width would wrap for P >= 2^(CNT_W-1)). A layer's thresholds follow
// in a requantiser core (requant_arith or thresh_bsearch), not in this unit.
`default_nettype none

module xnor_mvtu #(
    parameter int MW = 72,            // synapses per neuron (K = kernel * input channels)
    parameter int MH = 8,             // neurons (output channels)
    parameter int SIMD = 8,           // input bits consumed per clock
    parameter int PE = 2,             // neurons computed in parallel
    parameter int CNT_W = 7,          // popcount width, ceil(log2(MW+1))
    parameter WEIGHT_FILE = "",       // $readmemh: NF*SF words of PE*SIMD bits
    parameter WEIGHT_RAM = "auto",    // weight memory style for synthesis (see mvtu_fetch)
    parameter IBUF_RAM = "auto",      // input buffer memory style for synthesis
    parameter int PAIRS = 0,          // adder tree: four-input sums (0), two-input adders
                                      // (1), each registered (2) (mvtu_acc; ECP5)
    parameter bit LEAN = 0,           // one operand stage (mvtu_fetch; shallow logic weights)
    parameter bit CARRY_COUNT = 0     // group counts in carry chains (carry_count; ECP5)
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [SIMD-1:0]       s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    output wire [PE*CNT_W-1:0]   m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready
);
    localparam int SF = MW / SIMD;
    localparam int NF = MH / PE;
    localparam int SF_W = (SF > 1) ? $clog2(SF) : 1;
    localparam int NF_W = (NF > 1) ? $clog2(NF) : 1;
    localparam int G = 3;                    // XNOR pairs per group count: one LUT6 per bit
    localparam int NG = (SIMD + G - 1) / G;

    // Free-running stages (a result starts only when the output has room for it):
    //   mvtu_fetch: operand fetch (weight word nf*SF + sf holds PE lanes of SIMD bits, lane p
    //     in bits p*SIMD +: SIMD) and operand register;
    //   mvtu_acc: the 2-bit counts of every group of three XNORs registered, summed by an
    //     adder tree registered every two levels, accumulated over the SF synapse folds
    //     (LEAN units, several lanes: each lane with its own copy of the last stage's tags).
    // One fold step per clock, as FINN's MVAU.
    logic [SIMD-1:0] x2;
    logic [PE*SIMD-1:0] w2;
    logic [SF_W-1:0] sf2;
    logic [NF_W-1:0] nf2;
    logic v2;
    wire room, room_next, promise;

    mvtu_fetch #(.SF(SF), .NF(NF), .XW(SIMD), .WW(PE*SIMD), .WEIGHT_FILE(WEIGHT_FILE),
        .WEIGHT_RAM(WEIGHT_RAM),
        .IBUF_RAM(IBUF_RAM), .LEAN(LEAN)) u_fetch (
        .ap_clk, .ap_rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready, .room, .room_next, .promise,
        .v2, .x2, .w2, .sf2, .nf2);

    // The 2-bit count of each group of G = 3 XNORs: bit 0 the XOR of the three, bit 1 their
    // majority. Written as operations on whole vectors (every lane padded to NG*3 bits with
    // zeros, so a lane's last group never sees padding of another): a simulator then does a
    // few word operations per lane and clock instead of one per synapse bit, and synthesis
    // keeps only the bits at group starts (one LUT6 per count bit, as with a per-bit loop).
    // Per lane, not over all lanes at once: a PE*SIMD-bit vector passes Verilator's 8 192-bit
    // limit on constants at fully parallel foldings (FINN's MVAU test shape: 144 x 64 bits).
    // Group g's count sits at bits [3g +: 2] of the lane's counts (stride 3; bit 3g+2 zero).
    localparam int GW = NG * G;              // padded lane width
    function automatic logic [GW-1:0] starts();   // bits at group starts: 3g
        logic [GW-1:0] m = '0;
        for (int g = 0; g < NG; g++) m[g * G] = 1'b1;
        return m;
    endfunction
    localparam logic [GW-1:0] M0 = starts();
    logic [PE*GW-1:0] counts;
    // CARRY_COUNT: each group's count of mismatches from a CCU2C (carry_count: two LUT sites
    // per group instead of about five LUT4), and the accumulator counts down from MW.
    for (genvar p = 0; p < PE; p++) begin : lane
      if (CARRY_COUNT) begin : cc
        carry_count #(.NG(NG)) u_cnt (.x(GW'(x2)), .w(GW'(w2[p*SIMD +: SIMD])),
                                      .cnt(counts[p*GW +: GW]));
      end else begin : lut
        wire [SIMD-1:0] e = ~(x2 ^ w2[p*SIMD +: SIMD]);   // XNOR of every synapse
        wire [GW-1:0] xn = GW'(e);                          // (padding: zeros)
        wire [GW-1:0] b1 = xn >> 1;
        wire [GW-1:0] b2 = xn >> 2;
        wire [GW-1:0] gsum = (xn ^ b1 ^ b2) & M0;                          // count bit 0
        wire [GW-1:0] gcarry = ((xn & b1) | (xn & b2) | (b1 & b2)) & M0;   // count bit 1
        assign counts[p*GW +: GW] = gsum | (gcarry << 1);
      end
    end

    mvtu_acc #(.PE(PE), .NTERM(NG), .TW(2), .TS(G), .SIGNED(0), .ACC_W(CNT_W), .LAT(LEAN ? 1 : 3), .SF(SF),
               .PAIRS(PAIRS), .LANE_TAGS(LEAN && PE > 1), .SUB(CARRY_COUNT), .BASE(CARRY_COUNT ? MW : 0)) u_acc (
        .ap_clk, .ap_rst_n, .v_in(v2), .first_in(sf2 == '0), .last_in(sf2 == SF_W'(SF - 1)),
        .terms(counts), .promise, .room, .room_next, .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
    wire unused = &{1'b0, nf2};
endmodule

`default_nettype wire
