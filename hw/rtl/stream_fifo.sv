// SPDX-License-Identifier: MIT
// Ready/valid FIFO (first-word fall-through) holding DEPTH words. s_axis_tready and
// m_axis_tvalid both come from registers, so a FIFO cuts the combinational handshake paths
// between the cores it joins; one word per clock in steady state.
//   DEPTH <= 2: a register slice (output register + skid register).
//   DEPTH > 2:  DEPTH - 6 words of memory (at least 2) written and read synchronously, so
//               synthesis may place it in block RAM (in banks of one block RAM's depth),
//               then a six-word output buffer in registers.
// ``max_level`` records the highest fill seen, for simulation (it drives no output, so
// synthesis removes it).
`default_nettype none

module stream_fifo #(
    parameter int WIDTH = 8,   // data bits
    parameter int DEPTH = 2,   // words held (>= 2 for one word per clock)
    parameter int BANK_WORDS = 0  // memory words per bank: 0, one block RAM's depth at WIDTH;
                                  // else a block RAM depth (512 .. 16384), the memory then
                                  // sliced to that depth's width (see ``ram`` below)
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
        // A wide slice is cut into lanes of LANE bits, each with its own copy of the two
        // control flags (ov, sv): a flag then drives LANE multiplexers and clock enables, not
        // WIDTH of them across the chip (a 2 304-bit window slice: 36 lanes instead of one
        // net of 2 309 loads). Each copy is computed from its own previous value, so the
        // copies are distinct registers that synthesis cannot merge back into one (Yosys'
        // opt_merge merges flip-flops with equal inputs, ``keep`` or not); all lanes follow
        // the same sequence from reset, so the outputs are lane 0's.
        localparam int LANE = (WIDTH > 2 * 64) ? 64 : WIDTH;
        localparam int NLN = (WIDTH + LANE - 1) / LANE;
        logic [NLN-1:0] svl, ovl;           // skid / output register holds a word, per lane
        logic [WIDTH-1:0] sd;
        assign s_axis_tready = !svl[0];
        assign ov = ovl[0];
        for (genvar k = 0; k < NLN; k++) begin : lane
            localparam int LO = k * LANE;
            localparam int LW_ = (LO + LANE <= WIDTH) ? LANE : WIDTH - LO;
            always_ff @(posedge ap_clk) begin
                if (!ovl[k] || m_axis_tready) begin     // the output register is free this clock
                    if (svl[k]) od[LO +: LW_] <= sd[LO +: LW_];
                    else if (push) od[LO +: LW_] <= s_axis_tdata[LO +: LW_];
                end else if (push) begin
                    sd[LO +: LW_] <= s_axis_tdata[LO +: LW_];
                end
                if (!ap_rst_n) begin
                    ovl[k] <= 1'b0;
                    svl[k] <= 1'b0;
                end else if (!ovl[k] || m_axis_tready) begin
                    ovl[k] <= svl[k] || push;
                    svl[k] <= 1'b0;
                end else if (push) begin
                    svl[k] <= 1'b1;
                end
            end
        end
`ifdef VERILATOR
        always_ff @(posedge ap_clk)
            if (ap_rst_n && (svl != {NLN{svl[0]}} || ovl != {NLN{ovl[0]}}))
                $error("stream_fifo: lane flags differ (sv %b, ov %b)", svl, ovl);
