# SPDX-License-Identifier: MIT
"""Per-core benches of the stream operators with random gaps and backpressure."""
import json
from pathlib import Path

import numpy as np
import pytest

from hw.sim.golden import add_lanes, concat_channels
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
def test_eltwise_add_unsigned_popcounts(tmp_path):
    """ABC-Net's adder tree sums raw popcounts (UINT7 for K=72): zero-extended, not signed."""
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 128, 80), rng.integers(0, 128, 80)
    a[:4] = b[:4] = 127  # top bit set: a sign extension would make these negative
    r = _run(tmp_path, "eltwise_add", dict(PE=1, A_W=7, B_W=7, OUT_W=9, A_SIGNED=0, B_SIGNED=0),
             {"op": "add", "pe": 1, "ew": 7, "ow": 9, "a": a.tolist(), "b": b.tolist(),
              "expected": (a + b).tolist()})
    assert r == (1, 0)


@pytest.mark.rtlsim
@pytest.mark.parametrize("pe,signed", [(1, 0), (2, 1)])
def test_eltwise_mul_const_per_channel(tmp_path, pe, signed):
    rng = np.random.default_rng(pe)
    c, pixels = 4, 30
    k = np.array([1, 2, 8, -4])
    x = rng.integers(-128, 128, pixels * c) if signed else rng.integers(0, 128, pixels * c)
    exp = x * np.tile(k, pixels)
    kv = "".join(f"{int(v) & 0xFFFF:04x}" for v in k[::-1])
    r = _run(tmp_path, "eltwise_const",
             dict(MUL=1, C=c, PE=pe, IN_W=8, IN_SIGNED=signed, OUT_W=12, K_W=16, K=f"64'h{kv}"),
             {"op": "mulc", "pe": pe, "ew": 8, "ow": 12, "x": x.tolist(), "expected": exp.tolist()})
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
