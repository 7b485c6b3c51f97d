# SPDX-License-Identifier: MIT
"""Stream words as 32-bit chunk arrays, vectorised (whole frames of a video-size build):
the same packing as ``hw.sim.host.to_words`` / ``from_words`` (element 0 in the low bits,
two's complement), for the files of the C++ harness."""
from __future__ import annotations

import numpy as np


def pack_words(elements: np.ndarray, elems: int, bits: int) -> np.ndarray:
    """Flat (or any-shaped) element array -> (n_words, ceil(elems*bits/32)) uint32."""
    v = np.asarray(elements).reshape(-1, elems).astype(np.int64) & ((1 << bits) - 1)
    bitmat = ((v[:, :, None] >> np.arange(bits)) & 1).astype(np.uint8).reshape(len(v), -1)
    nch = (elems * bits + 31) // 32
    pad = np.zeros((len(v), nch * 32 - bitmat.shape[1]), np.uint8)
    packed = np.packbits(np.concatenate([bitmat, pad], axis=1), axis=1, bitorder="little")
    return packed.view("<u4").reshape(len(v), nch)


def unpack_words(words: np.ndarray, elems: int, bits: int, signed: bool) -> np.ndarray:
    """(n_words, chunks) uint32 -> flat int64 element array."""
    w = np.ascontiguousarray(words, dtype="<u4")
    bitmat = np.unpackbits(w.view(np.uint8), axis=1, bitorder="little")[:, : elems * bits]
    v = (bitmat.reshape(len(w), elems, bits).astype(np.int64) << np.arange(bits)).sum(-1)
    if signed:
        v = np.where(v >= 1 << (bits - 1), v - (1 << bits), v)
    return v.reshape(-1)
