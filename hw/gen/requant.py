# SPDX-License-Identifier: MIT
"""Requantiser forms: which hardware reproduces a MultiThreshold, proven over every input.

FINN turns every requantisation into thresholds: ``y = ActVal + #(x >= T[c][t])``. Under
the numeric contract (power-of-two scales and PReLU slopes, round half up, saturation) the
thresholds of a BN-free layer are those of a closed form, per channel

    y = clamp(((x << shl) + bias) >> shr, lo, hi)            (>> is floor, min(shl, shr) = 0)

with a second set of (shl, shr, bias) below a pivot where a PReLU has a different slope.
That is a shift, an add and a clamp in hardware (``hw/rtl/requant_arith.sv``). Where no
such form exists because a scale has an odd factor of 3, 5 or 7 (the binary-weight
upsampler with a 3-bit-significand α, ``model.quantizers.ShortMantissaRestrictValue``), x is
first multiplied by that constant, ``(((x * mul) << shl) + bias) >> shr``: one more
shift-and-add, no multiplier; forms with ``mul = 1`` are always tried first. A folded
BatchNorm has per-channel non-power-of-two scales and irregular thresholds: it keeps its
thresholds, in a threshold memory searched in log2(NT + 1) pipelined compares
(``hw/rtl/thresh_bsearch.sv``).

``fit_arith`` finds a form from the thresholds alone (no knowledge of the model), as
intervals of the bias that every constant stretch of the threshold function allows;
``prove`` then evaluates form and thresholds on every input of the node's range and
compares them with ``==``. Only a proven form is used.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

#: left / right shift amounts tried when fitting (slopes 2^-RMAX .. 2^LMAX)
LMAX, RMAX = 16, 32
#: odd constant factors of a slope (each one shift-and-add in hardware: 3x = 2x + x,
#: 5x = 4x + x, 7x = 8x - x), tried only when no form with factor 1 exists
MULS = (1, 3, 5, 7)
_BIG = 1 << 62  # stands for an unbounded side of a bias interval


@dataclass(frozen=True)
class Piece:
    """``(((x * mul) << shl) + bias) >> shr`` (floor; ``mul`` one of ``MULS``)."""

    shl: int
    shr: int
    bias: int
    mul: int = 1

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (((x * self.mul) << self.shl) + self.bias) >> self.shr


@dataclass(frozen=True)
class ChannelForm:
    """``pos`` for ``x >= pivot``, ``neg`` below (equal pieces: one linear form)."""

    pivot: int
    pos: Piece
    neg: Piece

    @property
    def pieces(self) -> int:
        return 1 if self.pos == self.neg else 2


@dataclass
class ArithForm:
    """A requantiser as arithmetic: per channel (or one shared) form, clamped to [lo, hi]."""

    lo: int
    hi: int
    channels: list[ChannelForm]

    def __call__(self, x: np.ndarray, c: int) -> np.ndarray:
        f = self.channels[c if len(self.channels) > 1 else 0]
        z = np.where(x >= f.pivot, f.pos(x), f.neg(x))
        return np.clip(z, self.lo, self.hi)

    @property
    def kind(self) -> str:
        """A name for the record: compare (one threshold), clamp, shift, or piecewise shift."""
        if self.hi - self.lo == 1:
            return "compare"
        if all(f.pieces == 1 and f.pos == Piece(0, 0, 0) for f in self.channels):
            return "clamp"
        kind = "shift" if all(f.pieces == 1 for f in self.channels) else "piecewise shift"
        if any(p.mul != 1 for f in self.channels for p in (f.pos, f.neg)):
            kind += " with 3x/5x/7x"
        return kind

    def to_json(self) -> dict:
        return {"lo": self.lo, "hi": self.hi, "channels": [asdict(f) for f in self.channels]}


# ---------------------------------------------------------------- threshold function
def int_thresholds(T: np.ndarray) -> np.ndarray:
    """Thresholds as sorted int64 rows: for integer x, ``x >= t`` equals ``x >= ceil(t)``."""
    return np.sort(np.ceil(np.asarray(T, dtype=np.float64)).astype(np.int64), axis=-1)


def threshold_fn(t_row: np.ndarray, act: int, x: np.ndarray) -> np.ndarray:
    """FINN's MultiThreshold of one channel: ``act + #(x >= t)`` (``t_row`` sorted)."""
    return act + np.searchsorted(t_row, x, side="right")


def segments(t_row: np.ndarray, act: int, xa: int, xb: int):
    """The threshold function on [xa, xb] as constant stretches: (x1, x2, value) arrays."""
    inr = t_row[(t_row > xa) & (t_row <= xb)]
    bp, cnt = np.unique(inr, return_counts=True)
    x1 = np.concatenate([[xa], bp]).astype(object)
    x2 = np.concatenate([bp - 1, [xb]]).astype(object)
    v = act + int((t_row <= xa).sum()) + np.concatenate([[0], np.cumsum(cnt)])
    return [int(a) for a in x1], [int(b) for b in x2], [int(c) for c in v]


