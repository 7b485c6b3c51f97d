# SPDX-License-Identifier: MIT
"""hw/rtl/swg_lb.sv (the whole window per beat from line buffers shared by all taps, with its
own zero padding) against FINN's execution of the same FMPadding + ConvolutionInputGenerator
nodes (``parallel_window``: the whole window in FINN's (ky, kx, c) order), several frames
back to back, random input gaps and output backpressure: plain 3x3, the MRB block's dilated
1x5 / 5x1 windows, several windows per beat (M input pixels and M windows per beat), the
register-slice output for slow consumers; a moved input or tap must fail."""
import numpy as np
import pytest

from hw.gen.render import CORE_FILES
from hw.sim.golden import execute, swg_model
from rtl_tests.simrun import HW
from rtl_tests.words import run_words

# (h, w, c, bits, signed, kernel, dilation, padding top/left/bottom/right, M, credits)
CASES = {
    "3x3_binary": (8, 10, 4, 1, False, (3, 3), (1, 1), (1, 1, 1, 1), 1, 11),
    "3x3_int8": (6, 7, 3, 8, True, (3, 3), (1, 1), (1, 1, 1, 1), 1, 11),
    "3x3_int8_slice": (5, 6, 4, 8, True, (3, 3), (1, 1), (1, 1, 1, 1), 1, 2),
    "mrb_1x5_dil2": (6, 12, 8, 1, False, (1, 5), (1, 2), (0, 4, 0, 4), 1, 11),
    "mrb_5x1_dil2": (12, 6, 4, 1, False, (5, 1), (2, 1), (4, 0, 4, 0), 1, 11),
    "3x3_m2": (6, 8, 3, 8, True, (3, 3), (1, 1), (1, 1, 1, 1), 2, 11),
    "3x3_m4_binary": (5, 8, 4, 1, False, (3, 3), (1, 1), (1, 1, 1, 1), 4, 11),
    "mrb_1x5_dil2_m4": (4, 12, 4, 1, False, (1, 5), (1, 2), (0, 4, 0, 4), 4, 11),
    "mrb_5x1_dil2_m2": (10, 6, 4, 8, True, (5, 1), (2, 1), (4, 0, 4, 0), 2, 2),
    "valid_3x3": (7, 9, 2, 8, True, (3, 3), (1, 1), (0, 0, 0, 0), 1, 11),
}


def frames(case, n, seed):
    h, w, c, bits, signed = case[:5]
    rng = np.random.default_rng(seed)
    lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    return rng.integers(lo, hi, (n, h, w, c))


def expected(case, xs):
    """FINN's nodes (SIMD = C, one whole window per output pixel), M windows per beat."""
    h, w, c, bits, signed, k, d, p, m, _ = case
    dt = "BINARY" if bits == 1 else f"{'INT' if signed else 'UINT'}{bits}"
    g = swg_model(h, w, c, c, dt, k, d, p)
    return np.concatenate([execute(g, x[None]).reshape(-1, m * k[0] * k[1] * c) for x in xs])


def params(case):
    h, w, c, bits, signed, (kh, kw), (dh, dw), (pt, pl, pb, pr), m, credits = case
    return dict(C=c, EW=bits, H=h, W=w, KH=kh, KW=kw, DH=dh, DW=dw, PT=pt, PL=pl,
                OH=h + pt + pb - (kh - 1) * dh, OW=w + pl + pr - (kw - 1) * dw, M=m,
                CREDITS=credits)


def run(tmp, case, xs, ys, **over):
    c, bits, signed, m = case[2], case[3], case[4], case[8]
    return run_words("swg_lb", [HW / f for f in CORE_FILES["swg_lb"]], {**params(case), **over},
                     tmp, xs.reshape(-1, m * c), bits, signed, ys, bits, signed)


@pytest.mark.rtlsim
@pytest.mark.parametrize("name", sorted(CASES))
def test_swg_lb_matches_finn_padding_and_parallel_window(tmp_path, name):
    case = CASES[name]
    xs = frames(case, 3, seed=len(name))
    assert run(tmp_path, case, xs, expected(case, xs)) == (1, 0)


@pytest.mark.rtlsim
def test_swg_lb_negative_control_one_input_changed(tmp_path):
    case = CASES["3x3_m2"]
    xs = frames(case, 2, seed=5)
    ys = expected(case, xs)
    xs[1, 0, 0, 1] += 1 if xs[1, 0, 0, 1] < 127 else -1  # the first pixel of the second frame
    assert run(tmp_path, case, xs, ys) == (1, 1)


@pytest.mark.rtlsim
def test_swg_lb_negative_control_tap_moved(tmp_path):
    """The window's column dilation moved by one (taps one column off): must fail."""
    case = CASES["mrb_1x5_dil2"]
    xs = frames(case, 2, seed=6)
    assert run(tmp_path, case, xs, expected(case, xs), DW=1, PL=2) == (1, 1)
