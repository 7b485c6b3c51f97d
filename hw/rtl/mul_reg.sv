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
        wire [35:0] ro_unused;
        wire sp_unused;
        ecp5_mult18 #(.REG_OUT(1)) u_mult (.clk(ap_clk), .ce, .a(a18), .b(b18), .p(p36),
                                           .ro(ro_unused), .signedp(sp_unused));
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
