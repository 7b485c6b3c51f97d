// SPDX-License-Identifier: MIT
// Signed multiplier with registered operands and a registered product (two clocks of
// latency, one enable): P = A * B. Written so that synthesis puts the registers inside the
// multiplier block (Yosys' synth_xilinx packs them into a DSP48's A/B/P registers). Yosys
// does not pack registers into an ECP5 MULT18X18D (it maps the product alone, and the
// routing to and from the block then bounds the clock near 100 MHz), so for ECP5
// (`ECP5_MULT18`, defined by hw.synth for that target) the block is instantiated with its
// input and output registers; simulation uses the generic description.
// LUT = 1: the product from logic, never a multiplier block (a device's multipliers are
// spent elsewhere): radix-4 Booth digits of B select A, 2A, -A, -2A or 0 for each of
// ceil(B_W/2) rows, each row added onto the running sum by its own adder (kept: one carry
// chain per row, with the digit selection in front). Synthesis maps no multiplier block:
// Yosys infers those only from a multiplication. Operands are used as they arrive (B from a
// small weight ROM in logic then merges with the digit selection) and the product is
// registered twice, so the latency is the block's.
`default_nettype none

module mul_reg #(
    parameter int A_W = 10,   // operand A width (signed)
    parameter int B_W = 8,    // operand B width (signed)
    parameter int P_W = 18,   // product width (signed, <= A_W + B_W)
    parameter bit LUT = 0     // 1: logic only (shift-and-add), no multiplier block
) (
    input  wire                     ap_clk,
    input  wire                     ce,
    input  wire signed [A_W-1:0]    a,
    input  wire signed [B_W-1:0]    b,
    output logic signed [P_W-1:0]   p
);
    if (LUT) begin : lut
        localparam int ND = (B_W + 1) / 2;          // Booth digits
        logic signed [P_W-1:0] p1;
        wire [2*ND:0] bx = (2*ND + 1)'($signed({b, 1'b0}));   // b[-1] = 0, sign-extended
        for (genvar k = 0; k < ND; k++) begin : row
            localparam int RW = P_W - 2 * k;        // bits this row's adder spans
            (* keep *) wire [P_W-1:0] s;            // running sum; bits below 2k from row k-1
            wire [2:0] t = bx[2*k +: 3];            // b[2k+1], b[2k], b[2k-1]
            wire nz = !(t == 3'b000 || t == 3'b111);
            wire two = t == 3'b011 || t == 3'b100;
            wire neg = t[2];
            wire [A_W:0] mag = two ? {a, 1'b0} : {a[A_W-1], a};
            wire [RW-1:0] pp = nz ? RW'($signed(mag ^ {(A_W + 1){neg}})) : '0;   // ~x if negative
            if (k == 0) begin : first
                assign s = pp + RW'(nz && neg);                                   // ~x + 1 = -x
            end else begin : next
                wire [RW-1:0] nh = row[k-1].s[P_W-1:2*k] + pp + RW'(nz && neg);
                assign s = {nh, row[k-1].s[2*k-1:0]};
            end
        end
        always_ff @(posedge ap_clk) begin
            if (ce) begin
                p1 <= row[ND-1].s;
                p <= p1;
            end
        end
    end else
`ifdef ECP5_MULT18
    if (A_W <= 18 && B_W <= 18) begin : dsp
        wire signed [17:0] a18 = 18'(a), b18 = 18'(b);
        wire [35:0] p36;
        MULT18X18D #(.REG_INPUTA_CLK("CLK0"), .REG_INPUTA_CE("CE0"), .REG_INPUTB_CLK("CLK0"),
                     .REG_INPUTB_CE("CE0"), .REG_OUTPUT_CLK("CLK0"), .REG_OUTPUT_CE("CE0"),
                     .SOURCEB_MODE("B_INPUT"), .GSR("DISABLED")) u_mult (
            .A0(a18[0]), .A1(a18[1]), .A2(a18[2]), .A3(a18[3]), .A4(a18[4]), .A5(a18[5]),
            .A6(a18[6]), .A7(a18[7]), .A8(a18[8]), .A9(a18[9]), .A10(a18[10]), .A11(a18[11]),
            .A12(a18[12]), .A13(a18[13]), .A14(a18[14]), .A15(a18[15]), .A16(a18[16]), .A17(a18[17]),
            .B0(b18[0]), .B1(b18[1]), .B2(b18[2]), .B3(b18[3]), .B4(b18[4]), .B5(b18[5]),
            .B6(b18[6]), .B7(b18[7]), .B8(b18[8]), .B9(b18[9]), .B10(b18[10]), .B11(b18[11]),
            .B12(b18[12]), .B13(b18[13]), .B14(b18[14]), .B15(b18[15]), .B16(b18[16]), .B17(b18[17]),
            .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
            .CLK0(ap_clk), .CE0(ce), .RST0(1'b0),
            .P0(p36[0]), .P1(p36[1]), .P2(p36[2]), .P3(p36[3]), .P4(p36[4]), .P5(p36[5]),
            .P6(p36[6]), .P7(p36[7]), .P8(p36[8]), .P9(p36[9]), .P10(p36[10]), .P11(p36[11]),
            .P12(p36[12]), .P13(p36[13]), .P14(p36[14]), .P15(p36[15]), .P16(p36[16]),
            .P17(p36[17]), .P18(p36[18]), .P19(p36[19]), .P20(p36[20]), .P21(p36[21]),
            .P22(p36[22]), .P23(p36[23]), .P24(p36[24]), .P25(p36[25]), .P26(p36[26]),
            .P27(p36[27]), .P28(p36[28]), .P29(p36[29]), .P30(p36[30]), .P31(p36[31]),
            .P32(p36[32]), .P33(p36[33]), .P34(p36[34]), .P35(p36[35]));
        assign p = P_W'($signed(p36));
    end else begin : fabric
`else
    begin : fabric
`endif
        logic signed [A_W-1:0] ar;
        logic signed [B_W-1:0] br;
        always_ff @(posedge ap_clk) begin
            if (ce) begin
                ar <= a;
                br <= b;
                p <= P_W'(ar * br);
            end
        end
    end
endmodule

`default_nettype wire
