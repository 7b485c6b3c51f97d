// SPDX-License-Identifier: MIT
// Arithmetic requantiser: what a BN-free layer's MultiThreshold computes, as shifts, an add
// and a clamp (no multiplier, no threshold memory). Per channel c and PE lane:
//     piece = (x >= PIVOT[c]) ? P : N
//     y     = clamp((((x * MUL[piece][c]) <<< SHL[piece][c]) + B[piece][c]) >>> SHR[piece][c],
//                   LO, HI)
// (>>> is floor; MUL is 1, or with HAS_MUL 3, 5 or 7, each one shift-and-add: a scale with
// an odd factor, the binary-weight upsampler's 3-bit-significand alpha). The generator
// (hw/gen/requant.py) finds these parameters from a node's
// thresholds and proves them equal on every input of the node's range; two pieces carry a
// PReLU's two slopes, LO/HI are FINN's ActVal and ActVal + (number of thresholds).
//
// Stream: NF beats per pixel of PE lanes; lane p of beat f is channel f*PE + p. With NP = 1
// one parameter set serves every channel, else NP = NF*PE sets, channel c at index c.
// Free-running pipeline stages (a beat is taken only when the output FIFO has room for its
// result): one beat per clock. With a parameter set per channel over several folds (NP > 1,
// NF > 1) the tables are looked up per beat: six stages. Otherwise every lane's parameters
// are constants (one set, or one fold: a video-rate folding): two stages, both pieces'
// shift-and-add computed at once beside the compare, then the choice, the floor shift
// (wiring) and the saturation; the same arithmetic with a third of the registers.
`default_nettype none

module requant_arith #(
    parameter int PE = 1,              // lanes per beat
    parameter int NF = 1,              // beats per pixel (channel folds)
    parameter int NP = 1,              // parameter sets: 1 (shared) or NF*PE (per channel)
    parameter int IN_W = 9,            // input lane width
    parameter bit IN_SIGNED = 1,       // input lanes signed (1) or unsigned (0)
    parameter int OUT_W = 8,           // output lane width
    parameter int LO = -128,           // smallest output (FINN ActVal)
    parameter int HI = 127,            // largest output (ActVal + thresholds)
    parameter int Z_W = 16,            // signed width of (x << shl) + bias and of the pivot
    parameter int SH_W = 4,            // width of a shift amount
    parameter logic [NP*Z_W-1:0] PIVOT = '0,   // per set: x >= pivot selects piece P
    parameter logic [NP*SH_W-1:0] SHL_P = '0,  // piece P: left shift
    parameter logic [NP*SH_W-1:0] SHR_P = '0,  // piece P: right shift (floor)
    parameter logic [NP*Z_W-1:0] B_P = '0,     // piece P: bias
    parameter logic [NP*SH_W-1:0] SHL_N = '0,  // piece N (x < pivot): left shift
    parameter logic [NP*SH_W-1:0] SHR_N = '0,  // piece N: right shift
    parameter logic [NP*Z_W-1:0] B_N = '0,     // piece N: bias
    parameter bit HAS_MUL = 0,                 // some factor is not 1
    parameter logic [NP*3-1:0] MUL_P = '0,     // piece P: factor 1, 3, 5 or 7 (HAS_MUL)
    parameter logic [NP*3-1:0] MUL_N = '0      // piece N: factor (HAS_MUL)
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
    localparam int KW = (NP > 1) ? $clog2(NP) : 1;
    localparam bit LEAN = (NP == 1) || (NF == 1);   // constant parameters per lane
    localparam int D = LEAN ? 2 : 6;                // stages

    // x times an odd factor below 8 as one shift-and-add (no multiplier is inferred)
    function automatic logic signed [Z_W-1:0] times(input logic signed [Z_W-1:0] x,
                                                    input logic [2:0] m);
        if (!HAS_MUL) return x;
        case (m)
            3'd3: return (x <<< 1) + x;
            3'd5: return (x <<< 2) + x;
            3'd7: return (x <<< 3) - x;
            default: return x;
        endcase
    endfunction

    logic [D:1] v;                          // valid of each stage
    logic [KW-1:0] f;                       // first channel (fold * PE) of the next input beat
    logic [KW-1:0] fk [D:1];                // ... of the beat in each stage
    logic [PE*OUT_W-1:0] y;

    // free-running stages; a beat is taken only when the output FIFO has room for it
    wire room;
    wire take = s_axis_tvalid && room;
    assign s_axis_tready = room;
    credit_fifo #(.WIDTH(PE*OUT_W), .DEPTH(D + 8)) u_out (
        .ap_clk, .ap_rst_n, .issue(take), .room, .room_next(), .push(v[D]), .push_data(y),
        .m_axis_tdata, .m_axis_tvalid, .m_axis_tready);

    always_ff @(posedge ap_clk) begin
        fk[1] <= f;
        for (int k = 2; k <= D; k++) fk[k] <= fk[k - 1];
        if (!ap_rst_n) begin
            v <= '0;
            f <= '0;
        end else begin
            v <= {v[D-1:1], take};
            if (take && NP > 1 && NF > 1) f <= (f == KW'((NF - 1) * PE)) ? '0 : f + KW'(PE);
        end
    end

    // the tables as arrays of constants (one wire per entry; with one set, or one fold,
    // the index is constant and the lookup is wiring)
    logic signed [Z_W-1:0] piv_t [NP], bp_t [NP], bn_t [NP];
    logic [SH_W-1:0] slp_t [NP], srp_t [NP], sln_t [NP], srn_t [NP];
    logic [2:0] mp_t [NP], mn_t [NP];
    for (genvar i = 0; i < NP; i++) begin : tab
        assign piv_t[i] = PIVOT[i*Z_W +: Z_W];
        assign bp_t[i] = B_P[i*Z_W +: Z_W];
        assign bn_t[i] = B_N[i*Z_W +: Z_W];
        assign slp_t[i] = SHL_P[i*SH_W +: SH_W];
        assign srp_t[i] = SHR_P[i*SH_W +: SH_W];
        assign sln_t[i] = SHL_N[i*SH_W +: SH_W];
        assign srn_t[i] = SHR_N[i*SH_W +: SH_W];
        assign mp_t[i] = MUL_P[i*3 +: 3];   // read by times() only with HAS_MUL
        assign mn_t[i] = MUL_N[i*3 +: 3];
    end

    // Stages (each registered, one operation each so that none is more than a carry chain
    // or a shifter deep): 1 the channel's pivot looked up; 2 compare: which piece; 3 the
    // piece's shifts, bias and factor looked up, x times the factor; 4 shift left and add;
    // 5 shift right (floor);
    // 6 saturate.
    if (LEAN) begin : lean
        // 1: both pieces' (x << shl) + b and the compare; 2: choice, floor shift, saturation
        for (genvar p = 0; p < PE; p++) begin : lane
            localparam int K = (NP == 1) ? 0 : p;
            wire [IN_W-1:0] raw = s_axis_tdata[p*IN_W +: IN_W];
            wire signed [Z_W-1:0] x = IN_SIGNED ? Z_W'($signed(raw)) : Z_W'({1'b0, raw});
            logic signed [Z_W-1:0] tp1, tn1;
            logic pos1;
            wire signed [Z_W-1:0] z = pos1 ? tp1 >>> SHR_P[K*SH_W +: SH_W]
                                           : tn1 >>> SHR_N[K*SH_W +: SH_W];
            always_ff @(posedge ap_clk) begin
                tp1 <= (times(x, MUL_P[K*3 +: 3]) <<< SHL_P[K*SH_W +: SH_W])
                       + $signed(B_P[K*Z_W +: Z_W]);
                tn1 <= (times(x, MUL_N[K*3 +: 3]) <<< SHL_N[K*SH_W +: SH_W])
                       + $signed(B_N[K*Z_W +: Z_W]);
                pos1 <= x >= $signed(PIVOT[K*Z_W +: Z_W]);
                if (z < Z_W'(LO)) y[p*OUT_W +: OUT_W] <= OUT_W'(LO);
                else if (z > Z_W'(HI)) y[p*OUT_W +: OUT_W] <= OUT_W'(HI);
                else y[p*OUT_W +: OUT_W] <= OUT_W'(z);
            end
        end
    end else begin : tables
    for (genvar p = 0; p < PE; p++) begin : lane
        wire [IN_W-1:0] raw = s_axis_tdata[p*IN_W +: IN_W];
        wire signed [Z_W-1:0] x = IN_SIGNED ? Z_W'($signed(raw)) : Z_W'({1'b0, raw});
        logic signed [Z_W-1:0] x1, x2, x3, piv1, b3, t4, z5;
        logic pos2;
        logic [SH_W-1:0] shl3, shr3, shr4;
        // parameter set of this lane's channel
        wire [KW-1:0] k0 = (NP == 1) ? '0 : (NF == 1) ? KW'(p) : f + KW'(p);
        wire [KW-1:0] k2 = (NP == 1) ? '0 : (NF == 1) ? KW'(p) : fk[2] + KW'(p);
        always_ff @(posedge ap_clk) begin
            x1 <= x;
            piv1 <= piv_t[k0];
            x2 <= x1;
            pos2 <= x1 >= piv1;
            x3 <= pos2 ? times(x2, mp_t[k2]) : times(x2, mn_t[k2]);
            shl3 <= pos2 ? slp_t[k2] : sln_t[k2];
            shr3 <= pos2 ? srp_t[k2] : srn_t[k2];
            b3 <= pos2 ? bp_t[k2] : bn_t[k2];
            t4 <= (x3 <<< shl3) + b3;
            shr4 <= shr3;
            z5 <= t4 >>> shr4;
            if (z5 < Z_W'(LO)) y[p*OUT_W +: OUT_W] <= OUT_W'(LO);
            else if (z5 > Z_W'(HI)) y[p*OUT_W +: OUT_W] <= OUT_W'(HI);
            else y[p*OUT_W +: OUT_W] <= OUT_W'(z5);
        end
    end
    end
endmodule

`default_nettype wire
