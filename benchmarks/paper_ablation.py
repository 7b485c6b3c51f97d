# SPDX-License-Identifier: MIT
"""The paper's ablation at equal budget (Jiang et al., AAAI 2021): what the MRB block and
multi-stage distillation buy over plain BTM, beside the BN baseline.

    .venv/bin/python benchmarks/paper_ablation.py [--steps 3000] [--seeds 0,1,2] [--threads 1]
        [--only btm,mrb,...] [--time-limit MIN | --stop-at STEP] [--hw] [--out DIR]

Configurations (``CONFIGS``), each trained with the same steps, data (SunHays80), schedule
(Adam 2e-3, cosine, batch 16, 32x32 LR patches, L1) and seeds:

- ``btm``: the toolkit's BTM network (``edsr_btm_x2_c32_b4``);
- ``mrb``: the same with MRB blocks (``edsr_mrb_x2_c32_b4``: dilated 1x5 / 5x1 binary convs,
  concatenated, then 3x3);
- ``btm-kd`` / ``mrb-kd``: as above plus the paper's multi-stage distillation
  (``--teacher``, ``--kd feature``: MSE at every block output plus L1 to the teacher's
  output) from the full-precision net of the same shape (``edsr_fp_x2_c32_b4``), trained
  once with the same budget and reused by every distilled run;
- ``bn``: the BN baseline (``edsr_bn_x2_c32_b4``);
- ``btm-bintail``: BTM with the paper's binary-weight upsampler
  (``edsr_btm_x2_c32_b4_bintail``: the tail conv's weights ±α, α per output channel a power
  of two, over the 8-bit residual stream): its PSNR cost against ``btm``'s int8 tail;
- ``btm-bintailm3``: the same with α a learned float of 3-bit significand, m·2^-e
  (``edsr_btm_x2_c32_b4_bintailm3``: still exact; its requantiser multiplies by the odd
  part of m, one shift-and-add, before its shift);
- ``btm-bintailm3-frozen``: the same with α frozen after half the steps
  (``--freeze-scales-after``): the rest of the net adapts to α's final grid point instead
  of α oscillating across a rounding boundary to the end;
- ``btm-bintailm3c-frozen``: as that, with one α per colour shared by its r² sub-pixel
  phases (``edsr_btm_x2_c32_b4_bintailm3c``).
- ``btm-bintailm3-c24`` / ``btm-bintailm3-c16``: ``btm-bintailm3`` with 24 / 16 channels
  (``--channels``; trained as ``edsr_btm_x2_c24_b4_bintailm3`` / ``..._c16_...``): the
  PSNR a narrower net gives up for hardware that fits a 1080p60 point on an LFE5U-85F
  (the binary layers' cost goes with channels squared, the head's and tail's with channels);
  ``btm-bintailm3c-frozen-c24`` / ``-c16``: the same widths with ``btm-bintailm3c-frozen``'s
  recipe, the binary tail's best (its seed spread is ninefold tighter than ``btm-bintailm3``'s,
  so a width's cost can be read from three seeds). The hardware does not depend on the recipe
  (α folds into the thresholds).

Each run writes ``OUT/CONFIG/seedS/eval.json`` (Set5/Set14/BSD100 x2 PSNR and SSIM on Y);
training resumes where it stopped, so the work can be split into chunks across sessions
(``--time-limit MIN``: stop the run in progress after that many minutes of this
invocation, checkpointed; ``--stop-at STEP``: train every run only up to STEP). ``--hw``
adds the hardware cost of each configuration at the default folding (seed 0's weights,
32x32 frames, ``--target-fps 1000``): Yosys ``synth_xilinx`` LUT/FF/BRAM/DSP of the
whole stitched RTL and the cycles per frame, so that PSNR per LUT can be read.
``OUT/summary.json`` and ``OUT/table.md`` are rebuilt from every finished run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"
SETS = ("Set5", "Set14", "BSD100")
#: name -> (arch, distilled)
CONFIGS: dict[str, tuple[str, bool]] = {
    "btm": ("edsr_btm_x2_c32_b4", False),
    "mrb": ("edsr_mrb_x2_c32_b4", False),
    "btm-kd": ("edsr_btm_x2_c32_b4", True),
    "mrb-kd": ("edsr_mrb_x2_c32_b4", True),
    "bn": ("edsr_bn_x2_c32_b4", False),
    "btm-bintail": ("edsr_btm_x2_c32_b4_bintail", False),
    "btm-bintailm3": ("edsr_btm_x2_c32_b4_bintailm3", False),
    "btm-bintailm3-frozen": ("edsr_btm_x2_c32_b4_bintailm3", False),
    "btm-bintailm3c-frozen": ("edsr_btm_x2_c32_b4_bintailm3c", False),
    "btm-bintailm3-c24": ("edsr_btm_x2_c32_b4_bintailm3", False),
    "btm-bintailm3-c16": ("edsr_btm_x2_c32_b4_bintailm3", False),
    "btm-bintailm3c-frozen-c24": ("edsr_btm_x2_c32_b4_bintailm3c", False),
    "btm-bintailm3c-frozen-c16": ("edsr_btm_x2_c32_b4_bintailm3c", False),
}
#: name -> extra model.train arguments ("{half}": half of --steps)
EXTRA_ARGS: dict[str, list[str]] = {"btm-bintailm3-frozen": ["--freeze-scales-after", "{half}"],
                                    "btm-bintailm3c-frozen": ["--freeze-scales-after", "{half}"],
                                    "btm-bintailm3-c24": ["--channels", "24"],
                                    "btm-bintailm3-c16": ["--channels", "16"],
                                    "btm-bintailm3c-frozen-c24": ["--freeze-scales-after", "{half}",
                                                                  "--channels", "24"],
                                    "btm-bintailm3c-frozen-c16": ["--freeze-scales-after", "{half}",
                                                                  "--channels", "16"]}
TEACHER_ARCH = "edsr_fp_x2_c32_b4"
HW_FRAME = (32, 32)


class OutOfTime(Exception):
    """The invocation's --time-limit is spent (the run in progress was checkpointed)."""


