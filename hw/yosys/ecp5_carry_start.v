// SPDX-License-Identifier: MIT
// Yosys techmap: an ECP5 $alu whose carry-in is a constant, as a CCU2C chain that makes its
// own carry-in. Run before synth_ecp5's map_gates (hw/synth.py); other $alu cells fall
// through (_TECHMAP_FAIL_) to Yosys' own map (techlibs/lattice/arith_map_ccu2c.v), whose
// structure this follows.
//
// Why: Yosys' map ties the first CCU2C's CIN to the constant, and nextpnr-ecp5 then puts a
// feed-in CCU2C in front of every such chain (a whole slice, 2 LUT sites). Here the chain
// starts one half-cell early instead: half 0 of the first CCU2C has propagate 0 and
// generate = CI (every LUT input tied high: LUT4 = INIT[15] = 0, LUT2 = INIT[3] = CI), the
// same construction nextpnr's own feed-in uses, so its carry out is CI whatever the
// fabric's carry-in, and CIN is left unconnected (nextpnr adds no feed-in). Bit j then sits
// in half j + 1: a sum of odd width costs no CCU2C more than Yosys' map (it used only half
// of its last one) and an even width one more, the cell the feed-in would have cost.
// tests/hw/test_synth.py proves the two maps equal over every input with SAT on Yosys'
// CCU2C model, the first CCU2C's carry-in left free.

(* techmap_celltype = "$alu" *)
module _90_ecp5_alu_carry_start (A, B, CI, BI, X, Y, CO);
	parameter A_SIGNED = 0;
	parameter B_SIGNED = 0;
	parameter A_WIDTH = 1;
	parameter B_WIDTH = 1;
	parameter Y_WIDTH = 1;
	parameter _TECHMAP_CONSTMSK_CI_ = 0;
	parameter _TECHMAP_CONSTVAL_CI_ = 0;

	(* force_downto *)
	input [A_WIDTH-1:0] A;
	(* force_downto *)
	input [B_WIDTH-1:0] B;
	(* force_downto *)
	output [Y_WIDTH-1:0] X, Y;

	input CI, BI;
	(* force_downto *)
	output [Y_WIDTH-1:0] CO;

	// the same width threshold as Yosys' map (narrower sums go to LUTs)
	wire _TECHMAP_FAIL_ = Y_WIDTH <= 4 || _TECHMAP_CONSTMSK_CI_ != 1;

	(* force_downto *)
	wire [Y_WIDTH-1:0] A_buf, B_buf;
	\$pos #(.A_SIGNED(A_SIGNED), .A_WIDTH(A_WIDTH), .Y_WIDTH(Y_WIDTH)) A_conv (.A(A), .Y(A_buf));
	\$pos #(.A_SIGNED(B_SIGNED), .A_WIDTH(B_WIDTH), .Y_WIDTH(Y_WIDTH)) B_conv (.A(B), .Y(B_buf));

	localparam H = Y_WIDTH + 1;             // half-cells: the carry source, then the bits
	localparam H2 = ((H + 1) / 2) * 2;

	(* force_downto *)
	wire [Y_WIDTH-1:0] BB = BI ? ~B_buf : B_buf;
	// per half-cell h (bit h - 1 for h >= 1); the source half's inputs are tied high
	(* force_downto *)
	wire [H2-1:0] AH = {{(H2 - H){1'b0}}, A_buf, 1'b1};
	(* force_downto *)
	wire [H2-1:0] BH = {{(H2 - H){1'b0}}, B_buf, 1'b1};
	(* force_downto *)
	wire [H2-1:0] CH = {{(H2 - 1){BI}}, 1'b1};
	(* force_downto *)
	wire [H2-1:0] S;
	(* force_downto *)
	wire [H2/2-1:0] FCO;

	genvar k;
	generate for (k = 0; k < H2 / 2; k = k + 1) begin:slice
		CCU2C #(
			.INIT0(k == 0 ? (_TECHMAP_CONSTVAL_CI_ ? 16'h0008 : 16'h0000) : 16'b1001011010101010),
			.INIT1(16'b1001011010101010),
			.INJECT1_0("NO"),
			.INJECT1_1("NO")
		) ccu2c_i (
			.CIN(k == 0 ? 1'bx : FCO[k == 0 ? 0 : k - 1]),
			.A0(AH[2*k]), .B0(BH[2*k]), .C0(CH[2*k]), .D0(1'b1),
			.A1(AH[2*k+1]), .B1(BH[2*k+1]), .C1(CH[2*k+1]), .D1(1'b1),
			.S0(S[2*k]), .S1(S[2*k+1]),
			.COUT(FCO[k])
		);
	end endgenerate

	// bit j is half j + 1: its carry out is a CCU2C's COUT when j + 1 is odd, else the
	// generate/propagate of the bit from its carry in (as Yosys' map does for its halves 0)
	genvar j;
	generate for (j = 0; j < Y_WIDTH; j = j + 1) begin:bit
		assign Y[j] = S[j+1];
		if ((j + 1) % 2 == 1)
			assign CO[j] = FCO[(j + 1) / 2];
		else
			assign CO[j] = (A_buf[j] && BB[j]) || ((j == 0 ? CI : CO[j == 0 ? 0 : j - 1]) && (A_buf[j] || BB[j]));
	end endgenerate

	assign X = A_buf ^ BB;
endmodule
