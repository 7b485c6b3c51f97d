# SPDX-License-Identifier: MIT
"""Benchmark: the default BTM model, its BN baseline and the FP teacher of the same size,
each trained on SunHays80 within a wall-time budget on the CPU, then evaluated on Set5,
Set14 and BSD100 at x2 against bicubic.

    .venv/bin/python benchmarks/train_baselines.py [--minutes 60] [--threads 2]

Writes ``OUT/summary.json`` and a Markdown table ``OUT/table.md`` (copied into
docs/benchmarks.md by hand when the figures are final). Not a test: it takes hours.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from model.data import load_pairs
from model.evaluate import evaluate_pairs, write_json_atomic
from model.registry import DEFAULT_ARCH, config_for, model_from_checkpoint
from model.train import parse_args, train

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


def probe_seconds_per_step(arch: str, data: Path, out: Path, batch: int, patch: int) -> float:
    """Wall seconds per training step of ``arch`` here: the loop time of a 60-step run minus
    that of a 20-step run, so start-up and the final validation cancel out."""
    def loop_seconds(steps: int) -> float:
        args = parse_args(["--arch", arch, "--data", str(data), "--out", str(out / str(steps)),
                           "--steps", str(steps), "--batch", str(batch), "--patch", str(patch),
                           "--val-every", "100000", "--ckpt-every", "100000", "--quiet"])
        return train(args)["seconds"]

    return (loop_seconds(60) - loop_seconds(20)) / 40


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60.0, help="training budget per model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", type=Path, default=DATASETS / "SunHays80")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--arch", default=DEFAULT_ARCH, help="the BTM model; BN and FP follow its shape")
    ap.add_argument("--blocks", default="btm,bn,fp", help="which of btm,bn,fp to train")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    scale = config_for(args.arch)["scale"]
    test_sets = [d for d in ("Set5", "Set14", "BSD100") if (args.datasets / d / f"x{scale}").is_dir()]
    summary = {"budget_minutes": args.minutes, "threads": args.threads, "models": {}}
    for blk in args.blocks.split(","):
        arch = args.arch.replace("_btm_", f"_{blk}_")
        run = args.out / arch
        sps = probe_seconds_per_step(arch, args.data, args.out / "probe", args.batch, args.patch)
        # keep ~8% for validation and checkpoints; the time limit is the hard stop
        steps = int(args.minutes * 60 * 0.92 / sps)
        print(f"[bench] {arch}: {sps:.3f} s/step -> {steps} steps in {args.minutes} min", flush=True)
        t = time.time()
        train(parse_args(["--arch", arch, "--data", str(args.data), "--out", str(run),
                          "--val", str(args.datasets / "Set5"), "--steps", str(steps),
                          "--val-every", str(max(steps // 6, 1)), "--ckpt-every", "500",
                          "--batch", str(args.batch), "--patch", str(args.patch),
                          "--time-limit", str(args.minutes), "--threads", str(args.threads)]))
        train_min = (time.time() - t) / 60
        net, ck = model_from_checkpoint(run / "ckpt.pt")
        res = {}
        for ds in test_sets:
            r = evaluate_pairs(net, load_pairs(args.datasets / ds, scale), scale, desc=ds)["mean"]
            res[ds] = r
            print(f"[bench] {arch} {ds}: {r['psnr']:.2f} dB / {r['ssim']:.4f} "
                  f"(bicubic {r['bicubic_psnr']:.2f} / {r['bicubic_ssim']:.4f})", flush=True)
        summary["models"][arch] = {"steps": ck["step"], "planned_steps": steps,
                                   "train_minutes": round(train_min, 1),
                                   "seconds_per_step": round(sps, 4),
                                   "params": sum(p.numel() for p in net.parameters()),
                                   "results": res}
        write_json_atomic(summary, args.out / "summary.json")
    lines = ["| model | steps | train min | " + " | ".join(f"{d} PSNR / SSIM" for d in test_sets) + " |",
             "|---|---|---|" + "---|" * len(test_sets)]
    first = next(iter(summary["models"].values()), None)
    if first:
        lines.append("| bicubic | - | - | " + " | ".join(
            f"{first['results'][d]['bicubic_psnr']:.2f} / {first['results'][d]['bicubic_ssim']:.4f}"
            for d in test_sets) + " |")
    for arch, m in summary["models"].items():
        lines.append(f"| {arch} | {m['steps']} | {m['train_minutes']} | " + " | ".join(
            f"{m['results'][d]['psnr']:.2f} / {m['results'][d]['ssim']:.4f}" for d in test_sets) + " |")
    (args.out / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(json.dumps({a: m["results"].get("Set5", {}).get("psnr") for a, m in summary["models"].items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