def _train(a, run: Path, arch: str, seed: int, extra: list[str], deadline: float | None) -> Path | None:
    """Train (or resume) one run; None if it stopped before its last step."""
    from model.registry import load_checkpoint
    from model.train import train_or_resume

    argv = ["--arch", arch, "--seed", str(seed), "--data", str(a.data),
            "--val", str(a.datasets / "Set5"), "--out", str(run), "--steps", str(a.steps),
            "--val-every", str(a.steps), "--batch", str(a.batch), "--patch", str(a.patch),
            "--threads", str(a.threads), "--quiet", *extra]
    if a.stop_at:
        argv += ["--stop-at", str(a.stop_at)]
    if deadline is not None:
        left = (deadline - time.time()) / 60
        if left <= 0:
            raise OutOfTime
        argv += ["--time-limit", f"{left:.3f}"]
    ck = train_or_resume(argv)
    if int(load_checkpoint(ck).get("step", 0)) < a.steps:
        if deadline is not None and time.time() >= deadline:
            raise OutOfTime
        return None
    return ck


def _evaluate(ck: Path, path: Path, pairs: dict) -> dict:
    from model.evaluate import evaluate_pairs, write_json_atomic
    from model.registry import model_from_checkpoint

    if path.is_file():
        return json.loads(path.read_text())
    net, _ = model_from_checkpoint(ck)
    res = {d: evaluate_pairs(net, p, 2, desc=d)["mean"] for d, p in pairs.items()}
    write_json_atomic(res, path)
    return res


