# SPDX-License-Identifier: MIT
"""hw/xnor_mvtu.sv against FINN's Python execution of the same XNOR MVAU node, with random
folding, odd sizes, input gaps and output backpressure; a flipped weight bit must fail."""
from pathlib import Path

import numpy as np
import pytest

from hw.golden import mvau_execute, mvau_model, popcount_width, write_thresh_mem, write_weight_mem
from rtl_tests.simrun import HW, run_cocotb, sv_string

HERE = Path(__file__).parent

# (MW, MH, SIMD, PE, NT, pause_in, pause_out, vectors): folding, odd sizes, popcount output
PARAMS = [
    (72, 8, 8, 2, 255, 0.3, 0.3, 6),    # the default net's 3x3 conv on 8 channels
    (144, 16, 36, 4, 255, 0.5, 0.2, 4),  # popcount up to 144: > 127 must not wrap
    (45, 6, 5, 3, 7, 0.2, 0.6, 5),       # odd sizes, few thresholds
    (80, 4, 80, 1, 0, 0.4, 0.4, 5),      # MRB 1x5 branch width, SIMD = MW, popcount output
    (9, 3, 1, 1, 3, 0.0, 0.0, 4),        # fully folded, no stalls
]


def _case(tmp: Path, mw, mh, simd, pe, nt, p_in, p_out, nvec, seed, flip=False):
    rng = np.random.default_rng(seed)
    W = rng.integers(0, 2, (mw, mh))
    cw = popcount_width(mw)
    if nt:
        T = np.sort(rng.integers(0, mw + 2, (mh, nt)), axis=1)
        out_dt, act, out_w, signed = ("INT8", -128, 8, True) if nt == 255 else ("UINT3", 0, 3, False)
    else:
        T, out_dt, act, out_w, signed = None, f"UINT{cw}", 0, cw, False
    # the input vectors hit every popcount extreme once: all-equal and all-different to W[:,0]
    x = rng.integers(0, 2, (nvec, mw))
    x[0], x[1] = W[:, 0], 1 - W[:, 0]
    expected = mvau_execute(mvau_model(W, T, simd, pe, out_dt, act, nvec), x)
    Wm = W.copy()
    if flip:
        Wm[mw // 2, 0] ^= 1  # negative control: one weight bit differs from the golden node
    write_weight_mem(Wm, simd, pe, tmp / "w.mem")
    params = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, NT=nt, CNT_W=cw, OUT_W=out_w, OBIAS=act,
                  WEIGHT_FILE=sv_string(tmp / "w.mem"))
    if nt:
        write_thresh_mem(T, tmp / "t.mem")
        params["THRESH_FILE"] = sv_string(tmp / "t.mem")
    np.savez(tmp / "tb.npz", x=x, expected=expected, simd=simd, pe=pe, out_w=out_w, in_w=1,
             signed=signed, pause_in=p_in, pause_out=p_out)
    return params


def _run(tmp, params):
    key = "_".join(f"{k}{v}" for k, v in params.items() if not k.endswith("FILE"))
    return run_cocotb("xnor_mvtu", [HW / "mvtu_fetch.sv", HW / "xnor_mvtu.sv"], params,
                      tmp / f"sim_{key}", "tb_mvtu", HERE, {"TB_DATA": tmp / "tb.npz"})


@pytest.mark.rtlsim
@pytest.mark.parametrize("case", PARAMS, ids=lambda c: "mw{}_mh{}_s{}_p{}_nt{}".format(*c[:5]))
def test_xnor_mvtu_matches_finn_node(tmp_path, case):
    params = _case(tmp_path, *case, seed=sum(case[:5]))
    tests, fails = _run(tmp_path, params)
    assert tests == 1 and fails == 0


@pytest.mark.rtlsim
def test_negative_control_flipped_weight_bit_fails(tmp_path):
    params = _case(tmp_path, *PARAMS[0], seed=7, flip=True)
    tests, fails = _run(tmp_path, params)
    assert tests == 1 and fails == 1
