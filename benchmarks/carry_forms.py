# SPDX-License-Identifier: MIT
"""LUT sites the ECP5 carry-chain forms save, side by side in one run: Yosys ``synth_ecp5``
(flat, the flow's carry map) of the XNOR unit with its group counts in LUTs and in carry
chains (``xnor_mvtu CARRY_COUNT``), and of the binary-weight tail with its terms' selects
in LUTs and inside the first adder level's carry chains (``mvtu_int CARRY_SEL``), at the
video points' foldings, weights in logic (LEAN) as the generator makes them.

    .venv/bin/python benchmarks/carry_forms.py [--only TEXT] [--out F]

Prints LUT4 / CCU2C / FF and LUT sites (LUT4 + 2 per CCU2C + LUT RAM) per form and their
ratio. Writes JSON (default build/carry_forms.json). The generator takes the carry form
where it measured fewer sites (hw.gen.emit ``_carry_count``, ``_carry_sel``). Equal logic:
tests/hw/test_synth.py proves the cells equal to the sums over every input (SAT), and the
units and a whole network are bit-exact with stalls in both forms (rtl_tests/).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hw.gen.literals import mem_text, sv_string, weight_words  # noqa: E402
from lean_fetch import synth  # noqa: E402
from model.evaluate import write_json_atomic  # noqa: E402

#: name -> (module, params, input bits, output bits, the carry form's parameter)
UNITS = {
    "720p XNOR layer (MW 288, MH 32, SIMD 96, PE 16: 3 x 2 folds)": (
        "xnor_mvtu", dict(MW=288, MH=32, SIMD=96, PE=16, CNT_W=9), 96, 16 * 9, "CARRY_COUNT"),
    "1080p XNOR layer (MW 288, MH 32, SIMD 96, PE 32: 3 folds)": (
        "xnor_mvtu", dict(MW=288, MH=32, SIMD=96, PE=32, CNT_W=9), 96, 32 * 9, "CARRY_COUNT"),
    "720p binary tail (MW 288, MH 12, SIMD 288, PE 2: 6 folds)": (
        "mvtu_int", dict(MW=288, MH=12, SIMD=288, PE=2, IN_W=8, IN_SIGNED=1, W_W=1,
                         W_BIPOLAR=1, ACC_W=18), 288 * 8, 2 * 18, "CARRY_SEL"),
    "1080p binary tail (MW 288, MH 12, SIMD 288, PE 4: 3 folds)": (
        "mvtu_int", dict(MW=288, MH=12, SIMD=288, PE=4, IN_W=8, IN_SIGNED=1, W_W=1,
                         W_BIPOLAR=1, ACC_W=18), 288 * 8, 4 * 18, "CARRY_SEL"),
}


def sites(c: dict) -> int:
    return c["LUT4"] + 2 * c["CARRY"] + c["LUTRAM"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "carry_forms.json")
    ap.add_argument("--only", help="only the units whose name contains this text")
    a = ap.parse_args(argv)
    res = {}
    for name, (module, params, in_w, out_w, knob) in UNITS.items():
        if a.only and a.only not in name:
            continue
        mw, mh, simd, pe = params["MW"], params["MH"], params["SIMD"], params["PE"]
        W = np.random.default_rng(1).integers(0, 2, (mw, mh))
        mem = mem_text(weight_words(W, simd, pe))
        row = {}
        for form in (0, 1):
            p = {**params, "PAIRS": 1, "LEAN": 1, knob: form, "WEIGHT_FILE": sv_string("w.mem"),
                 "WEIGHT_RAM": sv_string("logic"), "IBUF_RAM": sv_string("distributed")}
            c = synth(module, p, in_w, out_w, mem)
            c["sites"] = sites(c)
            row["carry" if form else "lut"] = c
            print(f"{name} {knob}={form}: LUT4 {c['LUT4']}, CCU2C {c['CARRY']}, FF {c['FF']}, "
                  f"LUT sites {c['sites']}", flush=True)
        row["sites_ratio"] = round(row["carry"]["sites"] / max(row["lut"]["sites"], 1), 3)
        print(f"{name}: LUT sites {row['lut']['sites']} -> {row['carry']['sites']} "
              f"({row['sites_ratio']}x)", flush=True)
        res[name] = row
    write_json_atomic(res, a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
