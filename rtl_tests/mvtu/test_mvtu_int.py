# SPDX-License-Identifier: MIT
"""hw/rtl/mvtu_int.sv (int8 head/tail) against FINN's Python execution of the same integer
MVAU node (raw dot products), with random folding, odd sizes, input gaps and output
backpressure; a changed weight must fail."""
from pathlib import Path

import numpy as np
import pytest

from hw.gen.emit import SHALLOW_ROM
from hw.gen.literals import bits_for, mem_text, sv_string, weight_words, write_text
from hw.sim.golden import mvau_execute, mvau_model
from hw.gen.render import CORE_FILES
from rtl_tests.simrun import HW
from rtl_tests.words import run_words

SOURCES = [HW / f for f in CORE_FILES["mvtu_int"]]

# (MW, MH, SIMD, PE, in_dt, pause_in, pause_out, vectors)
PARAMS = [
    (27, 8, 3, 2, "INT9", 0.3, 0.3, 5),     # head: 3x3 conv on 3 channels
    (27, 32, 9, 1, "INT9", 0.2, 0.2, 3),    # the default head folding (9 products per clock)
    (72, 12, 4, 3, "INT8", 0.4, 0.5, 4),    # tail: 3x3 conv, 8 -> 12 ch
    (10, 5, 5, 5, "UINT8", 0.0, 0.7, 6),    # odd sizes, unsigned input
    (72, 12, 24, 12, "INT8", 0.3, 0.3, 5, True),   # binary weights (tail), 3 fold steps
    (45, 6, 9, 2, "INT8", 0.4, 0.4, 4, True),      # binary weights, odd sizes
    (27, 32, 9, 4, "INT9", 0.3, 0.3, 3, False, 20),  # head: 20 products on DSPs, 16 in logic
    (72, 12, 8, 3, "INT8", 0.3, 0.3, 3, False, 0),   # every product in logic
    (72, 12, 72, 3, "INT8", 0.4, 0.4, 4, True),      # binary, one synapse fold: input held
    (27, 16, 27, 4, "INT9", 0.3, 0.5, 3, False, 50),  # head, one synapse fold, 58 in logic
    (27, 32, 9, 16, "INT9", 0.3, 0.4, 4),    # the 720p head: 3 x 2 folds, 16 weight lanes
]


