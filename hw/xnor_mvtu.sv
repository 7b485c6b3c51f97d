// SPDX-License-Identifier: MIT
// Streaming XNOR-popcount matrix-vector-threshold unit with FINN MVAU semantics
// (binaryXnorMode=1): per input vector of MW bits, MH neurons, folded as
// SF = MW/SIMD synapse folds and NF = MH/PE neuron folds; one fold step per clock.
//
// Stream order (as FINN's MVAU): the input vector arrives as SF beats of SIMD bits
// (bit i of a beat = element sf*SIMD + i); the output is NF beats of PE values
// (PE lane p of beat nf = neuron nf*PE + p, lane 0 in the LSBs). The input vector is
// buffered on the first neuron fold and reused for the others.
//
// Popcount P = #(x == w) over the MW synapses, unsigned CNT_W bits (FINN's signed
// ±1-dot-product width would wrap for P >= 2^(CNT_W-1)). With NT > 0 thresholds per
// neuron the output is OBIAS + #(P >= T[n][t]); with NT = 0 it is P itself.
// Pipelined in four stages (fetch and operand register in mvtu_fetch, group popcount,
// accumulate) that stall together only when a result cannot be emitted: one fold step per
// clock.
`default_nettype none

module xnor_mvtu #(
    parameter int MW = 72,            // synapses per neuron (K = kernel * input channels)
    parameter int MH = 8,             // neurons (output channels)
    parameter int SIMD = 8,           // input bits consumed per clock
    parameter int PE = 2,             // neurons computed in parallel
    parameter int NT = 255,           // thresholds per neuron; 0 = output the popcount
    parameter int CNT_W = 7,          // popcount / threshold width, ceil(log2(MW+1))
    parameter int OUT_W = 8,          // output width per PE lane
    parameter int OBIAS = -128,       // added to the threshold count (signed outputs)
    parameter WEIGHT_FILE = "",       // $readmemh: NF*SF words of PE*SIMD bits
    parameter THRESH_FILE = ""        // $readmemh: MH*NT words of CNT_W bits, neuron-major
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [SIMD-1:0]       s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    output wire [PE*OUT_W-1:0]   m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready
);
    localparam int SF = MW / SIMD;
    localparam int NF = MH / PE;
    localparam int SF_W = (SF > 1) ? $clog2(SF) : 1;
    localparam int NF_W = (NF > 1) ? $clog2(NF) : 1;
    localparam int NTM = (NT > 0) ? NT : 1;

    logic [CNT_W-1:0] tmem [MH*NTM];
    initial if (NT > 0 && THRESH_FILE != "") $readmemh(THRESH_FILE, tmem);

    logic [CNT_W-1:0] acc [PE];
    logic [PE*OUT_W-1:0] out_data;
    logic             out_valid;

    // Four pipeline stages that advance together (one global enable, `adv`):
    //   A, A2 in mvtu_fetch: operand fetch (weights word nf*SF + sf holds PE lanes of SIMD
    //      bits, lane p in bits p*SIMD +: SIMD) and operand register
    //   B1 XNOR and popcount of every group of 6 bits (one LUT6 level, registered)
    //   B2 sum of the group counts into the accumulator; output register / thresholds
    // The pipeline stalls only when B2 must emit a result and the output is not free, so
    // it sustains one fold step per clock, as FINN's MVAU.
    localparam int NG = (SIMD + 5) / 6;
    logic [SIMD-1:0] x2;
    logic [PE*SIMD-1:0] w2;
    logic [SF_W-1:0] sf2, sf3;
    logic [NF_W-1:0] nf2, nf3;
    logic v2, v3;
    logic [2:0] g3 [PE][NG];

    wire out_free = !out_valid || m_axis_tready;
    wire last3 = (sf3 == SF_W'(SF - 1));
    wire adv = !(v3 && last3 && !out_free);

    mvtu_fetch #(.SF(SF), .NF(NF), .XW(SIMD), .WW(PE*SIMD), .WEIGHT_FILE(WEIGHT_FILE)) u_fetch (
        .ap_clk, .ap_rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready, .adv,
        .v2, .x2, .w2, .sf2, .nf2);

    assign m_axis_tdata = out_data;
    assign m_axis_tvalid = out_valid;

    // B1: group popcounts of the XNOR of the registered operands
    logic [2:0] g_next [PE][NG];
    always_comb begin : groups
        for (int p = 0; p < PE; p++)
            for (int k = 0; k < NG; k++) begin
                logic [2:0] s6;
                s6 = '0;
                for (int i = 6 * k; i < 6 * k + 6 && i < SIMD; i++)
                    s6 = s6 + {2'b00, x2[i] == w2[p*SIMD + i]};  // XNOR
                g_next[p][k] = s6;
            end
    end

    // B2: accumulate
    logic [CNT_W-1:0] pc_next [PE];
    always_comb begin : popcount
        for (int p = 0; p < PE; p++) begin
            logic [CNT_W-1:0] c;
            c = (sf3 == '0) ? '0 : acc[p];
            for (int k = 0; k < NG; k++) c = c + CNT_W'(g3[p][k]);
            pc_next[p] = c;
        end
    end

    // thresholding of the finished popcounts (combinational)
    logic [PE*OUT_W-1:0] y_next;
    always_comb begin : thresholds
        for (int p = 0; p < PE; p++) begin
            int cnt;
            cnt = 0;
            if (NT > 0) begin
                for (int t = 0; t < NTM; t++)
                    if (pc_next[p] >= tmem[(int'(nf3) * PE + p) * NTM + t]) cnt = cnt + 1;
                y_next[p*OUT_W +: OUT_W] = OUT_W'(cnt + OBIAS);
            end else begin
                y_next[p*OUT_W +: OUT_W] = OUT_W'(pc_next[p]);
            end
        end
    end

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            v3 <= 1'b0;
            out_valid <= 1'b0;
        end else begin
            if (out_valid && m_axis_tready) out_valid <= 1'b0;
            if (adv) begin
                // B2
                if (v3) begin
                    for (int p = 0; p < PE; p++) acc[p] <= pc_next[p];
                    if (last3) begin
                        out_data <= y_next;
                        out_valid <= 1'b1;
                    end
                end
                // B1
                v3 <= v2;
                sf3 <= sf2;
                nf3 <= nf2;
                for (int p = 0; p < PE; p++)
                    for (int k = 0; k < NG; k++) g3[p][k] <= g_next[p][k];
            end
        end
    end
endmodule

`default_nettype wire
