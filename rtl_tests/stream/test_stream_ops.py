# SPDX-License-Identifier: MIT
"""Per-core benches of the stream operators with random gaps and backpressure."""
import json
from pathlib import Path

import numpy as np
import pytest

from hw.golden import add_lanes, concat_channels
from rtl_tests.simrun import HW, run_cocotb

HERE = Path(__file__).parent


def _run(tmp, top, params, data):
    (tmp / "tb.json").write_text(json.dumps(data))
    return run_cocotb(top, [HW / f"{top}.sv"], params, tmp / "sim", "tb_stream_ops", HERE,
                      {"TB_DATA": tmp / "tb.json"})


@pytest.mark.rtlsim
@pytest.mark.parametrize("pe", [1, 3])
def test_eltwise_add(tmp_path, pe):
    rng = np.random.default_rng(pe)
    a, b = rng.integers(-128, 128, 60 * pe), rng.integers(-128, 128, 60 * pe)
    exp = add_lanes(a, b)
    r = _run(tmp_path, "eltwise_add", dict(PE=pe, A_W=8, B_W=8, OUT_W=9),
             {"op": "add", "pe": pe, "ew": 8, "ow": 9, "a": a.tolist(), "b": b.tolist(),
              "expected": exp.tolist()})
    assert r == (1, 0)


@pytest.mark.rtlsim
def test_stream_dup_three_outputs(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, 80)
    r = _run(tmp_path, "stream_dup", dict(WIDTH=8, N=3),
             {"op": "dup", "pe": 1, "ew": 8, "n": 3, "x": x.tolist()})
    assert r == (1, 0)


@pytest.mark.rtlsim
def test_stream_concat_mrb_layout(tmp_path):
    rng = np.random.default_rng(1)
    pixels, chans = 20, [2, 2, 4, 2]
    parts = [rng.integers(0, 64, (pixels, c)) for c in chans]
    exp = concat_channels(parts)
    folds = "".join(f"{c:04x}" for c in chans[::-1])
    r = _run(tmp_path, "stream_concat",
             {"N": 4, "SIMD": 1, "EW": 6, "FOLDS": f"64'h{folds}"},
             {"op": "concat", "pe": 1, "ew": 6, "parts": [p.tolist() for p in parts],
              "expected": exp.tolist()})
    assert r == (1, 0)
