# SPDX-License-Identifier: MIT
"""Whole-network simulation speed, side by side on one build: the cocotb bench (Python per
clock) and the C++ Verilator harness (hw/sim/harness.cpp), on the same frames with the same
stall probabilities; both outputs are checked against PyTorch.

    python benchmarks/sim_speed.py --build build/NAME [--frames 3] [--pause 0.2]

Prints cycles/s of each and their ratio (the cocotb wall time includes its start-up; the
harness times its clock loop only). Not a test: figures, not pass/fail.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, required=True)
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--pause", type=float, default=0.2)
    a = ap.parse_args(argv)
    from hw.sim.network import run_network

    x = np.load(a.build / "golden" / "input.npy")
    ref = np.load(a.build / "golden" / "expected_output.npy").astype(np.int64)
    idx = [i % len(x) for i in range(a.frames)]
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("verilator", "cocotb"):
            r = run_network(a.build, x[idx], Path(tmp) / engine, a.pause, a.pause, engine=engine)
            mism = int((r["outputs"] != ref[idx]).sum())
            res[engine] = r["cycles_per_s"]
            print(f"{engine:<10} {r['cycles']:>10} cycles in {r['sim_seconds']:.1f} s: "
                  f"{r['cycles_per_s']:>12,.0f} cycles/s, {mism} mismatches", flush=True)
    print(f"harness / cocotb: {res['verilator'] / res['cocotb']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
