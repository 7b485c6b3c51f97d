# SPDX-License-Identifier: MIT
"""hw/stream_dwc.sv at integer and non-integer width ratios (as between FINN's SWG and MVAU
foldings), with random stalls; the element sequence must be unchanged, with the input ready
combinational and from registers only (REG_READY; that it is: tests/hw/test_synth.py)."""
import json
from pathlib import Path

import numpy as np
import pytest

from rtl_tests.simrun import HW, run_cocotb

HERE = Path(__file__).parent


@pytest.mark.rtlsim
@pytest.mark.parametrize("reg_ready", [0, 1], ids=["comb_ready", "reg_ready"])
@pytest.mark.parametrize("ew,ie,oe", [(1, 8, 36), (1, 36, 8), (9, 1, 3), (8, 8, 4), (3, 5, 7),
                                      (1, 288, 96)])
def test_dwc_keeps_element_sequence(tmp_path, ew, ie, oe, reg_ready):
    n = ie * oe * 6  # whole beats on both sides
    elems = np.random.default_rng(ie * 100 + oe).integers(0, 1 << ew, n)
    (tmp_path / "tb.json").write_text(json.dumps({"elem_w": ew, "in_elems": ie, "out_elems": oe,
                                                  "elems": elems.tolist()}))
    tests, fails = run_cocotb("stream_dwc", [HW / "stream_dwc.sv"],
                              dict(ELEM_W=ew, IN_ELEMS=ie, OUT_ELEMS=oe, REG_READY=reg_ready),
                              tmp_path / "sim",
                              "tb_stream_dwc", HERE, {"TB_DATA": tmp_path / "tb.json"})
    assert tests == 1 and fails == 0
