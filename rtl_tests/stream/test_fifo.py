# SPDX-License-Identifier: MIT
"""hw/rtl/stream_fifo.sv as a register slice (DEPTH 2) and as a memory FIFO (one bank, and
several banks of one block RAM's depth when the FIFO is deeper): every word comes out once,
in order, under random input gaps and output backpressure."""
import numpy as np
import pytest

from rtl_tests.simrun import HW
from rtl_tests.words import run_words


@pytest.mark.rtlsim
@pytest.mark.parametrize("depth,p_in,p_out", [(2, 0.3, 0.3), (3, 0.2, 0.5), (37, 0.5, 0.2),
                                              (37, 0.0, 0.0)])
def test_fifo_keeps_words_in_order(tmp_path, depth, p_in, p_out):
    x = np.random.default_rng(depth).integers(0, 1 << 13, (300, 1))
    assert run_words("stream_fifo", [HW / "stream_fifo.sv"], dict(WIDTH=13, DEPTH=depth), tmp_path,
                     x, 13, False, x, 13, False, p_in, p_out) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("width,depth,p_in,p_out", [(40, 1100, 0.0, 0.7), (40, 1100, 0.3, 0.3),
                                                    (3, 4200, 0.0, 0.8)])
def test_banked_fifo_keeps_words_in_order(tmp_path, width, depth, p_in, p_out):
    """1094 words of 40 bits: banks of 512, 512 and 70; 4194 of 3 bits: 4096 and 98; the
    output backpressure fills the FIFO so that every bank boundary is crossed."""
    n = 3 * depth
    x = np.random.default_rng(depth + width).integers(0, 1 << width, (n, 1))
    assert run_words("stream_fifo", [HW / "stream_fifo.sv"], dict(WIDTH=width, DEPTH=depth), tmp_path,
                     x, width, False, x, width, False, p_in, p_out) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("p_in,p_out", [(0.3, 0.3), (0.0, 0.7)])
def test_fifo_of_many_banks_keeps_words_in_order(tmp_path, p_in, p_out):
    """3 094 words of 40 bits: seven banks (six of 512, one of 22) behind a seven-way bank
    multiplexer; the backpressure fills the FIFO so that every bank boundary is crossed."""
    x = np.random.default_rng(7).integers(0, 1 << 40, (3 * 3100, 1))
    assert run_words("stream_fifo", [HW / "stream_fifo.sv"], dict(WIDTH=40, DEPTH=3100), tmp_path,
                     x, 40, False, x, 40, False, p_in, p_out) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("bank,p_in,p_out", [(1024, 0.3, 0.3), (1024, 0.0, 0.7), (4096, 0.0, 0.7)])
def test_fifo_of_deep_sliced_banks_keeps_words_in_order(tmp_path, bank, p_in, p_out):
    """The same 3 094 words of 40 bits in banks of a deeper block RAM configuration
    (BANK_WORDS, hw.gen.passes.fifo_deep_banks): banks of 1 024 words in slices of 18, 18
    and 4 bits (four banks, the last of 22 words), and of 4 096 in slices of 4 bits (one bank
    of ten slices); the backpressure fills the FIFO so that every bank boundary is crossed."""
    x = np.random.default_rng(bank).integers(0, 1 << 40, (3 * 3100, 1))
    assert run_words("stream_fifo", [HW / "stream_fifo.sv"],
                     dict(WIDTH=40, DEPTH=3100, BANK_WORDS=bank), tmp_path,
                     x, 40, False, x, 40, False, p_in, p_out) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("depth", [37, 1100, 3100])
def test_memory_fifo_passes_one_word_per_clock(tmp_path, depth):
    """No gaps, no backpressure: 2 000 words leave a memory FIFO of one, three and seven
    banks at one word per clock: at most 2 000 plus 20 clocks of reset and latency (five
    words in six would take 2 400). Checked to fail with the read decision two words
    tighter (the six-word buffer keeps one word of slack)."""
    x = np.random.default_rng(depth).integers(0, 1 << 40, (2000, 1))
    assert run_words("stream_fifo", [HW / "stream_fifo.sv"], dict(WIDTH=40, DEPTH=depth), tmp_path,
                     x, 40, False, x, 40, False, 0.0, 0.0, max_cycles=2020) == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("p_in,p_out", [(0.3, 0.3), (0.0, 0.7)])
def test_wide_slice_lanes_keep_words_in_order(tmp_path, p_in, p_out):
    """A 300-bit register slice: five lanes (four of 64 bits, one of 44), each with its own
    copy of the control flags; every word whole and in order under stalls (the bench also
    stops with an error if the lanes' flags ever differ)."""
    x = np.random.default_rng(300).integers(0, 1 << 15, (400, 20))
    assert run_words("stream_fifo", [HW / "stream_fifo.sv"], dict(WIDTH=300, DEPTH=2), tmp_path,
                     x, 15, False, x, 15, False, p_in, p_out) == (1, 0)
