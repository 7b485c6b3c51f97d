# SPDX-License-Identifier: MIT
"""Run ``rtl_tests/tb_words.py`` on a core: lane values in, lane values expected out."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from hw.gen.literals import hex_rows
from rtl_tests.simrun import run_cocotb

HERE = Path(__file__).parent


def lanes_to_hex(values: np.ndarray, width: int, signed: bool) -> np.ndarray:
    """(n_words, lanes) values -> n_words hex strings (lane 0 in the LSBs)."""
    return np.array(hex_rows(values, width, signed))


def run_words(top: str, sources: list[Path], params: dict, tmp: Path, x: np.ndarray,
              in_bits: int, in_signed: bool, y: np.ndarray, out_bits: int, out_signed: bool,
              pause_in: float = 0.3, pause_out: float = 0.3, sim_dir: Path | None = None) -> tuple[int, int]:
    """Drive words of ``x`` (n, lanes) through ``top`` and expect ``y`` (m, lanes_out);
    returns (tests, failures) of the bench."""
    np.savez(tmp / "tb.npz", in_words=lanes_to_hex(x, in_bits, in_signed),
             out_words=lanes_to_hex(y, out_bits, out_signed), in_width=x.shape[1] * in_bits,
             out_width=y.shape[1] * out_bits, pause_in=pause_in, pause_out=pause_out)
    return run_cocotb(top, sources, params, sim_dir or tmp / "sim", "tb_words", HERE,
                      {"TB_DATA": tmp / "tb.npz"})


def run_checked(dut: str, sources: list[Path], params: dict, tmp: Path, x: np.ndarray,
                in_bits: int, in_signed: bool, y: np.ndarray, out_bits: int, out_signed: bool,
                pause_in: float = 0.3, pause_out: float = 0.3, seed: int = 1) -> tuple[int, int]:
    """As ``run_words`` but for long streams: rtl_tests/stream_check.sv drives ``dut`` from
    files (no Python per clock) with random gaps and backpressure and counts mismatches."""
    from hw.gen.literals import hex_rows

    iw, ow = x.shape[1] * in_bits, y.shape[1] * out_bits
    (tmp / "in.mem").write_text("\n".join(hex_rows(x, in_bits, in_signed)) + "\n")
    (tmp / "out.mem").write_text("\n".join(hex_rows(y, out_bits, out_signed)) + "\n")
    inst = ", ".join(f".{k}({v})" for k, v in params.items())
    (tmp / "check_top.sv").write_text(f"""`default_nettype none
module check_top (input wire ap_clk, input wire ap_rst_n, output wire done,
                  output wire [31:0] mismatches, output wire [31:0] first_bad,
                  output wire [31:0] cycles);
    wire [{iw}-1:0] s_tdata; wire s_tvalid, s_tready;
    wire [{ow}-1:0] m_tdata; wire m_tvalid, m_tready;
    stream_check #(.IW({iw}), .OW({ow}), .NI({len(x)}), .NO({len(y)}),
        .IN_FILE("{tmp / 'in.mem'}"), .OUT_FILE("{tmp / 'out.mem'}"),
        .P_IN({int(pause_in * 256)}), .P_OUT({int(pause_out * 256)}), .SEED({seed})) u_check (
        .ap_clk, .ap_rst_n, .s_tdata, .s_tvalid, .s_tready, .m_tdata, .m_tvalid, .m_tready,
        .done, .mismatches, .first_bad, .cycles);
    {dut} #({inst}) u_dut (.ap_clk, .ap_rst_n, .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid),
        .s_axis_tready(s_tready), .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid),
        .m_axis_tready(m_tready));
endmodule
`default_nettype wire
""")
    limit = 8 * (len(x) + len(y)) + 10000
    return run_cocotb("check_top", [*sources, HERE / "stream_check.sv", tmp / "check_top.sv"],
                      {}, tmp / "sim", "tb_check", HERE, {"TB_CYCLES": limit})
