// SPDX-License-Identifier: MIT
// Interface of Lattice ECP5's MULT18X18D for Yosys' slang frontend (synthesis for ECP5 only:
// hw.synth reads it before the sources so that hw/rtl/mul_reg.sv can set the block's
// register parameters; synth_ecp5 maps the instance to the hard block), and ecp5_mult18,
// the block with vector ports as mul_reg and mul_add_reg use it. Not simulated.
(* blackbox *)
module MULT18X18D #(
    parameter REG_INPUTA_CLK = "NONE",
    parameter REG_INPUTA_CE = "CE0",
    parameter REG_INPUTA_RST = "RST0",
    parameter REG_INPUTB_CLK = "NONE",
    parameter REG_INPUTB_CE = "CE0",
    parameter REG_INPUTB_RST = "RST0",
    parameter REG_INPUTC_CLK = "NONE",
    parameter REG_PIPELINE_CLK = "NONE",
    parameter REG_OUTPUT_CLK = "NONE",
    parameter REG_OUTPUT_CE = "CE0",
    parameter REG_OUTPUT_RST = "RST0",
    parameter SOURCEB_MODE = "B_SHIFT",
    parameter GSR = "ENABLED",
    parameter MULT_BYPASS = "DISABLED",
    parameter RESETMODE = "SYNC",
    parameter CLK0_DIV = "ENABLED",
    parameter CLK1_DIV = "ENABLED",
    parameter CLK2_DIV = "ENABLED",
    parameter CLK3_DIV = "ENABLED",
    parameter HIGHSPEED_CLK = "NONE",
    parameter CAS_MATCH_REG = "FALSE"
) (
    input wire A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14, B15, B16, B17, SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK0, CE0, RST0,
    output wire P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17, P18, P19, P20, P21, P22, P23, P24, P25, P26, P27, P28, P29, P30, P31, P32, P33, P34, P35,
    // the registered operands and the product's sign, toward the slice's ALU54B (mul_add_reg)
    output wire ROA0, ROA1, ROA2, ROA3, ROA4, ROA5, ROA6, ROA7, ROA8, ROA9, ROA10, ROA11, ROA12, ROA13, ROA14, ROA15, ROA16, ROA17,
    ROB0, ROB1, ROB2, ROB3, ROB4, ROB5, ROB6, ROB7, ROB8, ROB9, ROB10, ROB11, ROB12, ROB13, ROB14, ROB15, ROB16, ROB17, SIGNEDP
);
endmodule

// A signed 18x18 MULT18X18D with its operands registered (clock enable ce) and, with
// REG_OUT, its product too: the primitive's per-bit ports as vectors, written once for
// mul_reg (one block, product registered) and mul_add_reg (two blocks into their slice's
// ALU54B, operands ro = {ROB, ROA} and the product's sign toward it). The primitive is
// instance ``u`` (hw.synth.lock_dsp_sums finds the blocks of a sum by that name).
module ecp5_mult18 #(
    parameter bit REG_OUT = 1
) (
    input  wire         clk,
    input  wire         ce,
    input  wire [17:0]  a,
    input  wire [17:0]  b,
    output wire [35:0]  p,
    output wire [35:0]  ro,
    output wire         signedp
);
    MULT18X18D #(.REG_INPUTA_CLK("CLK0"), .REG_INPUTA_CE("CE0"), .REG_INPUTB_CLK("CLK0"),
                 .REG_INPUTB_CE("CE0"), .REG_PIPELINE_CLK("NONE"),
                 .REG_OUTPUT_CLK(REG_OUT ? "CLK0" : "NONE"), .REG_OUTPUT_CE("CE0"),
                 .SOURCEB_MODE("B_INPUT"), .GSR("DISABLED")) u (
        .A0(a[0]), .A1(a[1]), .A2(a[2]), .A3(a[3]), .A4(a[4]), .A5(a[5]), .A6(a[6]), .A7(a[7]),
        .A8(a[8]), .A9(a[9]), .A10(a[10]), .A11(a[11]), .A12(a[12]), .A13(a[13]), .A14(a[14]),
        .A15(a[15]), .A16(a[16]), .A17(a[17]),
        .B0(b[0]), .B1(b[1]), .B2(b[2]), .B3(b[3]), .B4(b[4]), .B5(b[5]), .B6(b[6]), .B7(b[7]),
        .B8(b[8]), .B9(b[9]), .B10(b[10]), .B11(b[11]), .B12(b[12]), .B13(b[13]), .B14(b[14]),
        .B15(b[15]), .B16(b[16]), .B17(b[17]),
        .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
        .CLK0(clk), .CE0(ce), .RST0(1'b0),
        .P0(p[0]), .P1(p[1]), .P2(p[2]), .P3(p[3]), .P4(p[4]), .P5(p[5]), .P6(p[6]), .P7(p[7]),
        .P8(p[8]), .P9(p[9]), .P10(p[10]), .P11(p[11]), .P12(p[12]), .P13(p[13]), .P14(p[14]),
        .P15(p[15]), .P16(p[16]), .P17(p[17]), .P18(p[18]), .P19(p[19]), .P20(p[20]),
        .P21(p[21]), .P22(p[22]), .P23(p[23]), .P24(p[24]), .P25(p[25]), .P26(p[26]),
        .P27(p[27]), .P28(p[28]), .P29(p[29]), .P30(p[30]), .P31(p[31]), .P32(p[32]),
        .P33(p[33]), .P34(p[34]), .P35(p[35]),
        .ROA0(ro[0]), .ROA1(ro[1]), .ROA2(ro[2]), .ROA3(ro[3]), .ROA4(ro[4]), .ROA5(ro[5]),
        .ROA6(ro[6]), .ROA7(ro[7]), .ROA8(ro[8]), .ROA9(ro[9]), .ROA10(ro[10]), .ROA11(ro[11]),
        .ROA12(ro[12]), .ROA13(ro[13]), .ROA14(ro[14]), .ROA15(ro[15]), .ROA16(ro[16]),
        .ROA17(ro[17]),
        .ROB0(ro[18]), .ROB1(ro[19]), .ROB2(ro[20]), .ROB3(ro[21]), .ROB4(ro[22]), .ROB5(ro[23]),
        .ROB6(ro[24]), .ROB7(ro[25]), .ROB8(ro[26]), .ROB9(ro[27]), .ROB10(ro[28]),
        .ROB11(ro[29]), .ROB12(ro[30]), .ROB13(ro[31]), .ROB14(ro[32]), .ROB15(ro[33]),
        .ROB16(ro[34]), .ROB17(ro[35]),
        .SIGNEDP(signedp));
endmodule
