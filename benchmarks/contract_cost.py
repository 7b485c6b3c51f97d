# SPDX-License-Identifier: MIT
"""What the numeric contract costs in PSNR: the same network trained with the hardware-exact
contract (power-of-two binary-weight scales and PReLU slopes, 8-bit fixed-point residual
stream, int8 head and tail with power-of-two scales, shift normalisation) and with
unconstrained float scales (``contract="float"``: float per-channel binary-weight scales,
float PReLU slopes, an 8-bit residual stream with a learned float scale, float head and
tail), same steps, same data, several seeds each; Set5/Set14/BSD100 x2 PSNR (Y) with the
spread over seeds.

    .venv/bin/python benchmarks/contract_cost.py [--steps 1500] [--seeds 0,1,2] [--threads 1]

Writes OUT/summary.json and OUT/table.md. Runs resume (``model.train --resume``) when
rerun with the same arguments. Not a test: it takes about an hour on one core.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"
CONTRACTS = ("exact", "float")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="edsr_btm_x2_c32_b4")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", type=Path, default=DATASETS / "SunHays80")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "contract_cost")
    a = ap.parse_args(argv)
    from model.data import load_pairs
    from model.evaluate import evaluate_pairs, write_json_atomic
    from model.registry import model_from_checkpoint
    from model.train import train_or_resume

    seeds = [int(s) for s in a.seeds.split(",")]
    sets = [d for d in ("Set5", "Set14", "BSD100") if (a.datasets / d / "x2").is_dir()]
    pairs = {d: load_pairs(a.datasets / d, 2) for d in sets}
    runs = {}
    for contract in CONTRACTS:
        for seed in seeds:
            out = a.out / f"{contract}_seed{seed}"
            ck = train_or_resume(["--arch", a.arch, "--contract", contract, "--seed", str(seed),
                                  "--data", str(a.data), "--val", str(a.datasets / "Set5"),
                                  "--out", str(out), "--steps", str(a.steps),
                                  "--val-every", str(a.steps), "--threads", str(a.threads),
                                  "--quiet"])
            ev = out / "contract_eval.json"
            if ev.is_file():
                res = json.loads(ev.read_text())
            else:
                net, _ = model_from_checkpoint(ck)
                res = {d: evaluate_pairs(net, pairs[d], 2, desc=d)["mean"] for d in sets}
                write_json_atomic(res, ev)
            runs[f"{contract}_seed{seed}"] = res
            print(f"{contract:<6} seed {seed}: " + ", ".join(
                f"{d} {res[d]['psnr']:.2f}" for d in sets), flush=True)

    def stats(contract, d):
        v = [runs[f"{contract}_seed{s}"][d]["psnr"] for s in seeds]
        return statistics.mean(v), (statistics.stdev(v) if len(v) > 1 else 0.0), min(v), max(v)

    lines = ["| dataset (x2) | bicubic | exact contract: mean ± std (min-max) | "
             "float scales: mean ± std (min-max) | cost (float - exact) |", "|---|---|---|---|---|"]
    summary = {"arch": a.arch, "steps": a.steps, "seeds": seeds, "runs": runs, "cost_db": {}}
    for d in sets:
        bic = runs[f"exact_seed{seeds[0]}"][d]["bicubic_psnr"]
        e, f = stats("exact", d), stats("float", d)
        summary["cost_db"][d] = f[0] - e[0]
        lines.append(f"| {d} | {bic:.2f} | {e[0]:.2f} ± {e[1]:.2f} ({e[2]:.2f}-{e[3]:.2f}) | "
                     f"{f[0]:.2f} ± {f[1]:.2f} ({f[2]:.2f}-{f[3]:.2f}) | {f[0] - e[0]:+.2f} dB |")
    table = "\n".join(lines)
    write_json_atomic(summary, a.out / "summary.json")
    (a.out / "table.md").write_text(table + "\n")
    print(f"\n{a.arch}, {a.steps} steps, seeds {seeds}\n{table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
