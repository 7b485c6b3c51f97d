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
`default_nettype none

module mvtu_fetch #(
    parameter int SF = 9,           // synapse folds
    parameter int NF = 4,           // neuron folds
    parameter int XW = 8,           // input beat width (SIMD elements)
    parameter int WW = 16,          // weight word width (PE x SIMD weights)
    parameter WEIGHT_FILE = "",     // $readmemh: NF*SF words of WW bits
    parameter WEIGHT_RAM = "auto",  // synthesis memory style of the weights: auto, block, distributed, logic
    parameter IBUF_RAM = "auto"     // ... of the input vector buffer
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [XW-1:0]         s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire                  room,        // a result may be promised
    output wire                  promise,     // a step completing a result started
    output logic                 v2,
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
    wire go = ((nf != '0) || s_axis_tvalid) && may;
    wire [XW-1:0] x = (nf == '0) ? s_axis_tdata : ibuf[sf];
    assign s_axis_tready = (nf == '0) && may;
    assign promise = go && last;

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
        // A
        wa <= wmem[wadr];
        va <= go;
        if (go) begin
            if (nf == '0) ibuf[sf] <= s_axis_tdata;
            xa <= x;
            sfa <= sf;
            nfa <= nf;
        end
        if (!ap_rst_n) begin
            sf <= '0;
            nf <= '0;
            wadr <= '0;
            va <= 1'b0;
            vb <= 1'b0;
            v2 <= 1'b0;
        end else if (go) begin
            wadr <= (wadr == WA_W'(NF * SF - 1)) ? '0 : wadr + 1'b1;
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
