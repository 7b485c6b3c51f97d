// SPDX-License-Identifier: MIT
// Ready/valid FIFO (first-word fall-through) holding DEPTH words. s_axis_tready and
// m_axis_tvalid both come from registers, so a FIFO cuts the combinational handshake paths
// between the cores it joins; one word per clock in steady state.
//   DEPTH <= 2: a register slice (output register + skid register).
//   DEPTH > 2:  DEPTH - 2 words of memory written and read synchronously, so synthesis may
//               place it in block RAM, then a two-word output buffer in registers.
// ``max_level`` records the highest fill seen, for simulation (it drives no output, so
// synthesis removes it).
`default_nettype none

module stream_fifo #(
    parameter int WIDTH = 8,   // data bits
    parameter int DEPTH = 2    // words held (>= 2 for one word per clock)
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
    localparam int LW = $clog2(DEPTH + 1) + 1;
    logic ov;                           // output register holds a word
    logic [WIDTH-1:0] od;
    logic [LW-1:0] level, max_level /*verilator public_flat_rd*/;
    wire push = s_axis_tvalid && s_axis_tready;
    wire take = ov && m_axis_tready;
    assign m_axis_tvalid = ov;
    assign m_axis_tdata = od;

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            level <= '0;
            max_level <= '0;
        end else begin
            level <= level + LW'(push) - LW'(take);
            if (level > max_level) max_level <= level;
        end
    end

    if (DEPTH <= 2) begin : slice
        logic sv;                       // skid register holds a word
        logic [WIDTH-1:0] sd;
        assign s_axis_tready = !sv;
        always_ff @(posedge ap_clk) begin
            if (!ov || m_axis_tready) begin     // the output register is free this clock
                if (sv) od <= sd;
                else if (push) od <= s_axis_tdata;
            end else if (push) begin
                sd <= s_axis_tdata;
            end
            if (!ap_rst_n) begin
                ov <= 1'b0;
                sv <= 1'b0;
            end else if (!ov || m_axis_tready) begin
                ov <= sv || push;
                sv <= 1'b0;
            end else if (push) begin
                sv <= 1'b1;
            end
        end
    end else begin : ram
        // memory -> read register (r, valid v1) -> a two-word output buffer (od, sd) in
        // fabric: the memory's clock-to-out (a block RAM's is long) ends at a register
        localparam int N = (DEPTH > 4) ? DEPTH - 2 : 2;   // >= 2 words: one per clock
        localparam int AW = (N > 1) ? $clog2(N) : 1;
        logic [WIDTH-1:0] mem [N];
        logic [WIDTH-1:0] r, sd;
        logic v1, sv;
        logic [AW:0] count;             // words in mem
        logic [AW-1:0] rd, wr;
        wire [1:0] held = 2'(ov) + 2'(sv);
        // read when the word lands in a free output slot (counting the one in flight)
        wire pop = count != '0 && (2'(held) + 2'(v1) - 2'(take) <= 2'd1);
        assign s_axis_tready = count != (AW+1)'(N);
        always_ff @(posedge ap_clk) begin
            if (push) mem[wr] <= s_axis_tdata;
            if (pop) r <= mem[rd];
            // the output buffer: drop the head if taken, append r if it arrives
            if (take) begin
                if (sv) od <= sd;
                else if (v1) od <= r;
                if (sv && v1) sd <= r;
            end else if (v1) begin
                if (!ov) od <= r;
                else sd <= r;
            end
            if (!ap_rst_n) begin
                count <= '0; rd <= '0; wr <= '0; ov <= 1'b0; sv <= 1'b0; v1 <= 1'b0;
            end else begin
                if (push) wr <= (wr == AW'(N - 1)) ? '0 : wr + 1'b1;
                if (pop) rd <= (rd == AW'(N - 1)) ? '0 : rd + 1'b1;
                count <= count + (AW+1)'(push) - (AW+1)'(pop);
                v1 <= pop;
                if (take) begin
                    ov <= sv || v1;
                    sv <= sv && v1;
                end else if (v1) begin
                    ov <= 1'b1;
                    sv <= ov;
                end
            end
        end
    end
endmodule

`default_nettype wire
