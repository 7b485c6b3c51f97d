# SPDX-License-Identifier: MIT
"""SystemVerilog literals and memory files, range-checked: a value that does not fit its
field raises instead of being cut (the generator and the benches share these)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np


class LiteralRangeError(ValueError):
    """A value does not fit the field it is packed into."""


def bits_for(lo: int, hi: int) -> tuple[int, bool]:
    """Smallest (width, signed) holding every integer in [lo, hi]."""
    lo, hi = int(lo), int(hi)
    if lo >= 0:
        return max(1, hi.bit_length()), False
    return max(max((-lo - 1).bit_length(), hi.bit_length()) + 1, 2), True


def check(v: int, width: int, signed: bool, what: str = "value") -> int:
    """``v`` as an unsigned field of ``width`` bits (two's complement if ``signed``)."""
    v = int(v)
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
    if not lo <= v <= hi:
        raise LiteralRangeError(f"{what} {v} does not fit {width} {'signed' if signed else 'unsigned'} bits")
    return v & ((1 << width) - 1)


def pack(values: Iterable[int], width: int, signed: bool, what: str = "value") -> int:
    """Values packed into one integer, element 0 in the least significant bits."""
    word = 0
    for i, v in enumerate(values):
        word |= check(v, width, signed, what) << (i * width)
    return word


def sv_vector(values: Iterable[int], width: int, signed: bool, what: str = "value") -> str:
    """A packed SystemVerilog literal ``N'h...`` of ``values`` (element 0 in the LSBs)."""
    vals = [int(v) for v in values]
    n = max(1, len(vals) * width)
    return f"{n}'h{pack(vals, width, signed, what):x}"


def sv_int(v: int, what: str = "value") -> str:
    """A 32-bit ``int`` parameter value."""
    check(v, 32, True, what)
    return str(int(v))


def sv_string(s) -> str:
    return '"' + str(s).replace("\\", "/") + '"'


def hex_rows(values: np.ndarray, width: int, signed: bool, what: str = "value") -> list[str]:
    """Rows of lane values (n, lanes) -> one hex word per row (lane 0 in the LSBs),
    range-checked; vectorised for long streams (the same words as ``pack``)."""
    v = np.asarray(values, dtype=np.int64)
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
    if v.size and (v.min() < lo or v.max() > hi):
        bad = v[(v < lo) | (v > hi)][0]
        raise LiteralRangeError(f"{what} {bad} does not fit {width} {'signed' if signed else 'unsigned'} bits")
    lanes = v.shape[1]
    u = (v & ((1 << width) - 1)).astype(object)  # python ints: words of any width
    shifts = np.array([k * width for k in range(lanes)], dtype=object)
    return [f"{w:x}" for w in (u << shifts).sum(axis=1)]


def mem_text(words: Iterable[int]) -> str:
    """$readmemh text: one hex word per line (words already packed, non-negative)."""
    return "\n".join(f"{int(w):x}" for w in words) + "\n"


def weight_words(W: np.ndarray, simd: int, pe: int, width: int = 1, signed: bool = False) -> list[int]:
    """Weights (MW, MH) -> NF*SF words of PE*SIMD elements; element (p, i) of word (nf, sf)
    is W[sf*SIMD + i, nf*PE + p] at bits (p*SIMD + i)*width (the units' weight layout)."""
    mw, mh = W.shape
    if mw % simd or mh % pe:
        raise LiteralRangeError(f"folding SIMD={simd}, PE={pe} does not divide MW={mw}, MH={mh}")
    words = []
    for nf in range(mh // pe):
        for sf in range(mw // simd):
            blk = W[sf * simd:(sf + 1) * simd, nf * pe:(nf + 1) * pe].T.reshape(-1)
            words.append(pack(blk, width, signed, "weight"))
    return words


def write_text(path: Path, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text)
