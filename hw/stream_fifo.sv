// SPDX-License-Identifier: MIT
// Ready/valid FIFO (first-word fall-through). s_axis_tready depends only on the fill level,
// so it decouples producers and consumers whose handshakes depend on each other.
`default_nettype none

module stream_fifo #(
    parameter int WIDTH = 8,   // data bits
    parameter int DEPTH = 16   // entries (>= 2)
) (
    input  wire             ap_clk,
    input  wire             ap_rst_n,
    input  wire [WIDTH-1:0] s_axis_tdata,
    input  wire             s_axis_tvalid,
    output wire             s_axis_tready,
    output wire [WIDTH-1:0] m_axis_tdata,
    output wire             m_axis_tvalid,
    input  wire             m_axis_tready
);
    localparam int AW = $clog2(DEPTH);
    logic [WIDTH-1:0] mem [DEPTH];
    logic [AW:0] count;
    logic [AW-1:0] rd, wr;
    wire push = s_axis_tvalid && s_axis_tready;
    wire pop = m_axis_tvalid && m_axis_tready;
    assign s_axis_tready = count != (AW+1)'(DEPTH);
    assign m_axis_tvalid = count != '0;
    assign m_axis_tdata = mem[rd];
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            count <= '0; rd <= '0; wr <= '0;
        end else begin
            if (push) begin
                mem[wr] <= s_axis_tdata;
                wr <= (wr == AW'(DEPTH - 1)) ? '0 : wr + 1'b1;
            end
            if (pop) rd <= (rd == AW'(DEPTH - 1)) ? '0 : rd + 1'b1;
            count <= count + (push ? 1'b1 : 1'b0) - (pop ? 1'b1 : 1'b0);
        end
    end
endmodule

`default_nettype wire
