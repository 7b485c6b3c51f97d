# SPDX-License-Identifier: MIT
"""hw/mvtu_int.sv (int8 head/tail) against FINN's Python execution of the same integer MVAU
node, with random folding, odd sizes, input gaps and output backpressure."""
from pathlib import Path

import numpy as np
import pytest

from hw.golden import mvau_execute, mvau_model, write_thresh_mem, write_weight_mem
from rtl_tests.simrun import HW, run_cocotb, sv_string

HERE = Path(__file__).parent

# (MW, MH, SIMD, PE, in_dt, NT, out_dt, act, pause_in, pause_out, vectors)
PARAMS = [
    (27, 8, 3, 2, "INT9", 255, "INT8", -128, 0.3, 0.3, 5),    # head: 3x3 conv on 3 channels
    (72, 12, 4, 3, "INT8", 255, "UINT8", 0, 0.4, 0.5, 4),     # tail: 3x3 conv, 8 -> 12 ch
    (10, 5, 5, 5, "INT8", 3, "INT3", -4, 0.0, 0.7, 6),       # odd sizes, few thresholds
]


def _case(tmp: Path, mw, mh, simd, pe, in_dt, nt, out_dt, act, p_in, p_out, nvec, seed):
    rng = np.random.default_rng(seed)
    in_w = int(in_dt[3:])
    W = rng.integers(-127, 128, (mw, mh))
    x = rng.integers(-(1 << (in_w - 1)), 1 << (in_w - 1), (nvec, mw))
    acc = x @ W
    T = np.sort(rng.integers(acc.min() - 5, acc.max() + 5, (mh, nt)), axis=1)
    acc_w = int(max(abs(acc).max(), abs(T).max(), 1)).bit_length() + 2
    expected = mvau_execute(mvau_model(W, T, simd, pe, out_dt, act, nvec, in_dt=in_dt,
                                       w_dt="INT8", acc_dt=f"INT{acc_w}"), x)
    write_weight_mem(W, simd, pe, tmp / "w.mem", width=8)
    write_thresh_mem(T, tmp / "t.mem", width=acc_w)
    out_w = int(out_dt.lstrip("UINT"))
    np.savez(tmp / "tb.npz", x=x, expected=expected, simd=simd, pe=pe, out_w=out_w, in_w=in_w,
             signed=out_dt.startswith("INT"), pause_in=p_in, pause_out=p_out)
    return dict(MW=mw, MH=mh, SIMD=simd, PE=pe, IN_W=in_w, IN_SIGNED=1, W_W=8, ACC_W=acc_w,
                NT=nt, OUT_W=out_w, OBIAS=act, WEIGHT_FILE=sv_string(tmp / "w.mem"),
                THRESH_FILE=sv_string(tmp / "t.mem"))


@pytest.mark.rtlsim
@pytest.mark.parametrize("case", PARAMS, ids=lambda c: "mw{}_mh{}_s{}_p{}_{}".format(*c[:5]))
def test_mvtu_int_matches_finn_node(tmp_path, case):
    params = _case(tmp_path, *case, seed=sum(case[:4]))
    key = "_".join(f"{k}{v}" for k, v in params.items() if not k.endswith("FILE"))
    tests, fails = run_cocotb("mvtu_int", [HW / "mvtu_fetch.sv", HW / "mvtu_int.sv"], params, tmp_path / f"sim_{key}",
                              "tb_mvtu", HERE, {"TB_DATA": tmp_path / "tb.npz"})
    assert tests == 1 and fails == 0