def run_case(tmp: Path, mw, mh, simd, pe, in_dt, p_in, p_out, nvec, bipolar=False, ndsp=-1,
             seed=0, change=False, pairs=0, sums=False, carry=False):
    rng = np.random.default_rng(seed)
    in_w, signed = int(in_dt.lstrip("UINT")), in_dt.startswith("INT")
    W = rng.choice([-1, 1], (mw, mh)) if bipolar else rng.integers(-127, 128, (mw, mh))
    lo, hi = (-(1 << (in_w - 1)), 1 << (in_w - 1)) if signed else (0, 1 << in_w)
    x = rng.integers(lo, hi, (nvec, mw))
    x[0] = np.where(W[:, 0] > 0, hi - 1, lo)  # the largest dot product of neuron 0
    acc_w, _ = bits_for(-(np.abs(W).sum(0).max() * max(-lo, hi)), np.abs(W).sum(0).max() * max(-lo, hi))
    expected = mvau_execute(mvau_model(W, None, simd, pe, f"INT{acc_w}", 0, nvec, in_dt=in_dt,
                                       w_dt="BIPOLAR" if bipolar else "INT8",
                                       acc_dt=f"INT{acc_w}"), x)
    Wm = W.copy()
    if change:  # negative control: one weight differs from the golden node (synapse, neuron)
        r, c = change if isinstance(change, tuple) else (1, 0)
        Wm[r, c] = -Wm[r, c] if bipolar else Wm[r, c] + 1
    if bipolar:
        # the unit sums x / ~x: the dot product minus the -1 count of the neuron (the
        # generator moves that constant into the thresholds; here it is added back)
        expected = expected - (W == -1).sum(0)[None, :]
        write_text(tmp / "w.mem", mem_text(weight_words((Wm > 0).astype(int), simd, pe)))
    else:
        write_text(tmp / "w.mem", mem_text(weight_words(Wm, simd, pe, 8, True)))
    params = dict(MW=mw, MH=mh, SIMD=simd, PE=pe, IN_W=in_w, IN_SIGNED=int(signed),
                  W_W=1 if bipolar else 8, W_BIPOLAR=int(bipolar), NDSP=ndsp, ACC_W=acc_w,
                  WEIGHT_FILE=sv_string(tmp / "w.mem"))
    if (mw // simd) * (mh // pe) <= SHALLOW_ROM:  # as the generator: weights read as logic,
        params["WEIGHT_RAM"] = sv_string("logic")  # one operand stage (the input held at the
        params["LEAN"] = 1                         # producer with one synapse fold)
    if pairs:  # the ECP5 adder trees (two-input adders; 2: each registered)
        params["PAIRS"] = pairs
    if sums:   # products summed in pairs where they are made (mul_add_reg)
        params["DSP_SUMS"] = 1
    if carry:  # binary weights: the selects inside the first adder level's carry chains
        params["CARRY_SEL"] = 1
    return run_words("mvtu_int", SOURCES, params, tmp, x.reshape(-1, simd), in_w, signed,
                     expected.reshape(-1, pe), acc_w, True, p_in, p_out)


@pytest.mark.rtlsim
@pytest.mark.parametrize("case", PARAMS, ids=lambda c: "mw{}_mh{}_s{}_p{}_{}".format(*c[:5]))
def test_mvtu_int_matches_finn_node(tmp_path, case):
    assert run_case(tmp_path, *case, seed=sum(case[:4])) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("pairs", [1, 2], ids=["pairs", "pairs_reg"])
@pytest.mark.parametrize("idx", [1, 4, 6], ids=["head", "binary", "logic"])
def test_mvtu_int_two_input_adder_tree(tmp_path, idx, pairs):
    """The ECP5 adder trees: two-input adders registered every two levels (PAIRS = 1, the
    generator's choice) or every level (PAIRS = 2, an option)."""
    case = PARAMS[idx]
    assert run_case(tmp_path, *case, seed=sum(case[:4]) + 1, pairs=pairs) == (1, 0)


@pytest.mark.rtlsim
def test_negative_control_changed_weight_fails(tmp_path):
    assert run_case(tmp_path, *PARAMS[0], seed=3, change=True) == (1, 1)


@pytest.mark.rtlsim
def test_negative_control_changed_weight_in_logic_multiplier_fails(tmp_path):
    """Weight 1 of neuron 0 sits in product lane 0, i = 1: a logic multiplier with NDSP 0."""
    assert run_case(tmp_path, *PARAMS[7], seed=3, change=True) == (1, 1)


@pytest.mark.rtlsim
def test_negative_control_flipped_binary_weight_fails(tmp_path):
    assert run_case(tmp_path, *PARAMS[4], seed=3, change=True) == (1, 1)


@pytest.mark.rtlsim
def test_negative_control_flipped_binary_weight_registered_pairs_fails(tmp_path):
    """The adder tree registered at every level (PAIRS = 2) still sees one flipped weight."""
    assert run_case(tmp_path, *PARAMS[4], seed=3, change=True, pairs=2) == (1, 1)


@pytest.mark.rtlsim
@pytest.mark.parametrize("idx,where", [(9, (20, 3)), (8, (60, 2)), (10, (13, 31))],
                         ids=["head_lane3", "binary_lane6", "head720p_lane15"])
def test_negative_control_changed_weight_in_a_later_weight_lane_fails(tmp_path, idx, where):
    """Weights in logic are read per lane, each lane at its own address copy (mvtu_fetch
    WLANE; int lanes also with their own valid, one clock late: LATE): a weight changed in
    the last lane (the head's PE lane 3; the binary tail's bits 192..215, its seventh lane of
    32; the 720p head's lane 15, neuron 31, second synapse fold) must fail."""
    assert run_case(tmp_path, *PARAMS[idx], seed=3, change=where) == (1, 1)


@pytest.mark.rtlsim
@pytest.mark.parametrize("pairs", [0, 1], ids=["quads", "pairs"])
@pytest.mark.parametrize("idx", [0, 1, 2, 3, 10],
                         ids=["head_s3", "head_s9", "tail_s4", "odd_s5", "head720p"])
def test_mvtu_int_products_summed_in_pairs(tmp_path, idx, pairs):
    """DSP_SUMS: a lane's products two by two in mul_add_reg (on ECP5 two multipliers and
    their slice's ALU54B), an odd SIMD's last product alone, same latency; the 720p head's
    SIMD 9 is the odd case."""
    case = PARAMS[idx]
    assert run_case(tmp_path, *case, seed=sum(case[:4]) + 2, pairs=pairs, sums=True) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("where", [(1, 0), (8, 0)], ids=["second_of_a_pair", "odd_last"])
def test_negative_control_changed_weight_in_a_summed_pair_fails(tmp_path, where):
    """SIMD 9, PE 1: weight 1 of neuron 0 is the second operand of the first pair, weight 8
    the odd last product, alone."""
    assert run_case(tmp_path, *PARAMS[1], seed=3, change=where, sums=True) == (1, 1)


@pytest.mark.rtlsim
@pytest.mark.parametrize("idx", [8, 9], ids=["binary", "head"])
def test_held_input_ready_from_a_register_under_full_output(tmp_path, idx):
    """One synapse fold (the input held at the producer, mvtu_fetch HOLD): the input ready
    comes from a register computed a clock early from the output FIFO's next room. Heavy
    output backpressure fills that FIFO, so the room runs out and comes back often; the
    bench stops with an error on any clock where the registered ready differs from ``room``
    and the neuron fold. Checked to fail with this clock's room in place of the next one."""
    case = list(PARAMS[idx])
    case[5], case[6], case[7] = 0.1, 0.85, 40
    assert run_case(tmp_path, *case, seed=idx) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("idx", [4, 5, 8], ids=["binary_sf3", "binary_odd", "binary_held"])
def test_binary_weights_selected_in_carry_chains(tmp_path, idx):
    """CARRY_SEL (ECP5, with the generator's two-input adder tree): each pair of terms
    summed by xsel_add from the inputs and weight bits (the complemented terms), the
    accumulator counting from -MW down; simulated with the INIT values synthesis gives the
    CCU2C cells. Odd SIMD (9: a node with a missing term), three synapse folds, one fold."""
    case = PARAMS[idx]
    assert run_case(tmp_path, *case, seed=sum(case[:4]) + 3, pairs=1, carry=True) == (1, 0)


@pytest.mark.rtlsim
def test_negative_control_flipped_binary_weight_in_carry_chains_fails(tmp_path):
    assert run_case(tmp_path, *PARAMS[4], seed=3, change=True, pairs=1, carry=True) == (1, 1)
