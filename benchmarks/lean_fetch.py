# SPDX-License-Identifier: MIT
"""Flip-flops the LEAN operand stage saves, side by side in one run: Yosys ``synth_ecp5``
(flat) of the XNOR unit and of the binary-weight tail unit at video-rate foldings, weights in
logic, with ``LEAN = 0`` (three operand stages: A, A2, A3, and the input buffer) and
``LEAN = 1`` (stage A only; with one synapse fold the input stays at the producer).

    .venv/bin/python benchmarks/lean_fetch.py [--fmax] [--out F]

Prints LUT4 / CARRY / FF / LUTRAM per unit and the ratio; with ``--fmax`` also each unit's
routed Fmax (nextpnr on an LFE5U-25F, seed 1, 150 MHz asked): that the cut registers cost
no clock rate. Writes JSON (default build/lean_fetch.json). The whole networks are bit-exact either way
(rtl_tests/network/test_network.py::test_lean_operand_stage_bit_exact_with_stalls,
rtl_tests/mvtu/).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hw.gen.literals import mem_text, sv_string, weight_words  # noqa: E402
from hw.synth import lock_dsp_sums, nextpnr, report_fmax, synth_core  # noqa: E402
from model.evaluate import write_json_atomic  # noqa: E402

#: name -> (module, params, input bits, output bits, weights (MW x MH), weight bits)
UNITS = {
    # a 1080p body conv: K = 3*3*32, 32 channels, one synapse fold, four neuron folds
    "XNOR unit (MW 288, MH 32, SIMD 288, PE 8)": (
        "xnor_mvtu", dict(MW=288, MH=32, SIMD=288, PE=8, CNT_W=9, PAIRS=1), 288, 8 * 9, 1),
    # the binary-weight tail (sub-pixel conv to 12 channels) over 8-bit activations
    "binary tail (MW 288, MH 12, SIMD 288, PE 6)": (
        "mvtu_int", dict(MW=288, MH=12, SIMD=288, PE=6, IN_W=8, IN_SIGNED=1, W_W=1,
                         W_BIPOLAR=1, ACC_W=18, PAIRS=1), 288 * 8, 6 * 18, 2),
}


def _top(module: str, p: str, in_w: int, out_w: int, serial: bool) -> str:
    """The bench top: the unit's streams as ports, or (``serial``, for placement: a package
    has a few hundred pins) its data fed through a shift register from one pin, its
    handshakes from an LFSR and its output word XOR-reduced to one pin, so nothing is
    optimised away and the unit is what is timed."""
    if not serial:
        return (f"module bench_top(input wire ap_clk, input wire ap_rst_n,\n"
                f"  input wire [{in_w}-1:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready,\n"
                f"  output wire [{out_w}-1:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready);\n"
                f"  {module} #({p}) u (.*);\nendmodule\n")
    # nothing but the clock, the reset and one data pin in and out, every stream signal made
    # inside (handshakes from an LFSR) and the output reduced over two registers: a stream
    # signal from a pin would pull the unit's control to the chip's edge and time the pin
    return (f"module bench_top(input wire ap_clk, input wire ap_rst_n, input wire din,\n"
            f"  output logic dout);\n"
            f"  logic [{in_w}-1:0] s_axis_tdata;\n  wire [{out_w}-1:0] m_axis_tdata;\n"
            f"  logic s_axis_tvalid, m_axis_tready, d1;\n  wire s_axis_tready, m_axis_tvalid;\n"
            f"  logic [15:0] lfsr;\n"
            f"  always_ff @(posedge ap_clk) begin\n"
            f"    s_axis_tdata <= {{s_axis_tdata[{in_w}-2:0], din}};\n"
            f"    lfsr <= ap_rst_n ? {{lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]}} : 16'hace1;\n"
            f"    s_axis_tvalid <= lfsr[0] | lfsr[1];\n    m_axis_tready <= lfsr[2] | lfsr[3];\n"
            f"    d1 <= ^{{m_axis_tdata, m_axis_tvalid, s_axis_tready}};\n    dout <= d1;\n"
            f"  end\n  {module} #({p}) u (.*);\nendmodule\n")


def synth(module: str, params: dict, in_w: int, out_w: int, mem: str, fmax: bool = False,
          size: str = "25k", freq_mhz: float = 150.0, seed: int = 1, router: str = "router1",
          placer: str = "heap", speed: int = 6, minutes: float | None = None) -> dict:
    """Yosys ``synth_ecp5`` cells of the unit alone; with ``fmax`` also its routed Fmax
    (a second run with the serial bench top, nextpnr on an ECP5 of ``size`` with ``seed``,
    ``router``, ``placer``, ``speed`` and a ``minutes`` limit; a run stopped there says why
    in ``stopped``). With the static placer the products' sums get their DSP slices
    (``lock_dsp_sums``, as ``hw.synth`` does)."""
    res = {}
    p = ", ".join(f".{k}({v})" for k, v in params.items())
    for serial in ((False, True) if fmax else (False,)):
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            cells = synth_core(module, _top(module, p, in_w, out_w, serial), "bench_top", tmp,
                               files={"w.mem": mem}, netlist=serial)
            if not serial:
                res = cells
            else:
                # static: the sums' slices given (its placer stops on an ALU54B it must place)
                res["sums_locked"] = lock_dsp_sums(tmp / "top.json", size) if placer == "static" else 0
                rep = nextpnr(tmp, size, freq_mhz, seed, router, placer, minutes, speed)
                f = report_fmax(rep) if rep else None
                res["fmax_mhz"] = round(f, 2) if f is not None else None
                if rep and "stopped" in rep:
                    res["stopped"] = rep["stopped"]
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "lean_fetch.json")
    ap.add_argument("--fmax", action="store_true", help="also place and route each unit "
                    "(nextpnr, LFE5U-25F, seed 1) and report its Fmax")
    ap.add_argument("--size", choices=("25k", "45k", "85k"), default="25k",
                    help="the ECP5 that --fmax places on (default 25k)")
    ap.add_argument("--only", help="only the units whose name contains this text")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(1)
    res = {}
    for name, (module, params, in_w, out_w, kind) in UNITS.items():
        mw, mh, simd, pe = params["MW"], params["MH"], params["SIMD"], params["PE"]
        W = rng.integers(0, 2, (mw, mh))
        words = weight_words(W, simd, pe)
        if a.only and a.only not in name:   # after its weights: the others' stay the same
            continue
        row = {}
        for lean in (0, 1):
            row[f"LEAN={lean}"] = synth(module, {**params, "LEAN": lean,
                                                 "WEIGHT_FILE": sv_string("w.mem"),
                                                 "WEIGHT_RAM": sv_string("logic"),
                                                 "IBUF_RAM": sv_string("distributed")},
                                        in_w, out_w, mem_text(words), a.fmax, a.size)
            print(f"{name} LEAN={lean}: {row[f'LEAN={lean}']}", flush=True)
        a0, a1 = row["LEAN=0"], row["LEAN=1"]
        row["ff_ratio"] = round(a1["FF"] / max(a0["FF"], 1), 3)
        print(f"{name}: FF {a0['FF']} -> {a1['FF']} ({row['ff_ratio']}x), LUT4 {a0['LUT4']} -> "
              f"{a1['LUT4']}" + (f", Fmax {a0.get('fmax_mhz')} -> {a1.get('fmax_mhz')} MHz"
                                 if a.fmax else ""), flush=True)
        res[name] = row
    write_json_atomic(res, a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
