# SPDX-License-Identifier: MIT
"""Synthesis figures of single cores at the default model's foldings: Yosys ``synth_xilinx``
LUT/FF/BRAM/DSP beside FINN's estimate for the HLS MVAU of the same attributes, and the
routed Fmax on an ECP5-25k (``synth_ecp5`` + ``nextpnr-ecp5``, seed 1).

    .venv/bin/python benchmarks/rtl_figures.py [--mw 288 --mh 32 --simd 36 --pe 4] [--out F]

Cores: the XNOR-popcount unit (hw/rtl/xnor_mvtu.sv; weights in block RAM for Xilinx, in
logic for ECP5, where a block RAM's unregistered output bounds the clock), the int8 unit at
the head's folding (hw/rtl/mvtu_int.sv), the body layer's arithmetic requantiser
(hw/rtl/requant_arith.sv, 32 channels, two pieces), a BN layer's threshold memory
(hw/rtl/thresh_bsearch.sv, 255 thresholds) and the sliding window (hw/rtl/swg.sv, 3x3, 32
channels, 32x32). Writes JSON (default build/rtl_figures.json); the whole network is
``python -m hw.synth``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from hw.gen.literals import mem_text, sv_string, weight_words
from hw.gen.render import CORE_FILES
from hw.synth import TARGET_SOURCES, SynthError, ecp5_fmax, read_slang, synth_xilinx

ROOT = Path(__file__).resolve().parents[1]
RTL = ROOT / "hw" / "rtl"


def figures(name: str, module: str, files: list[str], params: dict, in_w: int, out_w: int,
            mems: dict | None = None, ecp5_params: dict | None = None) -> dict:
    """Yosys synth_xilinx and the ECP5 Fmax of ``module`` with ``params`` (a wrapper top
    sets them by instantiation; the WASI tools see only their working directory)."""
    out = {}
    for target, extra in (("xilinx", {}), ("ecp5", ecp5_params or {})):
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            for f in files + TARGET_SOURCES[target]:
                shutil.copy(RTL / f, tmp)
            for fname, text in (mems or {}).items():
                (tmp / fname).write_text(text)
            p = ", ".join(f".{k}({v})" for k, v in {**params, **extra}.items())
            (tmp / "top.sv").write_text(
                f"module bench_top(input wire ap_clk, input wire ap_rst_n,\n"
                f"  input wire [{in_w}-1:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready,\n"
                f"  output wire [{out_w}-1:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready);\n"
                f"  {module} #({p}) u (.*);\nendmodule\n")
            read = read_slang([*files, "top.sv"], "bench_top", target).replace(" --keep-hierarchy", "")
            t = time.time()
            try:
                if target == "xilinx":
                    out["yosys_xilinx"] = synth_xilinx(tmp, read, "bench_top")
                else:
                    out["ecp5_fmax_mhz"] = ecp5_fmax(tmp, read, "bench_top")
            except SynthError as e:
                out[f"{target}_error"] = str(e)[-300:]
            out[f"{target}_s"] = round(time.time() - t, 1)
    print(f"{name}: {out}", flush=True)
    return out


def hls_estimate(m) -> dict:
    """FINN's resource and cycle estimate of the one MVAU node of ``m`` as ``MVAU_hls``."""
    from qonnx.custom_op.registry import getCustomOp

    n = m.graph.node[0]
    n.op_type, n.domain = "MVAU_hls", "finn.custom_op.fpgadataflow.hls"
    inst = getCustomOp(n)
    part = "xc7z020clg400-1"
    return {"LUT": float(inst.lut_estimation(part)), "BRAM_18K": float(inst.bram_estimation(part)),
            "DSP": float(inst.dsp_estimation(part)), "cycles": int(inst.get_exp_cycles())}


