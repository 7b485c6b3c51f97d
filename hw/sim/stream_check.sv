// SPDX-License-Identifier: MIT
// Self-checking stream driver for long benches: sends NI words from IN_FILE with random
// input gaps, takes the output with random backpressure (xorshift, probabilities in
// 1/256), compares every word with ``==`` to OUT_FILE, counts the mismatches and raises
// ``done`` after NO words. The stimulus and the expected words come from FINN's node
// execution (written by pytest); no Python runs per clock, so a whole input range fits.
`default_nettype none

module stream_check #(
    parameter int IW = 8,            // input word width
    parameter int OW = 8,            // output word width
    parameter int NI = 1,            // input words
    parameter int NO = 1,            // expected output words
    parameter IN_FILE = "",          // $readmemh: NI words
    parameter OUT_FILE = "",         // $readmemh: NO words
    parameter int P_IN = 77,         // probability of an input gap, /256
    parameter int P_OUT = 77,        // probability of output backpressure, /256
    parameter int SEED = 1
) (
    input  wire             ap_clk,
    input  wire             ap_rst_n,
    output wire [IW-1:0]    s_tdata,
    output wire             s_tvalid,
    input  wire             s_tready,
    input  wire [OW-1:0]    m_tdata,
    input  wire             m_tvalid,
    output wire             m_tready,
    output logic            done,
    output logic [31:0]     mismatches,
    output logic [31:0]     first_bad,   // index of the first differing word (or NO)
    output logic [31:0]     cycles
);
    logic [IW-1:0] in_mem [NI];
    logic [OW-1:0] out_mem [NO];
    initial begin
        $readmemh(IN_FILE, in_mem);
        $readmemh(OUT_FILE, out_mem);
    end
    logic [31:0] ni, no, rnd;
    logic offered;                        // a word was offered and not taken: keep it valid
    wire gap = (rnd[7:0] < 8'(P_IN));
    wire hold = (rnd[15:8] < 8'(P_OUT));
    assign s_tvalid = ap_rst_n && ni < NI && (offered || !gap);
    assign s_tdata = in_mem[ni < NI ? ni : 0];
    assign m_tready = ap_rst_n && !hold;
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            ni <= 0; no <= 0; rnd <= 32'(SEED) | 32'h1; offered <= 1'b0;
            mismatches <= 0; first_bad <= NO; done <= 1'b0; cycles <= 0;
        end else begin
            rnd <= rnd ^ (rnd << 13) ^ ((rnd ^ (rnd << 13)) >> 17)
                   ^ ((rnd ^ (rnd << 13) ^ ((rnd ^ (rnd << 13)) >> 17)) << 5);
            if (!done) cycles <= cycles + 1;
            if (s_tvalid && s_tready) ni <= ni + 1;
            offered <= s_tvalid && !s_tready;
            if (m_tvalid && m_tready && no < NO) begin
                if (m_tdata != out_mem[no]) begin
                    mismatches <= mismatches + 1;
                    if (first_bad == NO) first_bad <= no;
                end
                no <= no + 1;
                if (no == NO - 1) done <= 1'b1;
            end
        end
    end
endmodule

`default_nettype wire
