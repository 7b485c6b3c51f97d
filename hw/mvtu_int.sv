// SPDX-License-Identifier: MIT
// Streaming integer matrix-vector-threshold unit (the int8 head and tail convs) with FINN
// MVAU semantics: SF = MW/SIMD synapse folds, NF = MH/PE neuron folds, one fold step per
// clock, plain multiplies (no vendor primitives). The pipeline of xnor_mvtu with one more
// stage: fetch and operand register (mvtu_fetch), products registered (P), products summed
// per lane (B1), accumulate + thresholds (B2); all stall together, only when a result
// cannot be emitted. Same stream order as xnor_mvtu:
// element sf*SIMD + i of the input vector in bits [i*IN_W +: IN_W] of beat sf; lane p of
// output beat nf = neuron nf*PE + p in bits [p*OUT_W +: OUT_W].
// Output: OBIAS + #(acc >= T[n][t]) with NT thresholds per neuron (FINN MultiThreshold).
`default_nettype none

module mvtu_int #(
    parameter int MW = 27,            // synapses per neuron
    parameter int MH = 8,             // neurons
    parameter int SIMD = 3,           // input elements per clock
    parameter int PE = 2,             // neurons in parallel
    parameter int IN_W = 9,           // input element width
    parameter bit IN_SIGNED = 1,      // input elements signed (1) or unsigned (0)
    parameter int W_W = 8,            // weight width (signed)
    parameter int ACC_W = 24,         // accumulator / threshold width (signed)
    parameter int NT = 255,           // thresholds per neuron (>= 1)
    parameter int OUT_W = 8,          // output width per lane
    parameter int OBIAS = -128,       // added to the threshold count
    parameter WEIGHT_FILE = "",       // $readmemh: NF*SF words of PE*SIMD*W_W bits
    parameter THRESH_FILE = ""        // $readmemh: MH*NT words of ACC_W bits (two's complement)
) (
    input  wire                   ap_clk,
    input  wire                   ap_rst_n,
    input  wire [SIMD*IN_W-1:0]   s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [PE*OUT_W-1:0]    m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam int SF = MW / SIMD;
    localparam int NF = MH / PE;
    localparam int SF_W = (SF > 1) ? $clog2(SF) : 1;
    localparam int NF_W = (NF > 1) ? $clog2(NF) : 1;

    logic [ACC_W-1:0] tmem [MH*NT];
    initial if (THRESH_FILE != "") $readmemh(THRESH_FILE, tmem);

    logic signed [ACC_W-1:0] acc [PE];
    logic [PE*OUT_W-1:0] out_data;
    logic out_valid;

    logic [SIMD*IN_W-1:0] x2;
    logic [PE*SIMD*W_W-1:0] w2;
    logic [SF_W-1:0] sf2, sfp, sf3;
    logic [NF_W-1:0] nf2, nfp, nf3;
    logic v2, vp, v3;
    localparam int PW = IN_W + 1 + W_W;  // a product of a (sign-extended) input and a weight
    logic signed [PW-1:0] prod [PE][SIMD];  // P: registered products
    logic signed [ACC_W-1:0] s3 [PE];       // B1: the fold's products summed per lane

    wire out_free = !out_valid || m_axis_tready;
    wire last3 = (sf3 == SF_W'(SF - 1));
    wire adv = !(v3 && last3 && !out_free);

    mvtu_fetch #(.SF(SF), .NF(NF), .XW(SIMD*IN_W), .WW(PE*SIMD*W_W), .WEIGHT_FILE(WEIGHT_FILE))
        u_fetch (.ap_clk, .ap_rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready, .adv,
                 .v2, .x2, .w2, .sf2, .nf2);

    assign m_axis_tdata = out_data;
    assign m_axis_tvalid = out_valid;

    // P: products of the registered operands
    logic signed [PW-1:0] prod_next [PE][SIMD];
    always_comb begin : products
        for (int p = 0; p < PE; p++)
            for (int i = 0; i < SIMD; i++) begin
                logic signed [IN_W:0] xi;   // one extra bit: unsigned inputs stay positive
                logic signed [W_W-1:0] wi;
                xi = IN_SIGNED ? {x2[i*IN_W + IN_W - 1], x2[i*IN_W +: IN_W]} : {1'b0, x2[i*IN_W +: IN_W]};
                wi = w2[(p*SIMD + i)*W_W +: W_W];
                prod_next[p][i] = PW'(xi * wi);
            end
    end

    // B1: the registered products summed per PE lane, as a balanced adder tree
    // (ceil(log2(SIMD)) adder levels instead of a chain of SIMD-1)
    logic signed [ACC_W-1:0] s_next [PE];
    always_comb begin : sums
        for (int p = 0; p < PE; p++) begin
            logic signed [ACC_W-1:0] lvl [SIMD];
            for (int i = 0; i < SIMD; i++) lvl[i] = ACC_W'(prod[p][i]);
            for (int n = SIMD; n > 1; n = (n + 1) / 2) begin
                for (int i = 0; i < n / 2; i++) lvl[i] = lvl[2*i] + lvl[2*i + 1];
                if (n % 2) lvl[n / 2] = lvl[n - 1];
            end
            s_next[p] = lvl[0];
        end
    end

    // B2: accumulate, then the thresholds of the finished sums
    logic signed [ACC_W-1:0] acc_next [PE];
    always_comb begin : accumulate
        for (int p = 0; p < PE; p++) acc_next[p] = ((sf3 == '0) ? '0 : acc[p]) + s3[p];
    end

    logic [PE*OUT_W-1:0] y_next;
    always_comb begin : thresholds
        for (int p = 0; p < PE; p++) begin
            int cnt;
            cnt = 0;
            for (int t = 0; t < NT; t++)
                if (acc_next[p] >= $signed(tmem[(int'(nf3) * PE + p) * NT + t])) cnt = cnt + 1;
            y_next[p*OUT_W +: OUT_W] = OUT_W'(cnt + OBIAS);
        end
    end

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            vp <= 1'b0;
            v3 <= 1'b0;
            out_valid <= 1'b0;
        end else begin
            if (out_valid && m_axis_tready) out_valid <= 1'b0;
            if (adv) begin
                // B2
                if (v3) begin
                    for (int p = 0; p < PE; p++) acc[p] <= acc_next[p];
                    if (last3) begin
                        out_data <= y_next;
                        out_valid <= 1'b1;
                    end
                end
                // B1
                v3 <= vp;
                sf3 <= sfp;
                nf3 <= nfp;
                for (int p = 0; p < PE; p++) s3[p] <= s_next[p];
                // P
                vp <= v2;
                sfp <= sf2;
                nfp <= nf2;
                for (int p = 0; p < PE; p++)
                    for (int i = 0; i < SIMD; i++) prod[p][i] <= prod_next[p][i];
            end
        end
    end
endmodule

`default_nettype wire
