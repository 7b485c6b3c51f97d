# SPDX-License-Identifier: MIT
"""The fast whole-network simulation: the generated RTL compiled by Verilator with the C++
harness ``harness.cpp`` (no Python per clock). Stream words go through files.

``compile_harness(rtl_dir, info)`` builds (or reuses, keyed by the sources' contents) the
executable; ``simulate(exe, info, frames_words, ...)`` runs it. ``hw.sim.network.run_network``
uses it with ``engine="verilator"``; the cocotb bench stays the test.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np

from .network_words import pack_words, unpack_words
from .sim_env import setup_verilator

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "harness.cpp"
#: C++ optimisation of the model (Verilator's default OPT_FAST is -Os)
OPT = "OPT_FAST=-O2 OPT_SLOW=-O1"
#: Verilator flags of the fast build: warnings the generated RTL is known to raise, and the
#: optimisations that matter for a long run (no X randomisation, no assertions)
FAST_ARGS = ["-Wno-fatal", "-Wno-lint", "-Wno-style", "-Wno-PINMISSING", "-Wno-SELRANGE",
             "-Wno-ASCRANGE", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert"]


def _chunks(width: int) -> int:
    return (width + 31) // 32


def compile_harness(rtl_dir: Path, info: dict, log: Path | None = None) -> Path:
    """Verilate ``info["files"]`` (hw.gen's stitch info) with the harness; returns the
    executable. A build with the same sources and memory files is reused."""
    setup_verilator()
    rtl_dir = Path(rtl_dir).resolve()
    files = [Path(f) for f in info["files"]]
    h = hashlib.sha256(HARNESS.read_bytes())
    for f in files + sorted(rtl_dir.glob("*.mem")):
        h.update(str(f).encode())
        h.update(f.read_bytes())
    in_w = info["in"]["elems"] * info["in"]["bits"]
    out_w = info["out"]["elems"] * info["out"]["bits"]
    h.update(f"{in_w} {out_w} {FAST_ARGS} {OPT}".encode())
    mdir = rtl_dir.parent / "fastsim" / h.hexdigest()[:16]
    exe = mdir / "Vsr_top"
    if exe.is_file():
        return exe
    from .network import SimulationError, space_free

    mdir.mkdir(parents=True, exist_ok=True)
    # make splits paths at spaces: then Verilator builds in a space-free folder of its own
    srcs, bdir, staging = space_free([HARNESS, *files], mdir)
    try:
        bdir.mkdir(parents=True, exist_ok=True)
        cmd = ["verilator", "--cc", "--exe", "--build", "-j", "2", "--top-module", info["top"],
               "-Mdir", str(bdir), *FAST_ARGS, "-MAKEFLAGS", OPT,
               "-CFLAGS", f"-O2 -DIN_W={in_w} -DOUT_W={out_w} -std=c++17", *srcs]
        log = log or mdir / "verilator.log"
        with open(log, "w") as fh:
            r = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=bdir)
        if r.returncode or not (bdir / "Vsr_top").is_file():
            raise SimulationError(f"Verilator build of the fast harness failed (see {log})")
        if staging is not None:
            import shutil

            tmp = exe.with_name(exe.name + ".tmp")
            shutil.copy(bdir / "Vsr_top", tmp)
            tmp.replace(exe)
    finally:
        if staging is not None:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
    return exe


def simulate(exe: Path, info: dict, frames: list[np.ndarray], work: Path, pause_in: float = 0.0,
             pause_out: float = 0.0, seed: int = 1, cycle_limit: int | None = None) -> dict:
    """Stream ``frames`` (NHWC element arrays of the input stream, one per frame) through the
    harness; returns {"elements": flat output elements, "cycles", "frame_done_cycles",
    "seconds", "cycles_per_s"}."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    ie, ib = info["in"]["elems"], info["in"]["bits"]
    oe, ob = info["out"]["elems"], info["out"]["bits"]
    _, h, w, c = info["out"]["shape"]
    per_frame = h * w * c // oe
    words = np.concatenate([pack_words(f, ie, ib) for f in frames])
    (work / "in.bin").write_bytes(words.astype("<u4").tobytes())
    n_out = per_frame * len(frames)
    limit = cycle_limit or 50 * n_out * max(1, c // oe) + 100000
    cmd = [str(exe), str(work / "in.bin"), str(work / "out.bin"), str(len(words)), str(n_out),
           str(per_frame), str(pause_in), str(pause_out), str(seed), str(limit)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 3) or not r.stdout.strip():
        from .network import SimulationError

        raise SimulationError(f"fast harness failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    rec = json.loads(r.stdout.strip().splitlines()[-1])
    if r.returncode == 3:
        from .network import SimulationError

        raise SimulationError(f"the network stalled: {rec['words_out']} of {n_out} output words "
                              f"after {rec['cycles']} cycles")
    raw = np.frombuffer((work / "out.bin").read_bytes(), dtype="<u4").reshape(n_out, _chunks(oe * ob))
    rec["elements"] = unpack_words(raw, oe, ob, info["out"]["signed"])
    rec["cycles_per_s"] = rec["cycles"] / max(rec["seconds"], 1e-9)
    return rec
