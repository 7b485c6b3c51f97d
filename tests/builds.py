# SPDX-License-Identifier: MIT
"""Tiny trained-and-exported builds shared by the export, generator and RTL tests."""
from __future__ import annotations

from pathlib import Path

from export import to_finn
from model import train


def tiny_build(root: Path, arch: str = "edsr_btm_x2_c8_b1", hw: int = 12, fps: int = 50000,
               steps: int = 10, golden_real: int = 1, golden_random: int = 1,
               train_args: tuple = (), ckpt: Path | None = None, export_args: tuple = (),
               name: str = "build", cppsim: bool = False) -> Path:
    """Train ``arch`` for a few steps (or take ``ckpt``) and export it (``hw`` x ``hw``
    frames, folded for ``fps``) into ``root/build``; returns the build directory. FINN's
    cppsim runs only with ``cppsim`` (tests/export/test_cppsim.py covers it; every other
    test's export skips its compiles)."""
    run, out = Path(root) / "run", Path(root) / name
    if ckpt is None:
        assert train.main(["--arch", arch, "--steps", str(steps), "--batch", "2", "--patch", "12",
                           "--val-every", str(steps), "--out", str(run), "--quiet", *train_args]) == 0
        ckpt = run / "ckpt.pt"
    assert to_finn.main(["--ckpt", str(ckpt), "--out", str(out), "--input-hw", str(hw),
                         str(hw), "--golden-real", str(golden_real), "--golden-random",
                         str(golden_random),
                         *(() if "--folding" in export_args else ("--target-fps", str(fps))),
                         *(() if cppsim else ("--no-cppsim",)), *export_args]) == 0
    return out