def hardware_cost(ck: Path, out: Path) -> dict:
    """Export at the default folding (32x32, --target-fps 1000) and synthesise the whole
    stitched RTL with Yosys synth_xilinx; cached in OUT/hw.json."""
    from model.evaluate import write_json_atomic

    rec_path = out / "hw.json"
    if rec_path.is_file():
        return json.loads(rec_path.read_text())
    from export.config import ExportConfig
    from export.flow import run_export
    from hw.synth import synth_network

    build = out / "build"
    ctx = run_export(ExportConfig(ckpt=ck, out=build, input_hw=HW_FRAME, golden_real=1,
                                  golden_random=1, target_fps=1000))
    mism = [r["mismatches"] for r in ctx.verify if r["mismatches"] is not None]
    syn = synth_network(build, target="xilinx")
    t = syn["total"]
    est = ctx.estimates["totals"]
    rec = {"LUT": t["LUT"], "FF": t["FF"], "BRAM18": t["BRAM"], "DSP": t["DSP"],
           "LUTRAM": t.get("LUTRAM", 0), "cycles_per_frame": est["bottleneck_cycles"],
           "frame": list(HW_FRAME), "export_mismatches": max(mism) if mism else None,
           "threshold_memories": sum(r["requantiser"] == "threshold memory"
                                     for r in syn["requantisers"])}
    write_json_atomic(rec, rec_path)
    return rec


def _stats(v: list[float]) -> dict:
    return {"mean": statistics.mean(v), "std": statistics.stdev(v) if len(v) > 1 else 0.0,
            "min": min(v), "max": max(v), "n": len(v)}


def summarise(a, seeds: list[int]) -> dict:
    from model.cost import ops_per_frame
    from model.registry import build, build_from_config, load_checkpoint

    rows = {}
    for name, (arch, kd) in CONFIGS.items():
        evs = {s: a.out / name / f"seed{s}" / "eval.json" for s in seeds}
        done = {s: json.loads(p.read_text()) for s, p in evs.items() if p.is_file()}
        if not done:
            continue
        # the shape trained (a run's --channels override is in its checkpoint's config, not
        # in the configuration's registry name)
        ck = a.out / name / f"seed{min(done)}" / "ckpt.pt"
        if ck.is_file():
            c = load_checkpoint(ck)
            net, arch = build_from_config(c["config"]), c.get("arch", arch)
        else:
            net = build(arch)
        ops = ops_per_frame(net, *HW_FRAME)
        row = {"arch": arch, "distilled": kd, "seeds": sorted(done), "ops_32x32": ops}
        for d in SETS:
            if all(d in r for r in done.values()):
                row[d] = {m: _stats([r[d][m] for r in done.values()]) for m in ("psnr", "ssim")}
                row[d]["bicubic_psnr"] = next(iter(done.values()))[d]["bicubic_psnr"]
        hw = a.out / name / "hw.json"
        if hw.is_file():
            row["hw"] = json.loads(hw.read_text())
        rows[name] = row
    return {"steps": a.steps, "seeds": seeds, "teacher": TEACHER_ARCH, "rows": rows}


