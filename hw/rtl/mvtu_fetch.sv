// SPDX-License-Identifier: MIT
// Fold control and operand fetch shared by the matrix-vector units (xnor_mvtu, mvtu_int):
// FINN MVAU folding, SF = MW/SIMD synapse folds x NF = MH/PE neuron folds, one fold step per
// clock. The input vector arrives as SF beats during neuron fold 0 and is buffered for the
// other NF-1 folds.
//
// The pipeline runs free (no enable): a fold step starts when its operand is there and, for
// the last synapse fold of a neuron fold (the step that completes a result), when the
// output has room for that result (``room``, from the unit's credit_fifo). Two stages:
//   A  fetch: input beat (fold 0) or buffered beat, weight word nf*SF + sf (a ROM read every
//      clock at the current address);
//   A2 operand register (keeps a RAM's clock-to-out off the arithmetic that follows).
// Outputs are the A2 registers: valid, operands and the fold position they belong to.
// LEAN = 1 (weights in logic, a small input buffer: video-rate foldings) keeps one operand
// stage: A only (no block RAM clock-to-out to cut). With one synapse fold (SF = 1) the input
// beat is not copied at all: it stays at the producer's output until the last neuron fold
// takes it (ready only then), and every fold reads it there.
// WLANE > 0 with LEAN (and WLANE < WW): the weight word is read in lanes of WLANE bits, each
// lane with its own copy of the weight address (see ``wlane`` below); same stages, same
// outputs, clock for clock, as one address. LATE = 1 with lanes: every output one clock
// later, so that no net from one register reaches every lane's address logic (see below).
`default_nettype none

module mvtu_fetch #(
    parameter int SF = 9,           // synapse folds
    parameter int NF = 4,           // neuron folds
    parameter int XW = 8,           // input beat width (SIMD elements)
    parameter int WW = 16,          // weight word width (PE x SIMD weights)
    parameter WEIGHT_FILE = "",     // $readmemh: NF*SF words of WW bits
    parameter WEIGHT_RAM = "auto",  // synthesis memory style of the weights: auto, block, distributed, logic
    parameter IBUF_RAM = "auto",    // ... of the input vector buffer
    parameter bit LEAN = 0,         // one operand stage (see above)
    parameter int WLANE = 0,        // LEAN: weight lane width, its own address copy (0: one)
    parameter bit LATE = 0          // with weight lanes: the outputs one clock later (below)
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [XW-1:0]         s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire                  room,        // a result may be promised
    input  wire                  room_next,   // ... in the next clock
    output wire                  promise,     // a step completing a result started
    output logic                 v2,       // A3 registers, or A with LEAN
    output logic [XW-1:0]        x2,
    output logic [WW-1:0]        w2,
    output logic [((SF > 1) ? $clog2(SF) : 1)-1:0] sf2,
    output logic [((NF > 1) ? $clog2(NF) : 1)-1:0] nf2
);
    localparam int SF_W = (SF > 1) ? $clog2(SF) : 1;
    localparam int NF_W = (NF > 1) ? $clog2(NF) : 1;

    (* rom_style = WEIGHT_RAM, ram_style = WEIGHT_RAM *) logic [WW-1:0] wmem [NF*SF];
    initial if (WEIGHT_FILE != "") $readmemh(WEIGHT_FILE, wmem);

    (* ram_style = IBUF_RAM *) logic [XW-1:0] ibuf [SF];
    localparam int WA_W = (NF * SF > 1) ? $clog2(NF * SF) : 1;
    logic [WA_W-1:0] wadr;          // weight word nf*SF + sf, counted (no multiplier)
    logic [SF_W-1:0] sf, sfa;
    logic [NF_W-1:0] nf, nfa;
    logic [XW-1:0]   xa;
    logic [WW-1:0]   wa;
    logic            va;
    logic            vb;
    logic [XW-1:0]   xb;
    logic [WW-1:0]   wb;
    logic [SF_W-1:0] sfb;
    logic [NF_W-1:0] nfb;

    wire last = sf == SF_W'(SF - 1);
    wire may = !last || room;                       // registered sources only
    // HOLD: one synapse fold and a lean pipeline: the input stays at the producer
    localparam bit HOLD = LEAN && SF == 1 && NF > 1;
    wire go = (HOLD ? s_axis_tvalid : ((nf != '0) || s_axis_tvalid)) && may;
    wire [XW-1:0] x = (HOLD || nf == '0) ? s_axis_tdata : ibuf[sf];
    if (HOLD) begin : hold_ready
        // With the input held, the producer's output register is the operand, and at a
        // video-rate binary tail that register is a 2 304-bit window slice spread over the
        // chip in lanes, each taking this ready into its clock enables. The ready comes from
        // a register: the same value as ``room && nf == NF-1`` at every clock (checked in
        // simulation), computed a clock early from the next room and the next fold (HOLD: one
        // synapse fold, so every step is the last of its neuron fold and promises a result).
        // The routed 720p tail's slowest path was the counter compare behind ``room``, then
        // this ready across 25 columns and 30 rows to the window's lanes.
        logic rdy;
        always_ff @(posedge ap_clk)
            if (!ap_rst_n) rdy <= 1'b0;
            else rdy <= room_next && (go ? nf == NF_W'(NF - 2) : nf == NF_W'(NF - 1));
        assign s_axis_tready = rdy;
`ifdef VERILATOR
        always_ff @(posedge ap_clk)
            if (ap_rst_n && rdy != (may && nf == NF_W'(NF - 1)))
                $error("mvtu_fetch: registered ready %0d, room %0d at neuron fold %0d", rdy, room, nf);
`endif
    end else begin : ready
        assign s_axis_tready = (nf == '0) && may;
        wire unused = &{1'b0, room_next};
    end
    assign promise = go && last;

    // the weight word's next address: one clock on a step, wrapping after the last word
    function automatic logic [WA_W-1:0] next_adr(input logic [WA_W-1:0] a);
        return (a == WA_W'(NF * SF - 1)) ? '0 : a + 1'b1;
    endfunction

    localparam int NWL = (LEAN && WLANE > 0 && WLANE < WW) ? (WW + WLANE - 1) / WLANE : 1;
    if (NWL > 1) begin : wlane
        // Weights in logic: a weight bit is a function of the few address bits, so Yosys
        // merges the bits with equal functions into one flip-flop each (the video-rate head's
        // 1 152 weight bits into 124), and each then drives multipliers all over the chip
        // (the routed head's slowest path: 61 columns). Here each lane of WLANE bits reads
        // the ROM at its own copy of the address: a bit is merged only within its lane, and
        // lane, ROM and register stay by the lane's arithmetic. Each copy is computed from its
        // own previous value, so the copies are distinct registers that synthesis cannot
        // merge back (as stream_fifo's lane flags); all follow the same sequence from reset.
        // A copy steps with the registered step va, never with go: go is combinational (the
        // handshake), and a first try that stepped the copies with it put that logic in front
        // of a net to every lane across the chip (nextpnr's placement estimates fell from
        // 64-81 to 55-64 MHz). So a copy is the address one clock late (wadl = wadr of the
        // clock before), and a lane reads the word wa would: at the address after its copy
        // when va says the copy steps now (wadl' = wadr), else at its copy. The ROM is then
        // a function of one address bit more, va (still one LUT4 per bit up to 8 words), and
        // the lanes need no operand stage of their own. (A second try registered the word a
        // clock late and delayed the operand to match: 2 304 flip-flops more at the 720p tail,
        // and nextpnr's strict legaliser did not finish that netlist in 30 minutes.)
        //
        // That still leaves va as one register whose net reaches every lane's address logic,
        // and a lane per PE of an int8 head sits by its multipliers, across the chip (the
        // routed 720p head's slowest path: va across 77 columns, then three LUT levels,
        // 12.1 ns). LATE = 1 gives each lane its own copy of va, one clock later (vl): a
        // toggle t that flips on va and its previous value p, vl = t ^ p; each toggle is
        // computed from its own previous value, so the copies stay distinct registers. va's
        // net then ends at the toggles (one LUT), and each lane's address copy and ROM read
        // run one clock later (wadl = wadr two clocks before), as do the outputs: the
        // operand, fold position and valid through one register more. That register costs
        // the operand's width, which is why only the int units ask for it (an int8 head's
        // 72 bits; a binary-weight tail's 2 592 would be the failed second try above).
        logic [WA_W-1:0] wadl [NWL];
        logic [NWL-1:0] vl;                 // each lane's copy of va, one clock late (LATE)
        for (genvar k = 0; k < NWL; k++) begin : lane
            localparam int LO = k * WLANE;
            localparam int LW_ = (LO + WLANE <= WW) ? WLANE : WW - LO;
            if (LATE) begin : late
                logic t, p;
                always_ff @(posedge ap_clk)
                    if (!ap_rst_n) begin
                        t <= 1'b0;
                        p <= 1'b0;
                    end else begin
                        t <= t ^ va;
                        p <= t;
                    end
                assign vl[k] = t ^ p;
            end else begin : now
                assign vl[k] = va;
            end
            always_ff @(posedge ap_clk) begin
                wa[LO +: LW_] <= wmem[vl[k] ? next_adr(wadl[k]) : wadl[k]][LO +: LW_];
                if (!ap_rst_n) wadl[k] <= '0;
                else if (vl[k]) wadl[k] <= next_adr(wadl[k]);
            end
        end
`ifdef VERILATOR
        always_ff @(posedge ap_clk)
            for (int k = 1; k < NWL; k++)
                if (ap_rst_n && (wadl[k] != wadl[0] || vl[k] != vl[0]))
                    $error("mvtu_fetch: weight lane %0d address %0d, lane 0 %0d", k, wadl[k], wadl[0]);
        logic [WA_W-1:0] wadr_q, wadr_qq;
        logic va_q;
        always_ff @(posedge ap_clk) begin
            wadr_q <= wadr;
            wadr_qq <= wadr_q;
            va_q <= ap_rst_n && va;
            if (ap_rst_n && vl[0] != (LATE ? va_q : va))
                $error("mvtu_fetch: a lane's valid %0d, va %0d clocks before %0d", vl[0], LATE,
                       LATE ? va_q : va);
            if (ap_rst_n && vl[0] && wadl[0] != (LATE ? wadr_qq : wadr_q))
                $error("mvtu_fetch: weight lane address %0d, %0d clocks late %0d", wadl[0],
                       1 + LATE, LATE ? wadr_qq : wadr_q);
        end
`endif
    end else begin : wone
        always_ff @(posedge ap_clk) wa <= wmem[wadr];
    end

    if (LEAN && NWL > 1 && LATE) begin : lean_late
        // A and one register more: the weight lanes read one clock late (above)
        always_ff @(posedge ap_clk) begin
            x2 <= xa;
            sf2 <= sfa;
            nf2 <= nfa;
            if (!ap_rst_n) v2 <= 1'b0;
            else v2 <= va;
        end
        assign w2 = wa;
    end else if (LEAN) begin : lean
        // A only: the outputs are the A registers (weight lanes or one address)
        assign v2 = va;
        assign x2 = xa;
        assign w2 = wa;
        assign sf2 = sfa;
        assign nf2 = nfa;
    end else begin : full
        always_ff @(posedge ap_clk) begin
            // A3
            v2 <= vb;
            x2 <= xb;
            w2 <= wb;
            sf2 <= sfb;
            nf2 <= nfb;
            // A2
            vb <= va;
            xb <= xa;
            wb <= wa;
            sfb <= sfa;
            nfb <= nfa;
            if (!ap_rst_n) begin
                vb <= 1'b0;
                v2 <= 1'b0;
            end
        end
    end

    always_ff @(posedge ap_clk) begin
        // A
        va <= go;
        // the operand and its fold position are taken every clock, not only on a step: they
        // count only with va, and an enable here would fan out from the handshake to every
        // operand bit (2 304 at a video-rate binary tail), the path that bounded its Fmax
        xa <= x;
        sfa <= sf;
        nfa <= nf;
        if (go && nf == '0 && !HOLD) ibuf[sf] <= s_axis_tdata;
        if (!ap_rst_n) begin
            sf <= '0;
            nf <= '0;
            wadr <= '0;
            va <= 1'b0;
        end else if (go) begin
            wadr <= next_adr(wadr);
            if (last) begin
                sf <= '0;
                nf <= (nf == NF_W'(NF - 1)) ? '0 : nf + 1'b1;
            end else begin
                sf <= sf + 1'b1;
            end
        end
    end
endmodule

`default_nettype wire