`endif
    end else begin : ram
        // memory in banks of one block RAM's depth at this width (so no block RAM output is
        // muxed with another's before a register) -> read register (r, in the block RAM) ->
        // a plain register per bank (r2) -> the bank mux into r3 -> a six-word output
        // buffer in registers; every path from a block RAM's slow clock-to-out ends at a
        // register with no logic before it.
        // Tried and taken back (docs/benchmarks.md, twenty-third and twenty-fourth
        // sessions): the banks' registers zeroed unless read and ORed, in registered groups
        // of four, instead of this multiplexer, whose select net bounded one routed 720p
        // seed (a 21-bank FIFO: 6.9 ns of routing, then four LUT levels). Fewer LUTs, but
        // the 720p netlists did not place: with the zeroing on the flip-flops' reset (a
        // control set per bank) nextpnr's strict legaliser ran past 18 CPU minutes three
        // times; with it on the block RAMs' own output reset, the static placer's solver
        // left 22 block RAMs overlapping for 700 iterations (two seeds).
        localparam int NB_OUT = 6;                           // output buffer words
        localparam int N = (DEPTH > NB_OUT + 2) ? DEPTH - NB_OUT : 2;   // words in memory
        // BANK_WORDS: banks of a deeper block RAM configuration, each bank's memory in slices
        // of that configuration's width (4 096 words: 4 bits), one block RAM each, so the
        // multiplexer after the banks has fewer inputs for a few more block RAMs
        // (hw.gen.passes.fifo_deep_banks: the 720p global skip, 21 banks -> 3)
        localparam int BD0 = (BANK_WORDS > 0) ? BANK_WORDS :
                             (WIDTH <= 1) ? 16384 : (WIDTH <= 2) ? 8192 : (WIDTH <= 4) ? 4096 :
                             (WIDTH <= 9) ? 2048 : (WIDTH <= 18) ? 1024 : 512;
        localparam int SLW = (BANK_WORDS == 0) ? WIDTH : (BANK_WORDS >= 16384) ? 1 :
                             (BANK_WORDS >= 8192) ? 2 : (BANK_WORDS >= 4096) ? 4 :
                             (BANK_WORDS >= 2048) ? 9 : (BANK_WORDS >= 1024) ? 18 : 36;
        localparam int NSL = (WIDTH + SLW - 1) / SLW;          // memory slices per bank
        localparam int BD = (N < BD0) ? N : BD0;              // words per bank
        localparam int NBK = (N + BD - 1) / BD;               // banks
        localparam int AW = (N > 1) ? $clog2(N) : 1;
        localparam int BW = (NBK > 1) ? $clog2(NBK) : 1;
        localparam int OW = (BD > 1) ? $clog2(BD) : 1;
        logic [WIDTH-1:0] r2 [NBK];
        logic [WIDTH-1:0] r3;
        logic [WIDTH-1:0] b [NB_OUT];
        logic v1, v2, v3;
        logic [2:0] head, tail;
        logic [3:0] n;                  // words in the output buffer
        logic [AW:0] count;             // words in mem
        logic [BW-1:0] rbank, wbank, bank1, bank2;
        logic [OW-1:0] roff, woff;
        // read when the word will find a free place in the buffer (counting those in flight)
        // even if the consumer takes nothing this clock: the decision uses registers only,
        // so the consumer's ready does not reach the memory's read enable or the counters'
        // carry chains. Six buffer words still sustain one word per clock: three in flight
        // plus one or two buffered.
        wire pop = count != '0 && (4'(n) + 4'(v1) + 4'(v2) + 4'(v3) <= 4'(NB_OUT - 1));
        // ready from a register (rdy == (count != N) at every clock; checked in simulation):
        // the full compare of a deep FIFO's counter stays off the producer's handshake logic
        logic rdy;
        assign s_axis_tready = rdy;
        for (genvar k = 0; k < NBK; k++) begin : bank
            localparam int D = (k == NBK - 1) ? N - k * BD : BD;
            // no_rw_check: a read never meets a write to its word (push needs a free word,
            // pop a full one; checked in simulation), so Yosys adds no collision bypass
            logic [WIDTH-1:0] r;
            for (genvar j = 0; j < NSL; j++) begin : sl
                localparam int SO = j * SLW;
                localparam int SW_ = (SO + SLW <= WIDTH) ? SLW : WIDTH - SO;
                (* no_rw_check *) logic [SW_-1:0] mem [D];
                always_ff @(posedge ap_clk) begin
                    if (push && wbank == BW'(k)) mem[woff] <= s_axis_tdata[SO +: SW_];
                    // read every clock, no enable: ``pop`` (from the occupancy) then drives
                    // only the local pointers and counters, not a clock enable spread over
                    // every block RAM of a wide FIFO; v1..v3 mark the reads that count
                    r[SO +: SW_] <= mem[roff];
                end
            end
            always_ff @(posedge ap_clk) begin
                r2[k] <= r;
`ifdef VERILATOR
                if (push && pop && wbank == BW'(k) && rbank == BW'(k) && woff == roff)
                    $error("stream_fifo: a read meets a write at word %0d", woff);
`endif
            end
        end
        // the word after (bank, offset): the next bank after a bank's last word (the last
        // bank holds N - (NBK-1)*BD words), bank 0 after the last bank
        function automatic logic [BW+OW-1:0] advance(input logic [BW-1:0] bank,
                                                     input logic [OW-1:0] off);
            if (off == OW'(BD - 1) || (bank == BW'(NBK - 1) && off == OW'(N - (NBK - 1) * BD - 1)))
                return {(bank == BW'(NBK - 1)) ? BW'(0) : bank + 1'b1, OW'(0)};
            return {bank, off + 1'b1};
        endfunction
        function automatic logic [2:0] nxt(input logic [2:0] i);
            return (i == 3'(NB_OUT - 1)) ? '0 : i + 1'b1;
        endfunction
        always_ff @(posedge ap_clk) begin
            r3 <= r2[bank2];
            bank1 <= rbank;
            bank2 <= bank1;
            if (v3) b[tail] <= r3;
            if (!ap_rst_n) begin
                count <= '0; rbank <= '0; roff <= '0; wbank <= '0; woff <= '0; rdy <= 1'b1;
                v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0;
                head <= '0; tail <= '0; n <= '0;
            end else begin
                if (push) {wbank, woff} <= advance(wbank, woff);
                if (pop) {rbank, roff} <= advance(rbank, roff);
                count <= count + (AW+1)'(push) - (AW+1)'(pop);
                // the next count is N only if it is N now and no word leaves, or N - 1 and
                // a word arrives while none leaves
                rdy <= pop ? (push ? count != (AW+1)'(N) : 1'b1)
                           : (push ? count != (AW+1)'(N - 1) : count != (AW+1)'(N));
                v1 <= pop;
                v2 <= v1;
                v3 <= v2;
                if (v3) tail <= nxt(tail);
                if (take) head <= nxt(head);
                n <= n + 4'(v3) - 4'(take);
            end
        end
`ifdef VERILATOR
        always_ff @(posedge ap_clk) begin
            if (ap_rst_n && rdy != (count != (AW+1)'(N)))
                $error("stream_fifo: registered ready %0d disagrees with the count %0d", rdy, count);
            if (ap_rst_n && n > 4'(NB_OUT))
                $error("stream_fifo: %0d words in a buffer of %0d", n, NB_OUT);
        end
`endif
        always_comb begin
            ov = n != '0;
            od = b[head];
        end
    end
endmodule

`default_nettype wire
