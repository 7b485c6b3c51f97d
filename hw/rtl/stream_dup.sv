// SPDX-License-Identifier: MIT
// Stream duplication (FINN's DuplicateStreams): every input beat goes to all N outputs.
// An output that already took the beat waits for the others, so outputs may accept in any
// order (no combinational dependence of one output's valid on another's ready).
`default_nettype none

module stream_dup #(
    parameter int WIDTH = 8,   // data bits
    parameter int N = 2        // outputs
) (
    input  wire               ap_clk,
    input  wire               ap_rst_n,
    input  wire [WIDTH-1:0]   s_axis_tdata,
    input  wire               s_axis_tvalid,
    output wire               s_axis_tready,
    output wire [N*WIDTH-1:0] m_axis_tdata,
    output wire [N-1:0]       m_axis_tvalid,
    input  wire [N-1:0]       m_axis_tready
);
    logic [N-1:0] taken;
    wire [N-1:0] done_now = taken | (m_axis_tvalid & m_axis_tready);
    assign s_axis_tready = &done_now;
    assign m_axis_tvalid = {N{s_axis_tvalid}} & ~taken;
    assign m_axis_tdata = {N{s_axis_tdata}};
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) taken <= '0;
        else if (s_axis_tvalid) taken <= (&done_now) ? '0 : done_now;
    end
endmodule

`default_nettype wire
