# SPDX-License-Identifier: MIT
"""Ablation of the binarization techniques the BTM paper builds on, same step budget each:

    .venv/bin/python benchmarks/ablation.py [--steps 1500] [--only NAME,...] [--out DIR]

Variants (``VARIANTS``; two-stage ones split the budget in half, each stage its own cosine
schedule, the second initialised from the first with ``--init-from``):

- ``binary-ste``: sign with clipped straight-through gradient, Brevitas' weight STE;
- ``btm-default``: the toolkit's default (ApproxSign activation gradient, Brevitas' weight
  STE, which also reaches the scale statistics);
- ``bireal``: ApproxSign + magnitude-aware weight gradient (real-valued shortcuts are the
  residual form of every block);
- ``bireal-clipinit``: Bi-Real, initialised from the same net trained with clip(x) instead of
  sign and real weights;
- ``abc-m2n2``: ABC-Net, 2 weight x 2 activation bases (Bi-Real gradients);
- ``r2b``: Real-to-Binary: binary activations + real weights, then binary weights, both
  stages matching the FP teacher's attention maps;
- ``r2b-rescale``: as ``r2b`` with data-driven channel re-scaling (not exportable: the
  export rejects it, the row says so).

The FP teacher (``teacher``) is trained once with the same budget. Every variant is
evaluated at x2 on Set5 and Set14 and, where exportable, exported with
``export/to_finn.py --target-fps 1000`` at 32x32: FINN's estimated LUT/BRAM/cycles.
Operations per frame come from ``model.cost.ops_per_frame`` (equal to FINN's counts where
both exist; a test checks it). Each variant writes ``OUT/NAME/result.json`` (a rerun skips
finished variants, and resumes interrupted training), then ``OUT/ablation.json``,
``OUT/table.md`` and ``OUT/ablation.png`` (PSNR against binary MACs) are rebuilt from all
finished variants.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from model.cost import ops_per_frame
from model.data import load_pairs
from model.errors import ToolkitError
from model.evaluate import evaluate_pairs, write_json_atomic
from model.registry import model_from_checkpoint
from model.train import train_or_resume

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
ARCH = "edsr_btm_x2_c32_b4"
BIREAL = ["--sign-grad", "approxsign", "--weight-grad", "magnitude"]
#: name -> list of stages (extra train arguments); "kd" marks teacher attention matching
VARIANTS: dict[str, dict] = {
    "binary-ste": {"stages": [["--sign-grad", "ste", "--weight-grad", "ste"]]},
    "btm-default": {"stages": [["--sign-grad", "approxsign", "--weight-grad", "ste"]]},
    "bireal": {"stages": [BIREAL]},
    "bireal-clipinit": {"stages": [[*BIREAL, "--binarize", "none"], BIREAL]},
    "abc-m2n2": {"stages": [[*BIREAL, "--weight-bases", "2", "--act-bases", "2"]]},
    "r2b": {"stages": [[*BIREAL, "--binarize", "act"], BIREAL], "kd": True},
    "r2b-rescale": {"stages": [[*BIREAL, "--binarize", "act", "--rescale", "data"],
                               [*BIREAL, "--rescale", "data"]], "kd": True},
}
EXPORT_HW = (32, 32)


def _train(run: Path, arch: str, steps: int, common: list[str], extra: list[str]) -> Path:
    """Train one stage (resume if interrupted, skip if finished); returns its ckpt."""
    return train_or_resume(["--arch", arch, "--out", str(run), "--steps", str(steps),
                            "--val-every", str(steps), "--quiet", *common, *extra])


def _export(ckpt: Path, out: Path) -> dict:
    from export.config import ExportConfig
    from export.flow import run_export

    try:
        ctx = run_export(ExportConfig(ckpt=ckpt, out=out, input_hw=EXPORT_HW, golden_real=1,
                                      golden_random=1, target_fps=1000))
    except ToolkitError as e:
        return {"exported": False, "reason": str(e)}
    t = ctx.estimates["totals"]
    mism = [r["mismatches"] for r in ctx.verify if r["mismatches"] is not None]
    return {"exported": True, "LUT": t["LUT"], "BRAM_18K": t["BRAM_18K"], "DSP": t["DSP"],
            "cycles": t["bottleneck_cycles"], "fps": t["fps"],
            "binary_macs_finn": t["binary_macs_per_frame"], "int_macs_finn": t["int_macs_per_frame"],
            "max_mismatches": max(mism) if mism else None}


def run_variant(name: str, a, common: list[str], teacher: Path | None) -> dict:
    spec = VARIANTS[name]
    stages = spec["stages"]
    per = a.steps // len(stages)
    ck = None
    for i, extra in enumerate(stages):
        ex = list(extra)
        if ck is not None:
            ex += ["--init-from", str(ck)]
        if spec.get("kd"):
            ex += ["--teacher", str(teacher), "--kd", "attention"]
        ck = _train(a.out / name / f"stage{i + 1}", a.arch, per, common, ex)
    net, _ = model_from_checkpoint(ck)
    res = {"variant": name, "stages": len(stages), "steps": per * len(stages)}
    for ds in ("Set5", "Set14"):
        if (a.datasets / ds).is_dir():
            r = evaluate_pairs(net, load_pairs(a.datasets / ds, 2), 2, desc=f"{name} {ds}")["mean"]
            res[ds] = {"psnr": r["psnr"], "ssim": r["ssim"], "bicubic_psnr": r["bicubic_psnr"]}
    res["ops"] = ops_per_frame(net, *EXPORT_HW)
    res["export"] = _export(ck, a.out / name / "build")
    write_json_atomic(res, a.out / name / "result.json")
    return res


def table(rows: list[dict]) -> str:
    h, w = EXPORT_HW
    lines = [f"| variant | Set5 x2 PSNR / SSIM | Set14 x2 PSNR | params | binary MACs / {h}x{w} "
             "frame | 8-bit MACs | float ops | FINN LUT | BRAM18 | cycles/frame |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s5, s14, o, e = r.get("Set5", {}), r.get("Set14", {}), r["ops"], r["export"]
        hw = (f"{e['LUT']:.0f} | {e['BRAM_18K']:.0f} | {e['cycles']}" if e["exported"]
              else "not exportable | - | -")
        lines.append(f"| {r['variant']} | {s5.get('psnr', float('nan')):.2f} / "
                     f"{s5.get('ssim', float('nan')):.4f} | {s14.get('psnr', float('nan')):.2f} | "
                     f"{o['params']} | {o['binary_macs'] / 1e6:.1f} M | {o['int_macs'] / 1e6:.1f} M | "
                     f"{o['float_ops']} | {hw} |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    """Set5 PSNR against binary MACs per frame, one point per variant (bicubic as a line)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if "Set5" in r]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for r in rows:
        x, y = r["ops"]["binary_macs"] / 1e6, r["Set5"]["psnr"]
        ax.plot(x, y, "o" if r["export"]["exported"] else "x", color="C0" if r["export"]["exported"] else "C3")
        ax.annotate(r["variant"], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axhline(rows[0]["Set5"]["bicubic_psnr"], color="gray", ls=":", label="bicubic")
    ax.set_xlabel("binary MACs per 32x32 frame (M)")
    ax.set_ylabel("Set5 x2 PSNR (dB, Y)")
    ax.set_title("binarization variants, same step budget (x: not exportable)", fontsize=9)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1500, help="training steps per variant (all stages)")
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(VARIANTS)}")
    ap.add_argument("--data", type=Path, default=DATASETS / "SunHays80")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--arch", default=ARCH, help="the btm model every variant modifies")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "ablation")
    a = ap.parse_args(argv)
    names = a.only.split(",") if a.only else list(VARIANTS)
    bad = [n for n in names if n not in VARIANTS]
    if bad:
        ap.error(f"unknown variant(s) {bad}; known: {', '.join(VARIANTS)}")
    common = ["--batch", str(a.batch), "--patch", str(a.patch)]
    if a.data is not None and str(a.data) != "builtin":
        common += ["--data", str(a.data)]
    if a.threads:
        common += ["--threads", str(a.threads)]
    teacher = None
    if any(VARIANTS[n].get("kd") for n in names):
        teacher = _train(a.out / "teacher", a.arch.replace("_btm_", "_fp_"), a.steps, common, [])
    for n in names:
        if (a.out / n / "result.json").is_file():
            print(f"[ablation] {n}: done before, kept", flush=True)
            continue
        r = run_variant(n, a, common, teacher)
        print(f"[ablation] {n}: Set5 {r.get('Set5', {}).get('psnr', float('nan')):.2f} dB, "
              f"exported={r['export']['exported']}", flush=True)
    rows = [json.loads((a.out / n / "result.json").read_text()) for n in VARIANTS
            if (a.out / n / "result.json").is_file()]
    write_json_atomic({"steps": a.steps, "arch": a.arch, "export_hw": EXPORT_HW, "rows": rows},
                      a.out / "ablation.json")
    md = table(rows)
    (a.out / "table.md").write_text(md)
    plot(rows, a.out / "ablation.png")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
