# SPDX-License-Identifier: MIT
"""The requantiser forms of hw.gen.requant: closed forms are found from thresholds alone,
proven equal on every input, and a threshold moved by one makes the proof fail."""
import numpy as np
import pytest

from hw.gen.requant import (ArithForm, ChannelForm, Piece, fit_arith, int_thresholds, prove,
                            threshold_fn)


def thresholds_of(f, lo: int, hi: int, xa: int, xb: int) -> np.ndarray:
    """The MultiThreshold a closed form implies: for every output level k in (lo, hi], the
    smallest input with output >= k (beyond the range: xb + 1, never reached)."""
    form = ArithForm(lo, hi, [f])
    x = np.arange(xa, xb + 1)
    y = form(x, 0)
    t = [int(x[np.argmax(y >= k)]) if (y >= k).any() else xb + 1 for k in range(lo + 1, hi + 1)]
    return np.array([t], dtype=np.float32)


CASES = {
    # a BTM body conv: popcount P in [0, 288], PReLU slope 1/4 below the pivot, x4 above
    "prelu_popcount": (ChannelForm(144, Piece(2, 0, -576), Piece(0, 0, -144)), -128, 127, 0, 288),
    # the int8 head: round-half-up right shift of a wide accumulator
    "head_shift": (ChannelForm(-5000, Piece(0, 9, 256), Piece(0, 9, 256)), -128, 127, -70000, 70000),
    # the tail: shift, the input mean added back, uint8 clamp
    "tail_mean": (ChannelForm(0, Piece(0, 7, 110 * 128 + 64), Piece(0, 7, 110 * 128 + 64)), 0, 255, -40000, 40000),
    # a clamp after a residual add
    "clamp": (ChannelForm(-256, Piece(0, 0, 0), Piece(0, 0, 0)), -128, 127, -256, 255),
    # a sign: x >= 3
    "compare": (ChannelForm(0, Piece(0, 0, -2), Piece(0, 0, -2)), 0, 1, -128, 127),
    # both pieces shifting right, pivot inside a constant stretch
    "two_right_shifts": (ChannelForm(37, Piece(0, 1, -36), Piece(0, 3, -33)), -64, 63, 0, 300),
    # the binary-weight upsampler with alpha = 5 * 2^-8 (a 3-bit significand): x5, shift
    "tail_alpha_5": (ChannelForm(0, Piece(0, 9, 100 * 512 + 256, 5), Piece(0, 9, 100 * 512 + 256, 5)),
                     0, 255, -20000, 20000),
    # alpha = 7 * 2^-6 and 3 * 2^-4 on two pieces (a factor on each side of a pivot)
    "two_factors": (ChannelForm(0, Piece(0, 6, 32, 7), Piece(0, 4, 8, 3)), -128, 127, -600, 600),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fit_recovers_an_exact_form(name):
    f, lo, hi, xa, xb = CASES[name]
    T = thresholds_of(f, lo, hi, xa, xb)
    form, why = fit_arith(T, lo, [(xa, xb)])
    assert form is not None, why
    proof = prove(form, T, lo, [(xa, xb)])
    assert proof == {"inputs": xb - xa + 1, "mismatches": 0, "first": None}


def test_form_equals_thresholds_on_every_input_directly():
    """Independent of ``prove``: evaluate the fitted form and FINN's threshold rule."""
    f, lo, hi, xa, xb = CASES["prelu_popcount"]
    T = thresholds_of(f, lo, hi, xa, xb)
    form, _ = fit_arith(T, lo, [(xa, xb)])
    x = np.arange(xa, xb + 1)
    assert (form(x, 0) == lo + (x[:, None] >= T[0][None, :]).sum(1)).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_negative_control_threshold_moved_by_one(name):
    """Moving one reachable threshold by one changes the function: the proof must fail."""
    f, lo, hi, xa, xb = CASES[name]
    T = thresholds_of(f, lo, hi, xa, xb)
    form, _ = fit_arith(T, lo, [(xa, xb)])
    t = int_thresholds(T)[0]
    inside = np.flatnonzero((t > xa) & (t <= xb))
    k = inside[len(inside) // 2]
    moved = T.copy()
    moved[0, k] += 1
    if k + 1 < moved.shape[1] and moved[0, k] > moved[0, k + 1]:
        moved[0, k] -= 2  # keep the thresholds sorted: move the other way
    proof = prove(form, moved, lo, [(xa, xb)])
    assert proof["mismatches"] >= 1 and proof["first"] is not None


def test_irregular_thresholds_have_no_closed_form():
    """A folded BatchNorm: scale 0.37 and an offset, thresholds not a power-of-two grid."""
    x = np.arange(0, 289)
    y = np.clip(np.floor((2 * x - 288) * 0.37 + 4.3 + 0.5), -128, 127).astype(int)
    T = np.array([[x[np.argmax(y >= k)] if (y >= k).any() else 289 for k in range(-127, 128)]],
                 dtype=np.float32)
    form, why = fit_arith(T, -128, [(0, 288)])
    assert form is None and "channel 0" in why


def test_per_channel_forms_and_broadcast_rows():
    fa, lo, hi, xa, xb = CASES["prelu_popcount"]
    fb = ChannelForm(150, Piece(1, 0, -300), Piece(0, 1, -150))
    T = np.concatenate([thresholds_of(fa, lo, hi, xa, xb), thresholds_of(fb, lo, hi, xa, xb)])
    form, why = fit_arith(T, lo, [(xa, xb)] * 2)
    assert form is not None and len(form.channels) == 2, why
    x = np.arange(xa, xb + 1)
    for c in range(2):
        assert (form(x, c) == threshold_fn(int_thresholds(T)[c], lo, x)).all()


def test_odd_factors_only_where_no_shift_form_exists():
    """A scale with a factor 5 needs it; one without keeps factor 1 (designs unchanged)."""
    f, lo, hi, xa, xb = CASES["tail_alpha_5"]
    form, why = fit_arith(thresholds_of(f, lo, hi, xa, xb), lo, [(xa, xb)])
    assert form.channels[0].pos.mul == 5 and "3x/5x/7x" in form.kind, why
    for name in ("prelu_popcount", "head_shift", "tail_mean", "two_right_shifts"):
        f, lo, hi, xa, xb = CASES[name]
        form, _ = fit_arith(thresholds_of(f, lo, hi, xa, xb), lo, [(xa, xb)])
        assert all(p.mul == 1 for c in form.channels for p in (c.pos, c.neg)), name
