# SPDX-License-Identifier: MIT
"""hw/rtl/swg.sv (sliding window with its own zero padding) against FINN's execution of the
same FMPadding + ConvolutionInputGenerator nodes, several frames back to back (the row
buffer wraps across frames), random input gaps and output backpressure; the dilated
1x5 / 5x1 windows of the MRB block included. (FINN's ``parallel_window``, the whole window
in one beat, is swg_lb.sv: test_swg_lb.py.)"""
import numpy as np
import pytest

from hw.sim.golden import execute, swg_model
from hw.gen.render import CORE_FILES
from rtl_tests.simrun import HW
from rtl_tests.words import run_words

# (h, w, c, simd, bits, signed, kernel, dilation, padding top/left/bottom/right)
CASES = {
    "3x3_binary": (8, 10, 4, 2, 1, False, (3, 3), (1, 1), (1, 1, 1, 1)),
    "3x3_int9_simd_c": (7, 9, 3, 3, 9, True, (3, 3), (1, 1), (1, 1, 1, 1)),
    "3x3_int8_simd1": (5, 6, 2, 1, 8, True, (3, 3), (1, 1), (1, 1, 1, 1)),
    "mrb_1x5_dil2": (6, 12, 8, 4, 1, False, (1, 5), (1, 2), (0, 4, 0, 4)),
    "mrb_5x1_dil2": (12, 6, 8, 8, 1, False, (5, 1), (2, 1), (4, 0, 4, 0)),
    "mrb_5x1": (9, 7, 4, 2, 1, False, (5, 1), (1, 1), (2, 0, 2, 0)),
}
def frames(case, n, seed):
    h, w, c, simd, bits, signed = case[:6]
    rng = np.random.default_rng(seed)
    lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    return rng.integers(lo, hi, (n, h, w, c))


def expected(case, xs):
    h, w, c, simd, bits, signed, k, d, p = case
    dt = "BINARY" if bits == 1 else f"{'INT' if signed else 'UINT'}{bits}"
    m = swg_model(h, w, c, simd, dt, k, d, p)
    return np.concatenate([execute(m, x[None]).reshape(-1, simd) for x in xs])


def run(tmp, case, xs, ys):
    h, w, c, simd, bits, signed, (kh, kw), (dh, dw), (pt, pl, pb, pr) = case
    params = dict(C=c, SIMD=simd, EW=bits, H=h, W=w, KH=kh, KW=kw, DH=dh, DW=dw, PT=pt, PL=pl,
                  OH=h + pt + pb - (kh - 1) * dh, OW=w + pl + pr - (kw - 1) * dw)
    return run_words("swg", [HW / f for f in CORE_FILES["swg"]], params, tmp, xs.reshape(-1, simd), bits, signed,
                     ys, bits, signed)


@pytest.mark.rtlsim
@pytest.mark.parametrize("name", sorted(CASES))
def test_swg_matches_finn_padding_and_window(tmp_path, name):
    case = CASES[name]
    xs = frames(case, 3, seed=len(name))
    assert run(tmp_path, case, xs, expected(case, xs)) == (1, 0)


@pytest.mark.rtlsim
def test_swg_negative_control_one_input_changed(tmp_path):
    case = CASES["mrb_5x1_dil2"]
    xs = frames(case, 2, seed=3)
    ys = expected(case, xs)
    xs[1, 5, 3, 2] ^= 1  # the RTL sees a different frame than the golden one
    assert run(tmp_path, case, xs, ys) == (1, 1)
