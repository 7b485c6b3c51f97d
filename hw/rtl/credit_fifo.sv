// SPDX-License-Identifier: MIT
// Output side of a free-running pipeline: the pipeline never stalls (no clock enable that
// fans out to every register); instead it starts an item only when this FIFO has room for
// the item's result, counting the results promised (started and not yet taken). For one
// result per clock DEPTH must cover a promise's round trip: the pipeline's latency (in
// results) plus 7 clocks through this FIFO (memory, three read registers, output buffer, taken). ``room`` comes from a register compare, so the producer's ready does not
// depend on the consumer's in the same clock.
`default_nettype none

module credit_fifo #(
    parameter int WIDTH = 8,   // result bits
    parameter int DEPTH = 8    // results the FIFO holds
) (
    input  wire             ap_clk,
    input  wire             ap_rst_n,
    input  wire             issue,       // a result was promised this clock
    output wire             room,        // a result may be promised this clock
    output wire             room_next,   // ``room`` of the next clock (a producer's ready
                                         // from a register: mvtu_fetch HOLD)
    input  wire             push,        // a promised result arrives
    input  wire [WIDTH-1:0] push_data,
    output wire [WIDTH-1:0] m_axis_tdata,
    output wire             m_axis_tvalid,
    input  wire             m_axis_tready
);
    localparam int CW = $clog2(DEPTH + 1) + 1;
    logic [CW-1:0] promised;
    wire take = m_axis_tvalid && m_axis_tready;
    assign room = promised < CW'(DEPTH);
    // the next clock's room from this clock's issue and take: compares of the counter alone
    // (beside the handshake), then one multiplexer
    wire lt_m1 = promised < CW'(DEPTH - 1), lt_p1 = promised < CW'(DEPTH + 1);
    assign room_next = (issue && !take) ? lt_m1 : (take && !issue) ? lt_p1 : room;
    always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) promised <= '0;
        else promised <= promised + CW'(issue) - CW'(take);
    end
    // DEPTH words of memory besides the output buffer: the memory alone holds every
    // promised result, so its (registered) ready is never low when one arrives. DEPTH <= 2
    // (a producer that needs a result only every few clocks): a two-word register slice,
    // no memory, which holds both promised results
    wire full_unused;
    stream_fifo #(.WIDTH(WIDTH), .DEPTH((DEPTH <= 2) ? 2 : DEPTH + 6)) u_fifo (
        .ap_clk, .ap_rst_n, .s_axis_tdata(push_data), .s_axis_tvalid(push),
        .s_axis_tready(full_unused), .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);
endmodule

`default_nettype wire
