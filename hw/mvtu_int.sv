// SPDX-License-Identifier: MIT
// Streaming integer matrix-vector-threshold unit (the int8 head and tail convs) with FINN
// MVAU semantics: SF = MW/SIMD synapse folds, NF = MH/PE neuron folds, one fold step per
// clock, plain multiplies (no vendor primitives). Same stream order as xnor_mvtu:
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

    logic [PE*SIMD*W_W-1:0] wmem [NF*SF];
    logic [ACC_W-1:0]       tmem [MH*NT];
    initial begin
        if (WEIGHT_FILE != "") $readmemh(WEIGHT_FILE, wmem);
        if (THRESH_FILE != "") $readmemh(THRESH_FILE, tmem);
    end

    logic [SIMD*IN_W-1:0] ibuf [SF];
    logic [SF_W-1:0] sf;
    logic [NF_W-1:0] nf;
    logic signed [ACC_W-1:0] acc [PE];
    logic [PE*OUT_W-1:0] out_data;
    logic out_valid;

    wire last_sf = (sf == SF_W'(SF - 1));
    wire out_free = !out_valid || m_axis_tready;
    wire have_in = (nf != '0) || s_axis_tvalid;
    wire step = have_in && (!last_sf || out_free);
    wire [SIMD*IN_W-1:0] x = (nf == '0) ? s_axis_tdata : ibuf[sf];
    wire [PE*SIMD*W_W-1:0] w = wmem[int'(nf) * SF + int'(sf)];

    assign s_axis_tready = (nf == '0) && (!last_sf || out_free);
    assign m_axis_tdata = out_data;
    assign m_axis_tvalid = out_valid;

    logic signed [ACC_W-1:0] acc_next [PE];
    always_comb begin : macs
        for (int p = 0; p < PE; p++) begin
            logic signed [ACC_W-1:0] a;
            logic signed [IN_W:0] xi;       // one extra bit: unsigned inputs stay positive
            logic signed [W_W-1:0] wi;
            a = (sf == '0) ? '0 : acc[p];
            for (int i = 0; i < SIMD; i++) begin
                xi = IN_SIGNED ? {x[i*IN_W + IN_W - 1], x[i*IN_W +: IN_W]} : {1'b0, x[i*IN_W +: IN_W]};
                wi = w[(p*SIMD + i)*W_W +: W_W];
                a = a + ACC_W'(xi * wi);
            end
            acc_next[p] = a;
        end
    end

    logic [PE*OUT_W-1:0] y_next;
    always_comb begin : thresholds
        for (int p = 0; p < PE; p++) begin
            int cnt;
            cnt = 0;
            for (int t = 0; t < NT; t++)
                if (acc_next[p] >= $signed(tmem[(int'(nf) * PE + p) * NT + t])) cnt = cnt + 1;
            y_next[p*OUT_W +: OUT_W] = OUT_W'(cnt + OBIAS);
        end
    end

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            sf <= '0;
            nf <= '0;
            out_valid <= 1'b0;
        end else begin
            if (out_valid && m_axis_tready) out_valid <= 1'b0;
            if (step) begin
                if (nf == '0) ibuf[sf] <= s_axis_tdata;
                for (int p = 0; p < PE; p++) acc[p] <= acc_next[p];
                if (last_sf) begin
                    sf <= '0;
                    out_data <= y_next;
                    out_valid <= 1'b1;
                    nf <= (nf == NF_W'(NF - 1)) ? '0 : nf + 1'b1;
                end else begin
                    sf <= sf + 1'b1;
                end
            end
        end
    end
endmodule

`default_nettype wire
