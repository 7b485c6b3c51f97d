# SPDX-License-Identifier: MIT
"""Train a model for the package's pretrained set and publish it: ``model/pretrained/NAME.pt``
(weights and config only, no optimiser state) and ``NAME.json`` beside it (the command that
trained it, the steps, the wall time, Set5/Set14/BSD100 PSNR/SSIM against bicubic).

    .venv/bin/python benchmarks/pretrain.py --arch edsr_btm_x2_c32_b4 --steps 20000 \
        --threads 1 --out runs/pretrain/x2
    .venv/bin/python benchmarks/pretrain.py --arch edsr_btm_x2_c32_b4 --steps 3000 --lr 5e-4 \
        --init-from pretrained:edsr_btm_x2_c32_b4 --threads 1 --out runs/pretrain/x2_finetune
    .venv/bin/python benchmarks/pretrain.py --arch edsr_btm_x4_c32_b4 --steps 20000 \
        --threads 1 --out runs/pretrain/x4_scratch --dest runs/pretrain/x4_scratch_pub
    .venv/bin/python benchmarks/pretrain.py --arch edsr_btm_x4_c32_b4 --steps 3000 --lr 5e-4 \
        --init-from runs/pretrain/x4_scratch_pub/edsr_btm_x4_c32_b4.pt --threads 1 \
        --out runs/pretrain/x4_finetune --dest runs/pretrain/x4_final_pub

(the published x2 default is the second line's result; the x4 sibling, the same budget
and schedule, is the fourth line's, copied into model/pretrained). Training is ``model.train`` on ../shared/datasets/SunHays80 (batch 16, LR patches 32,
Adam 2e-3, cosine schedule), resumed when OUT already holds a shorter checkpoint, so a
stopped run continues with the same command. ``tests/model/test_pretrained.py`` checks that
each published checkpoint reproduces its recorded Set5 PSNR. Not a test: it takes an hour.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"


def publish(run_ckpt: Path, command: str, datasets: Path, dest: Path,
            parent: dict | None = None) -> dict:
    """Write the weights of ``run_ckpt`` and its record to ``dest``/ARCH.{pt,json}."""
    from model.data import load_pairs
    from model.evaluate import evaluate_pairs, write_json_atomic
    from model.registry import atomic_save, model_from_checkpoint

    net, ck = model_from_checkpoint(run_ckpt)
    scale = ck["config"]["scale"]
    results = {}
    for name in ("Set5", "Set14", "BSD100"):
        d = datasets / name
        if (d / f"x{scale}").is_dir():
            r = evaluate_pairs(net, load_pairs(d, scale), scale, desc=name)
            results[name] = r["mean"]
    metrics = run_ckpt.parent / "metrics.json"
    seconds = json.loads(metrics.read_text()).get("seconds") if metrics.is_file() else None
    arch = ck["arch"]
    dest.mkdir(parents=True, exist_ok=True)
    atomic_save({k: ck[k] for k in ("arch", "config", "model", "step")}, dest / f"{arch}.pt")
    rec = {"name": arch, "step": ck["step"], "command": command,
           "train_args": ck.get("args"), "train_seconds": seconds,
           "evaluation": {"scale": scale, "metric": "PSNR/SSIM on Y, scale pixels shaved",
                          "results": results}}
    if parent is not None:
        rec["initialised_from"] = parent
    write_json_atomic(rec, dest / f"{arch}.json")
    return rec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init-from", help="checkpoint (or pretrained:NAME) to start from")
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (cosine schedule)")
    ap.add_argument("--out", type=Path, required=True, help="training run directory")
    ap.add_argument("--data", type=Path, default=DATASETS / "SunHays80")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--dest", type=Path, default=ROOT / "model" / "pretrained")
    a = ap.parse_args(argv)
    from model.train import train_or_resume

    t0 = time.time()
    targs = ["--arch", a.arch, "--data", str(a.data), "--val", str(a.datasets / "Set5"),
             "--out", str(a.out), "--steps", str(a.steps), "--val-every", "5000",
             "--ckpt-every", "500", "--threads", str(a.threads), "--lr", str(a.lr), "--quiet"]
    # a run that starts from a published checkpoint keeps that one's record (the chain of
    # commands that made the published weights), read before publishing replaces it
    parent = None
    if a.init_from:
        targs += ["--init-from", a.init_from]
        from model.registry import resolve_checkpoint

        pj = resolve_checkpoint(a.init_from).with_suffix(".json")
        parent = json.loads(pj.read_text()) if pj.is_file() else {"checkpoint": a.init_from}
    ck = train_or_resume(targs)
    command = ("python benchmarks/pretrain.py " + " ".join(sys.argv[1:] if argv is None else argv))
    rec = publish(ck, command, a.datasets, a.dest, parent)
    for ds, m in rec["evaluation"]["results"].items():
        print(f"{ds:<8} {m['psnr']:.2f} dB (bicubic {m['bicubic_psnr']:.2f}, "
              f"{m['psnr'] - m['bicubic_psnr']:+.2f})  SSIM {m['ssim']:.4f}")
    print(f"published {a.dest / (rec['name'] + '.pt')} after {rec['step']} steps "
          f"({time.time() - t0:.0f} s here)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
