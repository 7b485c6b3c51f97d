# SPDX-License-Identifier: MIT
"""One core or layer of a design against expected stream words, no Python per clock:
``hw/sim/stream_check.sv`` drives the design from files with random input gaps and output
backpressure and counts mismatching output words (cocotb only starts the clock and waits),
built with Verilator through cocotb's runner."""
from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def run_cocotb(toplevel: str, sources: list[Path], parameters: dict, build_dir: Path,
               test_module: str, test_dir: Path, env: dict) -> tuple[int, int]:
    """Build ``toplevel`` with ``parameters`` in ``build_dir`` (one dir per parameter set) and
    run ``test_module``; returns (tests, failures)."""
    from cocotb_tools.runner import get_results, get_runner

    from .sim_env import setup_verilator

    setup_verilator()
    runner = get_runner("verilator")
    runner.build(sources=[str(s) for s in sources], hdl_toplevel=toplevel, parameters=parameters,
                 build_dir=str(build_dir), timescale=("1ns", "1ps"),
                 build_args=["-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-UNUSEDSIGNAL"],
                 always=False, log_file=str(Path(build_dir) / "build.log"))
    results = Path(build_dir) / "results.xml"
    results.unlink(missing_ok=True)
    try:
        runner.test(hdl_toplevel=toplevel, test_module=test_module, test_dir=str(test_dir),
                    build_dir=str(build_dir), results_xml=str(results),
                    extra_env={k: str(v) for k, v in env.items()},
                    log_file=str(Path(build_dir) / "sim.log"))
    except SystemExit:  # the runner exits on failing tests under pytest; read the results
        pass
    if not results.is_file():
        raise RuntimeError(f"simulation of {toplevel} in {build_dir} wrote no results")
    return get_results(results)


def run_checked(dut: str, sources: list[Path], params: dict, tmp: Path, x: np.ndarray,
                in_bits: int, in_signed: bool, y: np.ndarray, out_bits: int, out_signed: bool,
                pause_in: float = 0.3, pause_out: float = 0.3, seed: int = 1,
                cycle_limit: int | None = None) -> tuple[int, int]:
    """Drive ``dut`` with the words of ``x`` (n, lanes) and expect ``y`` (m, lanes_out), with
    random gaps and backpressure of the given probabilities; returns (tests, failures).
    ``cycle_limit``: clocks before the bench gives up (default: 8 per word plus 10 000)."""
    from hw.gen.literals import hex_rows

    tmp = Path(tmp)
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
    limit = cycle_limit or 8 * (len(x) + len(y)) + 10000
    return run_cocotb("check_top", [*sources, HERE / "stream_check.sv", tmp / "check_top.sv"],
                      {}, tmp / "sim", "tb_check", HERE, {"TB_CYCLES": limit})
