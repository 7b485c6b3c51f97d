# SPDX-License-Identifier: MIT
"""What summing the products in the DSP slices (``mvtu_int DSP_SUMS``, hw/rtl/mul_add_reg.sv:
two MULT18X18D and their slice's ALU54B) does to the 720p point's int8 head alone, side by
side in one run: Yosys ``synth_ecp5`` cells with the products summed in the fabric
(DSP_SUMS = 0, the default) and in the slices (1), and with ``--fmax`` each one's routed
Fmax on an LFE5U-85F (the device the video points use; nextpnr's static placer and router2
as there, the sums given their slices as ``hw.synth`` does), both at once. ``--placer heap``:
nextpnr's heap placer, which places an ALU54B beside its multipliers itself (no sites given).

    .venv/bin/python benchmarks/dsp_sums.py [--fmax] [--placer static|heap] [--seed S] [--speed 8]

The head: MW 27, MH 32, SIMD 9, PE 16 (144 products a clock, two neuron folds), int9 inputs,
int8 weights in logic, as the 720p folding has it. The unit behind a serial bench top
(benchmarks/lean_fetch.py): its data from a shift register, its handshakes from an LFSR.
Bit-exactness is the tests' (rtl_tests/mvtu, rtl_tests/network). Writes JSON (default
build/dsp_sums.json).
"""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hw.gen.literals import mem_text, sv_string, weight_words  # noqa: E402
from lean_fetch import synth  # noqa: E402
from model.evaluate import write_json_atomic  # noqa: E402

HEAD = dict(MW=27, MH=32, SIMD=9, PE=16, IN_W=9, IN_SIGNED=1, W_W=8, ACC_W=22, PAIRS=1, LEAN=1,
            WEIGHT_FILE=sv_string("w.mem"), WEIGHT_RAM=sv_string("logic"))


def run(sums: int, mem: str, fmax: bool, seed: int, speed: int, minutes: float,
        placer: str = "static") -> dict:
    """The head with DSP_SUMS = ``sums`` through lean_fetch's bench (LFE5U-85F, router2)."""
    return synth("mvtu_int", {**HEAD, "DSP_SUMS": sums}, HEAD["SIMD"] * HEAD["IN_W"],
                 HEAD["PE"] * HEAD["ACC_W"], mem, fmax, "85k", 83.5, seed, "router2", placer,
                 speed, minutes)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "dsp_sums.json")
    ap.add_argument("--fmax", action="store_true", help="also place and route each (LFE5U-85F)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--placer", choices=("static", "heap"), default="static")
    ap.add_argument("--speed", type=int, choices=(6, 7, 8), default=8)
    ap.add_argument("--minutes", type=float, default=30.0, help="limit per nextpnr run")
    a = ap.parse_args(argv)
    W = np.random.default_rng(1).integers(-127, 128, (HEAD["MW"], HEAD["MH"]))
    mem = mem_text(weight_words(W, HEAD["SIMD"], HEAD["PE"], 8, True))
    with ThreadPoolExecutor(max_workers=2) as ex:
        got = dict(zip((0, 1), ex.map(lambda s: run(s, mem, a.fmax, a.seed, a.speed, a.minutes,
                                                    a.placer), (0, 1))))
    for s in (0, 1):
        print(f"head DSP_SUMS={s}: {got[s]}")
    r0, r1 = got[0], got[1]
    print(f"head: CCU2C {r0['CARRY']} -> {r1['CARRY']}, LUT4 {r0['LUT4']} -> {r1['LUT4']}, "
          f"FF {r0['FF']} -> {r1['FF']}, MULT18 {r0['MULT18']} -> {r1['MULT18']}, ALU54B "
          f"{r0['ALU54']} -> {r1['ALU54']}" + (f"; Fmax {r0.get('fmax_mhz')} -> "
                                              f"{r1.get('fmax_mhz')} MHz (LFE5U-85F-{a.speed}, "
                                              f"{a.placer} placer, seed {a.seed})" if a.fmax else ""))
    write_json_atomic({"head": HEAD, "seed": a.seed, "speed": a.speed, "placer": a.placer,
                       "by_dsp_sums": {str(k): v for k, v in got.items()}}, a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