def table(summary: dict) -> str:
    rows = summary["rows"]
    base = rows.get("btm", {}).get("Set5", {}).get("psnr", {}).get("mean")
    lines = ["| config | seeds | Set5 PSNR / SSIM | Set14 PSNR / SSIM | BSD100 PSNR / SSIM | "
             "Set5 vs btm | params | binary MACs | 8-bit MACs | Yosys LUT | cycles/frame | "
             "Set5 dB over bicubic per 1k LUT |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    bic = next((r["Set5"]["bicubic_psnr"] for r in rows.values() if "Set5" in r), None)
    if bic is not None:
        lines.append("| bicubic | - | " + " | ".join(
            f"{next(r[d]['bicubic_psnr'] for r in rows.values() if d in r):.2f} / -"
            if any(d in r for r in rows.values()) else "-" for d in SETS)
            + " | - | - | - | - | - | - | - |")
    for name, r in rows.items():
        cells = []
        for d in SETS:
            if d in r:
                p, s = r[d]["psnr"], r[d]["ssim"]
                cells.append(f"{p['mean']:.2f} ± {p['std']:.2f} / {s['mean']:.4f}")
            else:
                cells.append("-")
        s5 = r.get("Set5", {}).get("psnr", {}).get("mean")
        delta = f"{s5 - base:+.2f}" if s5 is not None and base is not None else "-"
        o, hw = r["ops_32x32"], r.get("hw")
        lut = f"{hw['LUT']:.0f}" if hw else "-"
        cyc = f"{hw['cycles_per_frame']}" if hw else "-"
        eff = (f"{(s5 - r['Set5']['bicubic_psnr']) / hw['LUT'] * 1000:.3f}"
               if hw and s5 is not None else "-")
        lines.append(f"| {name} | {len(r['seeds'])} | {' | '.join(cells)} | {delta} | "
                     f"{o['params']} | {o['binary_macs'] / 1e6:.1f} M | "
                     f"{o['int_macs'] / 1e6:.1f} M | {lut} | {cyc} | {eff} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3000, help="training steps of every run")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(CONFIGS)}")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--time-limit", type=float, help="minutes for this invocation (resume later)")
    ap.add_argument("--stop-at", type=int, help="train every run only up to this step")
    ap.add_argument("--hw", action="store_true", help="also the hardware cost per configuration")
    ap.add_argument("--data", type=Path, default=DATASETS / "SunHays80")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "paper_ablation")
    a = ap.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    names = a.only.split(",") if a.only else list(CONFIGS)
    bad = [n for n in names if n not in CONFIGS]
    if bad:
        ap.error(f"unknown configuration(s) {bad}; known: {', '.join(CONFIGS)}")
    from model.data import load_pairs
    from model.evaluate import write_json_atomic

    deadline = time.time() + 60 * a.time_limit if a.time_limit else None
    pairs = {d: load_pairs(a.datasets / d, 2) for d in SETS if (a.datasets / d / "x2").is_dir()}
    pending = 0
    try:
        teacher = None
        if any(CONFIGS[n][1] for n in names):
            teacher = _train(a, a.out / "teacher", TEACHER_ARCH, 0, [], deadline)
            if teacher is not None:
                _evaluate(teacher, a.out / "teacher" / "eval.json", pairs)
        for seed in seeds:           # seed-major: every configuration gets a seed before
            for n in names:          # any gets its second (a partial run is still a table)
                arch, kd = CONFIGS[n]
                if kd and teacher is None:
                    pending += 1
                    continue
                run = a.out / n / f"seed{seed}"
                extra = ["--teacher", str(teacher), "--kd", "feature"] if kd else []
                extra += [e.format(half=max(a.steps // 2, 1)) for e in EXTRA_ARGS.get(n, [])]
                ck = _train(a, run, arch, seed, extra, deadline)
                if ck is None:
                    pending += 1
                    continue
                r = _evaluate(ck, run / "eval.json", pairs)
                print(f"[paper_ablation] {n} seed {seed}: " + ", ".join(
                    f"{d} {r[d]['psnr']:.2f}" for d in pairs), flush=True)
        if a.hw:
            for n in names:
                ck = a.out / n / f"seed{seeds[0]}" / "ckpt.pt"
                if (a.out / n / f"seed{seeds[0]}" / "eval.json").is_file():
                    hw = hardware_cost(ck, a.out / n)
                    print(f"[paper_ablation] {n} hardware: {hw['LUT']:.0f} LUT, "
                          f"{hw['cycles_per_frame']} cycles/frame", flush=True)
    except OutOfTime:
        pending += 1
        print("[paper_ablation] time limit reached; rerun the same command to continue",
              flush=True)
    summary = summarise(a, seeds)
    write_json_atomic(summary, a.out / "summary.json")
    md = table(summary)
    (a.out / "table.md").write_text(md)
    print(md)
    if pending:
        print(f"[paper_ablation] {pending} run(s) unfinished; rerun to continue", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