# ---------------------------------------------------------------- fitting
def _bias_bounds(x1, x2, v, lo, hi, shl, shr, mul=1):
    """Per stretch, the interval of biases for which the piece equals the thresholds on the
    whole stretch (python ints: no overflow)."""
    L, U = [], []
    one = 1 << shr
    for a, b, val in zip(x1, x2, v):
        a, b = a * mul, b * mul
        if val >= hi:      # saturated high: z(a) >= hi suffices (z is increasing)
            L.append(hi * one - (a << shl)); U.append(_BIG)
        elif val <= lo:    # saturated low: z(b) <= lo suffices
            L.append(-_BIG); U.append((lo + 1) * one - 1 - (b << shl))
        else:              # floor((x*2^shl + bias) / 2^shr) == val on [a, b]
            L.append(val * one - (a << shl)); U.append(val * one - (b << shl) + one - 1)
    return L, U


def _runs(L, U):
    """Suffix and prefix intersections of the bias intervals: for each stretch index j, the
    interval valid on stretches j.. end (suffix) and 0 .. j (prefix)."""
    n = len(L)
    suf, lo_, hi_ = [None] * n, -_BIG, _BIG
    for j in range(n - 1, -1, -1):
        lo_, hi_ = max(lo_, L[j]), min(hi_, U[j])
        suf[j] = (lo_, hi_)
    pre, lo_, hi_ = [None] * n, -_BIG, _BIG
    for j in range(n):
        lo_, hi_ = max(lo_, L[j]), min(hi_, U[j])
        pre[j] = (lo_, hi_)
    return suf, pre


def _pick(lo_: int, hi_: int) -> int:
    """A bias from a non-empty interval: 0 if allowed, else the bound nearer to 0."""
    return min(max(0, lo_), hi_)


def _shift_pairs():
    """(shl, shr) with min = 0, small shifts first (then clamps read as plain clamps)."""
    out = [(0, 0)]
    for k in range(1, max(LMAX, RMAX) + 1):
        if k <= RMAX:
            out.append((0, k))
        if k <= LMAX:
            out.append((k, 0))
    return out


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def fit_channel(t_row: np.ndarray, act: int, nt: int, xa: int, xb: int) -> ChannelForm | None:
    """A closed form equal to the thresholds ``t_row`` on [xa, xb], or None: shift forms
    (factor 1) first, then with the factors of ``MULS``."""
    return (_fit_channel(t_row, act, nt, xa, xb, (1,))
            or _fit_channel(t_row, act, nt, xa, xb, MULS))


def _fit_channel(t_row, act, nt, xa, xb, muls) -> ChannelForm | None:
    lo, hi = act, act + nt
    x1, x2, v = segments(t_row, act, xa, xb)
    n = len(v)
    runs = {}
    for mul in muls:
        for shl, shr in _shift_pairs():
            L, U = _bias_bounds(x1, x2, v, lo, hi, shl, shr, mul)
            suf, pre = _runs(L, U)
            if suf[0][0] <= suf[0][1]:  # one linear piece over the whole range
                p = Piece(shl, shr, _pick(*suf[0]), mul)
                return ChannelForm(xa, p, p)
            # first stretch of the valid suffix, last stretch of the valid prefix
            j_pos = next(j for j in range(n + 1) if j == n or suf[j][0] <= suf[j][1])
            j_neg = next(j for j in range(n - 1, -2, -1) if j < 0 or pre[j][0] <= pre[j][1])
            runs[(shl, shr, mul)] = (j_pos, j_neg, suf, pre)
    for (sp, rp, mp), (j_pos, _, suf, _) in runs.items():
        if j_pos >= n:
            continue
        for (sn, rn, mn), (_, j_neg, _, pre) in runs.items():
            if j_neg < 0:
                continue
            if j_pos <= j_neg + 1:  # the pieces meet at a stretch boundary
                return ChannelForm(x1[j_pos], Piece(sp, rp, _pick(*suf[j_pos]), mp),
                                   Piece(sn, rn, _pick(*pre[j_pos - 1]), mn))
            if j_pos == j_neg + 2:  # the pivot lies inside stretch g
                f = _split(j_neg + 1, x1, x2, v, lo, hi, (sp, rp, mp, suf[j_pos]),
                           (sn, rn, mn, pre[j_neg]))
                if f is not None:
                    return f
    return None


