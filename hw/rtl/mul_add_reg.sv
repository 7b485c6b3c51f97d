// SPDX-License-Identifier: MIT
// Two signed products summed, operands and sum registered (two clocks of latency, one enable):
// P = A0 * B0 + A1 * B1, the same latency as mul_reg. Simulation and other targets use the
// generic description. For ECP5 (`ECP5_MULT18`, defined by hw.synth for that target) the sum
// is made where the products are: the two MULT18X18Ds of a DSP slice (input registers, no
// output register) feed the slice's ALU54B through its fixed MA/MB inputs, and the ALU's
// output register is the sum's register; the products' wires never reach the fabric (the
// 720p head's 144 products crossed the chip to its adder trees: the first congestion).
// Written here, since Yosys maps no ECP5 ALU54B itself (synth_ecp5 infers MULT18X18D only).
// The ALU54B's configuration is what Lattice's own generator (IPexpress/scuba) writes for an
// ALU54B adding A and B: opcode OP[10:0] = 0,1,0,0,0,0,0,0,1,0,1, LEGACY enabled. Lattice's
// synthesis header names the fields (InA[1:0], InB[1:0], InC[2:0], oper[3:0]): InA = OP[1:0]
// = 01 and InB = OP[3:2] = 01 select the products MA/MB (10 is the multiplier-bypass input,
// YosysHQ/yosys PR 2730), InC = OP[6:4] = 000 with C tied 0, oper = OP[10:7] = 0100 add (the
// generator's add/sub wrapper drives OP7: 0101 subtracts). Its A/B inputs from
// the multipliers' ROA/ROB and SIGNEDIA/SIGNEDIB from their SIGNEDP, as prjtrellis' fuzzers
// connect them; the cascade inputs CFB and CIN left unconnected (CFB tied to 0 does not
// route in nextpnr-ecp5: its constant net has no path to that fixed input). nextpnr places
// the ALU54B beside its two multipliers (YosysHQ/nextpnr PR 689). Only Lattice's silicon or
// simulation library can check the sum; neither runs here (docs/design.md says so).
`default_nettype none

module mul_add_reg #(
    parameter int A_W = 10,   // operand A width (signed)
    parameter int B_W = 8,    // operand B width (signed)
    parameter int P_W = 19    // sum width (signed, <= A_W + B_W + 1)
) (
    input  wire                     ap_clk,
    input  wire                     ce,
    input  wire signed [A_W-1:0]    a0,
    input  wire signed [B_W-1:0]    b0,
    input  wire signed [A_W-1:0]    a1,
    input  wire signed [B_W-1:0]    b1,
    output logic signed [P_W-1:0]   p
);
`ifdef ECP5_MULT18
    if (A_W <= 18 && B_W <= 18) begin : dsp
        wire signed [17:0] a0_18 = 18'(a0), b0_18 = 18'(b0), a1_18 = 18'(a1), b1_18 = 18'(b1);
        wire [35:0] p0, p1, ro0, ro1;
        wire s0, s1;
        wire [53:0] c54 = '0;
        wire [53:0] r;
        ecp5_mult18 #(.REG_OUT(0)) u_mult0 (.clk(ap_clk), .ce, .a(a0_18), .b(b0_18), .p(p0),
                                            .ro(ro0), .signedp(s0));
        ecp5_mult18 #(.REG_OUT(0)) u_mult1 (.clk(ap_clk), .ce, .a(a1_18), .b(b1_18), .p(p1),
                                            .ro(ro1), .signedp(s1));

        ALU54B #(.REG_OUTPUT0_CLK("CLK0"), .REG_OUTPUT0_CE("CE0"), .REG_OUTPUT1_CLK("CLK0"),
                 .REG_OUTPUT1_CE("CE0"), .LEGACY("ENABLED"), .GSR("DISABLED"),
                 .RESETMODE("SYNC")) u_alu (
                .A0(ro0[0]), .A1(ro0[1]), .A2(ro0[2]), .A3(ro0[3]), .A4(ro0[4]), .A5(ro0[5]),
                .A6(ro0[6]), .A7(ro0[7]), .A8(ro0[8]), .A9(ro0[9]), .A10(ro0[10]), .A11(ro0[11]),
                .A12(ro0[12]), .A13(ro0[13]), .A14(ro0[14]), .A15(ro0[15]), .A16(ro0[16]), .A17(ro0[17]),
                .A18(ro0[18]), .A19(ro0[19]), .A20(ro0[20]), .A21(ro0[21]), .A22(ro0[22]), .A23(ro0[23]),
                .A24(ro0[24]), .A25(ro0[25]), .A26(ro0[26]), .A27(ro0[27]), .A28(ro0[28]), .A29(ro0[29]),
                .A30(ro0[30]), .A31(ro0[31]), .A32(ro0[32]), .A33(ro0[33]), .A34(ro0[34]), .A35(ro0[35]),
                .B0(ro1[0]), .B1(ro1[1]), .B2(ro1[2]), .B3(ro1[3]), .B4(ro1[4]), .B5(ro1[5]),
                .B6(ro1[6]), .B7(ro1[7]), .B8(ro1[8]), .B9(ro1[9]), .B10(ro1[10]), .B11(ro1[11]),
                .B12(ro1[12]), .B13(ro1[13]), .B14(ro1[14]), .B15(ro1[15]), .B16(ro1[16]), .B17(ro1[17]),
                .B18(ro1[18]), .B19(ro1[19]), .B20(ro1[20]), .B21(ro1[21]), .B22(ro1[22]), .B23(ro1[23]),
                .B24(ro1[24]), .B25(ro1[25]), .B26(ro1[26]), .B27(ro1[27]), .B28(ro1[28]), .B29(ro1[29]),
                .B30(ro1[30]), .B31(ro1[31]), .B32(ro1[32]), .B33(ro1[33]), .B34(ro1[34]), .B35(ro1[35]),
                .MA0(p0[0]), .MA1(p0[1]), .MA2(p0[2]), .MA3(p0[3]), .MA4(p0[4]), .MA5(p0[5]),
                .MA6(p0[6]), .MA7(p0[7]), .MA8(p0[8]), .MA9(p0[9]), .MA10(p0[10]), .MA11(p0[11]),
                .MA12(p0[12]), .MA13(p0[13]), .MA14(p0[14]), .MA15(p0[15]), .MA16(p0[16]), .MA17(p0[17]),
                .MA18(p0[18]), .MA19(p0[19]), .MA20(p0[20]), .MA21(p0[21]), .MA22(p0[22]), .MA23(p0[23]),
                .MA24(p0[24]), .MA25(p0[25]), .MA26(p0[26]), .MA27(p0[27]), .MA28(p0[28]), .MA29(p0[29]),
                .MA30(p0[30]), .MA31(p0[31]), .MA32(p0[32]), .MA33(p0[33]), .MA34(p0[34]), .MA35(p0[35]),
                .MB0(p1[0]), .MB1(p1[1]), .MB2(p1[2]), .MB3(p1[3]), .MB4(p1[4]), .MB5(p1[5]),
                .MB6(p1[6]), .MB7(p1[7]), .MB8(p1[8]), .MB9(p1[9]), .MB10(p1[10]), .MB11(p1[11]),
                .MB12(p1[12]), .MB13(p1[13]), .MB14(p1[14]), .MB15(p1[15]), .MB16(p1[16]), .MB17(p1[17]),
                .MB18(p1[18]), .MB19(p1[19]), .MB20(p1[20]), .MB21(p1[21]), .MB22(p1[22]), .MB23(p1[23]),
                .MB24(p1[24]), .MB25(p1[25]), .MB26(p1[26]), .MB27(p1[27]), .MB28(p1[28]), .MB29(p1[29]),
                .MB30(p1[30]), .MB31(p1[31]), .MB32(p1[32]), .MB33(p1[33]), .MB34(p1[34]), .MB35(p1[35]),
                .C0(c54[0]), .C1(c54[1]), .C2(c54[2]), .C3(c54[3]), .C4(c54[4]), .C5(c54[5]),
                .C6(c54[6]), .C7(c54[7]), .C8(c54[8]), .C9(c54[9]), .C10(c54[10]), .C11(c54[11]),
                .C12(c54[12]), .C13(c54[13]), .C14(c54[14]), .C15(c54[15]), .C16(c54[16]), .C17(c54[17]),
                .C18(c54[18]), .C19(c54[19]), .C20(c54[20]), .C21(c54[21]), .C22(c54[22]), .C23(c54[23]),
                .C24(c54[24]), .C25(c54[25]), .C26(c54[26]), .C27(c54[27]), .C28(c54[28]), .C29(c54[29]),
                .C30(c54[30]), .C31(c54[31]), .C32(c54[32]), .C33(c54[33]), .C34(c54[34]), .C35(c54[35]),
                .C36(c54[36]), .C37(c54[37]), .C38(c54[38]), .C39(c54[39]), .C40(c54[40]), .C41(c54[41]),
                .C42(c54[42]), .C43(c54[43]), .C44(c54[44]), .C45(c54[45]), .C46(c54[46]), .C47(c54[47]),
                .C48(c54[48]), .C49(c54[49]), .C50(c54[50]), .C51(c54[51]), .C52(c54[52]), .C53(c54[53]),
                .OP0(1'b1), .OP1(1'b0), .OP2(1'b1), .OP3(1'b0), .OP4(1'b0), .OP5(1'b0), .OP6(1'b0), .OP7(1'b0), .OP8(1'b0), .OP9(1'b1), .OP10(1'b0),
                .SIGNEDIA(s0), .SIGNEDIB(s1),
                .CLK0(ap_clk), .CE0(ce), .RST0(1'b0),
                .R0(r[0]), .R1(r[1]), .R2(r[2]), .R3(r[3]), .R4(r[4]), .R5(r[5]),
                .R6(r[6]), .R7(r[7]), .R8(r[8]), .R9(r[9]), .R10(r[10]), .R11(r[11]),
                .R12(r[12]), .R13(r[13]), .R14(r[14]), .R15(r[15]), .R16(r[16]), .R17(r[17]),
                .R18(r[18]), .R19(r[19]), .R20(r[20]), .R21(r[21]), .R22(r[22]), .R23(r[23]),
                .R24(r[24]), .R25(r[25]), .R26(r[26]), .R27(r[27]), .R28(r[28]), .R29(r[29]),
                .R30(r[30]), .R31(r[31]), .R32(r[32]), .R33(r[33]), .R34(r[34]), .R35(r[35]),
                .R36(r[36]), .R37(r[37]), .R38(r[38]), .R39(r[39]), .R40(r[40]), .R41(r[41]),
                .R42(r[42]), .R43(r[43]), .R44(r[44]), .R45(r[45]), .R46(r[46]), .R47(r[47]),
                .R48(r[48]), .R49(r[49]), .R50(r[50]), .R51(r[51]), .R52(r[52]), .R53(r[53]));

        assign p = P_W'($signed(r));
    end else begin : fabric
`else
    begin : fabric
`endif
        logic signed [A_W-1:0] ar0, ar1;
        logic signed [B_W-1:0] br0, br1;
        wire signed [P_W-1:0] m0 = ar0 * br0, m1 = ar1 * br1;   // at P_W bits: exact
        always_ff @(posedge ap_clk) begin
            if (ce) begin
                ar0 <= a0;
                br0 <= b0;
                ar1 <= a1;
                br1 <= b1;
                p <= m0 + m1;
            end
        end
    end
endmodule

`default_nettype wire
