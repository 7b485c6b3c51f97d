// SPDX-License-Identifier: MIT
// Threshold requantiser for layers whose thresholds have no closed form (a folded
// BatchNorm): y = OBIAS + #(x >= T[c][t]) over the 2^B - 1 sorted thresholds of channel c,
// found by a binary search of B pipelined compares, each reading its own threshold memory
// (as finn-rtllib's thresholding.sv does; that file does not pass Yosys, this one does).
//
// Stage k (0 = first) holds, per channel, the 2^k thresholds T[(2q+1) * 2^(B-1-k) - 1] for
// the k result bits q found so far; it reads the one at {channel, q} (a synchronous read:
// block or distributed RAM), registers it once more (a block RAM's clock-to-out ends at a
// register), then appends the bit x >= T to q. After B stages q is the count.
// Thresholds beyond the input range are clipped to [min, max + 1] (T_W bits, signed);
// channels with fewer thresholds are padded with max + 1 (never reached).
//
// Memories: one per lane and stage, file THRESH_PREFIX_<lane>_<stage>.mem (lane two hex
// digits, stage one), NC*2^k words, channel-major. Stream: NF beats per pixel of PE lanes,
// lane p of beat f is channel f*PE + p; with NC = 1 one threshold set serves every channel.
// The stages run free; a beat is taken only when the output FIFO has room for its result:
// one beat per clock.
`default_nettype none

module thresh_bsearch #(
    parameter int PE = 1,             // lanes per beat
    parameter int NF = 1,             // beats per pixel (channel folds)
    parameter int NC = 1,             // threshold sets per lane: 1 (shared) or NF
    parameter int IN_W = 9,           // input lane width
    parameter bit IN_SIGNED = 1,      // input lanes signed (1) or unsigned (0)
    parameter int T_W = 10,           // threshold width (signed)
    parameter int B = 8,              // compare stages: 2^B - 1 thresholds per channel
    parameter int OUT_W = 8,          // output lane width
    parameter int OBIAS = -128,       // added to the count (FINN ActVal)
    parameter THRESH_PREFIX = ""      // memory files, see above
) (
    input  wire                 ap_clk,
    input  wire                 ap_rst_n,
    input  wire [PE*IN_W-1:0]   s_axis_tdata,
    input  wire                 s_axis_tvalid,
    output wire                 s_axis_tready,
    output wire [PE*OUT_W-1:0]  m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready
);
    localparam int FW = (NF > 1) ? $clog2(NF) : 1;
    localparam int CW = (NC > 1) ? $clog2(NC) : 1;
    localparam int XW = (IN_W + 1 > T_W) ? IN_W + 1 : T_W;   // compare width (signed)
    localparam int QW = B;

    // per stage k: a = address/operand register, r = after the memory read, s = registered
    logic va [B], vr [B], vs [B];
    logic [FW-1:0] f;
    logic vo;
    logic [PE*OUT_W-1:0] yo;

    // free-running stages; a beat is taken only when the output FIFO has room for it
    wire room;
    wire take = s_axis_tvalid && room;
    assign s_axis_tready = room;
    credit_fifo #(.WIDTH(PE*OUT_W), .DEPTH(3 * B + 9)) u_out (
        .ap_clk, .ap_rst_n, .issue(take), .room, .room_next(), .push(vo), .push_data(yo),
        .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);

    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            for (int k = 0; k < B; k++) begin va[k] <= 1'b0; vr[k] <= 1'b0; vs[k] <= 1'b0; end
            vo <= 1'b0;
            f <= '0;
        end else begin
            va[0] <= take;
            for (int k = 0; k < B; k++) vr[k] <= va[k];
            for (int k = 0; k < B; k++) vs[k] <= vr[k];
            for (int k = 1; k < B; k++) va[k] <= vs[k - 1];
            vo <= vs[B - 1];
            if (take) f <= (f == FW'(NF - 1)) ? '0 : f + 1'b1;
        end
    end

    function automatic string hex_digit(input int v);
        return string'(8'((v < 10) ? 48 + v : 87 + v));
    endfunction

    for (genvar p = 0; p < PE; p++) begin : lane
        logic signed [XW-1:0] xa [B], xr [B], xs [B];
        logic [CW-1:0] ca [B], cr [B], cs [B];
        logic [QW-1:0] qa [B], qr [B], qs [B];
        logic signed [T_W-1:0] tr [B], ts [B];
        wire [IN_W-1:0] raw = s_axis_tdata[p*IN_W +: IN_W];

        always_ff @(posedge ap_clk) begin
            xa[0] <= IN_SIGNED ? XW'($signed(raw)) : XW'({1'b0, raw});
            ca[0] <= (NC > 1) ? CW'(f) : '0;
            qa[0] <= '0;
            for (int k = 0; k < B; k++) begin
                xs[k] <= xr[k];
                cs[k] <= cr[k];
                qs[k] <= qr[k];
                ts[k] <= tr[k];
            end
            for (int k = 1; k < B; k++) begin
                xa[k] <= xs[k - 1];
                ca[k] <= cs[k - 1];
                qa[k] <= {qs[k - 1][QW-2:0], xs[k - 1] >= XW'(ts[k - 1])};
            end
            yo[p*OUT_W +: OUT_W] <= OUT_W'(OBIAS + int'({qs[B - 1][QW-2:0], xs[B - 1] >= XW'(ts[B - 1])}));
        end

        for (genvar k = 0; k < B; k++) begin : stage
            localparam int D = NC << k;
            localparam string FILE = {THRESH_PREFIX, "_", hex_digit(p / 16), hex_digit(p % 16),
                                      "_", hex_digit(k), ".mem"};
            logic [T_W-1:0] mem [D];
            initial if (THRESH_PREFIX != "") $readmemh(FILE, mem);
            wire [31:0] addr = (32'(ca[k]) << k) | (32'(qa[k]) & ((32'd1 << k) - 1));
            always_ff @(posedge ap_clk) begin
                tr[k] <= mem[addr];
                xr[k] <= xa[k];
                cr[k] <= ca[k];
                qr[k] <= qa[k];
            end
        end
    end
endmodule

`default_nettype wire
