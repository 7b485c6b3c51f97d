// SPDX-License-Identifier: MIT
// Channel concatenation of N streams (FINN's StreamingConcat, the MRB block): per pixel,
// C0/SIMD beats from input 0, then C1/SIMD beats from input 1, ... SIMD elements per beat.
`default_nettype none

module stream_concat #(
    parameter int N = 4,                       // inputs
    parameter int SIMD = 1,                    // elements per beat (all streams)
    parameter int EW = 8,                      // bits per element
    parameter logic [N*16-1:0] FOLDS = '0      // beats per pixel of input i at bits i*16
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire [N*SIMD*EW-1:0]  s_axis_tdata,
    input  wire [N-1:0]          s_axis_tvalid,
    output wire [N-1:0]          s_axis_tready,
    output wire [SIMD*EW-1:0]    m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready
);
    localparam int IW = (N > 1) ? $clog2(N) : 1;
    logic [IW-1:0] sel;
    logic [15:0] beat;
    wire [15:0] folds = FOLDS[int'(sel) * 16 +: 16];
    assign m_axis_tdata = s_axis_tdata[int'(sel) * SIMD * EW +: SIMD * EW];
    assign m_axis_tvalid = s_axis_tvalid[sel];
    for (genvar i = 0; i < N; i++) begin : rdy
        assign s_axis_tready[i] = (sel == IW'(i)) && m_axis_tready;
    end
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            sel <= '0;
            beat <= '0;
        end else if (m_axis_tvalid && m_axis_tready) begin
            if (beat == folds - 1) begin
                beat <= '0;
                sel <= (sel == IW'(N - 1)) ? '0 : sel + 1'b1;
            end else begin
                beat <= beat + 1'b1;
            end
        end
    end
endmodule

`default_nettype wire
