# SPDX-License-Identifier: MIT
"""Build and run one cocotb testbench on Verilator through ``cocotb_tools.runner``."""
from __future__ import annotations

from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
HW = REPO / "hw" / "rtl"


from hw.sim.check import run_cocotb  # noqa: E402,F401  (the runner lives with the product)


def sv_string(s) -> str:
    """A string parameter value as Verilator's -G expects it."""
    return f'"{s}"'
