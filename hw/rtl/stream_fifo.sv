// SPDX-License-Identifier: MIT
// Ready/valid FIFO (first-word fall-through) holding DEPTH words. s_axis_tready and
// m_axis_tvalid both come from registers, so a FIFO cuts the combinational handshake paths
// between the cores it joins; one word per clock in steady state.
//   DEPTH <= 2: a register slice (output register + skid register).
//   DEPTH > 2:  DEPTH - 4 words of memory (at least 2) written and read synchronously, so
//               synthesis may place it in block RAM, then a four-word output buffer in
//               registers.
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
        // memory -> read register (r, in a block RAM) -> a plain register (r2: after the
        // memory's output muxes) -> a four-word output buffer in registers; every path from
        // a block RAM's slow clock-to-out ends at a register
        localparam int N = (DEPTH > 6) ? DEPTH - 4 : 2;   // >= 2 words: one per clock
        localparam int AW = (N > 1) ? $clog2(N) : 1;
        logic [WIDTH-1:0] mem [N];
        logic [WIDTH-1:0] r, r2;
        logic [WIDTH-1:0] b [4];
        logic v1, v2;
        logic [1:0] head, tail;
        logic [2:0] n;                  // words in the output buffer
        logic [AW:0] count;             // words in mem
        logic [AW-1:0] rd, wr;
        // read when the word will find a free place in the buffer (counting those in flight)
        wire pop = count != '0 && (3'(n) + 3'(v1) + 3'(v2) - 3'(take) <= 3'd3);
        assign s_axis_tready = count != (AW+1)'(N);
        always_ff @(posedge ap_clk) begin
            if (push) mem[wr] <= s_axis_tdata;
            if (pop) r <= mem[rd];
            r2 <= r;
            if (v2) b[tail] <= r2;
            if (!ap_rst_n) begin
                count <= '0; rd <= '0; wr <= '0; v1 <= 1'b0; v2 <= 1'b0;
                head <= '0; tail <= '0; n <= '0;
            end else begin
                if (push) wr <= (wr == AW'(N - 1)) ? '0 : wr + 1'b1;
                if (pop) rd <= (rd == AW'(N - 1)) ? '0 : rd + 1'b1;
                count <= count + (AW+1)'(push) - (AW+1)'(pop);
                v1 <= pop;
                v2 <= v1;
                if (v2) tail <= tail + 1'b1;
                if (take) head <= head + 1'b1;
                n <= n + 3'(v2) - 3'(take);
            end
        end
        always_comb begin
            ov = n != '0;
            od = b[head];
        end
    end
endmodule

`default_nettype wire
