# SPDX-License-Identifier: MIT
"""hw.gen.passes.registered_ready: which width converters take a registered input ready
(stream_dwc REG_READY), from the clocks per pixel the design leaves them; burst_words /
burst_depth: which edges into an MVAU unit get a FIFO for its burst of synapse folds. (The converter
itself with and without it: rtl_tests/stream/test_stream_dwc.py and tests/hw/test_synth.py;
whole networks with it under stalls: rtl_tests/network.)"""
import pytest

from hw.gen.design import Core, Design, Edge, Layer, Stream
from hw.gen.passes import (SLICE, burst_depth, burst_words, converter_clocks_px,
                            registered_ready)


def _edge(src_elems, dst_elems, channels, tensor="t"):
    return Edge(tensor, ("a", 0), ("b", 0), Stream(src_elems, 1, False, channels),
                Stream(dst_elems, 1, False, channels))


@pytest.mark.parametrize("src,dst,channels,need", [
    (288, 96, 288, 4),      # the 720p window into an XNOR layer: 1 word a pixel, K = 3
    (16, 8, 32, 6),         # the 720p head into its fork: 2 words a pixel, K = 2
    (8, 32, 32, None),      # up (into a window): keeps its combinational ready
    (32, 32, 32, None),     # no converter
    (5, 7, 35, None),       # no integer ratio: keeps its combinational ready
])
def test_converter_clocks_per_pixel(src, dst, channels, need):
    assert converter_clocks_px(_edge(src, dst, channels)) == need


def test_registered_ready_leaves_a_clock_per_pixel_to_spare():
    """At 6 clocks per pixel (the 720p folding) the window edge into an XNOR layer (4 clocks)
    takes it, the head's 6-clock edge does not, nor an up converter (5 clocks, but a unit's
    burst of synapse folds meets its bubbles: the default build lost 1 % to them); at 3
    clocks none does. The rate is per pixel of each edge's own tensor."""
    edges = [_edge(288, 96, 288, "w"), _edge(16, 8, 32, "h"), _edge(8, 32, 32, "u"),
             _edge(5, 7, 35, "x")]
    d = Design([], edges, edges[0].fmt_src, edges[-1].fmt_dst, (1, 1))
    px = {"w": 100, "h": 100, "u": 100, "x": 100}
    registered_ready(d, 600, px)
    assert [e.reg_ready for e in edges] == [True, False, False, False]
    registered_ready(d, 300, px)
    assert [e.reg_ready for e in edges] == [False, False, False, False]
    registered_ready(d, 500, px)                    # 4 + 1 <= 5
    assert [e.reg_ready for e in edges] == [True, False, False, False]
    registered_ready(d, 600, {**px, "w": 150})      # 4 clocks a pixel: 4 + 1 > 4
    assert [e.reg_ready for e in edges] == [False, False, False, False]


def _mvau(module, mw, mh, simd, pe):
    core = Core(module, "u", {"MW": str(mw), "MH": str(mh), "SIMD": str(simd), "PE": str(pe)}, {})
    return Layer("MVAU_hls_1", "MVAU_hls", [], [], [], [], cores=[core])


@pytest.mark.parametrize("module,mw,mh,simd,pe,words", [
    ("xnor_mvtu", 72, 8, 8, 1, 9),      # SF 9, NF 8: nine words, then 63 clocks none
    ("mvtu_int", 27, 32, 9, 16, 3),     # the 720p head: SF 3, NF 2
    ("xnor_mvtu", 72, 8, 72, 1, 0),     # SF 1: one word a pixel
    ("xnor_mvtu", 72, 8, 8, 8, 0),      # NF 1: every fold reads
    ("swg", 72, 8, 8, 1, 0),            # not an MVAU unit
])
def test_burst_words(module, mw, mh, simd, pe, words):
    assert burst_words(_mvau(module, mw, mh, simd, pe)) == words


@pytest.mark.parametrize("src,dst,burst,depth", [
    (2, 8, 9, 11),      # up 4x into SF 9: a pixel's nine words plus the slice
    (2, 8, 2, SLICE),   # a burst a slice holds
    (8, 8, 9, SLICE),   # no converter: the producer keeps up word for word
    (16, 8, 9, SLICE),  # down: each input word gives two
    (2, 8, 0, SLICE),   # no burst reader
])
def test_burst_depth(src, dst, burst, depth):
    assert burst_depth(_edge(src, dst, 8), burst) == depth
