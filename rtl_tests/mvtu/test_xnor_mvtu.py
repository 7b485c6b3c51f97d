# SPDX-License-Identifier: MIT
"""hw/rtl/xnor_mvtu.sv against FINN's Python execution of the same XNOR MVAU node (raw
popcount output), with random folding, odd sizes, input gaps and output backpressure; a
flipped weight bit must fail."""
from pathlib import Path

import numpy as np
import pytest

from hw.gen.emit import SHALLOW_ROM
from hw.gen.literals import mem_text, sv_string, weight_words, write_text
from hw.sim.golden import mvau_execute, mvau_model, popcount_width
from hw.gen.render import CORE_FILES
from rtl_tests.simrun import HW
from rtl_tests.words import run_words

SOURCES = [HW / f for f in CORE_FILES["xnor_mvtu"]]

# (MW, MH, SIMD, PE, pause_in, pause_out, vectors): foldings, odd sizes
PARAMS = [
    (72, 8, 8, 2, 0.3, 0.3, 6),     # the small net's 3x3 conv on 8 channels
    (288, 32, 36, 4, 0.3, 0.3, 3),  # the default net's body conv: popcounts up to 288
    (45, 6, 5, 3, 0.2, 0.6, 5),     # odd sizes
    (80, 4, 80, 1, 0.4, 0.4, 5),    # MRB 1x5 branch width, SIMD = MW
    (9, 3, 1, 1, 0.0, 0.0, 4),      # fully folded, no stalls
    (144, 64, 144, 64, 0.3, 0.3, 4),  # fully parallel (FINN's MVAU test shape): 9 216 bits
]


def run_case(tmp: Path, mw, mh, simd, pe, p_in, p_out, nvec, seed, flip=False, pairs=0,
             carry=False):
    rng = np.random.default_rng(seed)
    W = rng.integers(0, 2, (mw, mh))
    cw = popcount_width(mw)
    # the input vectors hit every popcount extreme once: all-equal and all-different to W[:,0]
    x = rng.integers(0, 2, (nvec, mw))
    x[0], x[1] = W[:, 0], 1 - W[:, 0]
    expected = mvau_execute(mvau_model(W, None, simd, pe, f"UINT{cw}", 0, nvec), x)
    Wm = W.copy()
    if flip:
        Wm[mw // 2, 0] ^= 1  # negative control: one weight bit differs from the golden node
    write_text(tmp / "w.mem", mem_text(weight_words(Wm, simd, pe)))
    params = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, CNT_W=cw, WEIGHT_FILE=sv_string(tmp / "w.mem"))
    if (mw // simd) * (mh // pe) <= SHALLOW_ROM:  # as the generator: weights read as logic,
        params["WEIGHT_RAM"] = sv_string("logic")  # one operand stage (the input held at the
        params["LEAN"] = 1                         # producer with one synapse fold)
    if pairs:  # the ECP5 adder trees (two-input adders; 2: each registered)
        params["PAIRS"] = pairs
    if carry:  # the ECP5 group counts in carry chains (carry_count), counted down from MW
        params["CARRY_COUNT"] = 1
    return run_words("xnor_mvtu", SOURCES, params, tmp, x.reshape(-1, simd), 1, False,
                     expected.reshape(-1, pe), cw, False, p_in, p_out)


@pytest.mark.rtlsim
@pytest.mark.parametrize("case", PARAMS, ids=lambda c: "mw{}_mh{}_s{}_p{}".format(*c[:4]))
def test_xnor_mvtu_matches_finn_node(tmp_path, case):
    assert run_case(tmp_path, *case, seed=sum(case[:4])) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("pairs", [1, 2], ids=["pairs", "pairs_reg"])
@pytest.mark.parametrize("case", [PARAMS[1], PARAMS[2]], ids=["mw288", "mw45"])
def test_xnor_mvtu_two_input_adder_tree(tmp_path, case, pairs):
    """The ECP5 adder trees: two-input adders registered every two levels (PAIRS = 1, the
    generator's choice) or every level (PAIRS = 2, an option)."""
    assert run_case(tmp_path, *case, seed=sum(case[:4]) + 1, pairs=pairs) == (1, 0)


@pytest.mark.rtlsim
def test_negative_control_flipped_weight_bit_fails(tmp_path):
    assert run_case(tmp_path, *PARAMS[0], seed=7, flip=True) == (1, 1)


@pytest.mark.rtlsim
@pytest.mark.parametrize("case", [PARAMS[0], PARAMS[1], PARAMS[2], PARAMS[4], PARAMS[5]],
                         ids=["mw72", "mw288", "mw45", "mw9", "mw144_parallel"])
def test_xnor_mvtu_carry_chain_counts(tmp_path, case):
    """The ECP5 form (CARRY_COUNT, with the generator's two-input adder tree): each group's
    mismatch count from carry_count's half-cells (simulated with the INIT values synthesis
    gives the CCU2C cells), the accumulator counting down from MW. Odd sizes leave a
    group short (45 = 15 groups of 3 but SIMD 5: padded groups) and chains split (L = 8)."""
    assert run_case(tmp_path, *case, seed=sum(case[:4]) + 2, pairs=1, carry=True) == (1, 0)


@pytest.mark.rtlsim
def test_negative_control_flipped_weight_bit_fails_with_carry_counts(tmp_path):
    assert run_case(tmp_path, *PARAMS[1], seed=7, flip=True, pairs=1, carry=True) == (1, 1)
