// SPDX-License-Identifier: MIT
// Interface of Lattice ECP5's CCU2C (two carry-chain half-cells) for Yosys' slang frontend:
// hw.synth reads it for ECP5 synthesis, where `ECP5_CCU2C` makes hw/rtl/carry_count.sv
// instantiate the cell (synth_ecp5 keeps it as the hard cell). Not simulated: carry_count's
// ccu2c_cell describes the same half-cells for simulation.
(* blackbox *)
module CCU2C #(
    parameter [15:0] INIT0 = 16'h0000,
    parameter [15:0] INIT1 = 16'h0000,
    parameter INJECT1_0 = "YES",
    parameter INJECT1_1 = "YES"
) (
    input wire CIN, A0, B0, C0, D0, A1, B1, C1, D1,
    output wire S0, S1, COUT
);
endmodule