def _split(g, x1, x2, v, lo, hi, pos, neg) -> ChannelForm | None:
    """Pivot inside stretch g = [a, b] of value val: the positive piece must hold on
    [pivot, b], the negative one on [a, pivot - 1]; each bias stays in its run's interval."""
    a, b, val = x1[g], x2[g], v[g]
    sp, rp, mp, (Lp, Up) = pos
    sn, rn, mn, (Ln, Un) = neg
    # positive piece: the largest bias reaches furthest left
    if val >= hi:
        bp = max(Lp, hi * (1 << rp) - ((a * mp) << sp))
        p_pos = a if bp <= Up else b + 1
        bp = bp if bp <= Up else _pick(Lp, Up)
    elif val <= lo:
        bp = min(Up, (lo + 1) * (1 << rp) - 1 - ((b * mp) << sp))
        p_pos = a if bp >= Lp else b + 1
        bp = bp if bp >= Lp else _pick(Lp, Up)
    else:
        bmax = min(Up, val * (1 << rp) - ((b * mp) << sp) + (1 << rp) - 1)
        if bmax >= Lp:
            bp = bmax
            p_pos = max(a, _ceil_div(val * (1 << rp) - bp, mp << sp))
        else:
            bp, p_pos = _pick(Lp, Up), b + 1
    # negative piece: the smallest bias reaches furthest right
    if val <= lo:
        bn = Ln if Ln > -_BIG else min(Un, (lo + 1) * (1 << rn) - 1 - ((b * mn) << sn))
        p_neg = (((lo + 1) * (1 << rn) - 1 - bn) // (mn << sn)) + 1 if bn <= Un else a
        bn = bn if bn <= Un else _pick(Ln, Un)
    elif val >= hi:
        bn = max(Ln, hi * (1 << rn) - ((a * mn) << sn))
        p_neg = b + 1 if bn <= Un else a
        bn = bn if bn <= Un else _pick(Ln, Un)
    else:
        bmin = max(Ln, val * (1 << rn) - ((a * mn) << sn))
        if bmin <= Un:
            bn = bmin
            p_neg = ((val * (1 << rn) + (1 << rn) - 1 - bn) // (mn << sn)) + 1
        else:
            bn, p_neg = _pick(Ln, Un), a
    p_neg = min(p_neg, b + 1)
    if p_pos > p_neg or abs(bp) >= _BIG or abs(bn) >= _BIG:
        return None
    return ChannelForm(p_pos, Piece(sp, rp, bp, mp), Piece(sn, rn, bn, mn))


# ---------------------------------------------------------------- proof
def prove(form: ArithForm, T: np.ndarray, act: int, ranges: list[tuple[int, int]],
          chunk: int = 1 << 22) -> dict:
    """Evaluate ``form`` and the thresholds on every input of every channel's range and
    compare with ``==``. Returns {"inputs": N, "mismatches": M, "first": (c, x) or None}."""
    t = int_thresholds(T)
    n = mism = 0
    first = None
    for c, (xa, xb) in enumerate(ranges):
        row = t[c if t.shape[0] > 1 else 0]
        for s in range(xa, xb + 1, chunk):
            x = np.arange(s, min(s + chunk, xb + 1), dtype=np.int64)
            bad = np.flatnonzero(form(x, c) != threshold_fn(row, act, x))
            n += x.size
            if bad.size and first is None:
                first = (c, int(x[bad[0]]))
            mism += int(bad.size)
    return {"inputs": n, "mismatches": mism, "first": first}


def fit_arith(T: np.ndarray, act: int, ranges: list[tuple[int, int]]) -> tuple[ArithForm | None, str]:
    """Fit and prove a closed form for thresholds ``T`` (C or 1 rows, NT columns) on the
    per-channel input ``ranges``. Returns (form, why): the form only if proven equal on
    every input; ``why`` says what was found (or which channel has no closed form)."""
    t = int_thresholds(T)
    nt = t.shape[1]
    rows = t.shape[0]
    if rows == 1:  # one threshold row for every channel: one form over the union of ranges
        ranges_fit = [(min(r[0] for r in ranges), max(r[1] for r in ranges))]
    else:
        ranges_fit = ranges
    forms, cache = [], {}
    for c in range(rows):
        xa, xb = ranges_fit[c]
        key = (t[c].tobytes(), xa, xb)
        if key not in cache:
            cache[key] = fit_channel(t[c], act, nt, xa, xb)
        f = cache[key]
        if f is None:
            muls = "/".join(map(str, MULS))
            return None, (f"channel {c}: no power-of-two shift form (up to <<{LMAX} / >>{RMAX}, "
                          f"times {muls}, two pieces) matches its {nt} thresholds on "
                          f"[{xa}, {xb}]: the steps are not evenly spaced by 1, 3, 5 or 7 "
                          "times a power of two (a folded BatchNorm's scale)")
        forms.append(f)
    form = ArithForm(act, act + nt, forms)
    proof = prove(form, T, act, ranges_fit)
    if proof["mismatches"]:  # the fit is exact by construction; a mismatch is a bug
        raise AssertionError(f"fitted form differs from its thresholds: {proof}")
    return form, (f"{form.kind}: equal to the {nt} thresholds on all {proof['inputs']} inputs "
                  "of the range")
