// SPDX-License-Identifier: MIT
// Streaming integer matrix-vector unit (the int8 head and tail convs) with FINN MVAU
// semantics: SF = MW/SIMD synapse folds, NF = MH/PE neuron folds, one fold step per clock,
// plain multiplies (no vendor primitives). Same stream order as xnor_mvtu: element
// sf*SIMD + i of the input vector in bits [i*IN_W +: IN_W] of beat sf; lane p of output beat
// nf = neuron nf*PE + p in bits [p*ACC_W +: ACC_W].
// Output: the dot product (ACC_W bits, signed). A layer's thresholds follow in a
// requantiser core (requant_arith or thresh_bsearch), not in this unit.
// Stages: operand fetch and register (mvtu_fetch), operands and products registered in
// each multiplier (mul_reg), products registered again, summed by an adder tree registered
// every two levels, accumulated (mvtu_acc); free-running: a result is started only when
// the output has room for it.
// W_BIPOLAR = 1 (binary weights ±1, W_W = 1, bit 1 = +1): no multiplier; each term is x or
// its one's complement ~x = -x - 1 (one LUT level before the adder tree), so the sum is the
// dot product minus the count of -1 weights of the neuron: a constant per neuron, which the
// generator subtracts from the layer's thresholds (hw.gen.emit).
`default_nettype none

module mvtu_int #(
    parameter int MW = 27,            // synapses per neuron
    parameter int MH = 8,             // neurons
    parameter int SIMD = 3,           // input elements per clock
    parameter int PE = 2,             // neurons in parallel
    parameter int IN_W = 9,           // input element width
    parameter bit IN_SIGNED = 1,      // input elements signed (1) or unsigned (0)
    parameter int W_W = 8,            // weight width (signed; 1 with W_BIPOLAR)
    parameter bit W_BIPOLAR = 0,      // weights ±1: terms x / ~x, no multipliers
    parameter int NDSP = -1,          // products on multiplier blocks (lane-major: product
                                      // p*SIMD + i < NDSP); the rest in logic; -1: all
    parameter bit DSP_SUMS = 0,       // 1: a lane's products in pairs, each pair summed where
                                      // it is made (mul_add_reg: on ECP5 a DSP slice's two
                                      // multipliers and its ALU54B), so the adder tree takes
                                      // ceil(SIMD/2) terms; needs every product on a block
    parameter int ACC_W = 24,         // accumulator / output width (signed)
    parameter WEIGHT_FILE = "",       // $readmemh: NF*SF words of PE*SIMD*W_W bits
    parameter WEIGHT_RAM = "auto",    // weight memory style for synthesis (see mvtu_fetch)
    parameter IBUF_RAM = "auto",      // input buffer memory style for synthesis
    parameter int PAIRS = 0,          // adder tree: four-input sums (0), two-input adders
                                      // (1), each registered (2) (mvtu_acc; ECP5)
    parameter bit LEAN = 0,           // one operand stage (mvtu_fetch; shallow logic weights)
    parameter bit CARRY_SEL = 0,      // W_BIPOLAR: the first adder level takes the terms'
                                      // selects in its carry chains (mvtu_acc XSEL; ECP5)
    parameter int WLANE = -1          // LEAN: weight bits per address copy (mvtu_fetch): -1 a
                                      // PE lane's SIMD*W_W (32 terms with binary weights),
                                      // 0 one address for all
) (
    input  wire                   ap_clk,
    input  wire                   ap_rst_n,
    input  wire [SIMD*IN_W-1:0]   s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    output wire [PE*ACC_W-1:0]    m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam int SF = MW / SIMD;
    localparam int NF = MH / PE;
    localparam int SF_W = (SF > 1) ? $clog2(SF) : 1;
    localparam int NF_W = (NF > 1) ? $clog2(NF) : 1;
    localparam int PW = IN_W + 1 + W_W;  // a product of a (sign-extended) input and a weight
    // weight lanes: a PE lane's multipliers; binary weights: 32 terms of the adder tree
    localparam int WL = (WLANE >= 0) ? WLANE : W_BIPOLAR ? ((SIMD * PE < 32) ? SIMD * PE : 32)
                                                         : SIMD * W_W;

    // int weights in lanes: the lanes' copies of the fetch valid one clock later (mvtu_fetch
    // LATE), every result one clock later
    localparam bit LATE = LEAN && !W_BIPOLAR && WL > 0 && WL < PE * SIMD * W_W;

    logic [SIMD*IN_W-1:0] x2;
    logic [PE*SIMD*W_W-1:0] w2;
    logic [SF_W-1:0] sf2;
    logic [NF_W-1:0] nf2;
    logic v2;
    wire room, room_next, promise;

    mvtu_fetch #(.SF(SF), .NF(NF), .XW(SIMD*IN_W), .WW(PE*SIMD*W_W), .WEIGHT_FILE(WEIGHT_FILE),
        .WEIGHT_RAM(WEIGHT_RAM),
        .IBUF_RAM(IBUF_RAM), .LEAN(LEAN), .WLANE(WL), .LATE(LATE))
        u_fetch (.ap_clk, .ap_rst_n, .s_axis_tdata, .s_axis_tvalid, .s_axis_tready, .room, .room_next,
                 .promise, .v2, .x2, .w2, .sf2, .nf2);

    if (W_BIPOLAR) begin : binw
        // term = w ? x : ~x, sign-extended inputs (IN_W + 1 bits), summed from here
        localparam int TW = IN_W + 1;
        // CARRY_SEL: each term's field is {w, x}, i.e. the term x ^ {TW{w}} = ~(w ? x : ~x) =
        // -t - 1 of the term t above, its select taken inside the first adder level's carry
        // chains (mvtu_acc XSEL); the accumulator then starts from -MW and subtracts, so its
        // result is the same sum (exact: integers modulo 2^ACC_W, the result in range)
        localparam int TS = CARRY_SEL ? TW + 1 : TW;
        logic [PE*SIMD*TS-1:0] terms;
        for (genvar p = 0; p < PE; p++) begin : lane
            for (genvar i = 0; i < SIMD; i++) begin : term
                wire [TW-1:0] xi = IN_SIGNED ? {x2[i*IN_W + IN_W - 1], x2[i*IN_W +: IN_W]}
                                             : {1'b0, x2[i*IN_W +: IN_W]};
                if (CARRY_SEL) begin : xs
                    assign terms[(p*SIMD + i)*TS +: TS] = {w2[p*SIMD + i], xi};
                end else begin : t
                    assign terms[(p*SIMD + i)*TS +: TS] = w2[p*SIMD + i] ? xi : ~xi;
                end
            end
        end
        // the terms are one LUT level from the operand registers: no register of their own
        // (at a video-rate folding that is PE*SIMD*(IN_W+1) flip-flops: 10 368 at 1080p)
        mvtu_acc #(.PE(PE), .NTERM(SIMD), .TW(TW), .TS(TS), .SIGNED(1), .ACC_W(ACC_W), .LAT(LEAN ? 1 : 3), .SF(SF),
                   .REG_TERMS(0), .PAIRS(PAIRS), .LANE_TAGS(LEAN && PE > 1), .XSEL(CARRY_SEL),
                   .SUB(CARRY_SEL), .BASE(CARRY_SEL ? -MW : 0)) u_acc (
            .ap_clk, .ap_rst_n, .v_in(v2), .first_in(sf2 == '0), .last_in(sf2 == SF_W'(SF - 1)),
            .terms, .promise, .room, .room_next, .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
    end else begin : mult
        // Every product in a multiplier with registered operands and product (mul_reg: the
        // registers sit inside the multiplier block), or with DSP_SUMS two products and their
        // sum (mul_add_reg, the same two clocks), then summed and accumulated.
        localparam int NT = DSP_SUMS ? (SIMD + 1) / 2 : SIMD;   // terms per lane
        localparam int TW = DSP_SUMS ? PW + 1 : PW;              // term width
        logic [PE*NT*TW-1:0] products;
        logic [1:0] vm, fm, lm;   // tags of the two multiplier stages
        if (DSP_SUMS && NDSP >= 0)
            $error("mvtu_int: DSP_SUMS needs every product on a multiplier block (NDSP = -1)");
        for (genvar p = 0; p < PE; p++) begin : lane
            // one extra bit: unsigned inputs stay positive
            wire signed [IN_W:0] xi [SIMD];
            wire signed [W_W-1:0] wi [SIMD];
            for (genvar i = 0; i < SIMD; i++) begin : op
                assign xi[i] = IN_SIGNED ? {x2[i*IN_W + IN_W - 1], x2[i*IN_W +: IN_W]}
                                         : {1'b0, x2[i*IN_W +: IN_W]};
                assign wi[i] = w2[(p*SIMD + i)*W_W +: W_W];
            end
            for (genvar t = 0; t < NT; t++) begin : mul
                if (!DSP_SUMS) begin : one
                    mul_reg #(.A_W(IN_W + 1), .B_W(W_W), .P_W(PW),
                              .LUT(NDSP >= 0 && p*SIMD + t >= NDSP)) u_mul (
                        .ap_clk, .ce(1'b1), .a(xi[t]), .b(wi[t]),
                        .p(products[(p * NT + t) * TW +: TW]));
                end else if (2*t + 1 < SIMD) begin : two
                    mul_add_reg #(.A_W(IN_W + 1), .B_W(W_W), .P_W(TW)) u_mul (
                        .ap_clk, .ce(1'b1), .a0(xi[2*t]), .b0(wi[2*t]), .a1(xi[2*t + 1]),
                        .b1(wi[2*t + 1]), .p(products[(p * NT + t) * TW +: TW]));
                end else begin : last   // an odd SIMD's last product alone, sign-extended
                    wire signed [PW-1:0] q;
                    mul_reg #(.A_W(IN_W + 1), .B_W(W_W), .P_W(PW), .LUT(0)) u_mul (
                        .ap_clk, .ce(1'b1), .a(xi[2*t]), .b(wi[2*t]), .p(q));
                    assign products[(p * NT + t) * TW +: TW] = TW'(q);
                end
            end
        end
        always_ff @(posedge ap_clk) begin
            fm <= {fm[0], sf2 == '0};
            lm <= {lm[0], sf2 == SF_W'(SF - 1)};
            if (!ap_rst_n) vm <= '0;
            else vm <= {vm[0], v2};
        end

        mvtu_acc #(.PE(PE), .NTERM(NT), .TW(TW), .SIGNED(1), .ACC_W(ACC_W), .LAT(LEAN ? 3 + LATE : 5),
                   .SF(SF), .PAIRS(PAIRS), .LANE_TAGS(LEAN && PE > 1)) u_acc (
            .ap_clk, .ap_rst_n, .v_in(vm[1]), .first_in(fm[1]), .last_in(lm[1]),
            .terms(products), .promise, .room, .room_next, .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
    end
    wire unused = &{1'b0, nf2};
endmodule

`default_nettype wire
