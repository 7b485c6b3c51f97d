// SPDX-License-Identifier: MIT
// Accumulation and output stage shared by the matrix-vector units (xnor_mvtu, mvtu_int):
// per PE lane, the NTERM registered terms of one fold step (XNOR group counts or
// products) are summed by an adder tree registered every two adder levels (four terms per
// stage), then added to the lane's accumulator; after the last synapse fold the sums go to
// the output FIFO. The pipeline runs free (no enable to fan out): a result is started only
// when the FIFO has room for it (``room``, counted by credit_fifo from ``promise``).
`default_nettype none

module mvtu_acc #(
    parameter int PE = 1,          // lanes
    parameter int NTERM = 4,       // terms per lane and fold step
    parameter int TW = 2,          // term width
    parameter bit SIGNED = 0,      // terms signed (products) or unsigned (counts)
    parameter int ACC_W = 9,       // accumulator and output lane width
    parameter int LAT = 2,         // clocks from a promise to its terms at this module
    parameter int SF = 1           // clocks per result at full rate (synapse folds)
) (
    input  wire                     ap_clk,
    input  wire                     ap_rst_n,
    input  wire                     v_in,      // the terms belong to a fold step
    input  wire                     first_in,  // ... which is synapse fold 0
    input  wire                     last_in,   // ... which is the last synapse fold
    input  wire [PE*NTERM*TW-1:0]   terms,     // lane p, term i at (p*NTERM + i)*TW
    input  wire                     promise,   // a step completing a result started
    output wire                     room,      // a result may be promised
    output wire [PE*ACC_W-1:0]      m_axis_tdata,
    output wire                     m_axis_tvalid,
    input  wire                     m_axis_tready
);
    // tree stages: stage s holds n(s) partial sums; n(0) = NTERM, n(s) = ceil(n(s-1) / 4)
    function automatic int n_at(input int s);
        int n = NTERM;
        for (int k = 0; k < s; k++) n = (n + 3) / 4;
        return n;
    endfunction
    function automatic int depth();
        int s = 0;
        while (n_at(s) > 1) s++;
        return s;
    endfunction
    localparam int D = depth();

    // a stage-s partial sum of 4^s terms needs TW + 2s bits: the bits above are cut (zero or
    // sign copies), so synthesis keeps narrow adders and registers
    function automatic logic signed [ACC_W-1:0] narrow(input logic signed [ACC_W-1:0] v,
                                                       input int s);
        int ws = TW + 2 * s;
        if (ws >= ACC_W) return v;
        return SIGNED ? (v <<< (ACC_W - ws)) >>> (ACC_W - ws) : v & ((ACC_W'(1) << ws) - 1);
    endfunction

    // stage s: the partial sums of lane p at tr[s][(p*NTERM + i)*ACC_W], i < n(s); every
    // sum a register of its own (generate loops: constant indices only)
    logic [PE*NTERM*ACC_W-1:0] tr [D + 1];
    logic vt [D + 1], ft [D + 1], lt [D + 1];          // tags of each stage
    logic signed [ACC_W-1:0] acc [PE];
    logic [PE*ACC_W-1:0] result;
    // results in flight: a promise reaches the FIFO after LAT + D + 2 clocks and is taken
    // 7 clocks later at the earliest (credit_fifo); one result every SF clocks
    localparam int Q = (LAT + D + 9 + SF - 1) / SF + 1;

    for (genvar p = 0; p < PE; p++) begin : lane
        assign result[p*ACC_W +: ACC_W] = (ft[D] ? '0 : acc[p])
                                          + $signed(tr[D][p*NTERM*ACC_W +: ACC_W]);
        for (genvar i = 0; i < NTERM; i++) begin : term
            wire [TW-1:0] t = terms[(p * NTERM + i) * TW +: TW];
            always_ff @(posedge ap_clk)
                tr[0][(p*NTERM + i)*ACC_W +: ACC_W] <= SIGNED ? ACC_W'($signed(t)) : ACC_W'({1'b0, t});
        end
        for (genvar s = 1; s <= D; s++) begin : stage
            localparam int NP = n_at(s - 1);
            for (genvar i = 0; i < n_at(s); i++) begin : node
                logic signed [ACC_W-1:0] sum;
                always_comb begin
                    sum = '0;
                    for (int j = 0; j < 4; j++)
                        if (4 * i + j < NP) sum = sum + $signed(tr[s - 1][(p*NTERM + 4*i + j)*ACC_W +: ACC_W]);
                end
                always_ff @(posedge ap_clk) tr[s][(p*NTERM + i)*ACC_W +: ACC_W] <= narrow(sum, s);
            end
        end
        always_ff @(posedge ap_clk) if (vt[D]) acc[p] <= result[p*ACC_W +: ACC_W];
    end
    credit_fifo #(.WIDTH(PE*ACC_W), .DEPTH(Q)) u_out (
        .ap_clk, .ap_rst_n, .issue(promise), .room, .push(vt[D] && lt[D]), .push_data(result),
        .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);

    always_ff @(posedge ap_clk) begin
        for (int s = 1; s <= D; s++) begin
            ft[s] <= ft[s - 1];
            lt[s] <= lt[s - 1];
        end
        ft[0] <= first_in;
        lt[0] <= last_in;
        if (!ap_rst_n) begin
            for (int s = 0; s <= D; s++) vt[s] <= 1'b0;
        end else begin
            vt[0] <= v_in;
            for (int s = 1; s <= D; s++) vt[s] <= vt[s - 1];
        end
    end
endmodule

`default_nettype wire