def main(argv=None) -> int:
    from hw.gen.emit import arith_params
    from hw.gen.design import Stream
    from hw.gen.requant import ArithForm, ChannelForm, Piece
    from hw.sim.golden import mvau_model

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mw", type=int, default=288, help="K = 3*3*C (default: C = 32)")
    ap.add_argument("--mh", type=int, default=32)
    ap.add_argument("--simd", type=int, default=36)
    ap.add_argument("--pe", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "rtl_figures.json")
    ap.add_argument("--only", default="xnor_mvtu,mvtu_int_head,requant_arith,thresh_bsearch,swg",
                    help="cores to measure (comma-separated)")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    rng = np.random.default_rng(1)
    cw = int(a.mw).bit_length()
    res = {"folding": {"MW": a.mw, "MH": a.mh, "SIMD": a.simd, "PE": a.pe}}

    W = rng.integers(0, 2, (a.mw, a.mh))
    if "xnor_mvtu" in only:
        res["xnor_mvtu"] = figures(
        "XNOR unit", "xnor_mvtu", CORE_FILES["xnor_mvtu"],
        dict(MW=a.mw, MH=a.mh, SIMD=a.simd, PE=a.pe, CNT_W=cw, WEIGHT_FILE=sv_string("w.mem"),
             WEIGHT_RAM=sv_string("block")), a.simd, a.pe * cw,
        {"w.mem": mem_text(weight_words(W, a.simd, a.pe))},
        {"WEIGHT_RAM": sv_string("logic"), "IBUF_RAM": sv_string("distributed")})
        res["xnor_mvtu"]["finn_hls_estimate"] = hls_estimate(
            mvau_model(W, None, a.simd, a.pe, f"UINT{cw}", 0))

    Wi = rng.integers(-127, 128, (27, 32))
    if "mvtu_int_head" in only:
        res["mvtu_int_head"] = figures(
        "int8 head unit", "mvtu_int", CORE_FILES["mvtu_int"],
        dict(MW=27, MH=32, SIMD=9, PE=1, IN_W=9, IN_SIGNED=1, W_W=8, ACC_W=21,
             WEIGHT_FILE=sv_string("w.mem")), 81, 21,
        {"w.mem": mem_text(weight_words(Wi, 9, 1, 8, True))},
        {"IBUF_RAM": sv_string("distributed")})
        res["mvtu_int_head"]["finn_hls_estimate"] = hls_estimate(
            mvau_model(Wi, None, 9, 1, "INT21", 0, in_dt="INT9", w_dt="INT8", acc_dt="INT21"))

    # the body's requantiser: popcount -> int8 with a per-channel PReLU (two pieces)
    forms = [ChannelForm(a.mw // 2, Piece(int(s), 0, -(a.mw // 2) << int(s)),
                         Piece(0, int(k), -(a.mw // 2))) for s, k in rng.integers(0, 3, (a.mh, 2))]
    form = ArithForm(-128, 127, forms)
    s_in = Stream(a.pe, cw, False, a.mh)
    params = arith_params(form, s_in, [(0, a.mw)] * a.mh)
    params.update(PE=a.pe, NF=a.mh // a.pe, IN_W=cw, IN_SIGNED=0, OUT_W=8)
    if "requant_arith" in only:
        res["requant_arith"] = figures("arithmetic requantiser", "requant_arith", CORE_FILES["requant_arith"],
                                   params, a.pe * cw, a.pe * 8)

    nf, b, t_w = a.mh // a.pe, 8, cw + 1
    mems = {}
    for p in range(a.pe):
        for k in range(b):
            mems[f"t_{p:02x}_{k:x}.mem"] = mem_text(
                sorted(rng.integers(0, a.mw + 2, nf << k).tolist()))
    if "thresh_bsearch" in only:
        res["thresh_bsearch"] = figures(
        "threshold memory", "thresh_bsearch", CORE_FILES["thresh_bsearch"],
        dict(PE=a.pe, NF=nf, NC=nf, IN_W=cw, IN_SIGNED=0, T_W=t_w, B=b, OUT_W=8, OBIAS=-128,
             THRESH_PREFIX=sv_string("t")), a.pe * cw, a.pe * 8, mems)

    if "swg" in only:
        res["swg"] = figures("sliding window", "swg", CORE_FILES["swg"],
                         dict(C=32, SIMD=4, EW=1, H=32, W=32, KH=3, KW=3, DH=1, DW=1, PT=1, PL=1,
                              OH=32, OW=32), 4, 4)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
