# SPDX-License-Identifier: MIT
"""Host side of the RTL dataflow: the input reorder (NCHW -> NHWC stream words) and the
output writer (stream words -> NHWC -> NCHW -> PixelShuffle), the address reorders that the
export leaves outside the dataflow partition."""
from __future__ import annotations

import numpy as np


def to_words(x_nhwc: np.ndarray, elems: int, bits: int) -> list[int]:
    """Flatten an NHWC tensor into stream words of ``elems`` elements (element 0 in the LSBs)."""
    flat = x_nhwc.reshape(-1).astype(np.int64)
    mask = (1 << bits) - 1
    words = []
    for i in range(0, len(flat), elems):
        w = 0
        for k, v in enumerate(flat[i: i + elems]):
            w |= (int(v) & mask) << (k * bits)
        words.append(w)
    return words


def from_words(words, elems: int, bits: int, signed: bool) -> np.ndarray:
    """Stream words -> flat element array."""
    out = []
    mask = (1 << bits) - 1
    for w in words:
        for k in range(elems):
            v = (int(w) >> (k * bits)) & mask
            if signed and v >= 1 << (bits - 1):
                v -= 1 << bits
            out.append(v)
    return np.array(out, dtype=np.int64)


def image_to_words(img_chw: np.ndarray, elems: int, bits: int) -> list[int]:
    """One (3, h, w) uint8 image -> input stream words (the host's input transpose)."""
    return to_words(img_chw.transpose(1, 2, 0), elems, bits)


def elements_to_image(elems: np.ndarray, hwc: tuple, scale: int) -> np.ndarray:
    """One frame's output elements (NHWC order) -> (3, h*scale, w*scale) image: the output
    writer's transpose and PixelShuffle (DepthToSpace, CRD) as an address reorder."""
    h, w, c = hwc
    y = np.asarray(elems).reshape(h, w, c).transpose(2, 0, 1)
    if scale == 1:
        return y
    co = c // (scale * scale)
    return y.reshape(co, scale, scale, h, w).transpose(0, 3, 1, 4, 2).reshape(co, h * scale, w * scale)


def words_to_image(words, elems: int, bits: int, signed: bool, hwc: tuple, scale: int) -> np.ndarray:
    """Output stream words of one frame -> (3, h*scale, w*scale) image (``elements_to_image``)."""
    return elements_to_image(from_words(words, elems, bits, signed), hwc, scale)
