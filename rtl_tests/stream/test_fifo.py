# SPDX-License-Identifier: MIT
"""hw/rtl/stream_fifo.sv as a register slice (DEPTH 2) and as a memory FIFO: every word
comes out once, in order, under random input gaps and output backpressure."""
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
