# SPDX-License-Identifier: MIT
"""A deep FIFO as a chain of stream_fifos (``hw.gen.passes.fifo_stages``): over every depth
in range it holds at least the words asked, in as many block RAMs as one FIFO; a
chained buffer goes through Yosys with those block RAMs and the resource model's count.
(The whole network with chains, bit-exact under stalls: rtl_tests/network/test_network.py.)"""
import pytest

from hw import synth
from hw.gen.design import Edge, Stream
from hw.gen.passes import FIFO_OUT_WORDS, fifo_bank_words, fifo_stages
from hw.gen.render import render_buffer
from hw.resmodel import _Pseudo, block_count, edge_cores, fifo_banks


def _banks(depth, width):
    return fifo_banks(_Pseudo("stream_fifo", {"WIDTH": width, "DEPTH": depth}))


@pytest.mark.parametrize("width", [1, 8, 18, 40, 64])
@pytest.mark.parametrize("stage_words", [8, 100, 512, 1024, 2048])
def test_chain_holds_the_depth_in_the_same_banks(width, stage_words):
    bd = fifo_bank_words(width)
    cap = stage_words
    for depth in list(range(1, 3000)) + [10_662, 10_662 * 3 + 17]:
        assert fifo_stages(depth, width) == [depth]             # the default: one FIFO
        st = fifo_stages(depth, width, stage_words)
        assert all(d > 0 for d in st), (depth, st)
        if depth - FIFO_OUT_WORDS <= cap or depth <= FIFO_OUT_WORDS + 2:
            assert st == [depth]
            continue
        assert len(st) > 1
        assert sum(st) >= depth                                    # holds what was asked
        assert sum(d - FIFO_OUT_WORDS for d in st) == depth - FIFO_OUT_WORDS   # no memory more
        assert all(d - FIFO_OUT_WORDS <= cap for d in st), (depth, st)
        if cap >= bd:       # whole banks: the chain's block RAMs are one FIFO's
            one = _Pseudo("stream_fifo", {"WIDTH": width, "DEPTH": depth})
            chain = [_Pseudo("stream_fifo", {"WIDTH": width, "DEPTH": d}) for d in st]
            assert sum(map(block_count, chain)) == block_count(one), (depth, st)
            full = [b for d in st for b in _banks(d, width) if b == bd]
            assert full == [b for b in _banks(depth, width) if b == bd], (depth, st)


def test_720p_skip_fifo_is_six_stages_of_its_21_banks():
    """The 720p point's global skip (10 662 words of 64 bits): 21 banks of 512 words, in
    stages of at most four banks: 4, 4, 4, 3, 3 and 3 banks (the part bank last)."""
    st = fifo_stages(10_662, 64, 4 * 512)
    assert [len(_banks(d, 64)) for d in st] == [4, 4, 4, 3, 3, 3]
    assert st[:-1] == [4 * 512 + 6] * 3 + [3 * 512 + 6] * 2


def test_720p_global_skip_alone_in_three_stages_of_seven_banks():
    """Stages of seven banks (``--fifo-stage-words 3584``), at the depths the nineteenth
    session's 720p stitch gave: the global skip (10 656 words) becomes three stages of 7 banks
    and the residual skips (2 656 words, 6 banks) stay one FIFO each, so only the 21-bank
    FIFO is cut."""
    st = fifo_stages(10_656, 64, 7 * 512)
    assert st == [3_590, 3_590, 3_488] and [len(_banks(d, 64)) for d in st] == [7, 7, 7]
    assert fifo_stages(2_656, 64, 7 * 512) == [2_656] and len(_banks(2_656, 64)) == 6


def test_chained_buffer_synthesises_with_one_fifos_block_rams(tmp_path):
    """1 106 words of 40 bits in stages of at most 512 memory words: three stream_fifos, the
    same 6 EBR as one FIFO (512 + 512 + 76 words in banks), as the resource model counts."""
    s = Stream(elems=5, bits=8, signed=False, channels=5)
    e = Edge("t", ("a", 0), ("b", 0), s, s, depth=1106, index=0)
    e.stages = fifo_stages(e.depth, s.width, 512)
    assert e.stages == [518, 518, 82]
    want = sum(block_count(c) for c in edge_cores(e))
    assert want == block_count(_Pseudo("stream_fifo", {"WIDTH": 40, "DEPTH": 1106})) == 6
    text = render_buffer(e)
    assert text.count("stream_fifo #") == 3
    top = text + ("\nmodule t(input wire ap_clk, input wire ap_rst_n, input wire [39:0] s_axis_tdata,"
                  " input wire s_axis_tvalid, output wire s_axis_tready,"
                  " output wire [39:0] m_axis_tdata, output wire m_axis_tvalid,"
                  " input wire m_axis_tready);\n  B_0 u (.*);\nendmodule\n")
    got = synth.synth_core("stream_fifo", top, "t", tmp_path, "ecp5")
    assert got["EBR"] == want, got
