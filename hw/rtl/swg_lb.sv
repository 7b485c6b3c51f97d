// SPDX-License-Identifier: MIT
// Sliding window with line buffers shared by all taps (FINN's ConvolutionInputGenerator
// with parallel_window = 1 after an FMPadding, stride 1): M whole windows per beat. Written
// here because finn-rtllib's parallel window needs its own padding core, and the earlier
// core (swg.sv, PAR = 1) kept one copy of its row buffer per tap (Yosys then maps a block
// RAM per tap: 522 EBR for one 8-bit window of the 1080p design).
//
// In:  H x W pixels of C elements (EW bits), M pixels per beat (row-major; M divides W).
// Out: per beat M consecutive output pixels (oy, ox..ox+M-1) of OH x OW, each the window in
//      FINN's order (ky, kx, channel): element (ky*KW + kx)*C + c of window j at
//      ((j*KH*KW + ky*KW + kx)*C + c)*EW, input (oy - PT + ky*DH, ox + j - PL + kx*DW),
//      zero outside the image. Frames follow each other without a gap.
//
// How: a scan visits every (row, group of M columns) position of the frame extended by the
// windows' lag (LR rows, LC columns: the bottom and right padding), one position per
// clock; a real position consumes an input beat, a padding one injects zeros. Each step
// shifts one column group (KH pixels per column: the input and, from KH-1 line buffers, the
// same columns DH, 2*DH, .. rows above) into a window register of NCOL columns; a step
// whose window is complete emits it. The line buffers are delay lines of DH scan rows each,
// chained (line k+1 is written with what line k read), so the memory is
// (KH-1)*DH*(OW/M + ceil(LC/M)) words of M*C*EW bits: lines x width x channels x bits, read
// once per step for all taps. Rows above the frame (top padding, the previous frame's data)
// are cleared as they leave a line buffer; columns left of the frame by clearing the
// register's older columns when a row starts; right and bottom padding are the injected
// zeros. Free-running: issue (read address) -> line-buffer read -> register beside it
// (cleared when the row is above the frame) -> column into the window register -> output;
// a window is issued only when the output FIFO has room for it.
`default_nettype none

module swg_lb #(
    parameter int C = 8,      // channels
    parameter int EW = 1,     // bits per element
    parameter int H = 8,      // input rows
    parameter int W = 8,      // input columns
    parameter int KH = 3,     // kernel rows
    parameter int KW = 3,     // kernel columns
    parameter int DH = 1,     // row dilation
    parameter int DW = 1,     // column dilation
    parameter int PT = 1,     // zero rows above
    parameter int PL = 1,     // zero columns left
    parameter int OH = 8,     // output rows
    parameter int OW = 8,     // output columns
    parameter int M = 1,      // windows (and input pixels) per beat
    parameter int CREDITS = 11 // output results in flight: >= 11 for one window per clock,
                               // ceil(11 / k) for one per k clocks, 2 (a register slice,
                               // no FIFO memory) for one per 4+ clocks (hw.gen.emit)
) (
    input  wire                          ap_clk,
    input  wire                          ap_rst_n,
    input  wire [M*C*EW-1:0]             s_axis_tdata,
    input  wire                          s_axis_tvalid,
    output wire                          s_axis_tready,
    output wire [M*KH*KW*C*EW-1:0]       m_axis_tdata,
    output wire                          m_axis_tvalid,
    input  wire                          m_axis_tready
);
    localparam int PX = C * EW;                    // pixel bits
    localparam int GWB = M * PX;                   // column group (one input beat) bits
    localparam int LR = (KH - 1) * DH - PT;        // scan rows ahead of the output row
    localparam int LC = (KW - 1) * DW - PL;        // scan columns ahead of the output column
    localparam int GIN = W / M;                    // input groups per row
    localparam int GL = (LC + M - 1) / M;          // scan groups ahead of the output group
    localparam int GR = OW / M + GL;               // scan groups per row
    localparam int SR = OH + LR;                   // scan rows per frame
    localparam int DLB = DH * GR;                  // words per line buffer
    localparam int NL = KH - 1;                    // line buffers
    localparam int NL1 = (NL > 0) ? NL : 1;        // (vector sizes: no line buffer for KH = 1)
    localparam int NCOL = GL * M + M + PL;         // columns in the window register
    localparam int OWD = M * KH * KW * PX;
    localparam int AW = (DLB > 1) ? $clog2(DLB) : 1;
    localparam int YW = $clog2(SR + 1);
    localparam int GW_ = $clog2(GR + 1);
    initial begin
        if (W % M != 0 || OW % M != 0) $error("swg_lb: M = %0d must divide W and OW", M);
        if (LR < 0 || LC < 0) $error("swg_lb: padding larger than the window's reach");
        if (GR < GIN || SR < H) $error("swg_lb: output size does not cover the input");
        if (NL > 0 && DLB < 3) $error("swg_lb: line buffers of %0d words (need 3)", DLB);
    end

    // ---------------------------------------------------------------- scan position
    logic [YW-1:0] sy;
    logic [GW_-1:0] sg;
    // flags of the current position (registers, set when the position advances)
    logic real_row, real_col, emit_row, emit_col, first_col, last_col, last_row;
    logic [NL:0] above;                            // above[k]: row sy - k*DH is above the frame
    wire real_pos = real_row && real_col;
    wire emit = emit_row && emit_col;
    wire room;
    // issue a step: its input is there (a real position) and, if it emits a window, the
    // output FIFO has room for it
    wire may = !emit || room;
    wire go = may && (!real_pos || s_axis_tvalid);
    assign s_axis_tready = may && real_pos;

    wire [GW_-1:0] nsg = last_col ? '0 : sg + 1'b1;
    wire [YW-1:0] nsy = !last_col ? sy : last_row ? '0 : sy + 1'b1;
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            sy <= '0; sg <= '0;
            real_row <= H > 0; real_col <= GIN > 0; emit_row <= LR == 0; emit_col <= GL == 0;
            first_col <= 1'b1; last_col <= GR == 1; last_row <= SR == 1;
            for (int k = 0; k <= NL; k++) above[k] <= k > 0;
        end else if (go) begin
            sg <= nsg;
            sy <= nsy;
            real_col <= nsg < GW_'(GIN);
            emit_col <= (GL == 0) || nsg >= GW_'(GL);
            first_col <= nsg == '0;
            last_col <= nsg == GW_'(GR - 1);
            real_row <= nsy < YW'(H);
            emit_row <= (LR == 0) || nsy >= YW'(LR);
            last_row <= nsy == YW'(SR - 1);
            for (int k = 0; k <= NL; k++) above[k] <= {1'b0, nsy} < (YW + 1)'(k * DH);
        end
    end

    // ---------------------------------------------------------------- datapath
    // stage 1: line buffers read at the step's address; input (or zeros) registered
    logic [AW-1:0] ptr, wa1, wa2;
    logic v1, v2, v3, e1, e2, e3, f1, f2;
    logic [NL:0] ab1;
    logic [GWB-1:0] in1, in2;
    logic [NL1*GWB-1:0] rd, rq;                     // line k-1's word at [(k-1)*GWB +: GWB]
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) ptr <= '0;
        else if (go) ptr <= (ptr == AW'(DLB - 1)) ? '0 : ptr + 1'b1;
        wa1 <= ptr;
        wa2 <= wa1;
        in1 <= real_pos ? s_axis_tdata : '0;
        in2 <= in1;
        e1 <= go && emit; e2 <= e1; e3 <= e2;
        f1 <= first_col; f2 <= f1;
        ab1 <= above;
        if (!ap_rst_n) begin v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0; end
        else begin v1 <= go; v2 <= v1; v3 <= v2; end
    end
    for (genvar k = 1; k <= NL; k++) begin : line
        // no_rw_check: the word written at a step is read again DLB >= 3 steps later, never
        // in the clock it is written (checked in simulation)
        (* no_rw_check *) logic [GWB-1:0] mem [DLB];
        wire [GWB-1:0] wdata = (k == 1) ? in2 : rq[(k-2)*GWB +: GWB];
        always_ff @(posedge ap_clk) begin
            rd[(k-1)*GWB +: GWB] <= mem[ptr];       // every clock at the current address
            // beside the block RAM; rows above the frame leave as zeros
            rq[(k-1)*GWB +: GWB] <= ab1[k] ? '0 : rd[(k-1)*GWB +: GWB];
            if (v2) mem[wa2] <= wdata;
`ifdef VERILATOR
            if (v2 && wa2 == ptr) $error("swg_lb: a read meets a write at word %0d", ptr);
