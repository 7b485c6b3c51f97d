# SPDX-License-Identifier: MIT
"""Run ``rtl_tests/tb_words.py`` on a core: lane values in, lane values expected out."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from hw.gen.literals import hex_rows
from hw.sim.check import run_checked, run_cocotb  # noqa: F401  (run_checked: re-exported)

HERE = Path(__file__).parent


def lanes_to_hex(values: np.ndarray, width: int, signed: bool) -> np.ndarray:
    """(n_words, lanes) values -> n_words hex strings (lane 0 in the LSBs)."""
    return np.array(hex_rows(values, width, signed))


def run_words(top: str, sources: list[Path], params: dict, tmp: Path, x: np.ndarray,
              in_bits: int, in_signed: bool, y: np.ndarray, out_bits: int, out_signed: bool,
              pause_in: float = 0.3, pause_out: float = 0.3, sim_dir: Path | None = None,
              max_cycles: int = 0) -> tuple[int, int]:
    """Drive words of ``x`` (n, lanes) through ``top`` and expect ``y`` (m, lanes_out);
    returns (tests, failures) of the bench. ``max_cycles`` > 0: the bench also fails if the
    last output word comes later than that many clocks from the start of reset."""
    np.savez(tmp / "tb.npz", in_words=lanes_to_hex(x, in_bits, in_signed),
             out_words=lanes_to_hex(y, out_bits, out_signed), in_width=x.shape[1] * in_bits,
             out_width=y.shape[1] * out_bits, pause_in=pause_in, pause_out=pause_out,
             max_cycles=max_cycles)
    return run_cocotb(top, sources, params, sim_dir or tmp / "sim", "tb_words", HERE,
                      {"TB_DATA": tmp / "tb.npz"})
