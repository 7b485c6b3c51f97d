// SPDX-License-Identifier: MIT
// Fold control and operand fetch shared by the matrix-vector-threshold units (xnor_mvtu,
// mvtu_int): FINN MVAU folding, SF = MW/SIMD synapse folds x NF = MH/PE neuron folds, one
// fold step per clock. The input vector arrives as SF beats during neuron fold 0 and is
// buffered for the other NF-1 folds.
//
// Two pipeline stages, advancing with the caller's global enable `adv`:
//   A  fetch: input beat (fold 0) or buffered beat, weight word nf*SF + sf (a ROM read
//      with its output register: block RAM);
//   A2 operand register (keeps the RAM's clock-to-out off the arithmetic that follows).
// Outputs are the A2 registers: valid, operands and the fold position they belong to.
`default_nettype none

module mvtu_fetch #(
    parameter int SF = 9,           // synapse folds
    parameter int NF = 4,           // neuron folds
    parameter int XW = 8,           // input beat width (SIMD elements)
    parameter int WW = 16,          // weight word width (PE x SIMD weights)
    parameter WEIGHT_FILE = "",     // $readmemh: NF*SF words of WW bits
    parameter WEIGHT_RAM = "auto"   // synthesis memory style of the weights: auto, block, distributed
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [XW-1:0]         s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire                  adv,
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

    logic [XW-1:0]   ibuf [SF];
    localparam int WA_W = (NF * SF > 1) ? $clog2(NF * SF) : 1;
    logic [WA_W-1:0] wadr;          // weight word nf*SF + sf, counted (no multiplier)
    logic [SF_W-1:0] sf, sfa;
    logic [NF_W-1:0] nf, nfa;
    logic [XW-1:0]   xa;
    logic [WW-1:0]   wa;
    logic            va;

    wire have_in = (nf != '0) || s_axis_tvalid;
    wire [XW-1:0] x = (nf == '0) ? s_axis_tdata : ibuf[sf];
    assign s_axis_tready = (nf == '0) && adv;

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            sf <= '0;
            nf <= '0;
            wadr <= '0;
            va <= 1'b0;
            v2 <= 1'b0;
        end else if (adv) begin
            // A2
            v2 <= va;
            x2 <= xa;
            w2 <= wa;
            sf2 <= sfa;
            nf2 <= nfa;
            // A
            va <= have_in;
            if (have_in) begin
                if (nf == '0) ibuf[sf] <= s_axis_tdata;
                xa <= x;
                wa <= wmem[wadr];
                wadr <= (wadr == WA_W'(NF * SF - 1)) ? '0 : wadr + 1'b1;
                sfa <= sf;
                nfa <= nf;
                if (sf == SF_W'(SF - 1)) begin
                    sf <= '0;
                    nf <= (nf == NF_W'(NF - 1)) ? '0 : nf + 1'b1;
                end else begin
                    sf <= sf + 1'b1;
                end
            end
        end
    end
endmodule

`default_nettype wire