`endif
        end
    end

    // stage 3: the column group into the window register (column i: NCOL-1 the newest);
    // a row's first group clears the older columns (left of the frame)
    logic [NCOL*KH*PX-1:0] win;                    // column i, row ky at (i*KH + ky)*PX
    function automatic logic [KH*PX-1:0] column(input int j);   // pixel j of the group
        logic [KH*PX-1:0] col;
        for (int ky = 0; ky < KH; ky++)
            if (ky == KH - 1) col[ky*PX +: PX] = in2[j*PX +: PX];
            else col[ky*PX +: PX] = rq[(KH - 2 - ky)*GWB + j*PX +: PX];
        return col;
    endfunction
    // The register's step (v2) and clear (f2) come per lane of WL bits of a column: the same
    // bits of every column, so a lane's copy drives NCOL*WL flip-flops, not the whole
    // register (2 304 at a video-rate tail window) across the chip. Plain copies of v2 would
    // be merged back into one by synthesis (equal inputs); these are derived from a per-lane
    // toggle that flips on every step (tg ^= go), which only it feeds back, so the copies are
    // distinct registers: v1 = tg ^ tg1, v2 = tg1 ^ tg2, f2 = fg2 ^ tg2 (fg1 = first_col ^ tg).
    localparam int CB = KH * PX;                   // column bits
    localparam int WL = (NCOL * CB > 256 && CB > 64) ? 64 : CB;
    localparam int NWL = (CB + WL - 1) / WL;
    logic [NWL-1:0] tg, tg1, tg2, fg1, fg2;
    always_ff @(posedge ap_clk) begin
        tg1 <= tg; tg2 <= tg1;
        fg1 <= {NWL{first_col}} ^ tg; fg2 <= fg1;
        if (!ap_rst_n) begin
            tg <= '0; tg1 <= '0; tg2 <= '0;
        end else begin
            tg <= tg ^ {NWL{go}};
        end
    end
    logic [M*CB-1:0] cols;                         // the group's new columns
    always_comb
        for (int j = 0; j < M; j++)
            cols[j*CB +: CB] = column(j);
    for (genvar l = 0; l < NWL; l++) begin : wlane
        localparam int LO = l * WL;
        localparam int LW_ = (LO + WL <= CB) ? WL : CB - LO;
        wire lv2 = tg1[l] ^ tg2[l];
        wire lf2 = fg2[l] ^ tg2[l];
        always_ff @(posedge ap_clk) begin
            if (lv2) begin
                for (int i = 0; i < NCOL - M; i++)
                    win[i*CB + LO +: LW_] <= lf2 ? '0 : win[(i + M)*CB + LO +: LW_];
                for (int j = 0; j < M; j++)
                    win[(NCOL - M + j)*CB + LO +: LW_] <= cols[j*CB + LO +: LW_];
            end
        end
`ifdef VERILATOR
        always_ff @(posedge ap_clk)
            if (ap_rst_n && (lv2 != v2 || (v2 && lf2 != f2)))
                $error("swg_lb: lane %0d's step or clear differs from the window's", l);
`endif
    end

    // output: window j, tap (ky, kx) is register column j + kx*DW
    logic [OWD-1:0] taps;
    always_comb
        for (int j = 0; j < M; j++)
            for (int ky = 0; ky < KH; ky++)
                for (int kx = 0; kx < KW; kx++)
                    taps[((j*KH + ky)*KW + kx)*PX +: PX] = win[((j + kx*DW)*KH + ky)*PX +: PX];

    credit_fifo #(.WIDTH(OWD), .DEPTH(CREDITS)) u_out (
        .ap_clk, .ap_rst_n, .issue(go && emit), .room, .room_next(), .push(v3 && e3), .push_data(taps),
        .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
    wire unused = &{1'b0, v3};
endmodule

`default_nettype wire
