// SPDX-License-Identifier: MIT
// Accumulation and output stage shared by the matrix-vector units (xnor_mvtu, mvtu_int):
// per PE lane, the NTERM registered terms of one fold step (XNOR group counts or
// products) are summed by an adder tree registered every two adder levels (four terms per
// stage; PAIRS = 2: every level, two terms per stage), then added to the lane's
// accumulator; after the last synapse fold the sums go to the output FIFO. The pipeline
// runs free (no enable to fan out): a result is started only when the FIFO has room for it
// (``room``, counted by credit_fifo from ``promise``).
`default_nettype none

module mvtu_acc #(
    parameter int PE = 1,          // lanes
    parameter int NTERM = 4,       // terms per lane and fold step
    parameter int TW = 2,          // term width
    parameter int TS = TW,         // term stride in ``terms`` (>= TW; the bits above TW unused)
    parameter bit SIGNED = 0,      // terms signed (products) or unsigned (counts)
    parameter int ACC_W = 9,       // accumulator and output lane width
    parameter int LAT = 2,         // clocks from a promise to its terms at this module
    parameter int SF = 1,          // clocks per result at full rate (synapse folds)
    parameter bit REG_TERMS = 1,   // register the terms before the tree (0: terms one LUT
                                   // level from registers feed its first stage directly)
    parameter bit LANE_TAGS = 0,   // each lane its own copy of the last stage's valid and
                                   // first tags (see ``tags`` below)
    parameter bit SUB = 0,         // a result is BASE minus its terms' sum (1) or the sum (0)
    parameter int BASE = 0,        // (xnor_mvtu CARRY_COUNT: MW minus the mismatches)
    parameter bit XSEL = 0,        // term i is its field's TW bits x complemented where the
                                   // field's bit TW (s) is set: x ^ {TW{s}}; the first adder
                                   // level in carry chains that take the selects for free
                                   // (xsel_add; ECP5; needs PAIRS = 1 and REG_TERMS = 0)
    parameter int PAIRS = 0        // 0: four-input sums; 1: each stage two levels of
                                   // two-input adders (ECP5); 2: one two-input adder per
                                   // stage, every level registered (ECP5 at video rates:
                                   // the flip-flops sit beside the carry chains, in the
                                   // same slices)
) (
    input  wire                     ap_clk,
    input  wire                     ap_rst_n,
    input  wire                     v_in,      // the terms belong to a fold step
    input  wire                     first_in,  // ... which is synapse fold 0
    input  wire                     last_in,   // ... which is the last synapse fold
    input  wire [PE*NTERM*TS-1:0]   terms,     // lane p, term i at (p*NTERM + i)*TS
    input  wire                     promise,   // a step completing a result started
    output wire                     room,      // a result may be promised
    output wire                     room_next, // ... in the next clock (credit_fifo)
    output wire [PE*ACC_W-1:0]      m_axis_tdata,
    output wire                     m_axis_tvalid,
    input  wire                     m_axis_tready
);
    // tree stages: stage s holds n(s) partial sums; n(0) = NTERM, n(s) = ceil(n(s-1) / R)
    localparam int R = (PAIRS == 2) ? 2 : 4;   // sums into one node
    localparam int G = $clog2(R);              // bits a stage adds
    function automatic int n_at(input int s);
        int n = NTERM;
        for (int k = 0; k < s; k++) n = (n + R - 1) / R;
        return n;
    endfunction
    function automatic int depth();
        int s = 0;
        while (n_at(s) > 1) s++;
        return s;
    endfunction
    localparam int D = depth();
    if (XSEL && (PAIRS != 1 || REG_TERMS || D < 1 || TS <= TW))
        $error("mvtu_acc: XSEL needs PAIRS = 1, REG_TERMS = 0, two terms or more and TS > TW");

    // a stage-s partial sum of R^s terms needs TW + G*s bits: the bits above are cut (zero
    // or sign copies), so synthesis keeps narrow adders and registers
    function automatic logic signed [ACC_W-1:0] narrow(input logic signed [ACC_W-1:0] v,
                                                       input int s);
        int ws = TW + G * s;
        if (ws >= ACC_W) return v;
        return SIGNED ? (v <<< (ACC_W - ws)) >>> (ACC_W - ws) : v & ((ACC_W'(1) << ws) - 1);
    endfunction

    function automatic logic signed [ACC_W-1:0] narrow_w(input logic signed [ACC_W-1:0] v,
                                                         input int ws);
        if (ws >= ACC_W) return v;
        return SIGNED ? (v <<< (ACC_W - ws)) >>> (ACC_W - ws) : v & ((ACC_W'(1) << ws) - 1);
    endfunction

    // bit offset of stage s in tr: the stages before it, PE lanes of n(k) sums each
    function automatic int off(input int s);
        int o = 0;
        for (int k = 0; k < s; k++) o += PE * n_at(k) * ACC_W;
        return o;
    endfunction
    // partial sum i of lane p at stage s: tr[off(s) + (p*n(s) + i)*ACC_W +: ACC_W], every
    // sum a register of its own (generate loops: constant indices only). Packed vectors, not
    // unpacked arrays: an unpacked array written slice by slice from many processes becomes
    // a memory with a write port per slice in Yosys (hundreds at a video-rate folding, whose
    // check and memory passes then run for hours)
    wire [off(D + 1)-1:0] tr;                          // driven by the registers below
    wire [D:0] vt, ft, lt;                             // tags of each stage
    logic [PE*ACC_W-1:0] acc;
    logic [PE*ACC_W-1:0] result;
    // results in flight: a promise reaches the FIFO after LAT + D + 2 clocks and is taken
    // 7 clocks later at the earliest (credit_fifo); one result every SF clocks
    localparam int Q = (LAT + D + 9 + SF - 1) / SF + 1;

    // the last stage's tags as each lane uses them (LANE_TAGS: its own copies)
    wire [PE-1:0] v_lane, f_lane;
    for (genvar p = 0; p < PE; p++) begin : lane
        wire [ACC_W-1:0] start = f_lane[p] ? ACC_W'(BASE) : acc[p*ACC_W +: ACC_W];
        if (SUB) begin : sub
            assign result[p*ACC_W +: ACC_W] = start - tr[off(D) + p*ACC_W +: ACC_W];
        end else begin : add
            assign result[p*ACC_W +: ACC_W] = start + tr[off(D) + p*ACC_W +: ACC_W];
        end
        for (genvar i = 0; i < NTERM; i++) begin : term
            wire [TW-1:0] t = XSEL ? terms[(p * NTERM + i) * TS +: TW] ^ {TW{terms[(p * NTERM + i) * TS + TW]}}
                                   : terms[(p * NTERM + i) * TS +: TW];
            wire [ACC_W-1:0] te = SIGNED ? ACC_W'($signed(t)) : ACC_W'({1'b0, t});
            if (REG_TERMS) begin : r
                logic [ACC_W-1:0] q;
                always_ff @(posedge ap_clk) q <= te;
                assign tr[(p*NTERM + i)*ACC_W +: ACC_W] = q;
            end else begin : w
                assign tr[(p*NTERM + i)*ACC_W +: ACC_W] = te;
            end
        end
        for (genvar s = 1; s <= D; s++) begin : stage
            localparam int NP = n_at(s - 1);
            localparam int IN = off(s - 1) + p * NP * ACC_W;   // lane p's sums of stage s-1
            localparam int OUT = off(s) + p * n_at(s) * ACC_W;
            for (genvar i = 0; i < n_at(s); i++) begin : node
                wire signed [ACC_W-1:0] a [R];
                for (genvar j = 0; j < R; j++) begin : in
                    if (R * i + j < NP) assign a[j] = $signed(tr[IN + (R*i + j)*ACC_W +: ACC_W]);
                    else assign a[j] = '0;
                end
                logic signed [ACC_W-1:0] sum;
                if (R == 2) begin : pair
                    assign sum = a[0] + a[1];
                end else if (PAIRS && XSEL && s == 1) begin : xpairs
                    // the first level from the raw fields: each pair's selects taken inside
                    // its carry chain (xsel_add), absent terms 0
                    wire [TW-1:0] xr [4];
                    wire [3:0] sr;
                    for (genvar j = 0; j < 4; j++) begin : raw
                        localparam int F = (p * NTERM + R * i + j) * TS;
                        if (R * i + j < NP) begin : live
                            assign xr[j] = terms[F +: TW];
                            assign sr[j] = terms[F + TW];
                        end else begin : none
                            assign xr[j] = '0;
                            assign sr[j] = 1'b0;
                        end
                    end
                    wire [TW:0] y01, y23;
                    xsel_add #(.W(TW)) u_p01 (.a(xr[0]), .sa(sr[0]), .b(xr[1]), .sb(sr[1]), .y(y01));
                    xsel_add #(.W(TW)) u_p23 (.a(xr[2]), .sa(sr[2]), .b(xr[3]), .sb(sr[3]), .y(y23));
                    (* keep *) wire signed [ACC_W-1:0] p01 = ACC_W'($signed(y01));
                    (* keep *) wire signed [ACC_W-1:0] p23 = ACC_W'($signed(y23));
                    assign sum = p01 + p23;
                end else if (PAIRS) begin : pairs
                    // two levels of two-input adders, each sum a kept wire: synth_ecp5 maps
                    // every adder to a carry chain (it made a four-input sum a $macc of LUT4
                    // full adders: the binary-weight tail unit 15 675 -> 12 042 LUT4-eq;
                    // synth_xilinx does better with the four-input sum on LUT6)
                    (* keep *) wire signed [ACC_W-1:0] p01 = narrow_w(a[0] + a[1], TW + 2 * (s - 1) + 1);
                    (* keep *) wire signed [ACC_W-1:0] p23 = narrow_w(a[2] + a[3], TW + 2 * (s - 1) + 1);
                    assign sum = p01 + p23;
                end else begin : quad
                    assign sum = a[0] + a[1] + a[2] + a[3];
                end
                logic [ACC_W-1:0] q;
                always_ff @(posedge ap_clk) q <= narrow(sum, s);
                assign tr[OUT + i*ACC_W +: ACC_W] = q;
            end
        end
        always_ff @(posedge ap_clk) if (v_lane[p]) acc[p*ACC_W +: ACC_W] <= result[p*ACC_W +: ACC_W];
    end
    credit_fifo #(.WIDTH(PE*ACC_W), .DEPTH(Q)) u_out (
        .ap_clk, .ap_rst_n, .issue(promise), .room, .room_next, .push(vt[D] && lt[D]), .push_data(result),
        .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);

    // the tags shift one stage a clock (bit s: stage s); without term registers stage 0 is
    // the input itself
    logic [D:0] vr, fr, lr;
    always_ff @(posedge ap_clk) begin
        fr <= (D + 1)'({ft, first_in});
        lr <= (D + 1)'({lt, last_in});
        if (!ap_rst_n) vr <= '0;
        else vr <= (D + 1)'({vt, v_in});
    end
    // LANE_TAGS: the lanes of a wide unit sit by their multipliers or counters all over the
    // chip, and one register's tag reaching every lane's accumulator enable and clear was the
    // slowest path of a routed 720p seed (the int8 head's first tag: 8.6 ns of routing, then
    // the accumulator's carry chain). Each lane gets the last stage's valid and first tags
    // from toggles of its own, fed by the stage before: t flips on that tag, p is t a clock
    // late, t ^ p is the tag one clock later, i.e. the last stage's. The shared net then ends
    // at one LUT per lane, not in front of the carry chain. Each toggle is computed from its
    // own previous value, so the copies stay distinct registers (as stream_fifo's lane
    // flags); needs a registered stage before the last (REG_TERMS or D > 0).
    localparam bit LT = LANE_TAGS && (REG_TERMS || D > 0);
    if (LT) begin : tags
        wire vpre = (D > 0) ? vt[(D > 0) ? D - 1 : 0] : v_in;   // the tags a clock before
        wire fpre = (D > 0) ? ft[(D > 0) ? D - 1 : 0] : first_in;
        for (genvar p = 0; p < PE; p++) begin : lane
            logic tv, pv, tf, pf;
            always_ff @(posedge ap_clk) begin
                tf <= tf ^ fpre;
                pf <= tf;
                if (!ap_rst_n) begin
                    tv <= 1'b0;
                    pv <= 1'b0;
                end else begin
                    tv <= tv ^ vpre;
                    pv <= tv;
                end
            end
            assign v_lane[p] = tv ^ pv;
            assign f_lane[p] = tf ^ pf;
        end
`ifdef VERILATOR
        always_ff @(posedge ap_clk)
            if (ap_rst_n && (v_lane != {PE{vt[D]}} || (vt[D] && f_lane != {PE{ft[D]}})))
                $error("mvtu_acc: lane tags v %b f %b, the stage's v %0d f %0d", v_lane, f_lane,
                       vt[D], ft[D]);
`endif
    end else begin : tags
        assign v_lane = {PE{vt[D]}};
        assign f_lane = {PE{ft[D]}};
    end
    if (REG_TERMS) begin : tags_reg
        assign vt = vr;
        assign ft = fr;
        assign lt = lr;
    end else if (D == 0) begin : tags_in
        assign vt = v_in;
        assign ft = first_in;
        assign lt = last_in;
    end else begin : tags_shift
        assign vt = {vr[D:1], v_in};
        assign ft = {fr[D:1], first_in};
        assign lt = {lr[D:1], last_in};
    end
endmodule

`default_nettype wire
