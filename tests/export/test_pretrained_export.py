# SPDX-License-Identifier: MIT
"""Every shipped pretrained checkpoint exports through QONNX to FINN bit-exactly: at each
executable step of the flow, every output value of a real Set5 crop and a random image
equals PyTorch's (``verify.json``, compared with ``==`` by the export itself)."""
from __future__ import annotations

import json

import pytest

from model import pretrained_names
from tests.builds import tiny_build


@pytest.mark.parametrize("name", pretrained_names())
def test_pretrained_exports_with_zero_mismatches(name, tmp_path):
    b = tiny_build(tmp_path, ckpt=f"pretrained:{name}", hw=16, fps=1000)
    steps = json.loads((b / "verify.json").read_text())
    checked = [s for s in steps if s["mismatches"] is not None]
    assert len(checked) >= 7, steps
    assert all(s["mismatches"] == 0 and s["compared"] > 0 for s in checked), checked
