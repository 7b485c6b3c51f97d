// SPDX-License-Identifier: MIT
// Accumulation and output stage shared by the matrix-vector units (xnor_mvtu, mvtu_int):
// per PE lane, the NTERM registered terms of one fold step (XNOR group counts or
// products) are summed by an adder tree registered every two adder levels (four terms per
// stage), then added to the lane's accumulator; after the last synapse fold the sums go to
// the output register. The caller's stages and these advance together on `adv`, which is
// low only while a finished result waits for the output: one fold step per clock.
`default_nettype none

module mvtu_acc #(
    parameter int PE = 1,          // lanes
    parameter int NTERM = 4,       // terms per lane and fold step
    parameter int TW = 2,          // term width
    parameter bit SIGNED = 0,      // terms signed (products) or unsigned (counts)
    parameter int ACC_W = 9        // accumulator and output lane width
) (
    input  wire                     ap_clk,
    input  wire                     ap_rst_n,
    input  wire                     v_in,      // the terms belong to a fold step
    input  wire                     first_in,  // ... which is synapse fold 0
    input  wire                     last_in,   // ... which is the last synapse fold
    input  wire [PE*NTERM*TW-1:0]   terms,     // lane p, term i at (p*NTERM + i)*TW
    output wire                     adv,
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

    logic signed [ACC_W-1:0] tr [PE][D + 1][NTERM];   // stage s: tr[p][s][0 .. n(s) - 1]
    logic vt [D + 1], ft [D + 1], lt [D + 1];          // tags of each stage
    logic signed [ACC_W-1:0] acc [PE];
    logic [PE*ACC_W-1:0] out_data;
    logic out_valid;

    assign adv = !(vt[D] && lt[D] && out_valid && !m_axis_tready);
    assign m_axis_tdata = out_data;
    assign m_axis_tvalid = out_valid;

    always_ff @(posedge ap_clk) begin
        if (adv) begin
            for (int p = 0; p < PE; p++) begin
                for (int i = 0; i < NTERM; i++) begin
                    logic [TW-1:0] t;
                    t = terms[(p * NTERM + i) * TW +: TW];
                    tr[p][0][i] <= SIGNED ? ACC_W'($signed(t)) : ACC_W'({1'b0, t});
                end
                for (int s = 1; s <= D; s++)
                    for (int i = 0; i < n_at(s); i++) begin
                        logic signed [ACC_W-1:0] sum;
                        sum = '0;
                        for (int j = 0; j < 4; j++)
                            if (4 * i + j < n_at(s - 1)) sum = sum + tr[p][s - 1][4 * i + j];
                        tr[p][s][i] <= narrow(sum, s);
                    end
            end
            for (int s = 1; s <= D; s++) begin
                ft[s] <= ft[s - 1];
                lt[s] <= lt[s - 1];
            end
            ft[0] <= first_in;
            lt[0] <= last_in;
        end
        if (!ap_rst_n) begin
            for (int s = 0; s <= D; s++) vt[s] <= 1'b0;
            out_valid <= 1'b0;
        end else begin
            if (out_valid && m_axis_tready) out_valid <= 1'b0;
            if (adv) begin
                vt[0] <= v_in;
                for (int s = 1; s <= D; s++) vt[s] <= vt[s - 1];
                if (vt[D]) begin
                    for (int p = 0; p < PE; p++) begin
                        logic signed [ACC_W-1:0] a;
                        a = (ft[D] ? '0 : acc[p]) + tr[p][D][0];
                        acc[p] <= a;
                        if (lt[D]) out_data[p*ACC_W +: ACC_W] <= a;
                    end
                    if (lt[D]) out_valid <= 1'b1;
                end
            end
        end
    end
endmodule

`default_nettype wire
